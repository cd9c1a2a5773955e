"""Per-output losses, loss weights and metrics, from_logits, learning-rate schedules,
ReduceLROnPlateau, class weights and confusion-count metrics: Keras is the oracle, and the
app and its exported script compile and fit the same way."""

import io
import sys

import numpy as np
import pytest

from cli.commands import run
from engine.data import prepare as D
from engine.design.file_format import load, save
from engine.design.graph import Design, Edge, Node
from engine.design.validation import validate
from engine.keras.build import build_model
from engine.keras.codegen import generate
from engine.training.fit import train
from tests.engine.keras.test_build_and_export import TEMPLATES, assert_same_model, exec_script

TEMPLATE = {p.stem: p for p in TEMPLATES}


def two_heads() -> Design:
    """A shared trunk with a class head (raw scores) and a number head."""
    d = Design(name="two_heads")
    d.add_node(Node("x", "Input", {"shape": [6]}))
    d.add_node(Node("trunk", "Dense", {"units": 8, "activation": "relu"}))
    d.add_node(Node("kind", "Dense", {"units": 3}))
    d.add_node(Node("size", "Dense", {"units": 1}))
    d.connect(Edge("x", "trunk"))
    d.connect(Edge("trunk", "kind"))
    d.connect(Edge("trunk", "size"))
    d.compile = {
        "optimizer": {"type": "Adam"},
        "loss": {"kind": "sparse_categorical_crossentropy", "size": "mse"},
        "loss_weights": {"kind": 1.0, "size": 0.5},
        "metrics": {"kind": ["accuracy"], "size": ["mae", "root_mean_squared_error"]},
        "from_logits": True,
    }
    return d


def errors(design):
    return [(p.key, p.message) for p in validate(design).errors]


def test_per_output_settings_compile_as_keras_does_and_as_the_script_writes(keras):
    design = two_heads()
    report = validate(design)
    assert report.valid and not report.warnings, [p.message for p in report.problems]
    source = generate(design)
    assert '"kind": keras.losses.SparseCategoricalCrossentropy(from_logits=True)' in source
    assert 'loss_weights={"kind": 1.0, "size": 0.5}' in source
    assert 'metrics={"kind": ["accuracy"], "size": ["mae", "root_mean_squared_error"]}' in source
    keras.utils.clear_session()
    built = build_model(design)
    keras.utils.clear_session()
    assert_same_model(built, exec_script(source)["build_model"]())
    # The oracle: the same model compiled by hand, as a Keras user writes it.
    by_hand = keras.models.clone_model(built)
    by_hand.compile(
        optimizer="adam",
        loss={"kind": keras.losses.SparseCategoricalCrossentropy(from_logits=True), "size": "mse"},
        loss_weights={"kind": 1.0, "size": 0.5},
        metrics={"kind": ["accuracy"], "size": ["mae", "root_mean_squared_error"]},
    )
    for key in ("loss", "loss_weights", "metrics"):
        assert built.get_compile_config()[key] == by_hand.get_compile_config()[key], key
    assert built.output_names == ["kind", "size"]


def test_a_shared_metric_list_goes_to_every_output_because_keras_wants_one_per_output(keras):
    design = two_heads()
    design.compile = {"optimizer": {"type": "Adam"}, "loss": "mse", "metrics": ["mae"]}
    source = generate(design)
    assert 'loss="mse"' in source and 'metrics={"kind": ["mae"], "size": ["mae"]}' in source
    history = (
        build_model(design)
        .fit(np.zeros((8, 6)), [np.zeros((8, 3)), np.zeros((8, 1))], epochs=1, verbose=0)
        .history
    )
    assert {"kind_mae", "size_mae"} <= set(history)


def test_from_logits_turns_the_probability_warning_around():
    design = two_heads()
    design.compile["from_logits"] = False
    assert any("expects probabilities" in p.message for p in validate(design).warnings)
    design.compile["from_logits"] = True
    assert not validate(design).warnings
    design.nodes["kind"].params["activation"] = "softmax"
    assert [p.message for p in validate(design).warnings] == [
        "Output Dense 'kind' ends with softmax but from_logits says it gives raw scores: "
        "remove the activation (a linear output) or turn from_logits off"
    ]


def test_per_output_mistakes_are_located_problems():
    design = two_heads()
    design.compile["loss"] = {"kind": "sparse_categorical_crossentropy", "tower": "mse", "size": "msee"}
    design.compile["loss_weights"] = {"kind": -1, "size": 0.5}
    found = errors(design)
    assert (
        "compile.loss.tower",
        "compile.loss names 'tower', which is not one of the model's outputs (kind, size)",
    ) in found
    assert any(
        key == "compile.loss.size" and m.startswith("Unknown loss 'msee' for output 'size'")
        for key, m in found
    )
    assert (
        "compile.loss_weights.kind",
        "compile.loss_weights: the weight of output 'kind' must be a number >= 0, not -1",
    ) in found
    design = two_heads()
    design.compile["loss"] = "mse"
    assert errors(design) == [
        (
            "compile.from_logits",
            "from_logits applies to binary_crossentropy, categorical_crossentropy, "
            "sparse_categorical_crossentropy only, not mse: turn it off",
        )
    ]


def test_a_loss_that_does_not_fit_its_output_is_named_at_that_output():
    design = two_heads()
    design.compile["loss"] = {"kind": "sparse_categorical_crossentropy", "size": "categorical_crossentropy"}
    problems = validate(design).warnings
    assert any(p.node == "size" and "one unit but categorical_crossentropy" in p.message for p in problems)


def test_confusion_metrics_with_thresholds_are_metric_objects_named_as_keras_names_them(keras):
    design = load(TEMPLATE["mlp_classifier"])
    design.nodes[design.output_ids()[0]].params.update(units=1, activation="sigmoid")
    design.compile["loss"] = "binary_crossentropy"
    design.compile["metrics"] = [
        "true_positives",
        {"type": "false_negatives", "thresholds": 0.3},
        {"type": "precision", "thresholds": 0.7},
        "recall",
        {"type": "auc", "curve": "PR"},
    ]
    design.data = None
    assert validate(design).valid, errors(design)
    source = generate(design)
    assert 'keras.metrics.FalseNegatives(thresholds=0.3, name="false_negatives")' in source
    assert 'keras.metrics.AUC(curve="PR", name="auc")' in source
    model = build_model(design)
    assert_same_model(model, exec_script(source)["build_model"]())
    x, y = np.random.default_rng(0).random((16, 4)), np.arange(16) % 2
    history = model.fit(x, y, epochs=1, verbose=0).history
    assert set(history) == {"loss", "true_positives", "false_negatives", "precision", "recall", "auc"}
    design.compile["metrics"] = [{"type": "precision", "thresholds": 2}, {"type": "mae", "x": 1}]
    assert errors(design) == [
        ("compile.metrics.thresholds", "Metric precision: 'thresholds' must be >= 0 and <= 1, not 2"),
        ("compile.metrics", "Metric 'mae' takes no arguments: write it as \"mae\""),
    ]


def test_learning_rate_schedules_build_and_export_the_same(keras):
    design = two_heads()
    for schedule, expected in (
        (
            {"type": "ExponentialDecay", "initial_learning_rate": 0.05, "decay_steps": 10, "decay_rate": 0.5},
            "learning_rate=keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=0.05, "
            "decay_steps=10, decay_rate=0.5)",
        ),
        (
            {"type": "CosineDecay", "initial_learning_rate": 0.05, "decay_steps": 10, "alpha": 0.1},
            "keras.optimizers.schedules.CosineDecay(initial_learning_rate=0.05, decay_steps=10, alpha=0.1)",
        ),
        (
            {"type": "PiecewiseConstantDecay", "boundaries": [10, 20], "values": [0.05, 0.01, 0.001]},
            "keras.optimizers.schedules.PiecewiseConstantDecay("
            "boundaries=[10, 20], values=[0.05, 0.01, 0.001])",
        ),
    ):
        design.compile["learning_rate_schedule"] = schedule
        source = generate(design, formatter=False)
        assert expected in source
        model = build_model(design)
        assert_same_model(model, exec_script(source)["build_model"]())
        assert float(model.optimizer.learning_rate) == pytest.approx(0.05)


def test_bad_schedules_and_training_options_are_located_problems():
    design = two_heads()
    design.compile["learning_rate_schedule"] = {"type": "CosineDecay", "decay_steps": 0}
    assert (
        "compile.learning_rate_schedule.decay_steps",
        "CosineDecay: 'decay_steps' must be >= 1, not 0",
    ) in errors(design)
    design.compile["learning_rate_schedule"] = {
        "type": "PiecewiseConstantDecay",
        "boundaries": [5, 2],
        "values": [1],
    }
    assert errors(design) == [
        (
            "compile.learning_rate_schedule.boundaries",
            "PiecewiseConstantDecay: 'boundaries' must increase from one step to the next",
        ),
    ]
    design.compile["learning_rate_schedule"] = {
        "type": "PiecewiseConstantDecay",
        "boundaries": [5],
        "values": [1],
    }
    assert errors(design) == [
        (
            "compile.learning_rate_schedule.values",
            "PiecewiseConstantDecay: 'values' must hold one rate more than 'boundaries' has steps (2), not 1",
        )
    ]
    design.compile["learning_rate_schedule"] = {"type": "Sometimes"}
    assert [key for key, _ in errors(design)] == ["compile.learning_rate_schedule.type"]
    design.compile["learning_rate_schedule"] = {"type": "CosineDecay"}
    design.training["reduce_lr_on_plateau"] = {"factor": 1}
    assert [key for key, _ in errors(design)] == [
        "training.reduce_lr_on_plateau.factor",
        "training.reduce_lr_on_plateau",
    ]
    design.training["class_weight"] = {"0": 2.0}
    assert ("training.class_weight", errors(design)[-1][0]) and errors(design)[-1][1].startswith(
        "training.class_weight works for a model with one output; this one has 2"
    )


def test_class_weight_for_a_class_that_does_not_exist_is_a_located_problem_in_check(tmp_path):
    design = load(TEMPLATE["mlp_classifier"])
    design.training["class_weight"] = {"0": 1.0, "3": 2.0, "x": -1}
    assert errors(design) == [
        (
            "training.class_weight.3",
            "training.class_weight names class 3, but output 'species' tells apart 3 classes (0 to 2)",
        ),
        ("training.class_weight.x", "training.class_weight: 'x' is not a class index (0, 1, 2, ...)"),
        (
            "training.class_weight.x",
            "training.class_weight: the weight of class x must be a number >= 0, not -1",
        ),
    ]
    path = tmp_path / "weights.json"
    save(design, path)
    out, err = io.StringIO(), io.StringIO()
    assert run(["check", str(path)], out, err) == 1
    text = out.getvalue() + err.getvalue()
    assert "names class 3, but output 'species' tells apart 3 classes" in text and "Traceback" not in text
    design.training["class_weight"] = "balanced"
    design.compile["loss"] = "mse"
    assert errors(design)[-1] == (
        "training.class_weight",
        "training.class_weight weighs classes, but the loss mse predicts numbers: remove it or use a "
        "classification loss",
    )


def fit_options_design() -> Design:
    design = load(TEMPLATE["mlp_classifier"])
    design.training.update(
        epochs=1, class_weight={"0": 1.0, "2": 3.0}, reduce_lr_on_plateau={"factor": 0.5, "patience": 0}
    )
    return design


def run_script(source, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["model.py", "--epochs", "1", "--batch-size", "32"])
    exec_script(source)["main"]()
    return capsys.readouterr().out


def test_reduce_lr_on_plateau_and_explicit_class_weights_train_in_the_app_and_the_script(
    keras, monkeypatch, capsys
):
    design = fit_options_design()
    assert validate(design).valid, errors(design)
    prepared = D.prepare(design, D.load_builtin("iris"))
    result = train(design, prepared, epochs=1, batch_size=32)
    assert result.epochs_done == 1 and "learning_rate" in result.history
    source = generate(design)
    # The script computes the weights from its training rows with the app's own helper (fit_class_weight).
    assert "def fit_class_weight(" in source and 'class_weight = TRAINING["class_weight"]' in source
    assert 'keras.callbacks.ReduceLROnPlateau(**TRAINING["reduce_lr_on_plateau"])' in source
    assert '"class_weight": {0: 1.0, 2: 3.0}' in source and '"factor": 0.5, "patience": 0' in source
    out = run_script(source, monkeypatch, capsys)
    assert "learning_rate" in out and "test: {" in out  # fitted with the callback, then evaluated


def test_balanced_class_weights_and_a_schedule_train_in_the_app_and_the_script(keras, monkeypatch, capsys):
    from sklearn.utils.class_weight import compute_class_weight

    from engine.data.class_weights import balanced_class_weight

    design = load(TEMPLATE["mlp_classifier"])
    design.training["class_weight"] = "balanced"
    design.compile["learning_rate_schedule"] = {
        "type": "ExponentialDecay",
        "initial_learning_rate": 0.01,
        "decay_steps": 5,
        "decay_rate": 0.5,
    }
    assert validate(design).valid, errors(design)
    labels = np.array([0, 0, 0, 1, 2, 2])
    oracle = compute_class_weight("balanced", classes=np.array([0, 1, 2]), y=labels)
    assert balanced_class_weight(labels) == pytest.approx(dict(enumerate(oracle)))
    assert balanced_class_weight(np.eye(3)[labels]) == pytest.approx(dict(enumerate(oracle)))
    prepared = D.prepare(design, D.load_builtin("iris"))
    result = train(design, prepared, epochs=1, batch_size=32)
    assert result.epochs_done == 1 and result.stop_reason is None
    source = generate(design)
    assert '"class_weight": "balanced"' in source and "def balanced_class_weight(" in source
    assert "test: {" in run_script(source, monkeypatch, capsys)


def test_hostile_settings_are_located_problems_in_check_never_a_traceback(tmp_path):
    design = two_heads()
    design.compile.update(
        loss_weights={"kind": None, "size": "heavy"},
        from_logits="yes",
        learning_rate_schedule={"type": "CosineDecay", "decay_steps": "x", "extra": 1},
        metrics={"kind": [{"type": "auc", "curve": "XYZ"}], "ghost": ["mae"]},
    )
    design.training.update(class_weight=7, reduce_lr_on_plateau={"monitor": 3, "patience": -1})
    keys = {key for key, _ in errors(design)}
    assert {
        "compile.loss_weights.kind",
        "compile.loss_weights.size",
        "compile.from_logits",
        "compile.learning_rate_schedule.decay_steps",
        "compile.learning_rate_schedule.extra",
        "compile.metrics.curve",
        "compile.metrics.ghost",
        "training.class_weight",
        "training.reduce_lr_on_plateau.monitor",
        "training.reduce_lr_on_plateau.patience",
    } <= keys
    path = tmp_path / "hostile.json"
    save(design, path)
    out, err = io.StringIO(), io.StringIO()
    assert run(["check", str(path)], out, err) == 1
    text = out.getvalue() + err.getvalue()
    assert "compile.metrics names 'ghost'" in text and "Traceback" not in text
    design.training["reduce_lr_on_plateau"] = "often"
    design.compile["learning_rate_schedule"] = ["ExponentialDecay"]
    assert {"training.reduce_lr_on_plateau", "compile.learning_rate_schedule.type"} <= {
        k for k, _ in errors(design)
    }


def test_per_output_settings_import_back_from_the_saved_model(keras, tmp_path):
    from engine.keras.importer import import_file

    design = two_heads()
    design.compile["metrics"] = {"kind": ["accuracy", {"type": "auc", "curve": "PR"}], "size": ["mae"]}
    model = build_model(design)
    model.save(tmp_path / "two_heads.keras")
    back = import_file(tmp_path / "two_heads.keras").design
    for key in ("loss", "loss_weights", "metrics", "from_logits"):
        assert back.compile[key] == design.compile[key], key
    single = load(TEMPLATE["mlp_classifier"])
    single.nodes["species"].params["activation"] = None
    single.compile["from_logits"] = True
    build_model(single).save(tmp_path / "single.keras")
    back = import_file(tmp_path / "single.keras").design
    assert back.compile["loss"] == "sparse_categorical_crossentropy" and back.compile["from_logits"] is True
