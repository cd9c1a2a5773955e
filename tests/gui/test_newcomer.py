"""Smooth for a newcomer (issue 24): each stumble of a first hour, driven as the user drove it."""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDockWidget, QMessageBox

from gui.main_window import MainWindow
from tests.gui.settle import settle
from tests.gui.test_training_workspace import open_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "resources" / "designs"
DOCKS = ("dock_palette", "dock_properties", "dock_bottom")


def docks(window) -> dict[str, QDockWidget]:
    return {d.objectName(): d for d in window.findChildren(QDockWidget) if d.objectName() in DOCKS}


def shown_docks(window) -> set[str]:
    return {name for name, dock in docks(window).items() if dock.isVisible()}


# ---------------------------------------------------------------- 1: panels that stay


def test_panels_come_back_after_train_then_start_page_then_a_template_and_after_a_restart(window, qtbot):
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


def test_a_window_state_saved_with_every_panel_lost_opens_with_them_back(window, qtbot):
    for dock in docks(window).values():
        dock.hide()  # as the start page used to leave them (Train, Start Page, a template)
    window.settings.setValue("window/state", window.saveState())
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    again.show_canvas()
    assert shown_docks(again) == set(DOCKS)


def test_a_panel_closed_on_purpose_stays_closed_through_train_and_start_page(window):
    docks(window)["dock_bottom"].close()
    window.mode.train_action.trigger()
    window.actions_by_name["start_page"].trigger()
    window.mode.design_action.trigger()
    assert shown_docks(window) == {"dock_palette", "dock_properties"}


# ---------------------------------------------------------------- 2: the start page has a way back


def test_design_ctrl1_and_fit_lead_back_from_the_start_page(window, qtbot):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
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
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    settle(qtbot, window)
    before = {name: dock.width() for name, dock in docks(window).items()}
    window.actions_by_name["start_page"].trigger()
    settle(qtbot, window)
    assert not shown_docks(window)  # the start page takes the whole centre
    qtbot.mouseClick(window.start_page.template_buttons["small_cnn"], Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert {name: dock.width() for name, dock in docks(window).items()} == before
    window.scene.select_nodes(["conv1"])  # the longest form: every label and field whole
    settle(qtbot, window)
    assert window.properties.horizontalScrollBar().maximum() == 0
    tree = window.palette.tree  # the longest layer name (GlobalAveragePooling2D) is not cut
    assert tree.sizeHintForColumn(0) <= tree.viewport().width()


# ---------------------------------------------------------------- helpers for the Train view


def train(qtbot, panel):
    """Click Train and wait for the run to end."""
    runs = len(panel.session.runs)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.session.runs) > runs and not panel.session.running, timeout=120_000)
    panel.refresh_views()


def fake_run(panel, number, epochs: dict, label="Adam lr 0.001", **extra):
    """A finished run as the session records one (its numbers made up): drawing needs no fit."""
    from gui.training.session import Run

    run = Run(number, label, panel.doc.design)
    run.epochs = epochs
    for key, value in extra.items():
        setattr(run, key, value)
    run.result = {"history": epochs}
    panel.session.runs.append(run)
    panel.session.run = run
    panel.session.revision += 1
    panel.refresh_views()
    return run


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    from PySide6.QtGui import QColor

    def lum(c: str) -> float:
        channels = [QColor(c).redF(), QColor(c).greenF(), QColor(c).blueF()]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def hue_gap(a: str, b: str) -> float:
    from PySide6.QtGui import QColor

    d = abs(QColor(a).hslHueF() - QColor(b).hslHueF()) % 1.0
    return min(d, 1 - d) * 360


# ---------------------------------------------------------------- 3: legends off the curves


def test_legends_sit_outside_the_plots_in_readable_text(window, qtbot):
    panel = open_template(window, "mlp_classifier")
    fake_run(
        panel,
        1,
        {
            "loss": [1.0, 0.6, 0.4],
            "val_loss": [1.1, 0.7, 0.5],
            "accuracy": [0.5, 0.8, 0.97],
            "val_accuracy": [0.4, 0.8, 0.93],
        },
    )
    curves = panel.curves
    for plot in (curves.loss_plot, curves.metric_plot):
        assert plot.legend is None  # no legend drawn over the curves' ends
    assert curves.metric_box.legend.names() == ["accuracy", "val_accuracy"]
    legend = curves.metric_box.legend
    assert legend.geometry().bottom() < curves.metric_box.widget.geometry().top()
    assert legend.font().pointSizeF() >= window.font().pointSizeF()


def test_nine_gradient_lines_are_told_apart_and_read_in_the_dark_theme(window, qtbot):
    panel = open_template(window, "deep_sigmoid")
    panel.tabs.setCurrentWidget(panel.gradients)
    window.set_theme("dark")
    names = [f"dense{i}" for i in range(1, 9)] + ["ring"]
    fake_run(
        panel,
        1,
        {"loss": [0.7, 0.69]},
        grad_x=[1.0, 2.0],
        grad_norm={n: [10.0 ** -(9 - i), 10.0 ** -(9 - i)] for i, n in enumerate(names)},
    )
    grads = panel.gradients
    assert grads.lines.getPlotItem().legend is None
    entries = grads.lines_box.legend.entries
    assert [name for name, _c, _d in entries] == [f"{i + 1} {n}" for i, n in enumerate(names)]
    colours = [c for _n, c, _d in entries]
    background = "#1B1C1F"
    assert min(contrast(c, background) for c in colours) >= 3.0
    assert min(hue_gap(a, b) for i, a in enumerate(colours) for b in colours[i + 1 :]) >= 20
    from gui.style import status_color

    grads.diagnosis.setText("No problem seen in the gradients.")
    assert contrast(status_color("ok"), "#2B2D31") >= 4.5
    window.set_theme("light")


# ---------------------------------------------------------------- 4: the per-batch line is named


def test_every_line_in_the_loss_plot_has_a_name(window, qtbot):
    panel = open_template(window, "mlp_classifier")
    epochs = {"loss": [1.0, 0.6], "val_loss": [1.1, 0.7]}
    fake_run(panel, 1, epochs, batch_x=[0.5, 1.0, 1.5], batch_y=[1.0, 0.8, 0.6])
    curves = panel.curves
    lines = curves.loss_plot.listDataItems()
    assert len(lines) == 3
    assert curves.loss_box.legend.names() == ["loss per batch (smoothed)", "loss", "val_loss"]


# ---------------------------------------------------------------- 5: run labels


def test_run_labels_name_the_default_rate_and_the_dataset(window, qtbot):
    """(With 11: Stop is enabled exactly while the run trains.)"""
    panel = open_template(window, "overfitting")
    window.doc.set_settings("compile", {**window.doc.design.compile, "optimizer": {"type": "Adam"}}, "o")
    stop = window.actions_by_name["stop"]
    assert not stop.isEnabled()
    window.actions_by_name["train"].trigger()  # F5
    assert stop.isEnabled()
    qtbot.waitUntil(lambda: not panel.session.running, timeout=120_000)
    assert not stop.isEnabled()
    assert panel.session.runs[0].label == "Adam lr 0.001"
    window.doc.set_settings("data", {**window.doc.design.data, "name": "circles"}, "d")
    fake_run(panel, 2, {"loss": [0.7, 0.6], "val_loss": [0.7, 0.65]})  # as a second run on circles records
    panel.tabs.setCurrentWidget(panel.runs)
    table = panel.runs.table
    names = [table.item(r, 1).text() for r in range(2)]
    assert names == ["#1 Adam lr 0.001 · moons_small", "#2 Adam lr 0.001 · circles"]
    assert panel.curves.loss_box.legend.names() == names
    metrics = table.fontMetrics()
    assert all(table.columnWidth(1) >= metrics.horizontalAdvance(n) for n in names)
    assert table.columnWidth(0) < table.columnWidth(1)


# ---------------------------------------------------------------- 6: the whole confusion matrix


def test_a_ten_class_confusion_matrix_shows_every_row_without_its_own_scrollbar(window, qtbot):
    panel = open_template(window, "small_cnn")
    panel.tabs.setCurrentWidget(panel.results)
    names = [str(i) for i in range(10)]
    matrix = [[30 if r == c else 1 for c in range(10)] for r in range(10)]
    evaluation = {"evaluated_on": "test", "metrics": {"accuracy": 0.9}, "test_samples": 390, "samples": 390}
    run = fake_run(panel, 1, {"loss": [1.0, 0.5]})
    evaluation.update(confusion_matrix=matrix, class_names=names)
    run.result = {"history": run.epochs, "evaluation": evaluation}
    panel.results.show_run(run)
    table = panel.results.confusion
    qtbot.waitUntil(lambda: table.isVisible())
    last = table.rowViewportPosition(9) + table.rowHeight(9)
    assert table.verticalScrollBar().maximum() == 0 and last <= table.viewport().height()


# ---------------------------------------------------------------- 7: nothing stale


def test_an_empty_plot_keeps_no_axes_from_the_previous_design(window, qtbot):
    panel = open_template(window, "mlp_classifier")
    fake_run(panel, 1, {"loss": [9.0, 6.0, 5.0, 4.0], "accuracy": [0.2, 0.5, 0.6, 0.7]})
    qtbot.waitUntil(lambda: panel.curves.metric_plot.viewRange()[0][1] > 3.5)
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)  # another design: its plots are empty
    panel.refresh_views()
    for plot in (panel.curves.loss_plot, panel.curves.metric_plot):
        (x0, x1), (y0, y1) = plot.viewRange()
        assert x1 <= 1.1 and y1 <= 1.1, plot.viewRange()


def test_a_refused_design_shows_no_ranges_of_the_previous_run(window, qtbot, tmp_path):
    import numpy as np

    from tests.engine.design.test_label_fit import write_trap

    panel = open_template(window, "mlp_classifier")
    fake_run(panel, 1, {"loss": [9.0, 6.0, 5.0, 4.0]})
    np.savez(tmp_path / "d.npz", x=np.zeros((20, 8, 8, 1), "float32"), y=np.arange(20) % 10)
    window.files.open_path(write_trap(tmp_path, data={"source": "numpy", "path": "d.npz"}), ask=False)
    window.mode.train_action.trigger()
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "outputs" in panel.message.text(), timeout=60_000)
    (x0, x1), (y0, y1) = panel.curves.loss_plot.viewRange()
    assert x1 <= 1.1 and y1 <= 1.1


def test_a_templates_lesson_goes_when_its_dataset_is_changed(window, qtbot):
    panel = open_template(window, "deep_relu")
    assert "a ring on circles" in panel.lesson.text() and panel.lesson.isVisible()
    window.doc.set_settings("data", {**window.doc.design.data, "name": "moons"}, "Change dataset")
    assert not panel.lesson.isVisible()
    window.actions_by_name["undo"].trigger()
    assert panel.lesson.isVisible()


# ---------------------------------------------------------------- 9: one-click fixes for data vs design


def problem_lines(window) -> list[str]:
    return [window.problems.item(i).text().strip() for i in range(window.problems.count())]


def click_fix(window, text):
    from tests.gui.test_first_use import click_item

    fix = next(item for item in window.problems.fix_items() if item.text().strip() == f"Fix: {text}")
    click_item(window.problems, fix)


def test_ten_features_against_an_input_of_eight_has_a_one_click_fix(window):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_settings("data", {**window.doc.design.data, "name": "diabetes"}, "Change dataset")
    lines = problem_lines(window)
    assert "Dataset 'diabetes' has samples of shape (10,) but Input 'x' expects (8,)" in lines
    click_fix(window, "Set the Input's shape to (10,)")
    assert window.doc.design.nodes["x"].params["shape"] == [10]
    assert not window.doc.report.problems and window.scene.nodes["x"].view.shape == "(None, 10)"
    window.actions_by_name["undo"].trigger()
    assert window.doc.design.nodes["x"].params["shape"] == [8]


def test_class_count_and_output_activation_mismatches_offer_their_fix(window):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    window.doc.set_settings("data", {**window.doc.design.data, "name": "breast_cancer"}, "d")
    window.doc.set_param("features", "shape", [30])
    click_fix(window, "Set the units of 'species' to 2")
    assert window.doc.design.nodes["species"].params["units"] == 2
    window.doc.set_param("species", "activation", "relu")
    click_fix(window, "Set the activation of 'species' to softmax")
    assert window.doc.design.nodes["species"].params["activation"] == "softmax"
    assert not window.doc.report.problems


def test_a_classification_loss_on_regression_data_is_fixed_in_two_clicks(window):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_settings("compile", {**window.doc.design.compile, "loss": "binary_crossentropy"}, "l")
    window.doc.set_param("y", "activation", "sigmoid")
    click_fix(window, "Set the loss to mse")
    assert window.doc.design.compile["loss"] == "mse"
    click_fix(window, "Set the activation of 'y' to linear")  # the squashed output, next
    assert not window.doc.report.problems
    window.actions_by_name["undo"].trigger()
    window.actions_by_name["undo"].trigger()
    assert window.doc.design.compile["loss"] == "binary_crossentropy"


# ---------------------------------------------------------------- 8: the right words


def test_a_file_opened_over_unsaved_work_is_not_shown_modified(window, monkeypatch, tmp_path, qtbot):
    """Unsaved work that never was a file (an import, or here restored autosaved work, which
    the window marks the same way) then File → Open: the opened file is not modified."""
    import shutil

    window.files.new_design()
    window.add_from_palette("Input")
    window.files.autosave()
    again = MainWindow()
    qtbot.addWidget(again)
    monkeypatch.setattr(
        "gui.file_actions.QMessageBox.question", lambda *a, **k: QMessageBox.StandardButton.Yes
    )
    again.files.start()
    assert again.doc.dirty and not again.doc.undo_stack.canUndo()
    monkeypatch.setattr(
        "gui.file_actions.QMessageBox.question", lambda *a, **k: QMessageBox.StandardButton.Discard
    )
    notes = tmp_path / "notes.json"
    shutil.copy(TEMPLATES / "seed_example.json", notes)
    monkeypatch.setattr("gui.file_actions.QFileDialog.getOpenFileName", lambda *a, **k: (str(notes), ""))
    again.actions_by_name["open"].trigger()
    assert again.doc.path == notes and not again.doc.undo_stack.canUndo()
    assert not again.doc.dirty and not again.isWindowModified()


def test_the_recovery_prompt_names_the_file_it_restores(window, answer, tmp_path, qtbot):
    import shutil

    notes = tmp_path / "notes.json"
    shutil.copy(TEMPLATES / "seed_example.json", notes)
    window.files.open_path(notes, ask=False)
    window.doc.set_param("h", "units", 12)
    window.files.autosave()
    asked = answer(QMessageBox.StandardButton.No)
    again = MainWindow()
    qtbot.addWidget(again)
    again.files.start()
    assert "the changes to notes.json" in asked[0] and "seed_example" not in asked[0]


# ---------------------------------------------------------------- 10: what is shown is labelled


def test_the_output_cards_bars_are_named_by_class_in_the_forward_pass(window, qtbot):
    from gui.canvas.activation_overlay import ClassNames

    panel = open_template(window, "mlp_classifier")
    panel.tabs.setCurrentWidget(panel.results)
    with qtbot.waitSignal(panel.session.forwarded, timeout=120_000):
        qtbot.mouseClick(panel.results.forward_button, Qt.MouseButton.LeftButton)
    card = window.scene.nodes["species"]
    names = [c for c in card.childItems() if isinstance(c, ClassNames)]
    assert len(names) == 1 and names[0].names == ["setosa", "versicolor", "virginica"]
    assert names[0].isVisible() and "versicolor: " in names[0].toolTip()
    assert not any(isinstance(c, ClassNames) for c in window.scene.nodes["hidden1"].childItems())


def test_predict_shows_the_samples_picture(window, qtbot):
    panel = open_template(window, "small_cnn")
    window.doc.set_settings("training", {**window.doc.design.training, "batch_size": 64}, "b")
    train(qtbot, panel)
    panel.tabs.setCurrentWidget(panel.results)
    with qtbot.waitSignal(panel.session.predicted, timeout=60_000):
        qtbot.mouseClick(panel.results.predict_button, Qt.MouseButton.LeftButton)
    picture = panel.results.sample_picture
    assert picture.isVisible() and not picture.pixmap().isNull()
    assert picture.pixmap().width() >= 64  # 8x8 pixels drawn large enough to read
    assert panel.results.prediction.text().startswith("predicted ")


def test_the_encoder_decoder_prediction_shows_its_input(window):
    panel = open_template(window, "lstm_seq2seq")
    names = list("abcdefgh")
    source = [[1.0 if k == i else 0.0 for k in range(8)] for i in (2, 0, 5)]
    reversed_ = [[1.0 if k == i else 0.0 for k in range(8)] for i in (5, 0, 2)]
    panel.results.show_prediction(
        {
            "index": 0,
            "sample": {"source": source, "target_in": source},
            "prediction": [v for row in reversed_ for v in row],
            "actual": reversed_,
            "class_names": names,
        }
    )
    assert panel.results.prediction.text() == "input source: c a f · predicted f a c; actual f a c"
    assert not panel.results.sample_picture.isVisible()


# ---------------------------------------------------------------- 11: small things


def test_the_model_tab_fits_1280_px_without_a_horizontal_scrollbar(window, qtbot):
    from PySide6.QtWidgets import QLabel

    window.resize(1280, 800)
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    window.right_tabs.setCurrentWidget(window.model_settings)
    panel = window.model_settings
    qtbot.waitUntil(lambda: panel.viewport().width() > 0)
    settle(qtbot, window)
    assert panel.horizontalScrollBar().maximum() == 0
    description = next(w for w in panel.findChildren(QLabel) if w.text().startswith("150 iris flowers"))
    assert description.geometry().right() <= panel.viewport().width()
    assert description.height() >= description.heightForWidth(description.width())


def test_stop_looks_disabled_while_idle_and_train_is_named_once(window):
    """(Stop enabled while a run trains: see the run-label test, which trains.)"""
    from PySide6.QtWidgets import QToolBar

    texts = [a.text().replace("&", "") for bar in window.findChildren(QToolBar) for a in bar.actions()]
    assert texts.count("Train") == 1 and "Start Training" in texts
    stop, pause = window.actions_by_name["stop"], window.actions_by_name["pause"]
    assert not stop.isEnabled() and not pause.isEnabled()
    assert not window.toolbar.widgetForAction(stop).isEnabled()


def test_a_pretrained_cards_line_is_not_cut(window):
    from gui.canvas.items import WIDTH, fitted_line

    window.files.open_path(TEMPLATES / "small_cnn.json", ask=False)
    layers = {nid: {} for nid in window.doc.design.nodes}
    window.doc.set_settings("weights", {"file": "small_cnn.weights.h5", "layers": layers}, "w")
    for card in window.scene.nodes.values():
        text = card.view.params
        font, shown = fitted_line(text, WIDTH - 16)
        assert shown == text and font.pixelSize() >= 9, text
    assert any("FLOPs · pretrained" in card.view.params for card in window.scene.nodes.values())


def test_a_new_empty_design_shows_no_error(window):
    from PySide6.QtWidgets import QStyle

    window.actions_by_name["new"].trigger()
    assert "error" not in window.params_label.text()
    assert window.bottom_tabs.tabText(0) == "Problems"
    texts = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert texts == ["Nothing to check yet: drag an Input from the Layers palette to start the design."]
    critical = window.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).cacheKey()
    assert window.problems.item(0).icon().cacheKey() != critical
    window.add_from_palette("Dense")  # a layer and no Input: now it is a problem
    assert "error" in window.params_label.text()


def test_details_take_a_few_lines_not_a_quarter_of_the_window(window, qtbot):
    window.resize(1280, 800)
    bottom = docks(window)["dock_bottom"]
    qtbot.waitUntil(lambda: bottom.height() < 140)
    assert window.problems.height() >= window.problems.sizeHintForRow(0)


def test_port_names_stay_readable_when_the_design_is_fitted(window, qtbot):
    from gui.canvas.items import port_label_px

    window.resize(1280, 800)
    window.files.open_path(TEMPLATES / "lstm_seq2seq.json", ask=False)
    window.actions_by_name["fit"].trigger()
    zoom = window.view.zoom()
    assert zoom < 1.0 and any(card.view.out_ports for card in window.scene.nodes.values())
    assert port_label_px(zoom) * zoom >= 9.0
