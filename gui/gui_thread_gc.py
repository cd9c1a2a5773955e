"""Python's cyclic garbage collector runs on the GUI thread only.

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
the collector whenever the allocation counts pass Python's own thresholds:
the same policy as the interpreter's, always on the thread that owns the Qt
objects.  Reference counting still frees ordinary objects at once everywhere.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

INTERVAL_MS = 250  # often enough that garbage never piles up; each check is a few microseconds


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        """Collect the oldest generation whose count is past its threshold, as Python would."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


def install(app: QApplication) -> GuiThreadCollector:
    """Install the collector once per application (it lives as long as the application)."""
    collector = app.findChild(GuiThreadCollector)
    if collector is None:
        collector = GuiThreadCollector(app)
    return collector
