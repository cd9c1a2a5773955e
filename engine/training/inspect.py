"""Instrumentation: gradients, updates, weights and activations of every layer, while it trains.

An :func:`inspector` is a Keras callback that runs on the training thread.
On a fixed probe batch (up to 64 training samples) it measures, with one
TensorFlow function each:

* every few batches: each layer's gradient norm and its update/weight ratio
  (how far the weights moved since the last look, per batch, relative to their size);
* at each epoch end: gradient and weight norms, a histogram of the weights,
  and activation statistics (mean, spread, dead ReLU units, saturated sigmoid/tanh
  outputs), followed by the diagnoses those numbers support.

Only numbers leave: each measurement goes out as an event of
:mod:`engine.training.events`, and :meth:`Inspector.report` is the JSON that
``python main.py train --inspect`` writes.  The batch samples keep to a time
budget (a share of the training time), so inspecting never costs more than
about a tenth of the run; nothing here runs when no inspector is attached.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.data.loaders import rows, take
from engine.spec.compile_catalog import REGRESSION
from engine.spec.datasets import CLASSIFICATION
from engine.training import events
from engine.training.diagnoses import diagnose

PROBE_SAMPLES = 64
EVERY_N_BATCHES = 10
BUDGET = 0.04  # share of the training time the batch samples may take
HISTOGRAM_BINS = 24
SATURATING = {"sigmoid": (0.02, 0.98), "tanh": (-0.98, 0.98), "hard_sigmoid": (0.02, 0.98)}
RECTIFIERS = {"relu", "relu6"}
BOUNDARY_GRID = 60  # cells per side of the decision-boundary picture
BOUNDARY_POINTS = 400  # training samples drawn over the picture
BOUNDARY_INTERVAL = 0.5  # seconds between boundary pictures within an epoch


def activation_name(layer: Any) -> str | None:
    """The activation a layer applies to its output, by Keras's own function name."""
    if type(layer).__name__ == "ReLU":
        return "relu"
    fn = getattr(layer, "activation", None)
    name = getattr(fn, "__name__", None)
    if name is None or type(layer).__name__ in {"LSTM", "GRU", "SimpleRNN", "Bidirectional"}:
        return None  # a recurrent layer's activation is inside its cell, not on its output
    return name


def inspector(
    prepared: Any,
    emit: Callable[[object], None] = lambda event: None,
    every: int = EVERY_N_BATCHES,
    budget: float = BUDGET,
    task: str | None = None,
) -> Any:
    """A Keras callback that inspects the model it is attached to (TensorFlow imports here)."""
    import keras
    import tensorflow as tf

    class Inspector(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            n = rows(prepared.x)  # x may be a dict of arrays, one per model input
            n_train = n - int(n * (prepared.validation_split or 0))
            head = slice(0, min(PROBE_SAMPLES, max(1, n_train)))
            self.x = tf.nest.map_structure(tf.constant, take(prepared.x, head))
            self.y = tf.nest.map_structure(tf.constant, take(prepared.y, head))
            self.spent = 0.0
            self.setup = 0.0
            self.started = 0.0
            self.records: dict[str, dict[str, Any]] = {}
            self.diagnoses: list[dict[str, Any]] = []
            self.batches_seen = 0
            self.last_sampled = -every  # the first call samples
            self.last_boundary = 0.0
            self.epoch = 0

        # ------------------------------------------------------------ set-up

        def on_train_begin(self, logs=None):
            begun = time.perf_counter()
            model = self.model
            self.layers = [layer for layer in model.layers if layer.trainable_weights]
            self.order = [layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"]
            self.outputs = [t._keras_history.operation.name for t in model.outputs]
            self.sizes, self.gradients, self.movement = _layer_norms(model, self.layers, self.x, self.y, tf)
            watched = [layer for layer in model.layers if activation_name(layer) is not None]
            self.watched = [(layer.name, activation_name(layer)) for layer in watched]
            self.activations = _activation_probe(model, watched, keras, tf)
            self.records = {
                name: {"grad_norm": [], "weight_norm": [], "update_ratio": [], "activation": {}}
                for name in [layer.name for layer in self.layers] + [name for name, _ in self.watched]
            }
            self.movement()  # start the movement baseline at the initial weights
            self.since_movement = 0
            self.boundary = _boundary_probe(model, prepared, tf, task) if task else None
            self.setup = time.perf_counter() - begun  # outside the budget, which paces the recurring samples
            self.started = time.perf_counter()

        # ------------------------------------------------------------ sampling

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            # Keras calls back once per compiled call, which may run several batches.
            ran = max(1, int(getattr(self.model, "steps_per_execution", 1) or 1))
            self.batches_seen += ran
            self.since_movement += ran
            elapsed = time.perf_counter() - self.started
            if self.batches_seen - self.last_sampled < every or self.spent > budget * elapsed:
                return
            self.last_sampled = self.batches_seen
            begun = time.perf_counter()
            grads = self.gradients().numpy()
            moved, size = (t.numpy() for t in self.movement())
            ratio = moved / np.maximum(size, 1e-12) / max(1, self.since_movement)
            self.since_movement = 0
            steps = self.params.get("steps") or 1
            names = [layer.name for layer in self.layers]
            emit(
                events.LayerStats(
                    position=self.epoch + (batch + 1) / steps,
                    grad_norm=dict(zip(names, grads.tolist(), strict=True)),
                    update_ratio=dict(zip(names, ratio.tolist(), strict=True)),
                )
            )
            if self.boundary is not None and begun - self.last_boundary > BOUNDARY_INTERVAL:
                self.last_boundary = begun
                emit(self.boundary(self.epoch))
            self.spent += time.perf_counter() - begun

        def on_epoch_end(self, epoch, logs=None):
            begun = time.perf_counter()
            names = [layer.name for layer in self.layers]
            grads = self.gradients().numpy()
            moved, size = (t.numpy() for t in self.movement())
            ratio = moved / np.maximum(size, 1e-12) / max(1, self.since_movement)
            self.since_movement = 0
            grad_norm = dict(zip(names, grads.tolist(), strict=True))
            weight_norm = dict(zip(names, size.tolist(), strict=True))
            activation = self._activation_stats()
            _record(
                self.records,
                grad_norm,
                weight_norm,
                dict(zip(names, ratio.tolist(), strict=True)),
                activation,
            )
            histograms = weight_histograms(self.layers)
            rms = {
                n: g / math.sqrt(max(1.0, s))
                for n, g, s in zip(names, grads.tolist(), self.sizes, strict=True)
            }
            self.diagnoses = diagnose(
                [n for n in self.order if n in self.records], rms, grad_norm, activation, self.outputs
            )
            emit(
                events.EpochStats(epoch, grad_norm, weight_norm, activation, histograms, list(self.diagnoses))
            )
            if self.boundary is not None:
                self.last_boundary = time.perf_counter()
                emit(self.boundary(epoch))
            self.spent += time.perf_counter() - begun

        def _activation_stats(self) -> dict[str, dict[str, float]]:
            if self.activations is None:
                return {}
            outputs = self.activations(self.x)
            outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
            return {
                name: activation_stats(kind, value)
                for (name, kind), value in zip(self.watched, outputs, strict=True)
            }

        # ------------------------------------------------------------ the report

        def report(self) -> dict[str, Any]:
            """The ``--inspect`` JSON: per node one value per epoch in each list; the last diagnoses."""
            return {"layers": self.records, "diagnoses": self.diagnoses}

        @property
        def seconds(self) -> float:
            """Time spent inspecting, set-up included."""
            return self.setup + self.spent

    return Inspector()


def _record(records: dict, grad_norm: dict, weight_norm: dict, ratio: dict, activation: dict) -> None:
    """Append one epoch's values to the per-node lists of the report."""
    for name, value in grad_norm.items():
        records[name]["grad_norm"].append(value)
        records[name]["weight_norm"].append(weight_norm[name])
        records[name]["update_ratio"].append(ratio[name])
    for name, stats in activation.items():
        for key, value in stats.items():
            records[name]["activation"].setdefault(key, []).append(value)


def activation_stats(kind: str, value: Any) -> dict[str, float]:
    """Mean and spread of a layer's outputs; the share of dead units (ReLU: never positive on
    any probe sample) and of saturated outputs (sigmoid/tanh: at the flat ends)."""
    a = np.asarray(value, dtype=np.float64)
    units = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(-1, 1)
    entry = {"mean": float(units.mean()), "std": float(units.std())}
    if kind in RECTIFIERS:
        entry["dead"] = float((units.max(axis=0) <= 0).mean())
    if kind in SATURATING:
        low, high = SATURATING[kind]
        entry["saturated"] = float(((units <= low) | (units >= high)).mean())
    return entry


def weight_histograms(layers: list) -> dict[str, tuple[list[float], list[int]]]:
    """A histogram of each layer's first weight (its kernel)."""
    out = {}
    for layer in layers:
        kernel = np.asarray(layer.trainable_weights[0].numpy(), dtype=np.float64).reshape(-1)
        counts, edges = np.histogram(kernel[np.isfinite(kernel)], bins=HISTOGRAM_BINS)
        out[layer.name] = (edges.tolist(), counts.tolist())
    return out


def _activation_probe(model: Any, watched: list, keras: Any, tf: Any) -> Callable | None:
    """A function from the inputs to the outputs of the watched layers (eager, as above)."""
    if not watched:
        return None
    probe = keras.Model(model.inputs, [layer.output for layer in watched])
    return lambda x: probe(x, training=False)


def _layer_norms(model: Any, layers: list, x: Any, y: Any, tf: Any) -> tuple:
    """Per-layer parameter counts, and two functions returning one number per layer: the gradient
    norm on the probe batch, and (weight movement since the last call, weight norm).

    Eager, not ``tf.function``: tracing cost 0.4-3 s per run on a loaded 2-core machine, more than
    all the calls of a short run together; the batch samples keep to their time budget anyway."""
    variables = [[v.value for v in layer.trainable_weights] for layer in layers]
    flat = [v for group in variables for v in group]
    bounds = np.cumsum([0] + [len(g) for g in variables])
    sizes = np.array([sum(int(np.prod(v.shape)) for v in g) for g in variables], dtype=float)
    previous = [tf.Variable(v, trainable=False) for v in flat]

    def per_layer(squares):
        return tf.stack([tf.add_n(squares[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)])

    def gradients():
        with tf.GradientTape() as tape:
            predicted = model(x, training=False)
            loss = model.compute_loss(x=x, y=y, y_pred=predicted, training=False)
        grads = tape.gradient(loss, flat)
        squares = [
            tf.zeros(()) if g is None else tf.reduce_sum(tf.square(tf.cast(g, tf.float32))) for g in grads
        ]
        return tf.sqrt(per_layer(squares))

    def movement():
        moved = [tf.reduce_sum(tf.square(v - p)) for v, p in zip(flat, previous, strict=True)]
        size = [tf.reduce_sum(tf.square(v)) for v in flat]
        for v, p in zip(flat, previous, strict=True):
            p.assign(v)
        return tf.sqrt(per_layer(moved)), tf.sqrt(per_layer(size))

    return sizes, gradients, movement


def _boundary_probe(model: Any, prepared: Any, tf: Any, task: str) -> Callable[[int], events.Boundary] | None:
    """For a 2-D classifier, predictions over a grid of the plane; for 1-D regression, along the line."""
    x = prepared.x
    if isinstance(x, dict) or isinstance(prepared.y, dict):  # several inputs or outputs: no plane to draw
        return None
    dims = x.shape[1] if x.ndim == 2 else 0
    if len(model.inputs) != 1 or (dims, task) not in ((2, CLASSIFICATION), (1, REGRESSION)):
        return None
    low, high = x.min(axis=0), x.max(axis=0)
    pad = 0.1 * (high - low + 1e-9)
    low, high = low - pad, high + pad

    def predict(t):  # eager, as the norms
        return model(t, training=False)

    shown = min(len(x), BOUNDARY_POINTS)
    points = x[:shown].astype(np.float64)
    y = prepared.y[:shown]
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(shown, -1)[:, 0]
    if x.shape[1] == 2:
        gx = np.linspace(low[0], high[0], BOUNDARY_GRID, dtype=np.float32)
        gy = np.linspace(low[1], high[1], BOUNDARY_GRID, dtype=np.float32)
        grid = tf.constant(np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2))

        def plane(epoch: int) -> events.Boundary:
            p = np.asarray(predict(grid), dtype=np.float64).reshape(len(gy) * len(gx), -1)
            if p.shape[1] == 1:  # one sigmoid unit: class 1 when above one half
                values, confidence = (p[:, 0] > 0.5).astype(int), np.maximum(p[:, 0], 1 - p[:, 0])
            else:
                values, confidence = p.argmax(axis=1), p.max(axis=1)
            shape = (len(gy), len(gx))
            return events.Boundary(
                epoch, gx, gy, values.reshape(shape), confidence.reshape(shape), points, labels.astype(int)
            )

        return plane
    line = np.linspace(low[0], high[0], 200, dtype=np.float32)
    points = tf.constant(line.reshape(-1, 1))

    def curve(epoch: int) -> events.Boundary:
        p = np.asarray(predict(points), dtype=np.float64).reshape(len(line), -1)[:, 0]
        return events.Boundary(epoch, line, None, p, None, points, labels.astype(np.float64))

    return curve
