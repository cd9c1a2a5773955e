"""Backpropagation step by step, as a learner walks it: take a step on a template, walk Forward
from the input and Backward from the loss over the cards, click a weight of a Dense layer's
gradient heatmap; every number shown is the step ledger's (engine/training/step_ledger.py)."""

import numpy as np
from PySide6.QtCore import Qt

from engine.training.step_formulas import num
from tests.gui.test_training_panel import TEMPLATES, TIMEOUT


def shown_item(window):
    from gui.backprop.step_view import StepItem

    items = [
        (nid, c)
        for nid, card in window.scene.nodes.items()
        for c in card.childItems()
        if isinstance(c, StepItem)
    ]
    assert len(items) == 1  # only the current card shows its step
    return items[0]


def test_walk_forward_and_backward_and_explain_one_weight(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.show_backprop()
    panel = window.backprop
    panel.sample.setValue(5)
    with qtbot.waitSignal(window.training.session.explained, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    ledger = blocker.args[0]
    assert ledger.index == 5 and num(ledger.loss) in panel.details.toPlainText()

    qtbot.mouseClick(panel.forward_button, Qt.MouseButton.LeftButton)
    nid, item = shown_item(window)
    assert nid == "x" and np.array_equal(item.rows[0][1], ledger.x[0])
    qtbot.mouseClick(panel.forward_button, Qt.MouseButton.LeftButton)
    nid, item = shown_item(window)
    hidden = ledger.layer("h")
    assert nid == "h" and [label for label, _ in item.rows] == ["z", "a"]
    np.testing.assert_array_equal(item.rows[0][1], hidden.z)
    np.testing.assert_array_equal(item.rows[1][1], hidden.output)
    assert (
        num(hidden.z[0]) in panel.details.toPlainText()
        and num(hidden.output[0]) in panel.details.toPlainText()
    )
    for _ in ledger.layers:  # on to the loss
        qtbot.mouseClick(panel.forward_button, Qt.MouseButton.LeftButton)
    assert f"L = {num(ledger.loss)}" in panel.where.text()

    qtbot.mouseClick(panel.backward_button, Qt.MouseButton.LeftButton)  # from the loss: the output layer
    qtbot.mouseClick(panel.backward_button, Qt.MouseButton.LeftButton)  # and one further back: h
    nid, item = shown_item(window)
    assert nid == "h" and [label for label, _ in item.rows] == ["∂L/∂a", "δ=∂L/∂z"]
    np.testing.assert_array_equal(item.rows[1][1], hidden.delta)
    np.testing.assert_array_equal(item.heatmap, hidden.weights["kernel"].grad)

    i, j = 3, int(np.argmax(np.abs(hidden.delta)))  # click that weight's cell on the canvas
    view = window.view
    at = view.mapFromScene(item.mapToScene(item.cell_rect(i, j).center()))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    text = panel.formula.toPlainText()
    a_i, d_j = hidden.input[i], hidden.delta[j]
    grad = hidden.weights["kernel"].grad[i, j]
    assert f"∂L/∂w = δ_j · a_i = {num(d_j)} × {num(a_i)} = {num(grad)}" in text
    assert "w ← w − α·m/(√v + ε)" in text  # the seed example's Adam, as Keras computes it
    assert f"new weight: {num(hidden.weights['kernel'].after[i, j])}" in text

    window.doc.set_param("h", "units", 8)  # an edit: the step no longer belongs to the design
    assert not panel.forward_button.isEnabled()


def test_a_design_without_data_says_why_no_step_can_be_taken(window, qtbot, tmp_path):
    import json

    design = json.loads((TEMPLATES / "seed_example.json").read_text())
    design.pop("data")
    path = tmp_path / "no_data.json"
    path.write_text(json.dumps(design))
    window.files.open_path(path, ask=False)
    window.show_backprop()
    panel = window.backprop
    qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "no dataset" in panel.where.text(), timeout=TIMEOUT)
    assert "Cannot explain a step yet" in panel.where.text() and not panel.forward_button.isEnabled()
