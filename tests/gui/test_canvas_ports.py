"""Named ports, several outputs and shared layers on the canvas, driven as a user does."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.gui.test_main_window import drop


def drag(window, start, end):
    view = window.view
    a, b = view.mapFromScene(start), view.mapFromScene(end)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(view.viewport(), (a + b) / 2)
    QTest.mouseMove(view.viewport(), b)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def test_wiring_self_attention_by_dropping_on_named_ports(window):
    doc, scene = window.doc, window.scene
    x = drop(window, "Input", (0, 0))
    doc.set_param(x, "shape", [5, 8])
    mha = drop(window, "MultiHeadAttention", (0, 250))
    card = scene.nodes[mha]
    assert card.view.in_ports == ("query", "value", "key", "attention_mask")
    drag(window, scene.nodes[x].output_point(), card.named_input_point("value"))
    assert [(e.src, e.port) for e in doc.design.edges] == [(x, "value")]
    assert doc.report.nodes[mha].errors == [
        "MultiHeadAttention 'multiheadattention' needs an input on 'query': "
        "the sequence that asks (batch, timesteps, features)"
    ]
    drag(window, scene.nodes[x].output_point(), card.named_input_point("query"))
    assert {(e.src, e.port) for e in doc.design.edges} == {(x, "value"), (x, None)}
    assert doc.report.nodes[mha].output_shape == (None, 5, 8)
    drag(window, scene.nodes[x].output_point(), card.named_input_point("value"))
    assert len(doc.design.edges) == 2  # refused: the port is taken, and the status bar says so
    assert "Input 'value' of MultiHeadAttention 'multiheadattention' already receives 'input'" in (
        window.statusBar().currentMessage()
    )
    window.actions_by_name["undo"].trigger()
    assert [(e.src, e.port) for e in doc.design.edges] == [(x, "value")]


def test_an_lstm_with_return_state_shows_and_wires_its_states(window):
    doc, scene = window.doc, window.scene
    x = drop(window, "Input", (0, 0))
    doc.set_param(x, "shape", [6, 4])
    lstm = doc.add_layer("LSTM", (0, 250), after=x)
    assert scene.nodes[lstm].view.out_ports == ()  # one output: one unnamed port
    doc.set_param(lstm, "return_state", True)
    assert scene.nodes[lstm].view.out_ports == ("output", "state_h", "state_c")
    dense = drop(window, "Dense", (300, 500))
    drag(window, scene.nodes[lstm].output_point("state_c"), scene.nodes[dense].sceneBoundingRect().center())
    edge = next(e for e in doc.design.edges if e.dst == dense)
    assert (edge.src, edge.out) == (lstm, "state_c")
    assert doc.report.nodes[dense].output_shape == (None, 32)
    window.actions_by_name["undo"].trigger()
    assert all(e.dst != dense for e in doc.design.edges)


def test_sharing_weights_is_chosen_in_properties_tagged_on_both_cards_and_undoable(window):
    doc, scene = window.doc, window.scene
    a, b = drop(window, "Input", (0, 0)), drop(window, "Input", (300, 0))
    first = doc.add_layer("Dense", (0, 250), after=a)
    second = doc.add_layer("Dense", (300, 250), after=b)
    scene.select_nodes([second])
    box = window.properties.shares_box
    assert [box.itemData(i) for i in range(box.count())] == ["", first]
    box.setCurrentIndex(1)
    box.activated.emit(1)
    assert doc.design.nodes[second].shares == first
    assert scene.nodes[first].view.shared_with == scene.nodes[second].view.shared_with == first
    assert doc.report.total_params == 8 * 32 + 32
    window.actions_by_name["undo"].trigger()
    assert doc.design.nodes[second].shares is None and scene.nodes[first].view.shared_with == ""


def test_named_ports_and_a_share_tag_are_painted(window, tmp_path):
    doc, scene = window.doc, window.scene
    x = drop(window, "Input", (0, 0))
    doc.set_param(x, "shape", [5, 8])
    mha = drop(window, "MultiHeadAttention", (0, 250))
    doc.set_param(mha, "return_attention_scores", True)
    assert scene.nodes[mha].view.out_ports == ("output", "attention_scores")
    assert scene.nodes[mha].boundingRect().top() < -16  # room for the port names above the card
    second = doc.add_layer("MultiHeadAttention", (300, 250))
    doc.set_shares(second, mha)
    image = window.view.grab().toImage()  # paints ports, their names and the share tags
    assert not image.isNull()
