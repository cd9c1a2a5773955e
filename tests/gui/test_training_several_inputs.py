"""Training a design with several Inputs from the window: the seq2seq template on its generated
sequences, with results, a sample's prediction and its forward pass; a mismatch is a sentence."""

from PySide6.QtCore import Qt

from tests.gui.test_training_panel import TIMEOUT, start_and_wait
from tests.gui.test_training_workspace import open_template


def test_seq2seq_template_trains_from_the_window_and_shows_results(window, qtbot):
    panel = open_template(window, "lstm_seq2seq", epochs=1)
    shown = panel.data.data_label
    qtbot.waitUntil(
        lambda: "reverse_sequences: 2000 samples, source (6, 9), target_in (6, 9), 9 classes" in shown.text(),
        timeout=TIMEOUT,
    )
    result = start_and_wait(qtbot, panel)
    assert result["stop_reason"] is None and len(result["history"]["loss"]) == 1
    panel.refresh_views()
    results = panel.results
    text = results.results.text()
    assert text.startswith("On the test set (400 samples): accuracy") and "Whole sequences right:" in text
    assert results.confusion.rowCount() == 9 and results.sample.maximum() == 399  # one row per sample
    panel.tabs.setCurrentWidget(results)
    results.sample.setValue(5)
    with qtbot.waitSignal(panel.session.predicted, timeout=TIMEOUT):
        qtbot.mouseClick(results.predict_button, Qt.MouseButton.LeftButton)
    shown, actual = results.prediction.text().split("; actual ")
    source, predicted = shown.split(" · predicted ")  # the encoder's input is shown beside its answer
    assert source.startswith("input source: ") and len(source.split()) == 8
    assert len(predicted.split()) == 6 and len(actual.split()) == 6
    with qtbot.waitSignal(panel.session.forwarded, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(results.forward_button, Qt.MouseButton.LeftButton)
    outputs = blocker.args[0]["outputs"]
    assert outputs["source"].shape == (6, 9) and outputs["next_token"].shape == (6, 9)


def test_a_one_input_design_on_two_input_data_is_a_sentence(window, qtbot):
    panel = open_template(window, "mlp_classifier", epochs=1)
    window.doc.set_settings("data", {"source": "builtin", "name": "reverse_sequences"}, "d")
    problems = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert any(
        "'reverse_sequences' feeds 2 inputs (source, target_in) but the design has 1" in p for p in problems
    )
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.message.text().startswith("Cannot train yet:"), timeout=TIMEOUT)
    assert "reverse_sequences feeds 2 inputs (source, target_in) but the design has 1 Input(s)" in (
        panel.message.text()
    )
    assert not panel.running


def test_two_outputs_get_an_output_chooser_and_a_prediction_each(window, qtbot, tmp_path):
    import json

    from tests.engine.training.test_several_outputs import TWO_HEADS

    path = tmp_path / "two_heads.json"
    path.write_text(json.dumps(TWO_HEADS))
    window.files.open_path(path, ask=False)
    window.mode.train_action.trigger()
    panel = window.training
    qtbot.waitUntil(lambda: "targets digit (10 classes), parity (2 classes)" in panel.data.data_label.text())
    start_and_wait(qtbot, panel)
    panel.refresh_views()
    results = panel.results
    panel.tabs.setCurrentWidget(results)
    chooser = results.output
    assert chooser.isVisible() and [chooser.itemText(i) for i in range(2)] == [
        "output digit",
        "output parity",
    ]
    assert results.confusion.rowCount() == 10
    chooser.setCurrentIndex(1)
    assert results.confusion.rowCount() == 2
    assert results.confusion.verticalHeaderItem(1).text() == "true odd"
    with qtbot.waitSignal(panel.session.predicted, timeout=TIMEOUT):
        qtbot.mouseClick(results.predict_button, Qt.MouseButton.LeftButton)
    digit, parity = results.prediction.text().split(" · ")
    assert digit.startswith("digit: predicted ") and parity.startswith("parity: predicted ")
