"""The step ledger against Keras: its gradients are GradientTape's, its ``after`` the real
optimizer's update, from fresh state and after some steps; finite differences agree; the
chain rule's δ is ∂L/∂a ⊙ f′(z); and the learner's model and optimizer are left untouched."""

import copy
from pathlib import Path

import numpy as np
import pytest

from engine.design.file_format import load
from engine.training.run import ready
from engine.training.step_formulas import chain_rule, num, update
from engine.training.step_ledger import KINK_SKIPPED, LedgerError, explain_step, sample

DESIGNS = Path(__file__).resolve().parents[3] / "resources" / "designs"
TEMPLATES = ("seed_example", "deep_relu", "deep_sigmoid", "small_cnn")
OPTIMIZERS = {
    "sgd": {"class_name": "SGD", "config": {"learning_rate": 0.05}},
    "momentum": {"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}},
    "rmsprop": {
        "class_name": "RMSprop",
        "config": {"learning_rate": 0.01, "momentum": 0.5, "centered": True},
    },
    "adam": {"class_name": "Adam", "config": {"learning_rate": 0.01}},
}


@pytest.fixture(scope="module")
def templates(keras):
    """Each template's design, prepared data and one model, built once (recompiled per optimizer)."""
    from engine.keras.build import build_model

    built = {}
    for name in TEMPLATES:
        design = load(DESIGNS / f"{name}.json")
        keras.utils.set_random_seed(0)
        built[name] = (design, ready(design, DESIGNS).prepared, build_model(design))
    return built


def keras_step(model, x, y):
    """Keras's own train step on one batch (eager): the oracle. Returns (loss, gradients)."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True), training=True)
    grads = tape.gradient(loss, model.trainable_variables)
    model.optimizer.apply(grads, model.trainable_variables)
    return float(loss), [g.numpy() for g in grads]


def by_variable(ledger, model):
    """The ledger's weight records in ``model.trainable_variables`` order."""
    owner = {id(v): (layer.name, v.name) for layer in model.layers for v in layer.trainable_variables}
    return [ledger.layer(owner[id(v)][0]).weights[owner[id(v)][1]] for v in model.trainable_variables]


def optimizer_state(model):
    return [v.numpy() for v in model.optimizer.variables]


def check_against_keras(model, x, y):
    """One ledger, then the real step: equal loss, gradients, updated weights, slots, iterations."""
    weights, state = [v.numpy() for v in model.trainable_variables], optimizer_state(model)
    ledger = explain_step(model, x, y, finite_differences=False)
    for before, now in zip(
        weights + state, [v.numpy() for v in model.trainable_variables] + optimizer_state(model), strict=True
    ):
        np.testing.assert_array_equal(before, now)  # the learner's model and optimizer untouched
    iterations = int(model.optimizer.iterations.numpy())
    loss, grads = keras_step(model, x, y)
    assert ledger.loss == pytest.approx(loss, rel=1e-5)
    assert ledger.optimizer.iterations == iterations
    for record, grad, var in zip(by_variable(ledger, model), grads, model.trainable_variables, strict=True):
        np.testing.assert_allclose(record.grad, grad, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(record.after, var.numpy(), rtol=1e-5, atol=1e-7)
    slots = {v.name: v.numpy() for v in model.optimizer.variables}
    assert len(ledger.optimizer.slots) == len(slots) - 2  # all but the iteration count and learning rate
    for slot in ledger.optimizer.slots:
        [mine] = [v for name, v in slots.items() if name.endswith(f"{slot.layer}_{slot.weight}_{slot.kind}")]
        np.testing.assert_allclose(slot.after, mine, rtol=1e-5, atol=1e-7)
    check_arithmetic(ledger)
    return ledger


def check_arithmetic(ledger):
    """The numbers shown for a weight reproduce its gradient and its new value."""
    for step in [s for s in ledger.layers if s.type == "Dense"][-2:]:
        for name, index in (("kernel", (1, 0)), ("bias", (0,))):
            record = step.weights[name]
            rule = chain_rule(step, name, index)
            assert rule.value == pytest.approx(float(record.grad[index]), rel=1e-4, abs=1e-7)
            assert "∂L/∂" in rule.lines[-1] and num(rule.value) in rule.lines[-1]
            new = update(ledger, step.id, name, index)
            assert new.value == pytest.approx(float(record.after[index]), rel=1e-5, abs=1e-7)
            assert new.lines[-1].startswith("w ← w") and num(new.value) in new.lines[-1]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("name", TEMPLATES)
def test_ledger_is_kerass_step_fresh_and_after_training(templates, keras, name, optimizer):
    design, prepared, model = templates[name]
    model.compile(
        optimizer=keras.optimizers.deserialize(copy.deepcopy(OPTIMIZERS[optimizer])), loss=model.loss
    )
    x, y = sample(prepared, 7)
    check_against_keras(model, x, y)  # fresh optimizer state
    for i in (1, 2, 3):
        keras_step(model, *sample(prepared, i))
    ledger = check_against_keras(model, x, y)  # slots and iteration count from earlier steps
    assert ledger.optimizer.iterations == 4
    assert ledger.optimizer.type == OPTIMIZERS[optimizer]["class_name"]


@pytest.mark.parametrize("name", TEMPLATES)
def test_finite_differences_agree_on_first_and_last_layer(templates, name):
    design, prepared, model = templates[name]
    ledger = explain_step(model, *sample(prepared, 11), index=11)
    assert ledger.fd_max_rel_error < 1e-3
    with_weights = [s.id for s in ledger.layers if s.weights]
    checked = {c["layer"] for c in ledger.fd_checks if c["error"] is not None}
    assert {with_weights[0], with_weights[-1]} <= checked


def test_a_tensor_at_a_kink_is_listed_as_not_checked(templates, keras):
    from engine.keras.build import build_model

    design, prepared, _ = templates["small_cnn"]
    model = build_model(design)  # fresh: conv1's zero bias over blank 3x3 patches puts units at 0
    ledger = explain_step(model, *sample(prepared, 11))
    skipped = [(c["layer"], c["weight"], c["skipped"]) for c in ledger.fd_checks if c["error"] is None]
    assert skipped == [("conv1", "bias", KINK_SKIPPED)]
    assert ledger.fd_max_rel_error < 1e-3


def softmax_delta(a, g):
    """∂L/∂z for a = softmax(z): the Jacobian's transpose times ∂L/∂a."""
    return a * (g - np.dot(a, g))


DERIVATIVE = {
    "relu": lambda z, a, g: g * (z > 0),
    "sigmoid": lambda z, a, g: g * a * (1 - a),
    "softmax": lambda z, a, g: softmax_delta(a, g),
}


@pytest.mark.parametrize("name", ("deep_relu", "deep_sigmoid", "small_cnn"))
def test_delta_is_grad_output_times_the_activations_derivative(templates, name):
    design, prepared, model = templates[name]
    ledger = explain_step(model, *sample(prepared, 4), finite_differences=False)
    split = [s for s in ledger.layers if s.z is not None]
    assert {s.activation for s in split} == (
        {"relu", "softmax"} if name != "deep_sigmoid" else {"sigmoid", "softmax"}
    )
    for s in split:
        np.testing.assert_allclose(
            s.output, {"relu": np.maximum(s.z, 0)}.get(s.activation, s.output), rtol=1e-6
        )
        np.testing.assert_allclose(
            s.delta, DERIVATIVE[s.activation](s.z, s.output, s.grad_output), rtol=1e-4, atol=1e-7
        )
    # ∂L/∂W = a_prevᵀ δ for a Dense layer and a batch of one
    last = split[-1]
    np.testing.assert_allclose(
        last.weights["kernel"].grad, np.outer(last.input, last.delta), rtol=1e-4, atol=1e-7
    )


NOISY = {
    "format": "netwright-design",
    "version": 1,
    "nodes": [
        {"id": "x", "type": "Input", "params": {"shape": [4]}},
        {"id": "h", "type": "Dense", "params": {"units": 12, "activation": "tanh"}},
        {"id": "norm", "type": "BatchNormalization", "params": {}},
        {"id": "drop", "type": "Dropout", "params": {"rate": 0.5}},
        {"id": "y", "type": "Dense", "params": {"units": 1}},
    ],
    "edges": [
        {"src": "x", "dst": "h"},
        {"src": "h", "dst": "norm"},
        {"src": "norm", "dst": "drop"},
        {"src": "drop", "dst": "y"},
    ],
    "compile": {"optimizer": {"type": "SGD", "learning_rate": 0.1}, "loss": "mse"},
}


def test_dropout_mask_is_seeded_and_batch_norm_runs_in_inference(keras):
    from engine.design.file_format import from_dict
    from engine.keras.build import build_model

    model = build_model(from_dict(NOISY))
    x, y = np.array([[0.5, -1.0, 2.0, 0.1]], "float32"), np.array([[0.3]], "float32")
    ledger = explain_step(model, x, y, seed=3)
    drop = ledger.layer("drop")
    assert 0 < drop.mask.sum() < drop.mask.size  # some units kept, some dropped
    np.testing.assert_allclose(drop.output, drop.input * drop.mask / 0.5, rtol=1e-6)
    assert np.all(
        ledger.layer("h").grad_output[drop.mask == 0] == 0
    )  # a dropped unit passes no gradient back
    np.testing.assert_array_equal(
        explain_step(model, x, y, seed=3, finite_differences=False).layer("drop").mask, drop.mask
    )
    assert any("BatchNormalization" in n and "inference" in n for n in ledger.notes)
    assert ledger.fd_max_rel_error < 1e-3  # the float64 copy sees the same mask


def test_a_sample_outside_the_training_rows_is_refused(templates):
    prepared = templates["seed_example"][1]
    rows = int(np.floor(prepared.rows * (1 - prepared.validation_split)))
    sample(prepared, rows - 1)
    with pytest.raises(LedgerError, match=f"rows 0 to {rows - 1}"):
        sample(prepared, rows)  # the first validation row: fit never trains on it
