"""Instrumentation on real fits: the deep-sigmoid net is diagnosed, the ReLU + He one is not."""

import io
import json
from pathlib import Path

import pytest

from cli.commands import run
from engine.data import prepare as D
from engine.design.file_format import load
from engine.training import events
from engine.training.diagnoses import diagnose
from engine.training.fit import train
from engine.training.inspect import inspector
from tests.engine.training.two_cpus import on_two_cpus

DESIGNS = Path(__file__).resolve().parents[3] / "resources" / "designs"
EARLY = ["dense1", "dense2", "dense3", "dense4"]


def inspected_fit(name, epochs=2, batch_size=None):
    design = load(DESIGNS / f"{name}.json")
    data = D.load(design.data)
    prepared = D.prepare(design, data)
    seen = []
    probe = inspector(prepared, seen.append, every=2, task=data.task)
    train(design, prepared, epochs=epochs, batch_size=batch_size, extra_callbacks=[probe])
    return probe.report(), seen


def test_deep_sigmoid_has_vanishing_gradients_in_its_early_layers(keras):
    report, seen = inspected_fit("deep_sigmoid")
    vanishing = [d for d in report["diagnoses"] if d["kind"] == "vanishing_gradients"]
    assert len(vanishing) == 1
    assert set(EARLY) <= set(vanishing[0]["nodes"]) and "ring" not in vanishing[0]["nodes"]
    assert "ReLU, He initialisation or BatchNormalization" in vanishing[0]["message"]
    first, last = report["layers"]["dense1"]["grad_norm"][-1], report["layers"]["ring"]["grad_norm"][-1]
    assert first < last / 100
    # Every stream arrived as plain typed events while it trained.
    kinds = {type(e) for e in seen}
    assert {events.EpochStats, events.Boundary} <= kinds
    ends = [e for e in seen if isinstance(e, events.EpochStats)]
    assert [e.epoch for e in ends] == [0, 1] and all(set(e.update_ratio) == set(e.grad_norm) for e in ends)
    boundary = next(e for e in seen if isinstance(e, events.Boundary))
    assert boundary.values.shape == (len(boundary.ys), len(boundary.xs))


def test_layer_stats_arrive_within_an_epoch_once_per_compiled_call(keras):
    """Batches of 4 make an epoch of circles longer than one compiled call (64 steps at most),
    so samples arrive inside the epoch; the epoch's last batch comes once, with the epoch's end."""
    _, seen = inspected_fit("deep_relu", epochs=1, batch_size=4)
    inside = [e for e in seen if isinstance(e, events.LayerStats)]
    assert inside and all(0 < e.position < 1 for e in inside)
    assert all(value > 0 for e in inside for value in e.grad_norm.values())
    assert all(value > 0 for e in inside for value in e.update_ratio.values())


def test_same_depth_with_relu_and_he_is_healthy(keras):
    report, _ = inspected_fit("deep_relu")
    assert not [d for d in report["diagnoses"] if d["kind"] == "vanishing_gradients"]
    ratios = [report["layers"][n]["grad_norm"][-1] / report["layers"]["ring"]["grad_norm"][-1] for n in EARLY]
    assert min(ratios) > 0.1


@pytest.mark.parametrize(
    ("activation", "kind"),
    [({"h": {"dead": 0.75}}, "dead_relu"), ({"h": {"saturated": 0.9}}, "saturation")],
)
def test_dead_and_saturated_units_are_named(activation, kind):
    found = diagnose(["h", "out"], {"h": 1.0, "out": 1.0}, {"h": 1.0, "out": 1.0}, activation, ["out"])
    assert [(d["kind"], d["nodes"]) for d in found] == [(kind, ["h"])]


def test_exploding_and_saturated_output_rules():
    saturated_output = {"b": {"saturated": 1.0}}
    found = diagnose(["a", "b"], {"a": 500.0, "b": 1.0}, {"a": 5e4, "b": 1.0}, saturated_output, ["b"])
    assert [(d["kind"], d["nodes"]) for d in found] == [("exploding_gradients", ["a"])]


def test_a_layer_without_any_gradient_is_said_to_get_none():
    found = diagnose(["cut", "out"], {"cut": 0.0, "out": 1.0}, {"cut": 0.0, "out": 1.0}, {}, ["out"])
    assert [(d["kind"], d["nodes"]) for d in found] == [("vanishing_gradients", ["cut"])]
    assert "no gradient at all" in found[0]["message"]


def test_cli_inspect_writes_the_documented_shape(keras, tmp_path):
    target = tmp_path / "report.json"
    out, err = io.StringIO(), io.StringIO()
    code = run(
        ["train", str(DESIGNS / "deep_sigmoid.json"), "--epochs", "2", "--inspect", str(target)], out, err
    )
    assert code == 0, err.getvalue()
    report = json.loads(target.read_text())
    assert set(report) == {"layers", "diagnoses"}
    assert set(report["layers"]) == {f"dense{i}" for i in range(1, 9)} | {"ring"}
    for node in report["layers"].values():
        assert len(node["grad_norm"]) == len(node["weight_norm"]) == 2
        assert all(len(values) == 2 for values in node["activation"].values())
        assert {"mean", "std", "saturated"} <= set(node["activation"]) or node is report["layers"]["ring"]
    kinds = {"vanishing_gradients", "exploding_gradients", "dead_relu", "saturation"}
    for d in report["diagnoses"]:
        assert d["kind"] in kinds and set(d) == {"kind", "nodes", "message"}
        assert set(d["nodes"]) <= set(report["layers"])
    assert "diagnosis: Vanishing gradients" in err.getvalue()


def test_activation_statistics_agree_with_numpy_on_the_layers_outputs(keras):
    """The train step hands out each watched layer's own output: the statistics are NumPy's on
    what Keras computes for the epoch's last whole batch, here the first of 32 rows with the
    weights before any update -- not the last batch, a single row, which would call most units
    dead."""
    from types import SimpleNamespace

    import numpy as np

    rng = np.random.default_rng(0)
    x = (rng.normal(size=(33, 3)) * 4).astype(np.float32)
    y = rng.normal(size=(33, 5)).astype(np.float32)
    inputs = keras.Input((3,))
    relu = keras.layers.Dense(6, activation="relu", name="r")(inputs)
    squash = keras.layers.Dense(5, activation="sigmoid", name="s")(relu)
    model = keras.Model(inputs, squash)
    model.compile("sgd", "mse")
    r, s = (np.asarray(v) for v in keras.Model(inputs, [relu, squash])(x[:32], training=True))
    probe = inspector(SimpleNamespace(x=x, y=y, validation_split=0))
    model.fit(x, y, batch_size=32, epochs=1, shuffle=False, verbose=0, callbacks=[probe])
    stats = {
        name: {k: v[0] for k, v in node["activation"].items()}
        for name, node in probe.report()["layers"].items()
    }
    assert set(stats["r"]) == {"mean", "std", "dead"} and set(stats["s"]) == {"mean", "std", "saturated"}
    assert stats["r"]["mean"] == pytest.approx(r.mean(), rel=1e-5)
    assert stats["r"]["std"] == pytest.approx(r.std(), rel=1e-4)
    assert stats["r"]["dead"] == pytest.approx((r.max(axis=0) <= 0).mean())
    assert stats["s"]["saturated"] == pytest.approx(((s <= 0.02) | (s >= 0.98)).mean())
    # The hooks are gone: the model trains on, and its logs carry only Keras's numbers.
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert set(history.history) == {"loss"}


def test_a_one_row_last_batch_does_not_make_units_look_dead(keras):
    """An epoch of two batches, the second a single row: Netwright's own fit would run both in
    one compiled call, whose last step (the one the inspector reads) is that row, where about
    half of any ReLU layer's units are zero. The fit lets a call end on the whole batch."""
    from engine.keras.pipeline import split_rows

    design = load(DESIGNS / "seed_example.json")
    prepared = D.prepare(design, D.load(design.data))
    batch_size = split_rows(prepared.rows, prepared.validation_split) - 1
    probe = inspector(prepared)
    result = train(design, prepared, epochs=1, batch_size=batch_size, extra_callbacks=[probe])
    assert probe.report()["layers"]["h"]["activation"]["dead"] == [0.0]
    # Without an inspector nothing changes: one call per epoch.
    plain = train(design, prepared, epochs=1, batch_size=batch_size)
    assert (result.model.steps_per_execution, plain.model.steps_per_execution) == (1, 2)


def test_the_inspector_joins_a_model_fitted_before_and_a_frozen_one(keras):
    """Keras keeps a fitted model's traced train step; the inspector must not read zeros from it.
    A model with nothing to train is reported empty, not a crash. Hooks live only during a fit."""
    from types import SimpleNamespace

    import numpy as np

    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(40, 4)).astype(np.float32), rng.normal(size=(40, 1)).astype(np.float32)
    prepared = SimpleNamespace(x=x, y=y, validation_split=0)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(1, name="d")(inputs))
    model.compile("sgd", "mse")
    model.fit(x, y, epochs=1, verbose=0)
    probe = inspector(prepared)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[probe])
    assert probe.report()["layers"]["d"]["grad_norm"][0] > 0
    # Given to evaluate, it hooks into nothing: a later fit's logs are Keras's own.
    model.evaluate(x, y, verbose=0, callbacks=[inspector(prepared)])
    assert set(model.fit(x, y, epochs=1, verbose=0).history) == {"loss"}
    model.layers[-1].trainable = False
    model.compile("sgd", "mse")
    frozen = inspector(prepared)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[frozen])
    assert frozen.report()["layers"]["d"]["grad_norm"] == [] and frozen.report()["diagnoses"] == []


MIRRORED = r"""
import numpy as np
import keras
from types import SimpleNamespace
from engine.training.inspect import inspector
rng = np.random.default_rng(0)
x, y = rng.normal(size=(35, 4)).astype("float32"), rng.integers(0, 3, size=35)
with tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope():
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(8, activation="relu", name="h")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(hidden))
    model.compile(keras.optimizers.SGD(0.0), "sparse_categorical_crossentropy")
probe = inspector(SimpleNamespace(x=x, y=y, validation_split=0))
model.fit(tf.data.Dataset.from_tensor_slices((x, y)).batch(32), epochs=1, verbose=0, callbacks=[probe])
def gradient(rows):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y[rows], model(x[rows])))
    return np.concatenate([np.ravel(g) for g in tape.gradient(loss, model.trainable_weights)[:2]])
# The last batch, 3 rows, splits 2 and 1: each replica's mean gradient, halved, summed.
applied = (gradient(slice(32, 34)) + gradient(slice(34, 35))) / 2
outputs = keras.Model(inputs, hidden)
report = probe.report()["layers"]["h"]
print(json.dumps({"grad_norm": report["grad_norm"][0], "mean": report["activation"]["mean"][0],
                  "true_norm": float(np.linalg.norm(applied)),
                  "first": float(np.mean(outputs(x[:16]))), "both": float(np.mean(outputs(x[:32])))}))
"""


def test_under_two_replicas_gradients_are_the_applied_ones_and_activations_one_replicas():
    """Keras averages a step's logs over the replicas and scales each replica's loss by 1/2:
    the gradient norm must still be the one applied (SGD with rate 0 keeps the weights), and
    the activations the first replica's rows of a whole batch, not the replicas' outputs
    averaged row by row. The last batch splits unevenly (2 rows and 1), which must not fail."""
    out = on_two_cpus(MIRRORED)
    assert out["grad_norm"] == pytest.approx(out["true_norm"], rel=1e-5)
    assert out["mean"] == pytest.approx(out["first"], rel=1e-6) and out["mean"] != pytest.approx(out["both"])


def test_weight_histograms_are_numpys_for_every_layer():
    """One bincount for all layers gives what np.histogram gives layer by layer, edge cases too:
    a constant kernel, a NaN, values on bin edges, an empty kernel."""
    import numpy as np

    from engine.training.inspect import HISTOGRAM_BINS, weight_histograms

    rng = np.random.default_rng(3)
    kernels = [
        rng.normal(size=n).astype(np.float32) * scale for n, scale in ((300, 0.05), (40, 3.0), (7, 1.0))
    ]
    kernels += [np.full(5, 0.25, np.float32), np.round(rng.normal(size=400) * 4).astype(np.float32) / 4]
    kernels[1][3] = np.nan
    for case in (kernels, [*kernels, np.array([np.inf], np.float32)]):
        names = [f"layer{i}" for i in range(len(case))]
        got = weight_histograms(names, case)
        for name, kernel in zip(names, case, strict=True):
            counts, edges = np.histogram(kernel[np.isfinite(kernel)], bins=HISTOGRAM_BINS)
            assert got[name][1] == counts.tolist()
            assert np.allclose(got[name][0], edges)


def test_only_layers_whose_output_is_their_activation_are_watched(keras):
    """A recurrent layer's activation (ConvLSTM's too) works inside its cell: no statistics."""
    from engine.training.inspect import activation_name

    layers = keras.layers
    assert activation_name(layers.Dense(2, activation="tanh")) == "tanh"
    assert activation_name(layers.ReLU()) == "relu"
    assert activation_name(layers.Conv2D(2, 3)) == "linear"
    for layer in (
        layers.LSTM(2),
        layers.ConvLSTM1D(2, 3),
        layers.Bidirectional(layers.GRU(2)),
        layers.SimpleRNN(2),
    ):
        assert activation_name(layer) is None
