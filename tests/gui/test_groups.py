"""Collapsing layers into one card and expanding it again: the canvas changes, the design does not."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.keras.codegen import generate
from gui.start_page import template_path

BLOCK = ["conv_a", "conv_b", "skip_add", "relu"]


def test_selected_layers_collapse_into_one_card_and_expand_again(window, qtbot):
    window.files.open_template(template_path("residual_block"))
    scene = window.scene
    before, steps, code = window.doc.design.copy(), window.doc.undo_stack.count(), generate(window.doc.design)
    scene.select_nodes(BLOCK)
    window.actions_by_name["collapse"].trigger()
    (gid,) = scene.group_items
    card = scene.group_items[gid]
    assert card.isVisible() and card.view.type == "Block · 4 layers"
    assert card.view.summary == "Conv2D ×2 · Add · ReLU"
    report = window.doc.report
    assert card.view.shape == str(report.nodes["relu"].output_shape)
    assert card.view.params == f"{sum(report.nodes[n].params for n in BLOCK):,} params"
    assert not any(scene.nodes[n].isVisible() for n in BLOCK) and scene.nodes["stem"].isVisible()
    # Edges into and out of the block end at the card; the ones inside are not drawn.
    ends = sorted((e.src.node_id, e.dst.node_id) for e in scene.edge_items)
    assert ends == sorted([("image", "stem"), ("stem", gid), (gid, "flatten"), ("flatten", "digit")])
    # A view only: the design, its undo history and its exported script are as they were.
    assert window.doc.design == before and window.doc.undo_stack.count() == steps
    assert generate(window.doc.design) == code
    # Edits elsewhere keep it folded; double-clicking the card shows the layers again.
    window.doc.set_param("digit", "units", 10)
    assert scene.group_items[gid].isVisible()
    view_pos = window.view.mapFromScene(card.sceneBoundingRect().center())
    QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert not scene.group_items and all(scene.nodes[n].isVisible() for n in BLOCK)
    assert len(scene.edge_items) == len(window.doc.design.edges)


def test_a_folded_card_acts_for_its_layers_and_problems_unfold_it(window):
    window.files.open_template(template_path("residual_block"))
    scene = window.scene
    scene.select_nodes(["conv_a", "skip_add"])  # conv_b, outside, sits between them
    window.actions_by_name["collapse"].trigger()
    assert not scene.group_items
    assert "reached again from outside" in window.statusBar().currentMessage()
    scene.select_nodes(BLOCK)
    window.actions_by_name["collapse"].trigger()
    (gid,) = scene.group_items
    window.reveal_node("conv_b")  # e.g. a click on its problem: the card opens to show it
    assert not scene.group_items and scene.nodes["conv_b"].isSelected()
    scene.select_nodes(BLOCK)
    window.actions_by_name["collapse"].trigger()
    (gid,) = scene.group_items
    scene.clearSelection()
    scene.group_items[gid].setSelected(True)
    assert sorted(scene.selected_node_ids()) == sorted(BLOCK)
    scene.delete_selection()  # deletes its layers, as one undo step
    assert not set(BLOCK) & set(window.doc.design.nodes) and not scene.group_items
    window.doc.undo_stack.undo()
    assert set(BLOCK) <= set(window.doc.design.nodes)
    assert all(scene.nodes[n].isVisible() for n in BLOCK)
