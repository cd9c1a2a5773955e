"""Screenshots of backpropagation step by step, the loss landscape and saliency:
docs/backprop-step.png, docs/loss-landscape.png, docs/saliency.png.

Run: xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/backprop_screenshots.py
(``QT_QPA_PLATFORM=xcb``).  Every number on them is computed for real, as a learner would see it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDockWidget  # noqa: E402
from screenshots import TEMPLATES, grab, screenshot_window, settle, wait_for  # noqa: E402


def main() -> None:
    app, w = screenshot_window()
    session = w.training.session

    w.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    w.findChild(QDockWidget, "dock_palette").hide()  # room on the canvas for the step beside the card
    w.show_backprop()
    dock = w.findChild(QDockWidget, "dock_backprop")
    panel = w.backprop
    panel.sample.setValue(3)
    panel.compute()
    wait_for(session.explained)
    for _ in range(len(panel.ledger.layers) + 1):  # forward to the loss
        panel.forward()
    panel.backward()  # the output layer
    panel.backward()  # the hidden layer: its 8x10 kernel gradient
    panel.explain_weight("h", "kernel", (2, 4))
    w.resizeDocks([dock], [300], Qt.Orientation.Vertical)
    settle(app, 400)
    w.view.centerOn(panel.item)
    settle(app, 800)
    grab("backprop-step.png", w)
    dock.hide()
    w.findChild(QDockWidget, "dock_palette").show()

    w.files.open_path(TEMPLATES / "deep_relu.json", ask=False)
    w.mode.show_train()
    training = w.training
    training.tabs.setCurrentWidget(training.landscape)
    training.landscape.compute()
    wait_for(session.landscaped)
    settle(app, 800)
    grab("loss-landscape.png", w)

    w.files.open_path(TEMPLATES / "small_cnn.json", ask=False)
    w.doc.set_settings("training", {**w.doc.design.training, "epochs": 5}, "epochs")
    w.train()
    wait_for(session.finished)
    training.tabs.setCurrentWidget(training.results)
    training.results.sample.setValue(7)
    training.results.saliency.button.click()
    wait_for(session.attended)
    settle(app, 800)
    training.results.ensureWidgetVisible(training.results.saliency)
    settle(app, 400)
    grab("saliency.png", w)
    w.doc.undo_stack.setClean()
    w.close()


if __name__ == "__main__":
    main()
