"""One training step on one sample, with every number of backpropagation written down.

For a learner, "the chain rule from the loss back to every weight" is only real
when the numbers can be followed: this module runs one real training step on a
batch of one sample, at the model's current weights and optimizer state, and
records, layer by layer in forward order, the layer's input, its pre-activation
``z`` (for a layer whose activation can be split off), its output ``a``,
∂L/∂a (``grad_output``), ∂L/∂z (``delta``), and each weight's value before, its
gradient and its value after the update.

The numbers are Keras's own.  One ``GradientTape`` pass runs the model's graph
layer by layer (Keras's ``_run_through_graph``), calling each layer with its
activation swapped for ``linear`` and applying the activation after, so ``z``
and ``a`` are on the same tape as the loss (``model.compute_loss``, regulariser
terms included).  The update is the real optimizer's: a fresh optimizer of the
same config, given a copy of the model's optimizer state, applied to copies of
the weights, so the learner's model and optimizer are left as they were.

A batch of one changes two layers: Dropout gets a mask drawn from the ledger's
seed (recorded), and every other layer runs in inference mode (BatchNormalization
has no batch statistics for one sample); the ledger lists which layers that
changes.  Runs on the thread that owns the model; the result is plain NumPy.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.data.prepare import Arrays, Prepared, take
from engine.keras.pipeline import split_rows
from engine.training.inspect import activation_name

FD_STEP = 1e-5  # central difference step (float64: truncation ~h², round-off ~1e-16/h)
FD_LAYERS = 12  # layers checked by finite differences: the first, the last and some between
KINK_TRIES = 8  # weights drawn per tensor before giving up on finding one away from kinks
KINK_SKIPPED = "each weight drawn sits within a step of a kink (a ReLU unit at exactly 0): not checked"
# Layers whose training-mode call differs from inference beyond Dropout's mask (which is drawn here).
TRAINING_DEPENDENT = {
    "BatchNormalization": "runs in inference mode (moving mean and variance): a batch of one has no "
    "batch statistics",
}


class LedgerError(ValueError):
    """The step cannot be explained; the message says why."""


@dataclass
class WeightStep:
    before: np.ndarray
    grad: np.ndarray
    after: np.ndarray


@dataclass
class LayerStep:
    """One layer call of the forward pass, with its backward numbers."""

    id: str
    type: str
    input: np.ndarray | list[np.ndarray] | None
    output: np.ndarray | list[np.ndarray]
    grad_output: np.ndarray | list[np.ndarray]
    z: np.ndarray | None = None  # the pre-activation, where the activation splits off
    delta: np.ndarray | None = None  # ∂L/∂z
    activation: str | None = None
    weights: dict[str, WeightStep] = field(default_factory=dict)
    mask: np.ndarray | None = None  # Dropout's kept (1) and dropped (0) units
    note: str = ""


@dataclass
class SlotStep:
    """One optimizer slot of one weight (Adam's m, RMSprop's average, ...)."""

    layer: str
    weight: str
    kind: str  # Keras's own slot name: momentum, velocity, ...
    before: np.ndarray
    after: np.ndarray


@dataclass
class OptimizerStep:
    type: str
    settings: dict[str, Any]
    iterations: int  # before the step
    learning_rate: float  # at this step (a schedule's value)
    slots: list[SlotStep]

    def slot(self, layer: str, weight: str, kind: str) -> SlotStep | None:
        return next((s for s in self.slots if (s.layer, s.weight, s.kind) == (layer, weight, kind)), None)


@dataclass
class Ledger:
    index: int
    x: Arrays  # the sample as the model is fed it (batch of one)
    y: Arrays
    loss: float
    optimizer: OptimizerStep
    layers: list[LayerStep]
    fd_max_rel_error: float | None
    fd_checks: list[dict[str, Any]]  # each checked weight: layer, weight, index, grad, fd, error
    notes: list[str]

    def layer(self, layer_id: str) -> LayerStep:
        return next(s for s in self.layers if s.id == layer_id)


# ---------------------------------------------------------------- the sample


def training_rows(prepared: Prepared) -> int:
    """The rows ``fit`` trains on (the validation tail excluded), as ``--sample`` counts them."""
    return split_rows(prepared.rows, prepared.validation_split)


def sample(prepared: Prepared, index: int) -> tuple[Arrays, Arrays]:
    """Training row ``index`` exactly as the model is fed it: a batch of one of x and of y."""
    n = training_rows(prepared)
    if not 0 <= index < n:
        raise LedgerError(f"sample {index} does not exist: the model trains on rows 0 to {n - 1}")
    rows = slice(index, index + 1)
    return take(prepared.x, rows), take(prepared.y, rows)


def sample_weight(class_weight: dict[int, float] | None, y: Arrays) -> np.ndarray | None:
    """The weight ``fit`` gives this one-row batch under class weights: that of its class
    (an integer label, a 0/1 label, or the one-hot row's largest entry)."""
    if not class_weight or isinstance(y, dict):
        return None
    row = np.asarray(y).reshape(1, -1)
    label = int(row.argmax()) if row.shape[1] > 1 else int(round(float(row[0, 0])))
    return np.array([class_weight.get(label, 1.0)], dtype="float32")


# ---------------------------------------------------------------- the forward pass on a tape


def _graph(model: Any) -> Any:
    """The functional graph a model runs (a Sequential model keeps one inside)."""
    return getattr(model, "_functional", None) or model


def splits_activation(layer: Any) -> bool:
    """Whether ``z`` can be recorded: the layer applies a (non-linear) activation last, and
    nothing (an activity regulariser) reads its output inside the call."""
    return (
        activation_name(layer) not in (None, "linear")
        and callable(getattr(layer, "activation", None))
        and getattr(layer, "activity_regularizer", None) is None
    )


@contextlib.contextmanager
def _linear(layer: Any, keras: Any) -> Iterator[Callable]:
    """The layer with its activation set to linear for one call; yields the real activation."""
    real = layer.activation
    layer.activation = keras.activations.linear
    try:
        yield real
    finally:
        layer.activation = real


@dataclass
class _Call:
    layer: Any
    inputs: list[Any]
    outputs: list[Any]
    z: Any = None
    mask: np.ndarray | None = None


class _Recorder:
    """Runs each layer of the graph and keeps its tensors; Dropout's masks are drawn once
    (seeded) and reused, so the float64 copy sees the same network."""

    def __init__(self, keras: Any, seed: int, masks: dict[int, np.ndarray] | None = None) -> None:
        self.keras, self.calls, self.masks = keras, [], dict(masks or {})
        self.rng = np.random.default_rng(seed)

    def wrap(self, layer: Any) -> Callable:
        return lambda *args, **kwargs: self.call(layer, args, kwargs)

    def call(self, layer: Any, args: tuple, kwargs: dict) -> Any:
        from keras.src import backend

        ops = self.keras.ops
        if getattr(layer, "_call_has_training_arg", False):
            kwargs["training"] = False
        inputs = [t for t in self.keras.tree.flatten((args, kwargs)) if backend.is_tensor(t)]
        record = _Call(layer, inputs, [])
        if type(layer).__name__ == "Dropout" and layer.rate > 0:
            x = args[0]
            key = len(self.calls)
            if key not in self.masks:
                shape = layer._get_noise_shape(x) if layer.noise_shape is not None else x.shape
                self.masks[key] = (self.rng.random(tuple(shape)) >= layer.rate).astype("float32")
            record.mask = self.masks[key]
            out = ops.multiply(x, ops.cast(record.mask / (1.0 - layer.rate), x.dtype))
        elif splits_activation(layer):
            with _linear(layer, self.keras) as activation:
                record.z = layer(*args, **kwargs)
            out = activation(record.z)
            mask = backend.get_keras_mask(record.z)
            if mask is not None:
                backend.set_keras_mask(out, mask)
        else:
            out = layer(*args, **kwargs)
        record.outputs = list(self.keras.tree.flatten(out))
        self.calls.append(record)
        return out

    def run(self, model: Any, x: Arrays) -> Any:
        graph = _graph(model)
        return graph._run_through_graph(graph._standardize_inputs(x), operation_fn=self.wrap)


def _loss(model: Any, x: Any, y: Any, y_pred: Any, weight: np.ndarray | None) -> Any:
    return model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=weight, training=True)


# ---------------------------------------------------------------- the optimizer, on copies


def _optimizer_copy(model: Any, keras: Any) -> tuple[Any, list[Any]]:
    """A fresh optimizer of the model's config holding the model's optimizer state, and
    copies of the trainable weights it updates (named ``ledger_<i>`` so its slots say whose)."""
    optimizer = model.optimizer
    if optimizer is None:
        raise LedgerError("the model is not compiled: it has no optimizer")
    weights = model.trainable_variables
    copies = [
        keras.Variable(_np(v), dtype=v.dtype, trainable=True, name=f"ledger_{i}")
        for i, v in enumerate(weights)
    ]
    twin = type(optimizer).from_config(optimizer.get_config())
    twin.build(copies)
    if optimizer.built:
        theirs, mine = optimizer.variables, twin.variables
        if len(theirs) != len(mine) or any(a.shape != b.shape for a, b in zip(theirs, mine, strict=True)):
            raise LedgerError("the optimizer's state does not match the model's weights")
        for a, b in zip(theirs, mine, strict=True):
            b.assign(a)
    return twin, copies


SLOT_NAME = re.compile(r"^ledger_(\d+)_(.+)$")


def _slot_values(optimizer: Any) -> dict[tuple[int, str], np.ndarray]:
    """(weight index, slot kind) -> value, for each of the optimizer's per-weight variables."""
    found = {}
    for v in optimizer.variables:
        m = SLOT_NAME.match(v.name)
        if m:
            found[int(m.group(1)), m.group(2)] = _np(v)
    return found


def _settings(optimizer: Any) -> dict[str, Any]:
    """The optimizer's plain settings (a schedule's learning rate is given by its value instead)."""
    skip = {"name", "learning_rate"}
    return {
        k: v
        for k, v in optimizer.get_config().items()
        if k not in skip and (v is None or isinstance(v, (bool, int, float, str)))
    }


# ---------------------------------------------------------------- the ledger


_LOCK = threading.Lock()  # floatx is process-wide: one float64 copy at a time


def explain_step(
    model: Any,
    x: Arrays,
    y: Arrays,
    *,
    index: int = 0,
    weight: np.ndarray | None = None,
    seed: int = 0,
    finite_differences: bool = True,
) -> Ledger:
    """One training step of ``model`` (compiled; fresh or trained) on the one-row batch
    ``x``, ``y`` (:func:`sample`), written down; the model and its optimizer are unchanged."""
    import keras
    import tensorflow as tf

    recorder = _Recorder(keras, seed)
    with tf.GradientTape() as tape:
        feeds = keras.tree.map_structure(tf.convert_to_tensor, x)
        keras.tree.map_structure(tape.watch, feeds)
        y_pred = recorder.run(model, feeds)
        loss = _loss(model, feeds, y, y_pred, weight)
    calls = recorder.calls
    zs = [c.z for c in calls if c.z is not None]
    watched = {
        "out": [c.outputs for c in calls],
        "z": zs,
        "weights": list(model.trainable_variables),
        "x": feeds,
    }
    grads = tape.gradient(loss, watched)
    by_z = iter(grads["z"])
    grads["z"] = [next(by_z) if c.z is not None else None for c in calls]
    _probability_gradients(keras, model, feeds, y, y_pred, weight, calls, grads)
    twin, copies = _optimizer_copy(model, keras)
    slots_before = _slot_values(twin)
    iterations, rate = int(_np(twin.iterations)), float(_np(twin.learning_rate))
    pairs = [(g, c) for g, c in zip(grads["weights"], copies, strict=True) if g is not None]
    twin.apply_gradients(pairs)
    slots_after = _slot_values(twin)
    owners = _weight_owners(model)
    layers = _layer_steps(keras, model, calls, grads, feeds, copies, owners)
    slots = [
        SlotStep(*owners[i], kind, before, slots_after[i, kind]) for (i, kind), before in slots_before.items()
    ]
    step = OptimizerStep(type(model.optimizer).__name__, _settings(model.optimizer), iterations, rate, slots)
    notes = _notes(model, calls)
    ledger = Ledger(index, _numpy(x), _numpy(y), float(_np(loss)), step, layers, None, [], notes)
    if finite_differences:
        try:
            ledger.fd_checks = finite_difference_checks(model, x, y, weight, recorder.masks, layers, seed)
        except Exception as exc:  # noqa: BLE001 - the check is extra: a copy Keras cannot make skips it
            ledger.notes.append(f"the finite-difference check could not run ({type(exc).__name__}: {exc})")
        errors = [c["error"] for c in ledger.fd_checks if c["error"] is not None]
        ledger.fd_max_rel_error = max(errors, default=None)
    return ledger


def _np(value: Any) -> np.ndarray:
    """A copy of a tensor's, a variable's or an array's values."""
    return np.array(value.numpy() if hasattr(value, "numpy") else value)


def _probability_gradients(
    keras: Any, model: Any, feeds: Any, y: Any, y_pred: Any, weight: Any, calls: list[_Call], grads: dict
) -> None:
    """∂L/∂a for outputs whose loss reads the logits: Keras's cross-entropy takes a softmax or
    sigmoid output's ``z`` (kept on the tensor) for numerical stability, so on the tape the loss
    does not pass through ``a`` at all; ∂L/∂a is then taken from the same loss on the
    probabilities themselves.  δ stays the tape's."""
    import tensorflow as tf

    flat = keras.tree.flatten(y_pred)
    if not any(hasattr(t, "_keras_logits") for t in flat):
        return
    plain = [tf.identity(t) for t in flat]  # the same values without the logits
    with tf.GradientTape() as tape:
        tape.watch(plain)
        loss = _loss(model, feeds, y, keras.tree.pack_sequence_as(y_pred, plain), weight)
    by_id = {
        id(t): g for t, g in zip(flat, tape.gradient(loss, plain), strict=True) if hasattr(t, "_keras_logits")
    }
    for k, call in enumerate(calls):
        grads["out"][k] = [by_id.get(id(t), g) for t, g in zip(call.outputs, grads["out"][k], strict=True)]


def _numpy(value: Any) -> Any:
    return {k: _np(v) for k, v in value.items()} if isinstance(value, dict) else _np(value)


def _first(values: list[Any]) -> Any:
    """One sample's array (batch axis dropped), or a list of them for several tensors."""
    arrays = [_np(v)[0] if v is not None else None for v in values]
    return arrays[0] if len(arrays) == 1 else arrays


def _zeros_for(grads: list[Any], tensors: list[Any]) -> list[Any]:
    """A gradient for each tensor: zeros where the loss does not depend on it."""
    return [np.zeros(t.shape, "float32") if g is None else g for g, t in zip(grads, tensors, strict=True)]


def _weight_owners(model: Any) -> list[tuple[str, str]]:
    """(layer name, weight name) of each trainable variable, in ``trainable_variables`` order."""
    by_id = {}
    for layer in model._flatten_layers(include_self=False, recursive=False):
        for v in layer.trainable_variables:
            by_id.setdefault(id(v), (layer.name, v.name))
    return [by_id.get(id(v), ("", v.name)) for v in model.trainable_variables]


def _layer_steps(
    keras: Any, model: Any, calls: list[_Call], grads: dict, feeds: Any, copies: list, owners: list
) -> list[LayerStep]:
    steps = []
    for tensor in model.inputs:
        name = tensor._keras_history.operation.name
        value, grad = (feeds[name], grads["x"][name]) if isinstance(feeds, dict) else (feeds, grads["x"])
        steps.append(
            LayerStep(
                name,
                "Input",
                None,
                _np(value)[0],
                np.zeros(value.shape[1:], "float32") if grad is None else _np(grad)[0],
            )
        )
    weights_of: dict[str, dict[str, WeightStep]] = {}
    for i, (layer_name, weight_name) in enumerate(owners):
        v = model.trainable_variables[i]
        g = grads["weights"][i]
        weights_of.setdefault(layer_name, {})[_unique(weights_of.get(layer_name, {}), weight_name)] = (
            WeightStep(_np(v), np.zeros(v.shape, "float32") if g is None else _np(g), _np(copies[i]))
        )
    seen: set[str] = set()
    for k, call in enumerate(calls):
        layer = call.layer
        out_grads = _zeros_for(grads["out"][k], call.outputs)
        step = LayerStep(
            layer.name,
            type(layer).__name__,
            _first(call.inputs) if call.inputs else None,
            _first(call.outputs),
            _first(out_grads),
            mask=None if call.mask is None else call.mask[0],
            note=TRAINING_DEPENDENT.get(type(layer).__name__, ""),
        )
        if call.z is not None:
            step.z = _np(call.z)[0]
            dz = grads["z"][k]
            step.delta = np.zeros_like(step.z) if dz is None else _np(dz)[0]
            step.activation = activation_name(layer)
        if layer.name not in seen:  # a shared layer's weights are shown at its first call
            step.weights = weights_of.get(layer.name, {})
            seen.add(layer.name)
        steps.append(step)
    return steps


def _unique(taken: dict[str, Any], name: str) -> str:
    """Keras's weight name, numbered when a layer (a nested model) has two of that name."""
    if name not in taken:
        return name
    n = 2
    while f"{name}_{n}" in taken:
        n += 1
    return f"{name}_{n}"


def _notes(model: Any, calls: list[_Call]) -> list[str]:
    notes = []
    for call in calls:
        kind = type(call.layer).__name__
        if kind in TRAINING_DEPENDENT:
            notes.append(f"{call.layer.name} ({kind}) {TRAINING_DEPENDENT[kind]}")
        elif call.mask is not None:
            notes.append(
                f"{call.layer.name} (Dropout) drops {int((call.mask == 0).sum())} of {call.mask.size} "
                f"units in this step (mask drawn from the ledger's seed)"
            )
    if model.losses:
        notes.append("the loss includes the layers' regularisation terms")
    return notes


# ---------------------------------------------------------------- finite differences


@contextlib.contextmanager
def _float64(keras: Any) -> Iterator[None]:
    """floatx set to float64, so the float64 copy's losses compute in float64 too."""
    with _LOCK:
        before = keras.config.floatx()
        keras.config.set_floatx("float64")
        try:
            yield
        finally:
            keras.config.set_floatx(before)


def _as_float64(config: Any) -> Any:
    """A model config with every float dtype (and dtype policy) made float64."""
    if isinstance(config, dict):
        if config.get("class_name") == "DTypePolicy" and isinstance(config.get("config"), dict):
            return {**config, "config": {**config["config"], "name": "float64"}}
        return {
            k: _as_float64(v) if k != "dtype" or not _is_float(v) else "float64" for k, v in config.items()
        }
    if isinstance(config, list):
        return [_as_float64(v) for v in config]
    return config


def _is_float(dtype: Any) -> bool:
    return isinstance(dtype, str) and ("float" in dtype)


def float64_copy(model: Any) -> Any:
    """The model with float64 weights and float64 losses (call under :func:`_float64`)."""
    import keras

    copy = type(model).from_config(_as_float64(model.get_config()))
    copy.set_weights(
        [np.asarray(w, dtype="float64") if w.dtype.kind == "f" else w for w in model.get_weights()]
    )
    copy.compile(**keras.saving.deserialize_keras_object(model.get_compile_config()))
    return copy


def finite_difference_checks(
    model: Any, x: Arrays, y: Arrays, weight: Any, masks: dict, layers: list[LayerStep], seed: int
) -> list[dict[str, Any]]:
    """Central differences of the loss on a float64 copy, for a few seeded weights, against the
    ledger's gradients: each check's relative error |g − g_fd| / max(|g|, |g_fd|, 1e-8).

    A weight whose step moves some unit's pre-activation ``z`` across 0 sits within a step of
    a kink (a ReLU unit at exactly 0, as a fresh zero bias on blank pixels gives), where the
    loss has no derivative to check: another weight of that tensor is drawn instead."""
    import keras
    import tensorflow as tf

    checks = []
    with _float64(keras):
        copy = float64_copy(model)
        by_name = _named_variables(copy)
        x64 = keras.tree.map_structure(lambda a: np.asarray(a, dtype="float64"), x)

        @tf.function
        def compiled() -> tuple[Any, list[Any]]:
            recorder = _Recorder(keras, seed, masks)
            value = _loss(copy, x64, y, recorder.run(copy, x64), weight)
            return value, [c.z for c in recorder.calls if c.z is not None]

        def loss() -> tuple[float, np.ndarray]:
            value, zs = compiled()
            signs = np.concatenate([np.sign(_np(z)).ravel() for z in zs]) if zs else np.zeros(0)
            return float(_np(value)), signs

        centre = loss()[1]
        rng = np.random.default_rng(seed)
        for layer_id, name in _checked_tensors(layers):
            var = by_name.get((layer_id, name))
            if var is None:
                continue
            grad, value = layers_grad(layers, layer_id, name), _np(var)
            for flat in rng.permutation(value.size)[:KINK_TRIES]:
                index = tuple(int(i) for i in np.unravel_index(flat, value.shape))
                sides = []
                for sign in (1, -1):
                    moved = value.copy()
                    moved[index] += sign * FD_STEP
                    var.assign(moved)
                    sides.append(loss())
                var.assign(value)
                if any(not np.array_equal(signs, centre) for _, signs in sides):
                    continue  # a unit crosses a kink between w - h and w + h
                fd, g = (sides[0][0] - sides[1][0]) / (2 * FD_STEP), float(grad[index])
                error = abs(g - fd) / max(abs(g), abs(fd), 1e-8)
                checks.append(
                    {
                        "layer": layer_id,
                        "weight": name,
                        "index": list(index),
                        "grad": g,
                        "fd": fd,
                        "error": error,
                    }
                )
                break
            else:
                checks.append({"layer": layer_id, "weight": name, "skipped": KINK_SKIPPED, "error": None})
    return checks


def _checked_tensors(layers: list[LayerStep]) -> list[tuple[str, str]]:
    """The weight tensors checked: the first two of the first, the last and some layers between."""
    with_weights = [s for s in layers if s.weights]
    if len(with_weights) > FD_LAYERS:
        keep = np.unique(np.linspace(0, len(with_weights) - 1, FD_LAYERS).round().astype(int))
        with_weights = [with_weights[i] for i in keep]
    return [(s.id, name) for s in with_weights for name, w in list(s.weights.items())[:2] if w.before.size]


def layers_grad(layers: list[LayerStep], layer_id: str, name: str) -> np.ndarray:
    return next(s for s in layers if s.id == layer_id).weights[name].grad


def _named_variables(model: Any) -> dict[tuple[str, str], Any]:
    """(layer name, weight name as the ledger numbers it) -> trainable variable."""
    named: dict[tuple[str, str], Any] = {}
    taken: dict[str, dict[str, Any]] = {}
    for (layer, name), var in zip(_weight_owners(model), model.trainable_variables, strict=True):
        key = _unique(taken.setdefault(layer, {}), name)
        taken[layer][key] = var
        named[layer, key] = var
    return named


# ---------------------------------------------------------------- as JSON


def _plain(value: Any) -> Any:
    """Arrays as nested lists (a dict or list of them too)."""
    if isinstance(value, (np.ndarray, np.generic)):  # a NumPy scalar too (an integer class label)
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _layer_json(step: LayerStep) -> dict[str, Any]:
    out: dict[str, Any] = {"id": step.id, "type": step.type}
    if step.input is not None:
        out["input"] = _plain(step.input)
    if step.z is not None:
        out["z"] = _plain(step.z)
    out["output"] = _plain(step.output)
    out["grad_output"] = _plain(step.grad_output)
    if step.delta is not None:
        out["delta"] = _plain(step.delta)
        out["activation"] = step.activation
    out["weights"] = {
        name: {"before": _plain(w.before), "grad": _plain(w.grad), "after": _plain(w.after)}
        for name, w in step.weights.items()
    }
    if step.mask is not None:
        out["dropout_mask"] = _plain(step.mask)
    if step.note:
        out["note"] = step.note
    return out


def as_json(ledger: Ledger) -> dict[str, Any]:
    """The ledger as plain JSON values, in the layout ``explain-step --json`` writes."""
    opt = ledger.optimizer

    def unbatched(value: Arrays) -> Any:
        return {k: _plain(v[0]) for k, v in value.items()} if isinstance(value, dict) else _plain(value[0])

    return {
        "sample": {"index": ledger.index, "x": unbatched(ledger.x), "y": unbatched(ledger.y)},
        "loss": ledger.loss,
        "optimizer": {
            "type": opt.type,
            **opt.settings,
            "learning_rate": opt.learning_rate,
            "iterations": opt.iterations,
            "state": {
                f"{s.layer}/{s.weight}/{s.kind}": {"before": _plain(s.before), "after": _plain(s.after)}
                for s in opt.slots
            },
        },
        "layers": [_layer_json(s) for s in ledger.layers],
        "finite_difference_max_rel_error": ledger.fd_max_rel_error,
        "finite_difference_checks": ledger.fd_checks,
        "notes": ledger.notes,
    }


# ---------------------------------------------------------------- a design's step


def design_ledger(
    design: Any, prepared: Prepared, index: int, weights: str | None = None, seed: int = 0
) -> Ledger:
    """The ledger of the design's first step (its model built as ``fit`` builds it, from the
    same seed), or of the next step of a trained model saved at ``weights`` (a .keras file)."""
    import keras

    from engine.keras.build import build_model
    from engine.keras.weights import load_pretrained
    from engine.training.trained_state import load_trained

    keras.utils.set_random_seed(seed)
    model = build_model(design)
    if weights:
        notes = load_trained(model, weights)
    else:
        notes = load_pretrained(model, design.weights)[1] if design.weights else []
    ledger = model_ledger(model, design, prepared, index, seed)
    ledger.notes = notes + ledger.notes
    return ledger


def model_ledger(model: Any, design: Any, prepared: Prepared, index: int, seed: int = 0) -> Ledger:
    """The next step of ``model`` (fresh or trained) on training row ``index``, weighted as
    ``fit`` weighs it under the design's class weights."""
    from engine.keras.lower_compile import lower_fit
    from engine.keras.pipeline import fit_class_weight

    x, y = sample(prepared, index)
    class_weight = fit_class_weight(lower_fit(design).class_weight, prepared.y, training_rows(prepared))
    return explain_step(model, x, y, index=index, weight=sample_weight(class_weight, y), seed=seed)
