"""What the network looks at, in the Results view: after training the small CNN, the sample,
its saliency and Grad-CAM are shown as pictures computed from the trained model."""

from PySide6.QtCore import Qt

from tests.gui.test_training_panel import TIMEOUT, start_and_wait
from tests.gui.test_training_workspace import open_template


def test_saliency_and_grad_cam_of_a_digit_after_training(window, qtbot):
    panel = open_template(window, "small_cnn", epochs=1)
    panel.results.saliency.button.click()  # before any training: it says what it needs
    assert "Train the design first" in panel.results.saliency.caption.text()
    start_and_wait(qtbot, panel)
    panel.tabs.setCurrentWidget(panel.results)
    view = panel.results.saliency
    panel.results.sample.setValue(4)
    with qtbot.waitSignal(panel.session.attended, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    seen = blocker.args[0]
    assert seen.saliency.shape == (8, 8) and seen.grad_cam.shape == (8, 8) and seen.grad_cam_layer == "conv2"
    assert all(not p.pixmap().isNull() and p.isVisible() for p in view.pictures)
    assert f"Class {seen.class_index}" in view.caption.text() and "conv2" in view.caption.text()
