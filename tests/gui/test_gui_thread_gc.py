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
