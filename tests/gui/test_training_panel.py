"""Training from the window: a real tiny fit on the worker thread, driven by the workspace's buttons."""

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gui.training_panel import TrainingPanel

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "resources" / "designs"
TIMEOUT = 120_000


def open_mlp(window, epochs=3):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    window.doc.set_settings(
        "training", {**window.doc.design.training, "epochs": epochs, "batch_size": 8}, "e"
    )
    window.doc.set_settings(
        "data", {"source": "builtin", "name": "iris", "test_split": 0.2, "standardize": True}, "d"
    )
    window.mode.train_action.trigger()  # the Train view takes the centre; the preview loads when shown
    return window.training


def start_and_wait(qtbot, panel: TrainingPanel, **kw):
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.thread.worker.finished, timeout=TIMEOUT, **kw) as blocker:
        pass
    return blocker.args[0]


def start_and_wait_for_a_batch(qtbot, panel: TrainingPanel):
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.session.progress, timeout=TIMEOUT):
        pass


def test_train_shows_live_curves_and_results(window, qtbot):
    panel = open_mlp(window)
    before = window.doc.design.copy()
    shown = panel.data.data_label
    qtbot.waitUntil(lambda: "iris: 150 samples, x (4,), 3 classes (setosa: 50" in shown.text())
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert panel.running and not panel.train_button.isEnabled() and panel.stop_button.isEnabled()
    with qtbot.waitSignal(panel.thread.worker.finished, timeout=TIMEOUT) as blocker:
        pass
    result = blocker.args[0]
    assert result["stop_reason"] is None and len(result["history"]["loss"]) == 3
    assert panel.progress_label.text() == "Training finished: 3 epochs."
    assert panel.progress.value() == 1000
    panel.refresh_views()
    assert {"batch loss", "loss", "val_loss", "accuracy", "val_accuracy"} <= panel.curves.curve_names()
    run = panel.session.run
    assert len(panel.curves.items[(run.number, "loss")].getData()[1]) == 3
    results = panel.results
    assert results.results.text().startswith("On the test set (30 samples): accuracy")
    assert results.warning.isHidden()
    assert not results.confusion.isHidden() and results.confusion.rowCount() == 3
    assert window.doc.design == before  # training never touches the design
    assert panel.save_button.isEnabled() and panel.csv_button.isEnabled()
    assert panel.train_button.isEnabled()
    assert not panel.pause_button.isEnabled() and not panel.stop_button.isEnabled()


def test_stop_button_ends_within_one_batch(window, qtbot):
    panel = open_mlp(window, epochs=200)
    start_and_wait_for_a_batch(qtbot, panel)
    qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.thread.worker.finished, timeout=TIMEOUT) as blocker:
        pass
    assert blocker.args[0]["stop_reason"] == "stopped"
    assert len(blocker.args[0]["history"]["loss"]) <= 2
    assert "stopped by you" in panel.message.text()
    assert panel.progress_label.text() == "Run #1 stopped."  # the sentence once, in the message
    assert panel.train_button.isEnabled() and panel.save_button.isEnabled()


def test_pause_and_resume(window, qtbot):
    panel = open_mlp(window, epochs=3)
    start_and_wait_for_a_batch(qtbot, panel)
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert panel.pause_button.text() == "Resume" and panel.control.paused
    qtbot.waitUntil(lambda: panel.control.held, timeout=TIMEOUT)  # the loop waits between batches
    QApplication.processEvents()  # the reports sent before it stopped arrive
    count = len(panel.session.run.batch_x)
    assert panel.control.held and "paused" in panel.progress_label.text()
    QApplication.processEvents()  # the window stays responsive; nothing new arrives while paused
    assert len(panel.session.run.batch_x) == count and panel.control.held
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(panel.thread.worker.finished, timeout=TIMEOUT) as blocker:
        pass
    assert blocker.args[0]["stop_reason"] is None


def test_mismatch_is_explained_before_tensorflow_loads(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_settings("data", {"source": "builtin", "name": "iris"}, "d")
    panel = window.training
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    # Waiting on what is shown, not on the signal: the worker thread, made by the click, can
    # emit `failed` before a waitSignal set up after the click is connected.
    qtbot.waitUntil(lambda: panel.message.text().startswith("Cannot train yet:"), timeout=TIMEOUT)
    assert not panel.running and panel.train_button.isEnabled()
    assert "Input 'x' expects (8,): set its shape to [4]" in panel.message.text()
    assert panel.thread.worker.model is None


def test_divergence_is_reported_with_advice(window, qtbot, tmp_path):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 8)).astype("float32") * 100
    np.savez(tmp_path / "big.npz", x=x, y=x.sum(axis=1, keepdims=True))
    window.doc.path = tmp_path / "design.json"  # data paths are relative to the design
    window.doc.set_settings("data", {"source": "numpy", "path": "big.npz"}, "d")
    window.doc.set_settings(
        "compile", {"optimizer": {"type": "SGD", "learning_rate": 10.0}, "loss": "mse", "metrics": []}, "c"
    )
    result = start_and_wait(qtbot, window.training)
    assert result["stop_reason"] == "diverged"
    assert "NaN or infinite" in window.training.message.text()
    assert "lower learning rate" in window.training.message.text()


def test_worker_failure_reaches_the_user(window, qtbot, monkeypatch):
    panel = open_mlp(window)

    def broken_train(*args, **kwargs):
        raise RuntimeError("out of memory on purpose")

    monkeypatch.setattr("engine.training.fit.train", broken_train)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    # (waiting on the signal itself races a failure this quick)
    qtbot.waitUntil(lambda: "out of memory" in panel.message.text(), timeout=TIMEOUT)
    # A sentence, not a traceback; the detail is in the log file it names.
    assert "Training ran out of memory: lower the batch size" in panel.message.text()
    assert "Traceback" not in panel.message.text() and "netwright.log" in panel.message.text()
    assert not panel.running and panel.train_button.isEnabled()


def test_save_model_and_export_history(window, qtbot, tmp_path, monkeypatch):
    panel = open_mlp(window, epochs=2)
    start_and_wait(qtbot, panel)
    target = tmp_path / "trained.keras"
    monkeypatch.setattr("gui.training_panel.QFileDialog.getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(panel.thread.worker.saved, timeout=TIMEOUT):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert target.exists() and "Saved the trained model" in panel.message.text()
    csv_path = tmp_path / "history.csv"
    monkeypatch.setattr("gui.training_panel.QFileDialog.getSaveFileName", lambda *a, **k: (str(csv_path), ""))
    qtbot.mouseClick(panel.csv_button, Qt.MouseButton.LeftButton)
    lines = csv_path.read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss" and len(lines) == 3
    with qtbot.waitSignal(panel.thread.worker.predicted, timeout=TIMEOUT):
        qtbot.mouseClick(panel.results.predict_button, Qt.MouseButton.LeftButton)
    assert panel.results.prediction.text().startswith("predicted ")


def test_second_run_is_overlaid_and_listed(window, qtbot):
    panel = open_mlp(window, epochs=1)
    start_and_wait(qtbot, panel)
    start_and_wait(qtbot, panel)
    panel.tabs.setCurrentWidget(panel.runs)
    panel.refresh_views()
    assert panel.runs.table.rowCount() == 2
    assert panel.runs.table.item(0, 1).text() == "#1 Adam lr 0.001"
    assert (1, "loss") in panel.curves.items and (2, "loss") in panel.curves.items
    # Unticking a run takes its curves off the plot.
    panel.runs.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    panel.refresh_views()
    assert (1, "loss") not in panel.curves.items


def test_opening_another_design_mid_run_leaves_it_ready_to_train(window, qtbot):
    panel = open_mlp(window, epochs=200)
    start_and_wait_for_a_batch(qtbot, panel)
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)  # the old run stops, forgotten
    qtbot.waitUntil(lambda: not panel.session.running and panel.train_button.isEnabled(), timeout=TIMEOUT)
    assert panel.progress_label.text() == "Not trained yet." and panel.session.runs == []
    assert not panel.stop_button.isEnabled() and not panel.plot_timer.isActive()
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": 1}, "e")
    result = start_and_wait(qtbot, panel)
    assert result["stop_reason"] is None
    assert [run.number for run in panel.session.runs] == [1]
    assert panel.session.run.design.name == "seed_example"
