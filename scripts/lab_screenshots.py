"""Screenshots of the learning lab (the Train view) on a virtual X screen: docs/lab-*.png.

Run: xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/lab_screenshots.py
(``QT_QPA_PLATFORM=xcb``).  Each shot trains a template for real, as a learner would.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from screenshots import TEMPLATES, grab, screenshot_window, settle, wait_for  # noqa: E402


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
    app, w = screenshot_window()
    panel = w.training

    w.files.open_path(TEMPLATES / "deep_sigmoid.json", ask=False)
    panel.tabs.setCurrentWidget(panel.gradients)
    w.train()
    wait_until_idle(w)
    settle(app)
    grab("lab-gradients.png", w)

    w.files.open_path(TEMPLATES / "deep_relu.json", ask=False)
    w.doc.set_settings("data", {**w.doc.design.data, "name": "moons"}, "screenshot")
    panel.tabs.setCurrentWidget(panel.boundary)
    w.train()
    wait_until_idle(w)
    settle(app)
    grab("lab-boundary.png", w)

    panel.boundary.marker.setData([0.4], [-0.6])  # a point of one's own, placed on the plane
    panel.boundary.point_chosen.emit(0.4, -0.6)
    wait_for(panel.session.forwarded, 60)
    w.view.fit()
    settle(app)
    grab("lab-point.png", w)
    w.mode.show_train()

    w.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    w.doc.set_settings("training", {**w.doc.design.training, "epochs": 25}, "screenshot")
    w.mode.show_train()
    panel.tabs.setCurrentWidget(panel.runs)
    panel.compare_optimizers()
    wait_until_idle(w)
    settle(app)
    grab("lab-compare.png", w)

    w.setGeometry(0, 0, 1024, 700)
    panel.tabs.setCurrentWidget(panel.results)
    settle(app)
    grab("lab-1024x700.png", w)

    w.setGeometry(0, 0, 1280, 800)
    panel.tabs.setCurrentWidget(panel.runs)
    panel.runs.compare_losses_button.click()
    wait_until_idle(w)
    settle(app)
    grab("lab-compare-losses.png", w)

    w.files.open_path(TEMPLATES / "small_cnn.json", ask=False)
    w.mode.show_train()
    panel.tabs.setCurrentWidget(panel.data)
    settle(app, 2500)  # the preview loads on its own thread
    grab("lab-data-images.png", w)
    w.doc.set_settings("training", {**w.doc.design.training, "epochs": 4}, "screenshot")
    w.train()
    wait_until_idle(w)
    panel.results.sample.setValue(5)
    panel.results.forward_button.click()
    wait_for(panel.session.forwarded, 60)
    w.view.fit()
    settle(app)
    grab("lab-forward.png", w)

    w.mode.show_train()
    panel.tabs.setCurrentWidget(panel.results)
    panel.results.draw_button.click()
    pad = panel.drawing.pad
    for row, col in [(1, c) for c in range(1, 7)] + [(r, 6 - r // 2) for r in range(2, 8)]:
        pad.ink[row, col] = 1.0  # a seven
    panel.drawing.move(1280 - panel.drawing.width() - 20, 120)
    pad.drawn.emit(pad.ink.copy())
    wait_for(panel.session.forwarded, 60)
    w.view.fit()
    settle(app)
    grab("lab-draw.png")  # the whole screen: the pad is a window of its own
    panel.drawing.close()

    # The dark theme: every line, legend and diagnosis must read on near-black.
    w.set_theme("dark")
    w.files.open_path(TEMPLATES / "deep_sigmoid.json", ask=False)
    w.mode.show_train()
    panel.tabs.setCurrentWidget(panel.gradients)
    w.train()
    wait_until_idle(w)
    settle(app)
    grab("lab-dark.png", w)
    w.set_theme("light")
    w.doc.undo_stack.setClean()
    w.close()


if __name__ == "__main__":
    main()
