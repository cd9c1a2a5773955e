"""Python's cyclic garbage collector runs on the GUI thread only, and never for long there.

Python collects cycles on whichever thread happens to allocate past the
threshold.  While TensorFlow traces a model on the training worker, that is
usually the worker, and the collection then frees whatever cycles are
unreachable at that moment, including the Python wrappers of Qt objects the
GUI has dropped (a closed menu, an old results view).  Destroying a QObject
on the worker while the GUI thread destroys another one deadlocked the app:
the worker held Qt's connection lock and waited for the GIL, the GUI thread
held the GIL and waited for the lock (seen in gdb: ``delete_garbage`` →
``QObject::~QObject`` on the worker, ``runDeletionInMainThread`` →
``QBasicMutex::lockInternal`` on the GUI thread).

So automatic collection is switched off and a timer on the GUI thread runs
the collector instead.  What a collection costs is the number of objects it
walks, so the policy keeps that number small while the window must stay
smooth (benchmarks/ui_latency.py measures it):

* The timer looks every frame (16 ms) while a model trains or objects pile
  up, so the youngest generation holds at most a frame's worth of new objects
  (TensorFlow tracing a model allocates hundreds of thousands a second);
  an idle window is looked at ten times a second.  Young collections follow
  Python's own thresholds.
* No full collection while a model trains (``busy_while``): it would walk
  the whole heap, TensorFlow's included (half a million objects, 0.3-1 s).
* The first training imports TensorFlow: while it runs, objects that survive
  a young collection are frozen (``gc.freeze`` costs nothing) instead of
  being walked again by older collections.  When it is over and the window
  has been idle a moment, everything is unfrozen and collected once, and the
  survivors (TensorFlow, Keras, the start-up objects) frozen for good.
* Later trainings make a few ten thousand objects each: young collections
  promote them as usual, and the full collection after each run walks only
  what is not frozen, a few milliseconds.  Should that grow past a quarter of
  the frozen heap (Python's own rule for full collections), the next one
  unfreezes and walks everything again, so garbage frozen long ago (the first
  model, once replaced) is freed too.  The full collections due while the
  user edits follow the same rule (TensorFlow may come in without a training:
  the shapes of generic Keras layers).

Reference counting still frees ordinary objects at once everywhere; only
cycles wait for the collector.

The same goes for the interpreter lock: a thread that wants it waits until the
holder has run for the switch interval.  With the worker running Keras's
Python between TensorFlow calls, every call into Qt that lets go of the lock
cost the GUI thread up to 5 ms (Python's default) to get it back, and a plot's
repaint makes dozens; 1 ms halves a repaint's time during training and costs
the worker nothing measurable.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

INTERVAL_MS = 16  # one frame: each check costs microseconds, each young collection walks one frame's objects
IDLE_INTERVAL_MS = 100  # while nothing trains and little is allocated: an idle window wakes up less
SETTLE_MS = 1500  # after a training, the full collection waits until the window is idle this long
SWITCH_INTERVAL_S = 0.001  # how long the worker may hold the interpreter lock while the GUI thread waits


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.busy_checks: list[Callable[[], bool]] = []
        self.after_run = False  # a training ended: its full collection waits for the window to settle
        self.heap_frozen = False  # a training's long-lived heap (TensorFlow's) was collected and frozen
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        self.settle = QTimer(self)
        self.settle.setSingleShot(True)
        self.settle.setInterval(SETTLE_MS)
        self.settle.timeout.connect(self.collect_after_run)

    def busy_while(self, predicate: Callable[[], bool], owner: QObject) -> None:
        """While ``predicate()`` is true (a model trains), hold full collections back; the
        predicate goes when ``owner`` (whose state it reads) is destroyed."""
        self.busy_checks.append(predicate)
        owner.destroyed.connect(lambda: self.busy_checks.remove(predicate))

    def busy(self) -> bool:
        return any(check() for check in self.busy_checks)

    def check(self) -> None:
        counts = gc.get_count()
        busy = self.busy()
        # Every frame while a model trains or objects pile up (an import, a big paste); else slower.
        lively = busy or self.after_run or counts[0] > self.thresholds[0]
        interval = INTERVAL_MS if lively else IDLE_INTERVAL_MS
        if self.timer.interval() != interval:
            self.timer.setInterval(interval)
        if busy:
            self.after_run = True
            self.settle.stop()
            self._young(counts)
            if not self.heap_frozen and counts[0] > self.thresholds[0]:
                gc.freeze()  # the first training's survivors (TensorFlow) are long-lived
            return
        if self.after_run:
            if not self.settle.isActive():
                self.settle.start()
            self._young(counts)  # the window stays tidy while it settles
            return
        if counts[2] > self.thresholds[2]:  # the oldest generation past its threshold, as Python would
            self.full_collection()
        else:
            self._young(counts)

    def _young(self, counts: tuple[int, int, int]) -> None:
        if counts[0] > self.thresholds[0]:
            gc.collect(1 if counts[1] >= self.thresholds[1] else 0)

    def collect_after_run(self) -> None:
        """The full collection a training held back."""
        if self.busy():
            return  # a new run began: the check starts the wait again when it ends
        self.after_run = False
        self.full_collection(everything=not self.heap_frozen)  # the first time: TensorFlow came in
        self.heap_frozen = True

    def full_collection(self, everything: bool = False) -> None:
        """What is not frozen; or, when that has grown past a quarter of the frozen heap,
        everything, and then the survivors are frozen."""
        if everything or len(gc.get_objects(generation=2)) > gc.get_freeze_count() // 4:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
        else:
            gc.collect()


def install(app: QApplication) -> GuiThreadCollector:
    """Install the collector (and the short switch interval) once per application."""
    collector = app.findChild(GuiThreadCollector)
    if collector is None:
        collector = GuiThreadCollector(app)
        sys.setswitchinterval(SWITCH_INTERVAL_S)
    return collector
