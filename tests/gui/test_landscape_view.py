"""The loss landscape tab: one click trains the design (on the worker) and draws the loss around
where it ended, with the run's path from the start to the trained weights."""

import numpy as np
from PySide6.QtCore import Qt

from tests.gui.test_training_panel import TEMPLATES, TIMEOUT


def test_the_landscape_shows_the_loss_and_the_path_downhill(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": 2}, "e")
    window.mode.train_action.trigger()
    panel = window.training
    view = panel.landscape
    panel.tabs.setCurrentWidget(view)
    with qtbot.waitSignal(panel.session.landscaped, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    land = blocker.args[0]
    shown = view.image.image
    assert shown.shape == (len(land.alphas), len(land.betas))
    np.testing.assert_allclose(10**shown.T, np.maximum(land.loss, 1e-12), rtol=1e-5)  # log₁₀ of the loss
    assert len(view.curves) > 3  # contour lines and the path
    assert "Adam" in view.caption.text() and f"{land.path_loss[-1]:.3g}" in view.caption.text()
    # the engine's part (engine/training/landscape.py): a run, its path on the path's own plane
    assert land.directions == "pca" and land.explained > 0.5 and len(land.alphas) >= 7
    np.testing.assert_allclose(land.path[-1], [0, 0], atol=1e-12)  # the run ends at the trained weights
    assert len(land.path) >= 3  # the start, snapshots on the way, the end
    assert land.path_loss[0] > land.path_loss[-1]  # downhill
    assert land.alphas[0] <= land.path[:, 0].min() and land.alphas[-1] >= land.path[:, 0].max()
