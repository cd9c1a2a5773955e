"""Training on a real (tiny) Keras fit: reports, stop, pause, divergence, CLI."""

import io
import json
import threading

import numpy as np
import pytest

from cli.commands import run
from engine.data import prepare as D
from engine.design.file_format import load
from engine.training.fit import DIVERGED, STOPPED, Control, Listener, evaluate, save_model, train
from tests.engine.keras.test_build_and_export import TEMPLATES

TEMPLATE = {p.stem: p for p in TEMPLATES}


def iris_run():
    design = load(TEMPLATE["mlp_classifier"])
    design.data = {"source": "builtin", "name": "iris", "test_split": 0.2, "standardize": True}
    ds = D.load_builtin("iris")
    return design, ds, D.prepare(design, ds)


def test_train_reports_plain_numbers_and_evaluates(keras, tmp_path):
    design, ds, prepared = iris_run()
    batches, epochs = [], []
    result = train(
        design,
        prepared,
        epochs=2,
        batch_size=16,
        listener=Listener(on_batch=batches.append, on_epoch=epochs.append),
    )
    assert result.epochs_done == 2 and result.stop_reason is None
    assert set(result.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert [e["epoch"] for e in epochs] == [0, 1]
    assert all(type(v) is float for e in epochs for v in e["logs"].values())
    assert batches and all(b["steps"] == 6 for b in batches)  # 96 training rows / 16
    report = evaluate(result.model, prepared, ds, design)
    assert report["evaluated_on"] == "test" and np.array(report["confusion_matrix"]).sum() == 30
    saved = save_model(result.model, tmp_path / "m")
    assert saved.suffix == ".keras" and keras.saving.load_model(saved).count_params() == 403


def test_the_train_step_is_traced_once(keras):
    """The optimizer's, loss's and metrics' variables exist before the first trace, so
    tf.function does not trace the step a second time to create them (a third of a
    short run's time went to that)."""
    design, _, prepared = iris_run()

    class CountTraces(keras.callbacks.Callback):
        traces = 0

        def set_model(self, model):  # before Keras traces its train function
            super().set_model(model)
            step = model.train_step

            def counted(data):
                CountTraces.traces += 1  # Python runs only while tracing
                return step(data)

            model.train_step = counted

    result = train(design, prepared, epochs=2, batch_size=16, extra_callbacks=[CountTraces()])
    assert result.epochs_done == 2
    assert CountTraces.traces == 1


def test_stop_ends_within_one_compiled_call_and_keeps_weights(keras):
    """Stop lands after the call in progress: steps_per_execution batches, never the epoch."""
    design = load(TEMPLATE["small_cnn"])
    prepared = D.prepare(design, D.load_builtin("digits"))
    control = Control()
    begun, seen = [], []

    def on_batch(info):
        seen.append(info)
        control.stop()

    result = train(
        design,
        prepared,
        epochs=50,
        batch_size=32,
        listener=Listener(on_begin=begun.append, on_batch=on_batch),
        control=control,
    )
    assert result.stop_reason == STOPPED and result.epochs_done == 1
    per_call = begun[0]["steps_per_execution"]
    assert 1 < per_call < begun[0]["steps"]  # several batches per call, fewer than an epoch
    assert len(seen) == 1 and seen[0]["batch"] == per_call - 1
    assert begun[0]["device"] == "CPU"
    assert "stopped by you" in result.message
    assert result.model.count_params() == 5130


def test_pause_blocks_between_compiled_calls_until_resumed(keras):
    design, _, prepared = iris_run()
    control = Control()
    paused_at = threading.Event()
    batches = []

    def on_batch(info):
        batches.append(info["batch"])
        if len(batches) == 1:
            control.pause()
            paused_at.set()

    worker = threading.Thread(
        target=lambda: train(
            design, prepared, epochs=2, batch_size=8, listener=Listener(on_batch=on_batch), control=control
        )
    )
    worker.start()
    assert paused_at.wait(30)
    worker.join(0.5)
    assert worker.is_alive() and len(batches) == 1  # held before the next call
    control.resume()
    worker.join(60)
    assert not worker.is_alive() and len(batches) > 1


def test_each_reported_loss_is_its_calls_own_mean_over_rows(keras):
    """An epoch of 31 rows in two compiled calls, 30 rows then 1 (the inspector asks for a
    call that ends on a whole batch): the two losses reported, weighted by their rows, give
    Keras's epoch loss."""
    from engine.training.inspect import inspector

    design = load(TEMPLATE["seed_example"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(31, 8)).astype("float32")
    prepared = D.Prepared(x, x.sum(axis=1, keepdims=True) ** 2, x[:0], x[:0, :1], 0.0)
    batches = []
    result = train(
        design,
        prepared,
        epochs=1,
        batch_size=30,
        listener=Listener(on_batch=batches.append),
        extra_callbacks=[inspector(prepared)],
    )
    assert [b["batch"] for b in batches] == [0, 1]
    combined = (batches[0]["loss"] * 30 + batches[1]["loss"]) / 31
    assert combined == pytest.approx(result.history["loss"][0], rel=1e-4)


def test_divergence_stops_with_advice(keras):
    design = load(TEMPLATE["seed_example"])
    design.compile["optimizer"] = {"type": "SGD", "learning_rate": 10.0}
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32") * 100
    prepared = D.Prepared(x, x.sum(axis=1, keepdims=True), x[:0], x[:0, :1], 0.0)
    result = train(design, prepared, epochs=20, batch_size=16)
    assert result.stop_reason == DIVERGED and result.epochs_done < 20
    assert "NaN or infinite" in result.message and "lower learning rate" in result.message


def test_train_cli_reaches_sensible_accuracy(keras, tmp_path):
    design = load(TEMPLATE["mlp_classifier"])
    design.data = {"source": "builtin", "name": "iris", "standardize": True}
    path = tmp_path / "iris.json"
    from engine.design.file_format import save

    save(design, path)
    out, err = io.StringIO(), io.StringIO()
    code = run(
        [
            "train",
            str(path),
            "--epochs",
            "40",
            "--history",
            str(tmp_path / "h.json"),
            "--save",
            str(tmp_path / "m.onnx"),
        ],
        out,
        err,
    )
    assert code == 0, err.getvalue()
    history = json.loads((tmp_path / "h.json").read_text())
    assert len(history["loss"]) == 40 and history["val_accuracy"][-1] >= 0.8
    assert (tmp_path / "m.onnx").stat().st_size > 0  # the name picks the format
    assert "epoch 40/40" in err.getvalue() and "on CPU, 1 replica(s)" in err.getvalue()


def test_train_cli_exit_codes(tmp_path):
    from engine.design.file_format import save

    out, err = io.StringIO(), io.StringIO()
    design = load(TEMPLATE["seed_example"])
    design.data = None
    save(design, tmp_path / "no_data.json")
    assert run(["train", str(tmp_path / "no_data.json")], out, err) == 1
    assert "The design has no dataset" in err.getvalue()
    broken = tmp_path / "b.json"
    broken.write_text("{")
    assert run(["train", str(broken)], out, err) == 2
    design.data = {"source": "builtin", "name": "iris"}

    save(design, tmp_path / "s.json")
    err = io.StringIO()
    assert run(["train", str(tmp_path / "s.json")], out, err) == 1
    assert "Input 'x' expects (8,)" in err.getvalue()


def test_the_training_device_is_named_for_the_view():
    from engine.training.device import describe

    assert describe([]) == "CPU"
    assert describe(["NVIDIA H100 80GB HBM3"]) == "GPU: NVIDIA H100 80GB HBM3"
    assert describe(["A", "B"]) == "GPU: A (+1 more)"


def test_a_run_too_big_for_memory_is_refused_before_tensorflow_builds(tmp_path):
    """640 GB of weights, gradients and Adam slots: refused with the numbers, exit code 1."""
    from engine.design.file_format import save

    design = load(TEMPLATE["mlp_classifier"])
    design.nodes["hidden2"].params["units"] = 200_000
    design.nodes["hidden1"].params["units"] = 200_000
    path = tmp_path / "huge.json"
    save(design, path)
    out, err = io.StringIO(), io.StringIO()
    assert run(["train", str(path), "--epochs", "1"], out, err) == 1
    assert "cannot train" in err.getvalue() and "needs about" in err.getvalue()
    assert "smaller" in err.getvalue()
