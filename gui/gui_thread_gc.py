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

* The timer looks every frame (16 ms), so the youngest generation holds at
  most a frame's worth of new objects (TensorFlow tracing a model allocates
  hundreds of thousands a second).  Young collections follow Python's own
  thresholds.
* While a model trains (``busy_while``), objects that survive a young
  collection are frozen (``gc.freeze``, which costs nothing) instead of
  being walked again and again by older collections: the heap TensorFlow
  and the model build is long-lived anyway.
* The full collection waits until the training is over and the window has
  been idle a moment; it then unfreezes everything, collects it once (this
  frees the previous model and whatever cycles the run dropped) and freezes
  the survivors, so the full collections while the user edits walk only what
  is new since.

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
SETTLE_MS = 1500  # after a training, the full collection waits until the window is idle this long
SWITCH_INTERVAL_S = 0.001  # how long the worker may hold the interpreter lock while the GUI thread waits


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.busy_checks: list[Callable[[], bool]] = []
        self.deep_pending = False
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        self.settle = QTimer(self)
        self.settle.setSingleShot(True)
        self.settle.setInterval(SETTLE_MS)
        self.settle.timeout.connect(self.deep_collect)

    def busy_while(self, predicate: Callable[[], bool], owner: QObject) -> None:
        """While ``predicate()`` is true (a model trains), hold full collections back; the
        predicate goes when ``owner`` (whose state it reads) is destroyed."""
        self.busy_checks.append(predicate)
        owner.destroyed.connect(lambda: self.busy_checks.remove(predicate))

    def busy(self) -> bool:
        return any(check() for check in self.busy_checks)

    def check(self) -> None:
        counts = gc.get_count()
        if self.busy():
            self.deep_pending = True
            self.settle.stop()
            if counts[0] > self.thresholds[0]:
                gc.collect(0)
                gc.freeze()  # survivors of a training are long-lived: walked again after the run
            return
        if self.deep_pending:
            if not self.settle.isActive():
                self.settle.start()
            if counts[0] > self.thresholds[0]:
                gc.collect(0)  # the window stays tidy while it settles
            return
        for generation in (2, 1, 0):  # the oldest generation past its threshold, as Python would
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return

    def deep_collect(self) -> None:
        """Everything, frozen or not, once: then the survivors are frozen again."""
        if self.busy():
            return  # a new run began: the check starts the wait again when it ends
        self.deep_pending = False
        gc.unfreeze()
        gc.collect()
        gc.freeze()


def install(app: QApplication) -> GuiThreadCollector:
    """Install the collector (and the short switch interval) once per application."""
    collector = app.findChild(GuiThreadCollector)
    if collector is None:
        collector = GuiThreadCollector(app)
        sys.setswitchinterval(SWITCH_INTERVAL_S)
    return collector
