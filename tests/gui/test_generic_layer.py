"""A Keras layer the catalog lacks, opened in the window: shown, sized by Keras, edited as JSON."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from engine.schema.generic import PENDING_TEXT
from tests.gui.test_import import open_with_dialog


def generic_model(keras, epsilon):
    """A fresh epsilon per test: Keras's answers are remembered, and each test must ask."""
    inputs = keras.Input((10, 10, 3), name="image")
    x = keras.layers.RMSNormalization(epsilon=epsilon, name="rms")(inputs)
    x = keras.layers.AdaptiveAveragePooling2D((2, 2), name="adaptive")(x)
    x = keras.layers.Flatten(name="flat")(x)
    outputs = keras.layers.Dense(4, name="out")(x)
    return keras.Model(inputs, outputs, name="generic")


def card(window, nid):
    return window.scene.nodes[nid].view


def test_a_generic_layer_shows_keras_shapes_once_the_worker_has_built_it(
    window, monkeypatch, tmp_path, keras, qtbot
):
    model = generic_model(keras, 1.25e-4)
    path = tmp_path / "g.keras"
    model.save(path)
    open_with_dialog(window, monkeypatch, path, qtbot)
    assert getattr(window, "last_error", None) is None  # complete: no report of problems to read
    assert card(window, "rms").type == "RMSNormalization"
    assert card(window, "rms").summary.startswith("Keras layer")
    # Until Keras answers, the layers from the generic one down say so (no false shape error).
    assert card(window, "rms").shape == PENDING_TEXT and card(window, "out").shape == PENDING_TEXT
    assert window.doc.report.valid
    steps = window.doc.undo_stack.count()
    qtbot.waitUntil(lambda: card(window, "out").shape != PENDING_TEXT, timeout=60_000)
    for layer in model.layers[1:]:
        view = card(window, layer.name)
        assert view.shape == str(tuple(layer.output.shape)), layer.name  # Keras is the oracle
        assert view.params.startswith(f"{layer.count_params():,} params"), layer.name
    assert window.doc.report.total_params == model.count_params()
    assert window.doc.undo_stack.count() == steps  # computing shapes is not an edit


def test_the_config_is_edited_as_json_checked_and_undoable(window, monkeypatch, tmp_path, keras, qtbot):
    path = tmp_path / "g.keras"
    generic_model(keras, 3.5e-4).save(path)
    open_with_dialog(window, monkeypatch, path, qtbot)
    assert getattr(window, "last_error", None) is None  # complete: no report of problems to read
    window.scene.select_nodes(["adaptive"])
    editor = window.properties.config_editor
    assert editor is not None and '\n  "output_size": [2, 2],\n' in editor.text.toPlainText()
    steps = window.doc.undo_stack.count()
    before = window.doc.design.copy()

    def apply(text):
        editor.text.setPlainText(text)
        QTest.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)

    apply('{"output_size": [3, 3],, "data_format": "channels_last"}')
    assert editor.error.isVisible()
    assert editor.error.text().startswith("Not applied: line 1, column 24: Expecting property name")
    apply('{"output_size": [3, 3], "dtype": {"module": "subprocess", "class_name": "run", "config": {}}}')
    assert "config['dtype']['module'] 'subprocess' is not one of Keras's modules" in editor.error.text()
    assert window.doc.design == before and window.doc.undo_stack.count() == steps  # refused: untouched
    apply('{"output_size": [3, 3], "data_format": "channels_last"}')
    assert not editor.error.isVisible()
    assert window.doc.design.nodes["adaptive"].params["config"] == {
        "output_size": [3, 3],
        "data_format": "channels_last",
    }
    assert window.doc.undo_stack.count() == steps + 1
    assert window.doc.undo_stack.undoText() == "Change adaptive's Keras config"
    qtbot.waitUntil(lambda: card(window, "adaptive").shape == "(None, 3, 3, 3)", timeout=60_000)
    assert card(window, "out").shape == "(None, 4)" and card(window, "out").params.startswith("112 params")
    window.doc.undo_stack.undo()
    assert window.doc.design.nodes["adaptive"].params == before.nodes["adaptive"].params
    assert '\n  "output_size": [2, 2],\n' in editor.text.toPlainText()
    qtbot.waitUntil(lambda: card(window, "adaptive").shape == "(None, 2, 2, 3)", timeout=60_000)
