"""A design that holds code, in the window: drawn and checked without running it, its code shown
with colours, and run only after the user trusts it in the dialog (marker-file tests)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine import trust
from engine.design import file_format
from engine.design.file_format import save
from engine.schema.custom import PENDING_TEXT
from gui.custom_code import TrustDialog
from tests.engine.custom_fixtures import code_design, marker_source
from tests.engine.training.test_errors import noisy_iris

LONG = pytest.mark.skipif(not os.environ.get("NETWRIGHT_LONG_TESTS"), reason="NETWRIGHT_LONG_TESTS=1 runs it")


@pytest.fixture
def opened(window, tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "code.json"
    save(code_design(marker_source(marker)), path)
    assert window.files.open_path(path, ask=False)
    return window, marker


def answer_trust_dialog(button: str, seen: list) -> None:
    """When the trust dialog opens, note the code it shows and press ``button``, as a user would."""

    def press() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, TrustDialog):
            QTimer.singleShot(20, press)
            return
        seen.append(dialog.code.toPlainText())
        target = next(b for b in dialog.buttons.buttons() if b.text() == button)
        QTest.mouseClick(target, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, press)


def test_opening_and_checking_never_run_the_code_and_it_shows_with_colours(opened, qtbot):
    window, marker = opened
    assert window.scene.nodes["scale"].view.type == "Scale"
    assert window.scene.nodes["scale"].view.summary == "code: class Scale · factor 3.0"
    assert window.scene.nodes["scale"].view.shape == PENDING_TEXT
    assert window.doc.report.valid
    window.scene.select_nodes(["scale"])
    editor = window.properties.code_editor
    assert editor is not None and editor.text.toPlainText().startswith("import pathlib")
    keyword = editor.text.document().findBlockByNumber(5).layout().formats()  # "class Scale(...)"
    assert any(f.format.fontWeight() > 400 for f in keyword)  # 'class' in bold: coloured as Python
    editor.text.setPlainText("class Scale(layers.Layer):\n    def call(self, x)\n")
    QTest.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    assert "Not applied: line 2 of its code is not valid Python" in editor.error.text()
    assert not marker.exists()


def test_the_dialog_shows_the_code_and_declining_runs_nothing(opened, qtbot):
    window, marker = opened
    seen: list = []
    answer_trust_dialog("Don't run", seen)
    window.training.start()  # Train asks first
    assert seen and "class Scale(layers.Layer):" in seen[0]
    assert not window.training.session.running
    window.scene.select_nodes(["scale"])
    run = next(
        b
        for b in window.properties.findChildren(type(window.properties.code_editor.apply_button))
        if b.text() == "Run its code…"
    )
    answer_trust_dialog("Don't run", seen)
    QTest.mouseClick(run, Qt.MouseButton.LeftButton)
    assert len(seen) == 2 and not trust.is_trusted(window.doc.design)
    assert window.scene.nodes["scale"].view.shape == PENDING_TEXT
    assert not marker.exists()


@LONG
def test_once_trusted_keras_computes_the_shapes_off_the_gui_thread(opened, qtbot):
    window, marker = opened
    window.scene.select_nodes(["scale"])
    run = next(
        b
        for b in window.properties.findChildren(type(window.properties.code_editor.apply_button))
        if b.text() == "Run its code…"
    )
    answer_trust_dialog("Trust and run", [])
    QTest.mouseClick(run, Qt.MouseButton.LeftButton)
    assert trust.is_trusted(window.doc.design)
    qtbot.waitUntil(lambda: window.scene.nodes["out"].view.shape == "(None, 2)", timeout=120_000)
    assert window.scene.nodes["scale"].view.shape == "(None, 8)"
    assert marker.read_text() == "layer made"
    window.doc.move({"scale": (400.0, 400.0)})  # moving a card does not ask again
    assert trust.is_trusted(window.doc.design)


def test_a_custom_layer_is_added_from_the_edit_menu_and_its_class_renamed_in_one_undo_step(opened, qtbot):
    window, marker = opened
    window.scene.select_nodes(["x"])
    action = next(a for a in window.menuBar().actions() if a.text() == "&Edit")
    add = next(a for a in action.menu().actions() if a.text() == "Add Cust&om Layer (Python)")
    add.trigger()
    assert window.scene.selected_node_ids() == ["mylayer"]
    assert [(e.src, e.dst) for e in window.doc.design.edges if e.dst == "mylayer"] == [("x", "mylayer")]
    editor = window.properties.code_editor
    assert editor.text.toPlainText().startswith("class MyLayer(layers.Layer):")
    assert window.scene.nodes["mylayer"].view.shape == PENDING_TEXT  # its code has not run
    steps = window.doc.undo_stack.count()
    editor.text.setPlainText("class Twice(layers.Layer):\n    def call(self, x):\n        return x * 2\n")
    QTest.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    assert window.doc.design.nodes["mylayer"].params["class_name"] == "Twice"
    assert window.scene.nodes["mylayer"].view.type == "Twice" and window.doc.report.valid
    assert window.doc.undo_stack.count() == steps + 1
    window.doc.undo_stack.undo()
    assert window.doc.design.nodes["mylayer"].params["class_name"] == "MyLayer"
    lam = next(a for a in action.menu().actions() if a.text() == "Add La&mbda (Python)")
    lam.trigger()
    assert window.doc.design.nodes["lambda"].params["source"] == "lambda x: x * 2"
    assert not marker.exists()


def test_train_shows_which_custom_node_and_line_raised_while_fitting(window, qtbot, tmp_path):
    """Trusted from Train's dialog; its call() fails only in fit: the panel says where, in a sentence."""
    path = tmp_path / "noisy.json"
    save(noisy_iris(), path)
    assert window.files.open_path(path, ask=False)
    answer_trust_dialog("Trust and run", [])
    window.actions_by_name["train"].trigger()  # Start Training (F5): the Train view, then the run
    shown = window.training.message
    qtbot.waitUntil(lambda: shown.isVisible() and shown.text().startswith("Custom layer"), timeout=120_000)
    assert shown.text().startswith(
        "Custom layer 'noise' (Noisy): line 7 of its code raises AttributeError: "
        "'Noisy' object has no attribute 'scale'\n(Technical details: "
    )
    assert "Traceback" not in shown.text() and not window.training.running


def test_the_palettes_custom_layer_entry_adds_what_the_edit_menu_adds(opened, qtbot):
    """Search "custom", Enter: the Edit menu's Add Custom Layer (a MyLayer after the selected
    card, its code in the panel); "lambda" and a double-click: its Add Lambda."""
    window, marker = opened
    window.scene.select_nodes(["x"])
    window.show_start_page()  # the entry brings the canvas back
    assert window.stack.currentWidget() is not window.view
    qtbot.keyClicks(window.palette.search, "custom")
    assert window.palette.visible_types()[:2] == ["Custom layer…", "Lambda…"]
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.view
    assert window.scene.selected_node_ids() == ["mylayer"]
    assert [(e.src, e.dst) for e in window.doc.design.edges if e.dst == "mylayer"] == [("x", "mylayer")]
    assert window.properties.code_editor.text.toPlainText().startswith("class MyLayer(layers.Layer):")
    assert window.doc.undo_stack.undoText() == "Add MyLayer"
    window.palette.search.clear()
    qtbot.keyClicks(window.palette.search, "lambda")
    assert window.palette.best_match() == "Lambda…"
    window.palette.tree.itemActivated.emit(window.palette.items["Lambda…"], 0)
    assert window.doc.design.nodes["lambda"].params["source"] == "lambda x: x * 2"
    assert window.scene.selected_node_ids() == ["lambda"] and not marker.exists()


def test_a_custom_layer_from_the_palette_goes_into_the_chain_as_a_palette_layer_does(window, qtbot):
    """After the selected card it is inserted between it and the next (those below move down, so
    no card covers another), one undo step; with nothing selected it goes where Dense would."""
    assert window.files.open_path(Path("resources/designs/mlp_classifier.json"), ask=False)
    design = lambda: window.doc.design  # noqa: E731 - the document's design after each edit
    window.scene.select_nodes(["hidden2"])
    qtbot.keyClicks(window.palette.search, "custom")
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Return)
    chain = sorted((e.src, e.dst) for e in design().edges if "mylayer" in (e.src, e.dst))
    assert chain == [("hidden2", "mylayer"), ("mylayer", "species")]
    shown = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert design().output_ids() == ["species"] and shown == ["No problems: the design is valid."]
    cards = [window.scene.nodes[n].sceneBoundingRect() for n in ("hidden2", "mylayer", "species")]
    assert not cards[1].intersects(cards[0]) and not cards[1].intersects(cards[2])
    assert window.doc.undo_stack.undoText() == "Add MyLayer"
    window.doc.undo_stack.undo()  # all of it: the node, its wiring, the cards moved down
    assert file_format.load(Path("resources/designs/mlp_classifier.json")).nodes == design().nodes
    assert [(e.src, e.dst) for e in design().edges if e.dst == "species"] == [("hidden2", "species")]
    window.scene.clearSelection()
    window.palette.search.clear()
    qtbot.keyClicks(window.palette.search, "dense")
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Return)
    spot = design().nodes["dense"].pos
    window.doc.undo_stack.undo()
    window.scene.clearSelection()
    window.palette.tree.itemActivated.emit(window.palette.items["Lambda…"], 0)
    assert design().nodes["lambda"].pos == spot and not design().incoming()["lambda"]
