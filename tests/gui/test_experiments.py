"""The Experiments view driven as a person does: "Sweep this…" on a field, a second setting,
a real two-trial sweep on the worker thread, its table and front, and Apply as one undo step."""

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120_000


def choose_from_menu(text):
    """Click ``text`` in the context menu about to open (its own event loop runs this timer)."""

    def pick():
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, pick)
            return
        action = next(a for a in menu.actions() if a.text() == text)
        menu.close()
        action.trigger()

    QTimer.singleShot(0, pick)


def test_a_units_by_learning_rate_sweep_shows_its_front_and_applies_a_trial(window, qtbot, tmp_path):
    window.files.open_path(ROOT / "resources" / "designs" / "mlp_classifier.json", ask=False)
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": 2}, "epochs")
    window.scene.select_nodes(["hidden1"])
    choose_from_menu("Sweep this…")
    units = window.properties.fields["units"].editor
    units.customContextMenuRequested.emit(QPoint(2, 2))  # right-click on the field

    view = window.training.experiments
    assert window.training.tabs.currentWidget() is view and window.mode.training
    assert view.axis_texts() == [("nodes[hidden1].params.units", "8,16,32")]  # halved and doubled
    view.axes.item(0, 1).setText("2,64")
    view.path_box.setCurrentText("compile.optimizer.learning_rate")
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    view.axes.item(1, 1).setText("0.05")
    qtbot.waitUntil(lambda: "2 trial(s) planned, about" in view.plan_label.text(), timeout=TIMEOUT)

    view.export_scripts(tmp_path / "exported")  # what the folder dialog would answer
    qtbot.waitUntil(
        lambda: view.status.text().startswith("Wrote 2 trial script(s) and sweep.py"), timeout=TIMEOUT
    )
    assert sorted(p.name for p in (tmp_path / "exported").iterdir()) == [
        "sweep.py",
        "trial_01.py",
        "trial_02.py",
    ]

    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "finished in" in view.status.text(), timeout=TIMEOUT)
    assert view.status.text().startswith("2 of 2 trial(s) finished")
    assert view.table.rowCount() == 2
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert headers[:5] == ["#", "hidden1.units", "learning_rate", "status", "val_loss"]
    flops = [view.trials[i]["flops"] for i in range(2)]
    memory = [view.table.item(r, headers.index("memory")).text() for r in range(2)]
    assert "-" not in memory and memory[0] != memory[1]  # each trial's training memory
    assert flops[0] < flops[1]
    assert len(view.tradeoff.points) == 2
    front = [view.table.item(r, headers.index("front")).text() == "yes" for r in range(2)]
    assert front[0]  # the cheaper trial is always on the front
    assert sum(front) == 1 + (view.trials[1]["metrics"]["val_loss"] < view.trials[0]["metrics"]["val_loss"])

    view.table.selectAll()  # both trials: Compare starts with them
    qtbot.mouseClick(view.compare_button, Qt.MouseButton.LeftButton)
    dialog = view.comparing
    lines = [dialog.differences.item(i).text() for i in range(dialog.differences.count())]
    assert (dialog.first.currentText(), dialog.second.currentText()) == ("trial 1", "trial 2")
    assert lines == ["changed Dense 'hidden1': units 2 → 64"]
    assert "trial 1: loss " in dialog.scores.text() and len(dialog.curves.listDataItems()) == 4
    dialog.compare_file(ROOT / "resources" / "designs" / "mlp_classifier.json")  # against the template
    lines = [dialog.differences.item(i).text() for i in range(dialog.differences.count())]
    assert lines == [
        "compile.optimizer.learning_rate: 0.05 → 0.001",
        "training.epochs: 2 → 50",
        "changed Dense 'hidden1': units 2 → 16",
    ]
    dialog.close()

    view.table.sortItems(headers.index("FLOPs"), Qt.SortOrder.DescendingOrder)  # a click on the header
    assert view.table.item(0, 1).text() == "64"
    view.table.selectRow(0)
    assert view.tradeoff.log_x  # 212 and 2,754 FLOPs: over a decade apart
    assert view.tradeoff.chosen.data["x"].tolist() == [view.tradeoff.x_of(flops[1])]
    assert len(view.curves.listDataItems()) == 2  # trial 2's loss and validation loss
    qtbot.mouseClick(view.apply_button, Qt.MouseButton.LeftButton)
    design = window.doc.design
    assert design.nodes["hidden1"].params["units"] == 64
    assert design.compile_settings.optimizer_params["learning_rate"] == 0.05
    window.doc.undo_stack.undo()  # one step takes both settings back
    assert window.doc.design.nodes["hidden1"].params["units"] == 16
    assert window.doc.design.compile_settings.optimizer_params["learning_rate"] == 0.001


def test_the_range_test_suggests_a_rate_that_seeds_a_sweep_or_is_used(window, qtbot):
    window.files.open_path(ROOT / "resources" / "designs" / "mlp_classifier.json", ask=False)
    window.mode.train_action.trigger()
    view = window.training.experiments
    window.training.tabs.setCurrentWidget(view)
    qtbot.mouseClick(view.rate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.rate_button.isEnabled(), timeout=TIMEOUT)
    rate = view.suggested_rate
    assert rate is not None and 1e-5 < rate < 1, view.rate_label.text()
    assert view.rate_label.text().startswith(f"Suggested learning rate {rate:g}")
    assert view.rate_plot.mark.isVisible() and len(view.rate_plot.curve.getData()[0]) > 20
    qtbot.mouseClick(view.seed_rate_button, Qt.MouseButton.LeftButton)
    path, values = view.axis_texts()[0]
    assert path == "compile.optimizer.learning_rate" and float(values.split(",")[-1]) == float(f"{rate:.2g}")
    qtbot.mouseClick(view.use_rate_button, Qt.MouseButton.LeftButton)
    assert window.doc.design.compile_settings.optimizer_params["learning_rate"] == rate
    window.doc.undo_stack.undo()
    assert window.doc.design.compile_settings.optimizer_params["learning_rate"] == 0.001


def test_after_a_run_the_results_show_baselines_and_each_class_accuracy(window, qtbot):
    window.files.open_path(ROOT / "resources" / "designs" / "mlp_classifier.json", ask=False)
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": 3}, "epochs")
    window.mode.train_action.trigger()
    panel = window.training
    panel.tabs.setCurrentWidget(panel.results)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    results = panel.results
    qtbot.waitUntil(lambda: results.baselines.isVisible(), timeout=TIMEOUT)
    text = results.baselines.text()
    assert text.startswith("Test accuracy: network ")
    assert "logistic regression 0." in text and "majority class 0." in text
    assert results.per_class.text().startswith("Right per class: setosa ")
    assert results.per_class.text().count("%") == 3
