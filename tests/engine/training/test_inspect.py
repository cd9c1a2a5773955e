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
