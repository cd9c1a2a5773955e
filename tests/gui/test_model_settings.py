"""Model settings driven as a user does: per-output rows, from_logits, learning-rate schedule,
class weights and ReduceLROnPlateau; every change is one undoable step that validation judges."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.gui.test_main_window import TEMPLATES, drop


def undo(window):
    window.actions_by_name["undo"].trigger()


def test_from_logits_checkbox_is_an_undoable_setting_that_changes_the_warning(window):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    panel = window.model_settings
    assert not panel.from_logits.isChecked() and not window.doc.report.warnings
    panel.from_logits.click()
    assert window.doc.design.compile["from_logits"] is True
    assert any("from_logits says it gives raw scores" in p.message for p in window.doc.report.warnings)
    undo(window)
    assert "from_logits" not in window.doc.design.compile and not panel.from_logits.isChecked()


def test_a_design_with_two_outputs_gets_a_row_per_output(window):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    panel, doc = window.model_settings, window.doc
    assert panel.outputs.isHidden() and not panel.loss.isHidden()
    trunk = doc.design.incoming()[doc.design.output_ids()[0]][0].src
    size = drop(window, "Dense", (400, 300))
    doc.connect(trunk, size)
    outputs = doc.design.output_ids()
    assert len(outputs) == 2 and panel.outputs.outputs == outputs
    assert not panel.outputs.isHidden() and panel.loss.isHidden() and panel.metrics.isHidden()
    row = outputs.index(size)
    loss = panel.outputs.cellWidget(row, 1)
    loss.setCurrentIndex(loss.findData("mse"))
    assert doc.design.compile["loss"] == {"species": "sparse_categorical_crossentropy", size: "mse"}
    weight = panel.outputs.cellWidget(row, 2)
    weight.setValue(0.25)
    assert doc.design.compile["loss_weights"] == {"species": 1.0, size: 0.25}
    button = panel.outputs.cellWidget(row, 3)
    assert button.text() == "accuracy"  # the shared metrics went to every output
    next(a for a in button.menu().actions() if a.text() == "mae").trigger()
    next(a for a in button.menu().actions() if a.text() == "accuracy").trigger()
    assert doc.design.compile["metrics"] == {"species": ["accuracy"], size: ["mae"]}
    assert button.text() == "mae" and doc.report.valid
    for _ in range(3):
        undo(window)
    assert "loss_weights" not in doc.design.compile and weight.value() == 1.0


def test_a_schedule_replaces_the_learning_rate_and_a_bad_value_is_refused_in_place(window, qtbot):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    panel, doc = window.model_settings, window.doc
    panel.schedule.setCurrentIndex(panel.schedule.findData("PiecewiseConstantDecay"))
    assert doc.design.compile["learning_rate_schedule"] == {
        "type": "PiecewiseConstantDecay",
        "boundaries": [1000],
        "values": [0.01, 0.001],
    }
    assert not panel.optimizer_fields["learning_rate"].isEnabled()
    field = panel.schedule_fields["boundaries"]
    field.editor.setText("200, 100")
    field.editor.editingFinished.emit()
    assert "must increase" in field.error.text()  # refused by the catalog, not applied
    field.editor.setText("100, 200")
    field.editor.editingFinished.emit()
    assert doc.design.compile["learning_rate_schedule"]["boundaries"] == [100, 200]
    assert [p.key for p in doc.report.errors] == ["compile.learning_rate_schedule.values"]
    values = panel.schedule_fields["values"]
    values.editor.setText("0.01, 0.005, 0.001")
    values.editor.editingFinished.emit()
    assert doc.report.valid
    panel.schedule.setCurrentIndex(panel.schedule.findData(None))
    assert "learning_rate_schedule" not in doc.design.compile and not panel.schedule_fields
    assert panel.optimizer_fields["learning_rate"].isEnabled()


def test_class_weights_and_reduce_lr_on_plateau_are_training_options(window, qtbot):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    panel, doc = window.model_settings, window.doc
    panel.class_weight.setCurrentIndex(panel.class_weight.findData("balanced"))
    assert doc.design.training["class_weight"] == "balanced" and panel.class_weights.isHidden()
    panel.class_weight.setCurrentIndex(panel.class_weight.findText("per class"))
    assert not panel.class_weights.isHidden()
    panel.class_weights.clear()
    QTest.keyClicks(panel.class_weights, "0: 1, 5: 2")
    QTest.keyClick(panel.class_weights, Qt.Key.Key_Return)
    assert doc.design.training["class_weight"] == {"0": 1.0, "5": 2.0}
    assert [p.message for p in doc.report.errors] == [
        "training.class_weight names class 5, but output 'species' tells apart 3 classes (0 to 2)"
    ]
    panel.class_weight.setCurrentIndex(panel.class_weight.findData(None))
    assert "class_weight" not in doc.design.training and doc.report.valid
    panel.reduce_lr.click()
    assert doc.design.training["reduce_lr_on_plateau"] == {"factor": 0.5, "patience": 2}
    assert not panel.reduce_lr_box.isHidden()
    panel.reduce_lr_fields["patience"].editor.setValue(4)
    assert doc.design.training["reduce_lr_on_plateau"]["patience"] == 4
    undo(window)
    undo(window)
    assert "reduce_lr_on_plateau" not in doc.design.training and panel.reduce_lr_box.isHidden()


def test_confusion_counts_train_and_show_as_counts_in_their_own_plot(window, qtbot):
    from tests.gui.test_training_panel import start_and_wait

    window.files.open_path(TEMPLATES / "deep_relu.json", ask=False)
    doc = window.doc
    doc.set_param("ring", "units", 1)
    doc.set_param("ring", "activation", "sigmoid")
    comp = {**doc.design.compile, "loss": "binary_crossentropy", "metrics": ["true_positives", "precision"]}
    doc.set_settings("compile", comp, "binary")
    doc.set_settings("training", {**doc.design.training, "epochs": 2, "batch_size": 64}, "short")
    assert doc.report.valid, [p.message for p in doc.report.errors]
    window.mode.train_action.trigger()
    panel = window.training
    result = start_and_wait(qtbot, panel)
    assert {"true_positives", "val_true_positives", "precision"} <= set(result["history"])
    panel.refresh_views()
    run = panel.session.run
    curves = panel.curves
    assert curves.items[(run.number, "true_positives")].getViewBox() is curves.count_plot.getViewBox()
    assert curves.items[(run.number, "precision")].getViewBox() is curves.metric_plot.getViewBox()
    text = panel.results.results.text()
    count = text.split("true_positives ")[1].split(",")[0]
    assert count.isdigit(), text  # a count of samples, not 57.0000


def test_a_file_with_hostile_settings_opens_and_shows_its_problems(window, tmp_path):
    from engine.design.file_format import save
    from tests.engine.keras.test_compile_per_output import two_heads

    design = two_heads()
    design.compile.update(
        loss_weights={"kind": None, "size": "heavy"},
        from_logits="yes",
        learning_rate_schedule={"type": "CosineDecay", "decay_steps": "x"},
        metrics={"kind": [{"type": "auc", "curve": "XYZ"}]},
    )
    design.training.update(class_weight={"0": "a lot"}, reduce_lr_on_plateau={"monitor": 3})
    path = tmp_path / "hostile.json"
    save(design, path)
    window.files.open_path(path, ask=False)
    panel = window.model_settings
    assert panel.outputs.outputs == ["kind", "size"] and not panel.from_logits.isChecked()
    assert "decay_steps" in panel.schedule_fields["decay_steps"].error.text()
    assert panel.class_weights.text() == "0: a lot" and panel.reduce_lr.isChecked()
    assert not window.doc.report.valid


def test_one_threshold_field_sets_the_confusion_metrics_threshold(window):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    panel, doc = window.model_settings, window.doc
    assert panel.threshold.isHidden()

    def check(name):
        panel.metrics.findItems(name, Qt.MatchFlag.MatchExactly)[0].setCheckState(Qt.CheckState.Checked)

    check("precision")
    assert not panel.threshold.isHidden() and panel.threshold.editor.text() == ""
    panel.threshold.editor.setText("0.3")
    panel.threshold.editor.editingFinished.emit()
    assert doc.design.compile["metrics"] == ["accuracy", {"type": "precision", "thresholds": 0.3}]
    check("recall")
    assert doc.design.compile["metrics"][-1] == {"type": "recall", "thresholds": 0.3}
    panel.threshold.editor.setText("1.5")
    panel.threshold.editor.editingFinished.emit()
    assert "<= 1" in panel.threshold.error.text()  # refused in place, the design unchanged
    assert doc.design.compile["metrics"][-1] == {"type": "recall", "thresholds": 0.3}
    panel.threshold.editor.setText("")
    panel.threshold.editor.editingFinished.emit()
    assert doc.design.compile["metrics"] == ["accuracy", "precision", "recall"]
