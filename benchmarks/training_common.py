"""Shared set-up for the training benchmarks: an offscreen window training a template."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

DESIGN = ROOT / "resources" / "designs" / "small_cnn.json"


def make_window(epochs: int):
    QCoreApplication.setApplicationName("NetwrightBench")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication.instance() or QApplication([])
    from gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    window.files.open_path(DESIGN, ask=False)
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": epochs}, "bench")
    window.mode.show_train()
    return app, window


def train_in_window(window) -> float:
    """Press Train and wait for the worker to finish; returns seconds (live plots on)."""
    panel = window.training
    loop = QEventLoop()
    start = time.perf_counter()
    panel.start()
    worker = panel.thread.worker
    worker.finished.connect(loop.quit)
    worker.failed.connect(loop.quit)
    QTimer.singleShot(600_000, loop.quit)
    loop.exec()
    worker.finished.disconnect(loop.quit)
    worker.failed.disconnect(loop.quit)
    if panel.running:
        raise RuntimeError(f"training did not finish: {panel.message.text()}")
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
