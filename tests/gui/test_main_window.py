"""The designer driven as a user drives it: drops, drags, typing, menus, files."""

import json
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox, QSpinBox

from engine.design.file_format import load
from gui.canvas.items import EdgeItem
from gui.canvas.scene import LAYER_MIME

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "resources" / "designs"


def drop(window, layer_type, scene_pos):
    """Drop a palette item on the canvas, as a drag from the palette ends."""
    view = window.view
    data = QMimeData()
    data.setData(LAYER_MIME, layer_type.encode())
    point = QPointF(view.mapFromScene(QPointF(*scene_pos)))
    event = QDropEvent(
        point, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    view.dropEvent(event)
    return window.scene.selected_node_ids()[0]


def drag_wire(window, src, dst):
    """Press on src's output port, move, release over dst: the user's connection gesture."""
    view, scene = window.view, window.scene
    start = view.mapFromScene(scene.nodes[src].output_point())
    end = view.mapFromScene(scene.nodes[dst].sceneBoundingRect().center())
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(view.viewport(), (start + end) / 2)
    QTest.mouseMove(view.viewport(), end)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def field(window, name):
    return window.properties.fields[name].editor


def type_into(qtbot, line_edit, text):
    line_edit.setFocus()
    line_edit.selectAll()
    qtbot.keyClicks(line_edit, text)
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)


def set_spin(qtbot, spin: QSpinBox, value):
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, str(value))
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def test_build_the_seed_example_with_mouse_and_keyboard(window, qtbot):
    x = drop(window, "Input", (0, 0))
    type_into(qtbot, field(window, "shape"), "8")
    h = drop(window, "Dense", (0, 150))
    set_spin(qtbot, field(window, "units"), 10)
    combo = field(window, "activation")
    combo.setCurrentIndex(combo.findData("relu"))
    y = drop(window, "Dense", (0, 300))
    set_spin(qtbot, field(window, "units"), 1)
    drag_wire(window, x, h)
    drag_wire(window, h, y)

    design = window.doc.design
    assert [n.type for n in design.nodes.values()] == ["Input", "Dense", "Dense"]
    assert design.nodes[h].params["units"] == 10 and design.nodes[h].params["activation"] == "relu"
    assert [(e.src, e.dst) for e in design.edges] == [(x, h), (h, y)]
    # What the canvas and panels show
    assert window.scene.nodes[h].view.shape == "(None, 10)"
    assert window.scene.nodes[h].view.params == "90 params · 170 FLOPs"  # 2x8x10 + 10 biases
    assert window.scene.nodes[y].view.params == "11 params · 21 FLOPs"
    assert "101 params" in window.params_label.text() and "valid" in window.params_label.text()
    assert len([i for i in window.scene.items() if isinstance(i, EdgeItem)]) == 2
    window.code.regenerate()
    code = window.code.text.toPlainText()
    assert "keras.Sequential(" in code and 'keras.layers.Dense(10, activation="relu", name="dense")' in code


def test_break_it_see_why_fix_it_undo(window, qtbot):
    assert window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.scene.select_nodes(["h"])
    # Break it: a 2-D convolution cannot read 8 features.
    assert window.doc.rename("h", "h") == ""
    window.doc.set_param("y", "units", 1)
    x_item = window.scene.nodes["x"]
    window.scene.select_nodes(["x"])
    type_into(qtbot, field(window, "shape"), "8, 8")
    assert window.scene.nodes["h"].view.shape == "(None, 8, 10)"
    type_into(qtbot, field(window, "shape"), "0")
    # Refused in place: the catalog says why; the design keeps the last valid value.
    assert window.properties.fields["shape"].error.text().startswith("'shape' must hold sizes of at least 1")
    assert window.doc.design.nodes["x"].params["shape"] == [8, 8]
    window.doc.set_settings("data", {"source": "builtin", "name": "nope"}, "bad dataset")
    assert x_item.view.status == "ok"
    problems = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert any("Unknown built-in dataset 'nope'" in p for p in problems)
    # Undo twice: dataset back, then the shape back to [8].
    window.actions_by_name["undo"].trigger()
    window.actions_by_name["undo"].trigger()
    assert window.doc.design.nodes["x"].params["shape"] == [8]
    assert window.scene.nodes["h"].view.shape == "(None, 10)"
    assert window.actions_by_name["undo"].text().startswith("&Undo")


def test_error_turns_card_red_and_problem_click_selects_it(window):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_param("h", "units", 10)
    nid = window.doc.add_layer("Conv2D", (300.0, 0.0), after="h")
    item = window.scene.nodes[nid]
    assert item.view.status == "error"
    assert "needs a 4-D input" in item.toolTip()
    row = next(
        i for i in range(window.problems.count()) if "needs a 4-D input" in window.problems.item(i).text()
    )
    window.scene.clearSelection()
    window.problems.itemClicked.emit(window.problems.item(row))
    assert window.scene.selected_node_ids() == [nid]
    assert window.properties.node_id == nid


def test_refused_connections_say_why(window):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)

    def refusal(src, dst):
        """What the status bar says once the connection drag is released."""
        window.statusBar().clearMessage()
        drag_wire(window, src, dst)
        return window.statusBar().currentMessage()

    assert refusal("y", "x") == "Input 'x' is where data enters; nothing can connect into it."
    assert refusal("y", "h") == "Dense 'h' takes exactly 1 input and already receives 'x'."
    assert refusal("x", "y") == "Dense 'y' takes exactly 1 input and already receives 'h'."
    assert len(window.doc.design.edges) == 2
    add = window.doc.add_layer("Add", (0.0, 400.0))
    assert refusal("y", add) == ""  # accepted
    assert refusal(add, "h") == "Dense 'h' takes exactly 1 input and already receives 'x'."
    window.doc.remove([], [e for e in window.doc.design.edges if e.dst == "h"])
    assert refusal(add, "h") == "Connecting 'add' to 'h' would make a cycle; data must flow one way."


def test_merge_inputs_are_numbered_in_order(window):
    window.files.open_path(TEMPLATES / "residual_block.json", ask=False)
    labels = {(e.src.node_id, e.dst.node_id): e.port_label for e in window.scene.edge_items}
    assert labels[("stem", "skip_add")] == "0" and labels[("conv_b", "skip_add")] == "1"


def test_delete_key_undo_redo_and_move(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.scene.select_nodes(["h"])
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert "h" not in window.doc.design.nodes and "h" not in window.scene.nodes
    assert window.doc.design.edges == []
    window.actions_by_name["undo"].trigger()
    assert list(window.doc.design.nodes) == ["x", "h", "y"] and len(window.doc.design.edges) == 2
    assert len(window.scene.edge_items) == 2
    window.actions_by_name["redo"].trigger()
    assert "h" not in window.scene.nodes
    window.actions_by_name["undo"].trigger()
    # Drag a card: the model follows on release, as one undoable move.
    item = window.scene.nodes["y"]
    before = window.doc.design.nodes["y"].pos
    start = window.view.mapFromScene(item.sceneBoundingRect().center())
    QTest.mousePress(window.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(window.view.viewport(), start + QPoint(30, 10))
    QTest.mouseMove(window.view.viewport(), start + QPoint(60, 20))
    QTest.mouseRelease(
        window.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        start + QPoint(60, 20),
    )
    after = window.doc.design.nodes["y"].pos
    assert after != before
    assert window.doc.undo_stack.undoText() == "Move 1 layer"
    window.actions_by_name["undo"].trigger()
    assert window.doc.design.nodes["y"].pos == before
    assert (item.pos().x(), item.pos().y()) == before


def test_palette_search_and_double_click_adds_after_selection(window, qtbot):
    qtbot.keyClicks(window.palette.search, "lstm")
    assert window.palette.visible_types() == ["LSTM", "GRU", "ConvLSTM1D", "ConvLSTM2D", "Bidirectional"]
    window.palette.search.clear()
    qtbot.keyClicks(window.palette.search, "pool 2d max")
    assert window.palette.visible_types() == ["MaxPooling2D", "GlobalMaxPooling2D"]
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.scene.select_nodes(["y"])
    window.palette.search.clear()
    window.palette.tree.itemActivated.emit(window.palette.items["Dropout"], 0)
    assert window.doc.design.edges[-1].src == "y" and window.doc.design.edges[-1].dst == "dropout"
    assert window.scene.selected_node_ids() == ["dropout"]


def test_copy_paste_keeps_inner_edges(window):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.scene.select_nodes(["h", "y"])
    window.actions_by_name["copy"].trigger()
    window.actions_by_name["paste"].trigger()
    design = window.doc.design
    assert len(design.nodes) == 5
    new = window.scene.selected_node_ids()
    assert len(new) == 2 and set(new).isdisjoint({"h", "y"})
    assert sorted(new) == ["h_1", "y_1"]
    assert [(e.src, e.dst) for e in design.edges if e.src in new] == [("h_1", "y_1")]
    assert window.doc.undo_stack.undoText() == "Paste 2 layers"
    QGuiApplication.clipboard().setText("just some text")
    window.actions_by_name["paste"].trigger()
    assert len(design.nodes) == 5
    assert window.statusBar().currentMessage() == (
        "Cannot paste: the clipboard does not hold Netwright layers (copy layers on the canvas first)"
    )


def test_rename_in_property_editor(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.scene.select_nodes(["h"])
    type_into(qtbot, window.properties.name_edit, "hidden")
    assert list(window.doc.design.nodes) == ["x", "hidden", "y"]
    assert window.scene.selected_node_ids() == ["hidden"]
    type_into(qtbot, window.properties.name_edit, "y")
    assert window.properties.name_error.text() == "There is already a layer named 'y'."
    type_into(qtbot, window.properties.name_edit, "bad name!")
    assert "must start with a letter" in window.properties.name_error.text()


def test_model_settings_are_undoable(window):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    panel = window.model_settings
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("SGD"))
    assert window.doc.design.compile["optimizer"] == {"type": "SGD", "learning_rate": 0.001}
    assert set(panel.optimizer_fields) == {"learning_rate", "momentum", "nesterov"}
    panel.optimizer_fields["nesterov"].editor.setChecked(True)
    assert window.doc.design.compile["optimizer"]["nesterov"] is True
    panel.loss.setCurrentIndex(panel.loss.findData("mae"))
    assert window.doc.design.compile["loss"] == "mae"
    window.actions_by_name["undo"].trigger()
    window.actions_by_name["undo"].trigger()
    assert window.doc.design.compile["optimizer"] == {"type": "SGD", "learning_rate": 0.001}
    assert panel.loss.currentData() == "mse"


def test_save_and_reopen(window, tmp_path, monkeypatch):
    window.files.open_path(TEMPLATES / "residual_block.json", ask=False)
    window.doc.set_param("stem", "filters", 8)
    window.doc.set_param("conv_a", "filters", 8)
    window.doc.set_param("conv_b", "filters", 8)
    assert window.isWindowModified() and window.windowTitle() == "residual_block.json[*] — Netwright"
    target = tmp_path / "mine.json"
    monkeypatch.setattr("gui.file_actions.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    assert window.files.save_as()
    assert not window.isWindowModified() and window.windowTitle() == "mine.json[*] — Netwright"
    window.files.new_design()
    assert window.doc.design.nodes == {}
    assert window.files.open_path(target)
    assert window.doc.design.nodes["stem"].params["filters"] == 8
    assert load(target) == window.doc.design
    assert window.files.recent_files()[0] == str(target.resolve())


def test_broken_file_shows_why_and_keeps_the_current_design(window, tmp_path):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_param("h", "units", 12)
    before = window.doc.design.copy()
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format": "netwright-design", "version": 1, "nodes": [{"id": 3}]}))
    assert not window.files.open_path(broken, ask=False)
    assert window.doc.design == before and window.doc.dirty
    box = window.last_error
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "nodes[0].id must be a non-empty string" in box.text()
    box.close()


def test_unsaved_changes_prompt_on_close_and_open(window, answer, tmp_path):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_param("h", "units", 12)
    asked = answer(QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert asked == ["Save the changes to seed_example.json?"] and window.isVisible()
    assert not window.files.open_path(TEMPLATES / "small_cnn.json")
    assert window.doc.design.name == "seed_example"
    answer(QMessageBox.StandardButton.Discard)
    assert window.files.open_path(TEMPLATES / "small_cnn.json")
    assert window.doc.design.name == "small_cnn"


def test_autosave_and_restore_after_a_crash(window, answer, tmp_path, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_param("h", "units", 33)
    window.files.autosave()
    recovery = tmp_path / "recovery.json"
    assert json.loads(recovery.read_text())["design"]["nodes"][1]["params"]["units"] == 33
    # A new session after a crash: it offers the autosaved work.
    from gui.main_window import MainWindow

    asked = answer(QMessageBox.StandardButton.Yes)
    again = MainWindow()
    qtbot.addWidget(again)
    again.files.start()
    assert asked and "Restore it?" in asked[0]
    assert again.doc.design.nodes["h"].params["units"] == 33
    assert again.doc.dirty and again.doc.path == TEMPLATES / "seed_example.json"
    again.doc.undo_stack.setClean()


def test_start_page_lists_templates_and_opens_one(window, qtbot):
    window.files.start()
    assert window.stack.currentWidget() is window.start_page
    assert set(window.start_page.template_buttons) >= {
        "seed_example",
        "mlp_classifier",
        "small_cnn",
        "residual_block",
        "autoencoder",
        "lstm_sequence",
    }
    qtbot.mouseClick(window.start_page.template_buttons["small_cnn"], Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.view
    assert window.doc.design.name == "small_cnn" and len(window.scene.nodes) == 6


def test_auto_layout_is_one_undo_step(window):
    window.files.open_path(TEMPLATES / "residual_block.json", ask=False)
    for nid in window.doc.design.nodes:
        window.doc.move({nid: (0.0, 0.0)})
    window.actions_by_name["layout"].trigger()
    positions = {n.pos for n in window.doc.design.nodes.values()}
    assert len(positions) == 8
    assert window.doc.undo_stack.undoText() == "Auto-layout"


def test_window_never_imports_tensorflow(tmp_path):
    """Start-up stays fast: the window, validation and code view never load TensorFlow."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from gui.main_window import MainWindow\n"
        "w = MainWindow(); w.show(); w.files.open_path(sys.argv[1], ask=False); w.code.regenerate()\n"
        "assert 'def build_model' in w.code.text.toPlainText()\n"
        "w.doc.undo_stack.setClean()\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "XDG_CONFIG_HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", probe, str(TEMPLATES / "small_cnn.json")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_data_settings_pick_a_csv_and_options(window, tmp_path, monkeypatch, qtbot):
    csv_path = tmp_path / "flowers.csv"
    csv_path.write_text("a,b,kind\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n")
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_settings("data", None, "start without data")  # templates carry a dataset
    window.doc.path = tmp_path / "design.json"
    data = window.model_settings.data_settings
    monkeypatch.setattr("gui.data_settings.QFileDialog.getOpenFileName", lambda *a, **k: (str(csv_path), ""))
    data.browse.click()
    # A test split is held out by default, so results never come from the training rows unasked.
    assert window.doc.design.data == {
        "source": "csv",
        "path": "flowers.csv",
        "seed": 0,
        "test_split": 0.2,
        "standardize": False,
    }
    assert data.test_split.value() == 0.2
    assert data.target.isEnabled() and data.help.text() == "CSV file: flowers.csv"
    data.target.setText("kind")
    data.target.editingFinished.emit()
    data.standardize.setChecked(True)
    assert window.doc.design.data["target"] == "kind" and window.doc.design.data["standardize"] is True
    assert window.training.data.data_label.text() == ""  # nothing is loaded while Train is hidden
    window.mode.show_train()
    qtbot.waitUntil(
        lambda: (
            "flowers.csv: 4 samples, x (2,), 2 classes (x: 2, y: 2)" in window.training.data.data_label.text()
        )
    )
    data.source.setCurrentIndex(data.source.findData("wine"))
    assert window.doc.design.data == {
        "source": "builtin",
        "name": "wine",
        "seed": 0,
        "test_split": 0.2,
        "standardize": True,
    }
    assert not data.target.isEnabled()
    window.actions_by_name["undo"].trigger()
    assert window.doc.design.data["source"] == "csv"


def test_data_settings_pick_an_npy_pair_or_explain(window, tmp_path, monkeypatch):
    import numpy as np

    np.save(tmp_path / "x.npy", np.ones((4, 8)))
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_settings("data", None, "start without data")  # templates carry a dataset
    window.doc.path = tmp_path / "design.json"
    data = window.model_settings.data_settings
    warnings = []
    monkeypatch.setattr("gui.data_settings.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    data.use_file(tmp_path / "x.npy")
    assert window.doc.design.data is None and "put the labels beside it as y.npy" in warnings[0]
    np.save(tmp_path / "y.npy", np.zeros((4, 1)))
    data.use_file(tmp_path / "x.npy")
    data_section = window.doc.design.data
    assert {k: data_section[k] for k in ("source", "path", "y_path")} == {
        "source": "numpy",
        "path": "x.npy",
        "y_path": "y.npy",
    }
    # A file the engine does not read is refused with the reason, not taken for CSV.
    (tmp_path / "notes.json").write_text("{}")
    data.use_file(tmp_path / "notes.json")
    assert window.doc.design.data == data_section
    assert "Netwright reads CSV (.csv) and NumPy" in warnings[-1]


def test_data_settings_pick_an_image_folder(window, tmp_path, qtbot):
    from tests.engine.data.test_prepare import make_image_folder

    make_image_folder(tmp_path / "pets")
    window.files.open_path(TEMPLATES / "small_cnn.json", ask=False)
    window.doc.set_settings("data", None, "start without data")  # templates carry a dataset
    window.doc.path = tmp_path / "design.json"
    data = window.model_settings.data_settings
    data.use_folder(tmp_path / "pets")
    assert window.doc.design.data == {
        "source": "images",
        "path": "pets",
        "seed": 0,
        "test_split": 0.2,
        "standardize": False,
    }
    assert data.grayscale.isEnabled() and data.help.text() == "Image folder: pets"
    data.grayscale.setChecked(True)
    assert window.doc.design.data["grayscale"] is True
    window.mode.show_train()
    qtbot.waitUntil(
        lambda: (
            "pets: 6 samples, x (8, 8, 1), 2 classes (cat: 3, dog: 3)"
            in window.training.data.data_label.text()
        )
    )


def test_bidirectional_wrapped_layer_is_edited_with_its_own_fields(window, qtbot):
    x = drop(window, "Input", (0, 0))
    window.doc.set_param(x, "shape", [20, 8])
    window.scene.select_nodes([x])
    window.palette.tree.itemActivated.emit(window.palette.items["Bidirectional"], 0)
    layer = window.properties.fields["layer"]
    assert layer.type.currentText() == "LSTM" and "units" in layer.fields
    assert window.scene.nodes["bidirectional"].view.shape == "(None, 64)"
    layer.type.setCurrentText("GRU")
    assert window.doc.design.nodes["bidirectional"].params["layer"] == {
        "type": "GRU",
        "params": {"units": 32},
    }
    assert "reset_after" in window.properties.fields["layer"].fields
    set_spin(qtbot, window.properties.fields["layer"].fields["units"].editor, 5)
    assert window.doc.design.nodes["bidirectional"].params["layer"]["params"]["units"] == 5
    assert window.scene.nodes["bidirectional"].view.shape == "(None, 10)"
    window.actions_by_name["undo"].trigger()
    assert window.properties.fields["layer"].fields["units"].editor.value() == 32


def test_time_distributed_wraps_a_layer_applied_to_each_frame(window):
    x = drop(window, "Input", (0, 0))
    window.doc.set_param(x, "shape", [10, 8, 8, 3])
    window.scene.select_nodes([x])
    window.palette.tree.itemActivated.emit(window.palette.items["TimeDistributed"], 0)
    layer = window.properties.fields["layer"]
    assert layer.type.currentText() == "Dense" and "units" in layer.fields
    assert window.scene.nodes["timedistributed"].view.shape == "(None, 10, 8, 8, 32)"
    layer.type.setCurrentText("Conv2D")
    assert window.doc.design.nodes["timedistributed"].params["layer"]["type"] == "Conv2D"
    assert window.scene.nodes["timedistributed"].view.shape == "(None, 10, 6, 6, 32)"


def test_dragging_a_connection_previews_acceptance_on_the_target(window):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    scene, view = window.scene, window.view
    messages = []
    scene.message.connect(messages.append)
    start = view.mapFromScene(scene.nodes["h"].output_point())
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(view.viewport(), view.mapFromScene(scene.nodes["x"].sceneBoundingRect().center()))
    assert scene.nodes["x"].wire_state == "refused"
    assert messages[-1] == "Input 'x' is where data enters; nothing can connect into it."
    add = window.doc.add_layer("Add", (300.0, 300.0))
    end = view.mapFromScene(scene.nodes[add].sceneBoundingRect().center())
    QTest.mouseMove(view.viewport(), end)
    assert scene.nodes["x"].wire_state is None and scene.nodes[add].wire_state == "ok"
    assert messages[-1] == ""  # the refusal for x is cleared once the cursor leaves it
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert scene.nodes[add].wire_state is None
    assert any(e.src == "h" and e.dst == add for e in window.doc.design.edges)


def test_summary_shows_each_layers_flops_and_the_training_memory(window):
    window.files.open_path(TEMPLATES / "small_cnn.json", ask=False)
    table = window.summary.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers[4:] == ["FLOPs", "Activations"]
    rows = {table.item(r, 0).text(): table.item(r, 4).text() for r in range(table.rowCount())}
    assert rows["conv2"] == "147,968"  # 4x4 positions x 32 filters x (2 x 9 x 16 + 1)
    text = window.summary.totals.text()
    assert "170 kFLOPs" in text and "training memory at batch 32" in text and "largest batch" in text


def test_export_diagram_from_the_window(window, tmp_path):
    window.files.open_path(TEMPLATES / "small_cnn.json", ask=False)
    assert window.actions_by_name["diagram"].text().startswith("Export &Diagram")
    window.files.export_diagram(str(tmp_path / "net.png"))
    assert (tmp_path / "net.png").read_bytes().startswith(b"\x89PNG")
    assert "Exported" in window.statusBar().currentMessage()
