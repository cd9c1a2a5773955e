"""Opening Keras models and scripts in the window, as a user does from File → Open."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from tests.engine.keras.test_importer import small_functional
from tests.engine.keras.test_script_parser import STUDY_NOTES
from tests.gui.settle import settle
from tests.gui.test_main_window import TEMPLATES


def open_with_dialog(window, monkeypatch, path, qtbot):
    """File → Open, then wait for the import, which runs off the GUI thread."""
    monkeypatch.setattr("gui.file_actions.QFileDialog.getOpenFileName", lambda *a, **k: (str(path), ""))
    window.actions_by_name["open"].trigger()
    qtbot.waitUntil(lambda: not window.files.model_import.busy, timeout=60_000)


def test_a_keras_script_opens_as_an_unsaved_design_with_its_problems_listed(
    window, monkeypatch, tmp_path, qtbot
):
    script = tmp_path / "notes.py"
    script.write_text(STUDY_NOTES)
    open_with_dialog(window, monkeypatch, script, qtbot)
    assert set(window.scene.nodes) == {"input", "dense", "dense_1"}
    assert window.doc.path is None and window.doc.dirty  # Save asks where; closing asks first
    box = window.last_error
    assert isinstance(box, QMessageBox) and box.isVisible() and box.objectName() == "import_report"
    assert "input shape" in box.text()
    box.close()
    # The missing input shape is a located problem on the canvas, and typing it fixes the design.
    assert not window.doc.report.valid
    window.doc.set_param("input", "shape", [8])
    assert window.doc.report.valid
    assert window.files.recent_files()[0] == str(script)


def test_a_keras_model_file_opens_on_the_canvas(window, monkeypatch, tmp_path, keras, qtbot):
    path = tmp_path / "small.keras"
    small_functional(keras).save(path)
    open_with_dialog(window, monkeypatch, path, qtbot)
    assert window.doc.design.name == "small"
    assert {"image", "conv", "add", "gap", "out"} <= set(window.scene.nodes)
    assert window.doc.report.valid
    assert "Imported small.keras" in window.statusBar().currentMessage()


def test_an_unreadable_model_leaves_the_current_design(window, monkeypatch, tmp_path, qtbot):
    before = window.doc.design.copy()
    bad = tmp_path / "broken.h5"
    bad.write_bytes(b"not hdf5")
    open_with_dialog(window, monkeypatch, bad, qtbot)
    assert window.doc.design == before
    assert "could not be opened" in window.last_error.text()
    window.last_error.close()


def test_a_tall_imported_model_scrolls_whole_and_shows_an_overview(
    window, monkeypatch, tmp_path, keras, qtbot
):
    path = tmp_path / "tall.keras"
    layers = [keras.layers.Dense(4, name=f"d{i}") for i in range(160)]
    keras.Sequential([keras.Input((4,)), *layers]).save(path)
    open_with_dialog(window, monkeypatch, path, qtbot)
    view, scene = window.view, window.scene
    qtbot.waitUntil(lambda: not scene.building)  # 161 cards: built over a few turns of the event loop
    assert len(scene.nodes) == 161 and len(scene.edge_items) == 160 and not view.building_label.isVisible()
    bottom = max(item.sceneBoundingRect().bottom() for item in scene.nodes.values())
    assert bottom > 10_000 and view.sceneRect().bottom() > bottom  # the last layers can be scrolled to
    settle(qtbot, window)  # its first layout re-fits the view once
    assert view.zoom() >= 0.5  # a deep model opens readable, at its inputs, not fitted to a sliver
    view.zoom_by(1 / view.zoom())  # back to 100 %: most of the model is off screen
    minimap = view.minimap
    qtbot.waitUntil(minimap.isVisible)
    # A click on the overview's bottom edge moves the canvas to the model's output.
    point = minimap.rect().center()
    point.setY(minimap.height() - 2)
    QTest.mouseClick(minimap, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert minimap.visible_area().bottom() > bottom - 200
    # Zoomed out to fit, nothing is off screen: the overview steps aside.
    view.fit()
    qtbot.waitUntil(lambda: not minimap.isVisible())


def test_freezing_a_layer_is_a_checkbox_and_the_counts_follow(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.scene.select_nodes(["h"])
    box = window.properties.fields["trainable"].editor
    assert box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(6, box.height() // 2))
    assert window.doc.design.nodes["h"].params["trainable"] is False
    assert window.doc.report.trainable_params == 11  # only the output layer still learns
    assert "(11 trainable)" in window.params_label.text()
    window.actions_by_name["undo"].trigger()
    assert window.doc.report.trainable_params == 101


def test_layers_with_pretrained_weights_say_so_on_their_cards(window, monkeypatch, tmp_path, keras, qtbot):
    path = tmp_path / "small.keras"
    small_functional(keras).save(path)
    open_with_dialog(window, monkeypatch, path, qtbot)
    cards = window.scene.nodes
    assert cards["out"].view.params.endswith("· pretrained")
    assert "pretrained weights in small.keras" in cards["out"].view.tooltip
    assert "pretrained" not in cards["gap"].view.params  # no weights to carry
    # The frozen convolution shows that none of its weights will train.
    assert "(0 trainable)" in cards["conv"].view.params and cards["conv"].view.params.endswith("pretrained")
    # Run → Start From Fresh Weights forgets them, as an undoable edit.
    fresh = window.actions_by_name["fresh_weights"]
    assert fresh.isEnabled()
    fresh.trigger()
    assert window.doc.design.weights is None and not fresh.isEnabled()
    assert "pretrained" not in window.scene.nodes["out"].view.params
    window.actions_by_name["undo"].trigger()
    assert window.scene.nodes["out"].view.params.endswith("· pretrained")


def test_a_model_is_read_off_the_gui_thread_and_edits_meanwhile_are_not_lost(
    window, monkeypatch, tmp_path, keras, qtbot, answer
):
    path = tmp_path / "deep.keras"
    keras.Sequential([keras.Input((4,)), *[keras.layers.Dense(4) for _ in range(60)]]).save(path)
    monkeypatch.setattr("gui.file_actions.QFileDialog.getOpenFileName", lambda *a, **k: (str(path), ""))
    window.actions_by_name["open"].trigger()
    # The call returned at once: the window shows that it is importing and still has its design.
    assert window.files.model_import.busy and window.statusBar().currentMessage() == "Importing deep.keras…"
    assert len(window.doc.design.nodes) == 0
    window.actions_by_name["open"].trigger()  # a second import waits for the first
    assert window.statusBar().currentMessage() == "Still importing deep.keras…"
    window.doc.add_layer("Input", (0, 0))  # an edit while the file is read ...
    asked = answer(QMessageBox.StandardButton.Cancel)  # ... is not thrown away without asking
    qtbot.waitUntil(lambda: not window.files.model_import.busy, timeout=60_000)
    assert asked and len(window.doc.design.nodes) == 1
    assert "set aside" in window.statusBar().currentMessage()
