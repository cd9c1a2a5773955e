"""The Experiments view's Search, driven as a person does: ranges typed as LO..HI, Search ticked
with a trial count, a real two-trial search on the worker thread and its table."""

from pathlib import Path

from PySide6.QtCore import Qt

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120_000


def test_a_search_over_ranges_runs_its_trials_inside_them(window, qtbot):
    window.files.open_path(ROOT / "resources" / "designs" / "mlp_classifier.json", ask=False)
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": 1}, "epochs")
    window.mode.train_action.trigger()
    view = window.training.experiments
    window.training.tabs.setCurrentWidget(view)
    for path, values in (
        ("nodes[hidden1].params.units", "2..32"),
        ("compile.optimizer.learning_rate", "1e-3..0.1:log"),
    ):
        view.path_box.setCurrentText(path)
        qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
        view.axes.item(view.axes.rowCount() - 1, 1).setText(values)
    assert "LO..HI is a range to search: tick Search" in view.plan_label.text()  # a grid lists values
    assert not view.run_button.isEnabled() and not view.export_button.isEnabled()  # no plan to run

    view.search_n.setValue(2)
    view.search.setChecked(True)
    qtbot.waitUntil(
        lambda: "2 trial(s) planned (each chosen from the ones before), about" in view.plan_label.text(),
        timeout=TIMEOUT,
    )
    assert not view.export_button.isEnabled()  # a search's trials are not known before it runs
    view.random.setChecked(True)  # the other way to choose trials clears Search
    assert not view.search.isChecked()
    view.search.setChecked(True)
    assert not view.random.isChecked()
    view.axes.item(0, 1).setText("32..2")
    assert "LO must be below HI" in view.plan_label.text() and view.planned_count == 2
    view.axes.item(0, 1).setText("2..32")

    qtbot.waitUntil(lambda: view.run_button.isEnabled(), timeout=TIMEOUT)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "finished in" in view.status.text(), timeout=TIMEOUT)
    assert view.status.text().startswith("2 of 2 trial(s) finished"), view.status.text()
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(view.table.columnCount())]
    assert headers[:4] == ["#", "hidden1.units", "learning_rate", "status"]
    for trial in view.trials:
        units, rate = (
            trial["settings"][p] for p in ("nodes[hidden1].params.units", "compile.optimizer.learning_rate")
        )
        assert isinstance(units, int) and 2 <= units <= 32 and 1e-3 <= rate <= 0.1
    shown = [view.table.item(r, 1).text() for r in range(2)]
    assert shown == [str(t["settings"]["nodes[hidden1].params.units"]) for t in view.trials]
    assert view.table.item(view.best, 0).text().endswith("★") and len(view.tradeoff.points) == 2


def test_stop_during_a_search_says_how_many_of_the_planned_trials_ran(window, qtbot):
    """A search never makes the trials Stop skipped: the status counts them from the plan. Its trials
    vary only the batch size, so they share one cost and the parallel coordinates are shown first."""
    window.files.open_path(ROOT / "resources" / "designs" / "mlp_classifier.json", ask=False)
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": 3}, "epochs")
    window.mode.train_action.trigger()
    view = window.training.experiments
    window.training.tabs.setCurrentWidget(view)
    view.path_box.setCurrentText("training.batch_size")
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    view.axes.item(0, 1).setText("4..64")
    view.search_n.setValue(6)
    view.search.setChecked(True)
    qtbot.waitUntil(lambda: view.run_button.isEnabled(), timeout=TIMEOUT)

    def stop_at_the_second(info):
        if info["index"] == 1:
            qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)

    view.runner.trial_begun.connect(stop_at_the_second)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "finished in" in view.status.text(), timeout=TIMEOUT)
    ran = len(view.trials)
    assert 2 <= ran < 6, view.status.text()
    assert view.status.text().startswith(f"Stopped after {ran} of 6 trials; {ran} finished in ")
    assert view.pictures.currentWidget() is view.parallel
