"""Garbage cycles are collected on the GUI thread, never on the training worker.

A cycle collected on the worker can hold Qt objects; destroying them there
deadlocked the app (see gui/gui_thread_gc.py).
"""

import gc
import threading


class Marker:
    """Part of a reference cycle; remembers the thread that finally freed it."""

    freed_on: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Marker.freed_on.append(threading.current_thread().name)


def test_cycles_made_on_a_worker_are_freed_on_the_gui_thread(window, qtbot):
    assert not gc.isenabled()
    Marker.freed_on.clear()

    held: list[list] = []

    def worker() -> None:
        Marker()  # garbage at once, but only the cycle collector can free it
        held.append([[] for _ in range(50_000)])  # far past every threshold, as tracing a model does

    thread = threading.Thread(target=worker, name="worker")
    thread.start()
    thread.join()
    assert Marker.freed_on == []  # the worker's allocations did not collect
    qtbot.waitUntil(lambda: Marker.freed_on == [threading.main_thread().name], timeout=5000)
    held.clear()


def test_while_busy_only_young_collections_run_and_a_frozen_cycle_is_freed_afterwards(window, qtbot):
    """While a model trains, the GUI thread never walks the whole heap.  The first training's
    survivors are frozen (TensorFlow comes in then); once it is over, one full collection frees
    what the run dropped, frozen cycles too, and freezes the rest.  After later trainings the
    full collection walks only what is not frozen."""
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QApplication

    from gui import gui_thread_gc

    collector = gui_thread_gc.install(QApplication.instance())
    collector.settle.setInterval(50)
    collector.heap_frozen = False  # as before the first training
    training = [True]
    owner = QObject()
    collector.busy_while(lambda: training[0], owner)
    generations: list[int] = []

    def record(phase: str, info: dict) -> None:
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(record)
    try:
        Marker.freed_on.clear()
        kept = [Marker()]  # alive while the "run" goes on: frozen with the rest
        frozen_before = gc.get_freeze_count()
        held = [[] for _ in range(5_000)]  # past the young threshold
        qtbot.waitUntil(lambda: gc.get_freeze_count() > frozen_before, timeout=5000)
        assert generations and 2 not in generations
        kept.clear()  # the run dropped it: a frozen cycle now
        held.clear()
        assert Marker.freed_on == []
        training[0] = False
        qtbot.waitUntil(lambda: Marker.freed_on == [threading.main_thread().name], timeout=5000)
        assert 2 in generations and collector.heap_frozen

        # A later training: nothing new is frozen, and its full collection keeps the frozen heap.
        generations.clear()
        frozen = gc.get_freeze_count()
        training[0] = True
        Marker()
        held = [[] for _ in range(5_000)]
        qtbot.waitUntil(lambda: bool(generations), timeout=5000)
        assert 2 not in generations and gc.get_freeze_count() <= frozen  # (frozen objects may die)
        training[0] = False
        qtbot.waitUntil(lambda: 2 in generations, timeout=5000)
        assert gc.get_freeze_count() <= frozen and len(Marker.freed_on) == 2
        held.clear()
    finally:
        gc.callbacks.remove(record)
        owner.deleteLater()
        collector.settle.setInterval(gui_thread_gc.SETTLE_MS)
