"""Fit, evaluate, predict and show the layers of a model with two Inputs, with real Keras:
the seq2seq template on a few hundred generated sequences; and ``python main.py train`` on it."""

import io

import numpy as np

from cli.commands import run
from engine.data import loaders
from engine.data import prepare as D
from engine.design.file_format import load
from engine.schema.datasets import BUILTIN
from engine.training.fit import evaluate, predict_one, train
from engine.training.forward import layer_outputs
from engine.training.inspect import inspector
from tests.engine.data.test_prepare import TEMPLATE


def small_run():
    design = load(TEMPLATE["lstm_seq2seq"])
    x, y = loaders.load_reverse_sequences(n=240)
    info = BUILTIN["reverse_sequences"]
    data = D.Dataset(x, y, info.task, info.name, list(info.class_names))
    return design, data, D.prepare(design, data)


def test_fit_evaluate_and_predict_with_two_inputs(keras):
    design, data, prepared = small_run()
    events = []
    probe = inspector(prepared, events.append, task=data.task)
    result = train(design, prepared, epochs=2, batch_size=32, extra_callbacks=[probe])
    assert result.epochs_done == 2 and {"loss", "val_loss", "accuracy"} <= set(result.history)
    assert events  # the inspector probes a dict of inputs too
    report = evaluate(result.model, prepared, data, design)
    assert report["evaluated_on"] == "test" and report["samples"] == 48
    matrix = np.asarray(report["confusion_matrix"])
    assert matrix.shape == (9, 9) and matrix.sum() == 48 * 6  # one count per step
    assert abs(report["accuracy"] - report["metrics"]["accuracy"]) < 1e-4  # Keras agrees
    assert 0 <= report["sequence_accuracy"] <= report["accuracy"]
    expected = result.model.predict({k: v[3:4] for k, v in prepared.x_test.items()}, verbose=0)
    assert np.allclose(predict_one(result.model, prepared.x_test, 3), expected.reshape(-1), atol=1e-5)
    shown = layer_outputs(result.model, D.take(prepared.x_test, 3))
    assert shown["source"].shape == shown["target_in"].shape == shown["next_token"].shape == (6, 9)


def test_train_cli_trains_the_seq2seq_template():
    out, err = io.StringIO(), io.StringIO()
    code = run(["train", str(TEMPLATE["lstm_seq2seq"]), "--epochs", "1"], out, err)
    assert code == 0, err.getvalue()
    assert "training 'lstm_seq2seq' on reverse_sequences: 1600 samples (validation 20%), test 400" in (
        err.getvalue()
    )
    assert out.getvalue().startswith("test set: accuracy") and "whole sequences right" in out.getvalue()
    assert "Traceback" not in err.getvalue()


def test_check_cli_locates_an_input_count_mismatch(tmp_path):
    design = load(TEMPLATE["mlp_classifier"])
    design.data = {"source": "builtin", "name": "reverse_sequences"}
    from engine.design.file_format import save

    save(design, tmp_path / "d.json")
    out, err = io.StringIO(), io.StringIO()
    run(["check", str(tmp_path / "d.json")], out, err)
    text = out.getvalue() + err.getvalue()
    assert "'reverse_sequences' feeds 2 inputs (source, target_in) but the design has 1 Input(s)" in text
    assert "Traceback" not in text
