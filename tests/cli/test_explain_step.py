"""`python main.py explain-step`: the JSON layout, the sample as the model is fed it, a trained
model's next step, and a clear message (exit 1) when there is no data to take a sample from."""

import io
import json
from pathlib import Path

import numpy as np
import pytest

from cli.commands import run
from engine.design.file_format import load
from engine.training.run import ready

DESIGNS = Path(__file__).resolve().parents[2] / "resources" / "designs"
SEED = DESIGNS / "seed_example.json"


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run([str(a) for a in argv], out, err)
    return code, out.getvalue(), err.getvalue()


def test_writes_every_layers_numbers_for_the_fed_sample(tmp_path):
    target = tmp_path / "step.json"
    code, out, err = cli("explain-step", SEED, "--sample", 5, "--json", target)
    assert code == 0, err
    step = json.loads(target.read_text())
    prepared = ready(load(SEED), DESIGNS).prepared  # shuffled, split, standardised as a run feeds it
    np.testing.assert_allclose(step["sample"]["x"], prepared.x[5], rtol=1e-6)
    np.testing.assert_allclose(step["sample"]["y"], prepared.y[5], rtol=1e-6)
    assert step["sample"]["index"] == 5
    assert [layer["id"] for layer in step["layers"]] == ["x", "h", "y"]
    hidden, last = step["layers"][1], step["layers"][2]
    assert {"input", "z", "output", "grad_output", "delta", "weights"} <= set(hidden)
    assert "z" not in last and "delta" not in last  # a linear output has no activation to split off
    assert set(hidden["weights"]) == {"kernel", "bias"}
    assert np.shape(hidden["weights"]["kernel"]["grad"]) == (8, 10)
    assert step["optimizer"]["type"] == "Adam" and step["optimizer"]["iterations"] == 0
    assert step["optimizer"]["learning_rate"] == pytest.approx(0.001)
    assert set(step["optimizer"]["state"]["h/kernel/momentum"]) == {"before", "after"}
    assert step["finite_difference_max_rel_error"] < 1e-3
    assert step["loss"] > 0 and "wrote" in out


def test_a_trained_model_steps_on_from_its_weights_and_optimizer_state(tmp_path, keras):
    import tensorflow as tf

    from engine.keras.build import build_model
    from engine.training.fit import save_model

    design = load(SEED)
    prepared = ready(design, DESIGNS).prepared
    model = build_model(design)
    for rows in (slice(0, 32), slice(32, 64)):  # two training steps, as fit takes them
        x, y = prepared.x[rows], prepared.y[rows]
        with tf.GradientTape() as tape:
            loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True))
        model.optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
    save_model(model, tmp_path / "m.keras")
    target = tmp_path / "step.json"
    code, out, err = cli("explain-step", SEED, "--weights", tmp_path / "m.keras", "--json", target)
    assert code == 0, err
    step = json.loads(target.read_text())
    assert step["optimizer"]["iterations"] == 2
    np.testing.assert_allclose(
        step["layers"][1]["weights"]["kernel"]["before"], model.get_layer("h").kernel.numpy(), rtol=1e-6
    )
    momentum = [v for v in model.optimizer.variables if v.name.endswith("h_kernel_momentum")][0]
    np.testing.assert_allclose(
        step["optimizer"]["state"]["h/kernel/momentum"]["before"], momentum.numpy(), rtol=1e-6
    )


def test_a_class_label_is_written_as_the_model_is_fed_it(tmp_path):
    target = tmp_path / "step.json"
    code, out, err = cli("explain-step", DESIGNS / "mlp_classifier.json", "--json", target)
    assert code == 0, err
    step = json.loads(target.read_text())
    assert step["sample"]["y"] == int(ready(load(DESIGNS / "mlp_classifier.json"), DESIGNS).prepared.y[0])
    assert step["layers"][-1]["activation"] == "softmax"


@pytest.mark.parametrize(
    "data, says",
    [
        (None, "has no dataset"),
        ({"source": "csv", "path": "missing.csv", "target": "y"}, "missing.csv"),
    ],
)
def test_no_data_is_a_clear_message_and_exit_1(tmp_path, data, says):
    design = json.loads(SEED.read_text())
    design.pop("data")
    if data:
        design["data"] = data
    path = tmp_path / "d.json"
    path.write_text(json.dumps(design))
    code, out, err = cli("explain-step", path, "--json", tmp_path / "o.json")
    assert code == 1
    assert "cannot explain a step" in err and says in err
    assert "Traceback" not in err and not (tmp_path / "o.json").exists()


def test_a_sample_past_the_training_rows_is_a_clear_message(tmp_path):
    code, out, err = cli("explain-step", SEED, "--sample", 10**6, "--json", tmp_path / "o.json")
    assert code == 1 and "does not exist: the model trains on rows 0 to" in err
