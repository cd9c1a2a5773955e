"""Smooth for a newcomer (issue 24): each stumble of a first hour, driven as the user drove it."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "resources" / "designs"
DOCKS = ("dock_palette", "dock_properties", "dock_bottom")


def docks(window) -> dict[str, QDockWidget]:
    return {d.objectName(): d for d in window.findChildren(QDockWidget) if d.objectName() in DOCKS}


def shown_docks(window) -> set[str]:
    return {name for name, dock in docks(window).items() if dock.isVisible()}


# ---------------------------------------------------------------- 1: panels that stay


def test_panels_come_back_after_train_then_start_page_then_a_template_and_after_a_restart(window, qtbot):
    from gui.main_window import MainWindow

    assert shown_docks(window) == set(DOCKS)
    QTest.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # Train
    assert window.stack.currentWidget() is window.training and not shown_docks(window)
    window.actions_by_name["start_page"].trigger()
    qtbot.mouseClick(window.start_page.template_buttons["mlp_classifier"], Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.view
    assert shown_docks(window) == set(DOCKS)
    window.mode.train_action.trigger()
    window.actions_by_name["start_page"].trigger()
    window.close()  # the state is saved from wherever the user was
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    again.show_canvas()
    qtbot.waitExposed(again)
    assert shown_docks(again) == set(DOCKS)


def test_a_panel_closed_on_purpose_stays_closed_through_train_and_start_page(window):
    docks(window)["dock_bottom"].close()
    window.mode.train_action.trigger()
    window.actions_by_name["start_page"].trigger()
    window.mode.design_action.trigger()
    assert shown_docks(window) == {"dock_palette", "dock_properties"}


# ---------------------------------------------------------------- 2: the start page has a way back


def test_design_ctrl1_and_fit_lead_back_from_the_start_page(window, qtbot):
    window.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    for way_back in (
        lambda: window.mode.design_action.trigger(),
        lambda: QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier),
        lambda: window.actions_by_name["fit"].trigger(),
    ):
        window.actions_by_name["start_page"].trigger()
        assert window.stack.currentWidget() is window.start_page
        way_back()
        assert window.stack.currentWidget() is window.view
        assert window.mode.design_action.isChecked()
        assert shown_docks(window) == set(DOCKS)
    assert "hidden1" in window.scene.nodes  # the open design, as it was


def test_the_start_page_at_1024x700_does_not_squeeze_the_panels(window, qtbot):
    window.resize(1024, 700)
    window.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    qtbot.wait(20)
    before = {name: dock.width() for name, dock in docks(window).items()}
    window.actions_by_name["start_page"].trigger()
    qtbot.wait(20)
    assert not shown_docks(window)  # the start page takes the whole centre
    qtbot.mouseClick(window.start_page.template_buttons["small_cnn"], Qt.MouseButton.LeftButton)
    qtbot.wait(20)
    assert {name: dock.width() for name, dock in docks(window).items()} == before
