"""Everything without the mouse (issue 24, problem 13): palette search and Enter, arrow keys
along the graph, connecting by shortcut, Tab through the property editor, and names a screen
reader announces.  Each test drives the window with key presses only and checks the design."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget

from engine.design.graph import Edge
from gui.start_page import template_path
from tests.engine.design.test_label_fit import write_trap

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def keys(window, qtbot):
    """Press keys where the focus is, as a user does; the window must be the active one."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)

    def press(key, modifiers=Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
        for _ in range(times):
            QTest.keyClick(QApplication.focusWidget() or window, key, modifiers)

    def type_text(text: str) -> None:
        QTest.keyClicks(QApplication.focusWidget(), text)

    press.type = type_text
    return press


def edges(window) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in window.doc.design.edges}


def test_palette_search_then_enter_builds_a_chain_after_the_selected_card(window, keys):
    keys(Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.palette.search
    keys.type("input")
    keys(Qt.Key.Key_Return)
    (first,) = window.doc.design.nodes
    assert window.doc.design.nodes[first].type == "Input"
    assert window.scene.selected_node_ids() == [first]
    assert QApplication.focusWidget() is window.view  # the new card, ready for the arrow keys
    keys(Qt.Key.Key_F, CTRL)
    keys.type("dense")  # "Dense", not the first layer whose help mentions dense layers
    keys(Qt.Key.Key_Return)
    second = window.scene.selected_node_ids()[0]
    assert window.doc.design.nodes[second].type == "Dense"
    assert edges(window) == {(first, second)}
    keys(Qt.Key.Key_F, CTRL)
    keys.type("drop")
    keys(Qt.Key.Key_Down)  # into the list of matches, then Enter on the one chosen
    assert QApplication.focusWidget() is window.palette.tree
    keys(Qt.Key.Key_Return)
    third = window.scene.selected_node_ids()[0]
    assert window.doc.design.nodes[third].type == "Dropout"
    assert edges(window) == {(first, second), (second, third)}


def test_arrow_keys_move_the_selection_along_the_graph(window, keys):
    window.files.open_template(template_path("residual_block"))
    window.view.setFocus()
    keys(Qt.Key.Key_Down)  # nothing selected: the input
    assert window.scene.selected_node_ids() == ["image"]
    keys(Qt.Key.Key_Down)
    assert window.scene.selected_node_ids() == ["stem"]
    keys(Qt.Key.Key_Down)  # two layers follow; the one straight below first
    assert window.scene.selected_node_ids() == ["skip_add"]
    keys(Qt.Key.Key_Left)  # the branch beside it
    assert window.scene.selected_node_ids() == ["conv_b"]
    keys(Qt.Key.Key_Up)  # back along its connection
    assert window.scene.selected_node_ids() == ["conv_a"]
    keys(Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # Shift adds to the selection
    assert sorted(window.scene.selected_node_ids()) == ["conv_a", "conv_b"]
    keys(Qt.Key.Key_Down, times=3)
    assert window.scene.selected_node_ids() == ["flatten"]
    description = QAccessible.queryAccessibleInterface(window.view).text(QAccessible.Text.Description)
    assert "flatten" in description  # what a screen reader says about the canvas
    keys(Qt.Key.Key_Delete)
    assert "flatten" not in window.doc.design.nodes


def test_a_shortcut_connects_the_selected_card_to_the_next(window, keys):
    doc = window.doc
    top = doc.add_layer("Input", (0.0, 0.0))
    below = doc.add_layer("Dense", (0.0, 200.0))
    aside = doc.add_layer("Dense", (400.0, 500.0))
    window.scene.clearSelection()
    window.view.setFocus()
    keys(Qt.Key.Key_Down)  # the input
    keys(Qt.Key.Key_J, CTRL)
    assert edges(window) == {(top, below)}
    assert "Connected" in window.statusBar().currentMessage()
    keys(Qt.Key.Key_Down)  # along the new connection
    keys(Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # nothing follows: the card below it
    assert sorted(window.scene.selected_node_ids()) == sorted([below, aside])
    keys(Qt.Key.Key_J, CTRL)  # two selected: the upper one into the lower one
    assert edges(window) == {(top, below), (below, aside)}
    keys(Qt.Key.Key_Z, CTRL)
    assert edges(window) == {(top, below)}
    assert Edge(top, below) in doc.design.edges


def test_tab_goes_through_the_property_editor_top_to_bottom_and_edits_with_keys(window, keys):
    window.files.open_template(template_path("mlp_classifier"))
    window.view.setFocus()
    keys(Qt.Key.Key_Down, times=2)  # the first hidden layer
    (node_id,) = window.scene.selected_node_ids()
    assert window.doc.design.nodes[node_id].type == "Dense"
    window.properties.setFocus()  # the panel: where Tab from the layer list arrives
    seen = []
    for _ in range(5):
        keys(Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert all(window.properties.widget().isAncestorOf(w) for w in seen)
    tops = [w.mapTo(window, w.rect().topLeft()).y() for w in seen]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)  # down the form, one field each
    assert seen[0] is window.properties.name_edit
    units = window.properties.fields["units"]
    while not units.isAncestorOf(QApplication.focusWidget()) and QApplication.focusWidget() is not units:
        keys(Qt.Key.Key_Tab)
    keys(Qt.Key.Key_A, CTRL)
    keys.type("48")
    keys(Qt.Key.Key_Return)
    assert window.doc.design.nodes[node_id].params["units"] == 48


def test_toolbar_buttons_panels_and_canvas_have_names_a_screen_reader_announces(window):
    def name(widget) -> str:
        return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)

    buttons = [window.toolbar.widgetForAction(a) for a in window.toolbar.actions() if not a.isSeparator()]
    names = [name(b) for b in buttons if b is not None]
    assert all(names) and len(names) == len(set(names))
    assert {"Start Page", "Undo", "Redo", "Fit to Window", "Stop"} <= set(names)  # glyphs, named by words
    for dock in window.findChildren(QDockWidget):
        assert name(dock) and name(dock.widget())
    assert name(window.view) == "Design canvas"
    assert name(window.palette.search) == "Search layers"


def test_a_one_click_fix_is_reached_with_tab_and_applied_with_enter(window, keys, tmp_path):
    window.files.open_path(write_trap(tmp_path), ask=False)
    window.view.setFocus()
    for _ in range(60):  # on through the palette, the panels and the fields to the Problems list
        if QApplication.focusWidget() is window.problems:
            break
        keys(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.problems
    fix = window.problems.fix_items()[0]
    for _ in range(window.problems.count()):
        if window.problems.currentItem() is fix:
            break
        keys(Qt.Key.Key_Down)
    keys(Qt.Key.Key_Return)
    assert ("flatten", "digit") in edges(window)
