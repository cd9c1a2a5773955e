"""Screenshots of the learning lab (the Train view) on a virtual X screen: docs/lab-*.png.

Run: xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/lab_screenshots.py
(``QT_QPA_PLATFORM=xcb``).  Each shot trains a template for real, as a learner would.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from screenshots import TEMPLATES, grab, settle  # noqa: E402


def wait_until_idle(w) -> None:
    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(200)
    timer.timeout.connect(lambda: None if w.training.session.running else loop.quit())
    timer.start()
    QTimer.singleShot(300_000, loop.quit)
    loop.exec()
    timer.stop()


def main() -> None:
    QCoreApplication.setOrganizationName("NetwrightScreenshots")
    QCoreApplication.setApplicationName("NetwrightScreenshots")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication([])
    from gui.main_window import MainWindow
    from gui.style import apply_theme

    apply_theme(app, "light")
    w = MainWindow()
    w.setGeometry(0, 0, 1280, 800)
    w.show()
    panel = w.training

    w.open_path(TEMPLATES / "deep_sigmoid.json", ask=False)
    panel.tabs.setCurrentWidget(panel.gradients)
    w.train()
    wait_until_idle(w)
    settle(app)
    grab("lab-gradients.png")

    w.open_path(TEMPLATES / "deep_relu.json", ask=False)
    w.doc.set_settings("data", {**w.doc.design.data, "name": "moons"}, "screenshot")
    panel.tabs.setCurrentWidget(panel.boundary)
    w.train()
    wait_until_idle(w)
    settle(app)
    grab("lab-boundary.png")

    w.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    w.doc.set_settings("training", {**w.doc.design.training, "epochs": 25}, "screenshot")
    w.mode.show_train()
    panel.tabs.setCurrentWidget(panel.runs)
    panel.compare_optimizers()
    wait_until_idle(w)
    settle(app)
    grab("lab-compare.png")

    w.setGeometry(0, 0, 1024, 700)
    panel.tabs.setCurrentWidget(panel.results)
    settle(app)
    grab("lab-1024x700.png")

    w.setGeometry(0, 0, 1280, 800)
    w.open_path(TEMPLATES / "small_cnn.json", ask=False)
    w.doc.set_settings("training", {**w.doc.design.training, "epochs": 4}, "screenshot")
    w.train()
    wait_until_idle(w)
    panel.results.sample.setValue(5)
    forwarded = QEventLoop()
    panel.session.forwarded.connect(lambda _result: forwarded.quit())
    panel.results.forward_button.click()
    QTimer.singleShot(60_000, forwarded.quit)
    forwarded.exec()
    w.view.fit()
    settle(app)
    grab("lab-forward.png")
    w.doc.undo_stack.setClean()
    w.close()


if __name__ == "__main__":
    main()
