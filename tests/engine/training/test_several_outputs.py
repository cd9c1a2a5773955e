"""A model with two outputs trained on labels of two kinds (digits_parity), with real Keras:
labels matched to output nodes, evaluation and predictions per output, the exported script's
arrays, and a plain sentence when the data has fewer targets than the design has outputs."""

import json
import sys

import numpy as np

from engine.data import prepare as D
from engine.design.file_format import loads
from engine.design.validation import validate
from engine.keras.codegen import generate
from engine.training.fit import evaluate, predict_one, train

TWO_HEADS = {
    "format": "netwright-design",
    "version": 2,
    "name": "two_heads",
    "nodes": [
        {"id": "image", "type": "Input", "params": {"shape": [8, 8, 1]}},
        {"id": "flat", "type": "Flatten", "params": {}},
        {"id": "hidden", "type": "Dense", "params": {"units": 32, "activation": "relu"}},
        {"id": "digit", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
        {"id": "parity", "type": "Dense", "params": {"units": 2, "activation": "softmax"}},
    ],
    "edges": [
        {"src": "image", "dst": "flat"},
        {"src": "flat", "dst": "hidden"},
        {"src": "hidden", "dst": "digit"},
        {"src": "hidden", "dst": "parity"},
    ],
    # One loss for both outputs, as Keras applies it; no metrics (Keras wants them per output).
    "compile": {"optimizer": {"type": "Adam", "learning_rate": 0.003}, "loss": "categorical_crossentropy"},
    "training": {"epochs": 1, "batch_size": 32, "validation_split": 0.2},
    "data": {"source": "builtin", "name": "digits_parity", "seed": 2},
}


def two_heads():
    return loads(json.dumps(TWO_HEADS))


def test_labels_go_to_their_outputs_and_are_scored_each(keras):
    design = two_heads()
    data = D.load(design.data)
    assert data.output_names == ["digit", "parity"] and D.check_fit(design, data) == []
    p = D.prepare(design, data)
    assert list(p.y) == ["digit", "parity"]
    assert p.y["digit"].shape[1:] == (10,) and p.y["parity"].shape[1:] == (2,)  # one-hot each
    assert np.array_equal(p.y["digit"].argmax(axis=1) % 2, p.y["parity"].argmax(axis=1))  # rows aligned
    result = train(design, p, epochs=1)
    assert {"digit_loss", "parity_loss", "val_loss"} <= set(result.history)
    report = evaluate(result.model, p, data, design)
    assert list(report["outputs"]) == ["digit", "parity"] and report["output"] == "digit"
    assert np.asarray(report["outputs"]["digit"]["confusion_matrix"]).shape == (10, 10)
    parity = report["outputs"]["parity"]
    assert parity["class_names"] == ["even", "odd"] and np.asarray(parity["confusion_matrix"]).sum() == 359
    digit, odd = predict_one(result.model, p.x_test, 0)
    assert len(digit) == 10 and len(odd) == 2 and abs(sum(odd) - 1) < 1e-5


def test_outputs_are_matched_by_order_when_their_names_differ():
    design = two_heads()
    design.rename_node("digit", "which")
    design.rename_node("parity", "odd_or_even")
    p = D.prepare(design, D.load(design.data))
    assert list(p.y) == ["which", "odd_or_even"] and p.y["odd_or_even"].shape[1:] == (2,)


def test_a_target_count_mismatch_is_a_sentence():
    one_output = two_heads()
    one_output.remove_node("parity")
    [warning] = [p for p in validate(one_output).warnings if p.key == "data.name"]
    assert "'digits_parity' has 2 targets (digit, parity) per sample but the design has 1 outputs" in (
        warning.message
    )
    assert D.check_fit(one_output, D.load(one_output.data)) == [
        "digits_parity has 2 targets (digit, parity) per sample but the design has 1 outputs (digit): "
        "give it one output per target"
    ]
    on_digits = two_heads()
    on_digits.data = {"source": "builtin", "name": "digits"}
    assert D.check_fit(on_digits, D.load(on_digits.data)) == [
        "digits has 1 target per sample but the design has 2 outputs (digit, parity): "
        "give it one output per target"
    ]


def test_the_exported_script_loads_the_same_labels_and_fits(tmp_path, monkeypatch, capsys):
    design = two_heads()
    design.rename_node("parity", "odd_or_even")
    source = generate(design)
    namespace = {"__name__": "exported_model", "__file__": str(tmp_path / "model.py")}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 - testing our own output
    (x, y), (x_test, y_test) = namespace["load_data"]()
    app = D.prepare(design, D.load(design.data))
    assert np.array_equal(x, app.x) and np.array_equal(x_test, app.x_test)
    for script, ours in ((y, app.y), (y_test, app.y_test)):
        assert list(script) == ["digit", "odd_or_even"] and all(
            np.array_equal(script[k], ours[k]) for k in ours
        )
    monkeypatch.setattr(sys, "argv", ["model.py", "--epochs", "1"])
    namespace["main"]()
    assert "test: {'digit_loss'" in capsys.readouterr().out
