"""Instrumentation: gradients, updates, weights and activations of every layer, while it trains.

An :func:`inspector` is a Keras callback that runs on the training thread.  What
it measures, and why it is cheap (``benchmarks/inspect_overhead.py``):

* every N batches (N from the number of batches: about five samples an epoch,
  at least one every 50 batches, but at most one per compiled call of several
  steps, since the callback reads once per call) and at each epoch's last batch: each
  layer's gradient norm, weight norm and update/weight ratio (how far the
  weights moved per batch since the last read, relative to their size).  The
  gradients are taken *inside the compiled train step*: the optimizer's
  ``apply_gradients`` (which Keras's step calls with the batch's gradients) is
  wrapped for the run, and a ``tf.cond`` on the step counter copies them into
  one variable on the steps that need them; the norms are NumPy when the batch
  callback reads.  No second backward pass, and the callback only reads, so
  Keras keeps dispatching batch callbacks asynchronously (``async_safe``);
* at each epoch end: the latest sample, a histogram of each kernel (NumPy, on
  the fetched weights), activation statistics (mean, spread, dead ReLU units,
  saturated sigmoid/tanh outputs) from one compiled forward pass over a small
  fixed probe batch (tracing it costs about nine eager calls, and a compiled
  call a tenth of an eager one, so it pays from the first epochs on; traced
  inside the train step it cost more) -- and the diagnoses those numbers support;
* for 2-D classification or 1-D regression data, the decision boundary, within
  a small share of the training time (and always once at the end).

Only numbers leave: each measurement goes out as an event of
:mod:`engine.training.events`, and :meth:`Inspector.report` is the JSON that
``python main.py train --inspect`` writes.  Nothing here runs when no inspector
is attached.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.data.loaders import rows, take
from engine.spec.compile_catalog import REGRESSION
from engine.spec.datasets import CLASSIFICATION
from engine.training import events
from engine.training.diagnoses import diagnose

PROBE_SAMPLES = 32  # the fixed batch the activation statistics are taken on
SAMPLES_PER_EPOCH = 5  # gradient samples per epoch: N = batches per epoch / this, ...
MAX_EVERY = 50  # ... but at least one sample every 50 batches, so long epochs stay live
HISTOGRAM_BINS = 24
SATURATING = {"sigmoid": (0.02, 0.98), "tanh": (-0.98, 0.98), "hard_sigmoid": (0.02, 0.98)}
RECTIFIERS = {"relu", "relu6"}
BOUNDARY_GRID = 40  # cells per side of the decision-boundary picture
BOUNDARY_POINTS = 400  # training samples drawn over the picture
BOUNDARY_INTERVAL = 0.5  # seconds between boundary pictures within an epoch
BOUNDARY_BUDGET = 0.01  # share of the training time the boundary pictures may take


def activation_name(layer: Any) -> str | None:
    """The activation a layer applies to its output, by Keras's own function name."""
    if type(layer).__name__ == "ReLU":
        return "relu"
    fn = getattr(layer, "activation", None)
    name = getattr(fn, "__name__", None)
    if name is None or type(layer).__name__ in {"LSTM", "GRU", "SimpleRNN", "Bidirectional"}:
        return None  # a recurrent layer's activation is inside its cell, not on its output
    return name


def sample_every(steps: int) -> int:
    """Batches between two gradient samples: about :data:`SAMPLES_PER_EPOCH` an epoch."""
    return max(1, min(MAX_EVERY, math.ceil(max(1, steps) / SAMPLES_PER_EPOCH)))


def inspector(
    prepared: Any,
    emit: Callable[[object], None] = lambda event: None,
    every: int | None = None,
    task: str | None = None,
) -> Any:
    """A Keras callback that inspects the model it is attached to (TensorFlow imports here).

    ``every``: batches between gradient samples; by default from the batch count."""
    import keras
    import tensorflow as tf

    class Inspector(keras.callbacks.Callback):
        async_safe = True  # the batch hook only reads a variable; Keras need not wait for it

        def __init__(self) -> None:
            super().__init__()
            n = rows(prepared.x)  # x may be a dict of arrays, one per model input
            n_train = n - int(n * (prepared.validation_split or 0))
            head = slice(0, min(PROBE_SAMPLES, max(1, n_train)))
            self.x = tf.nest.map_structure(tf.constant, take(prepared.x, head))
            self.spent = 0.0
            self.sampler: _StepSampler | None = None
            self.records: dict[str, dict[str, Any]] = {}
            self.diagnoses: list[dict[str, Any]] = []
            self.last_sample = 0  # samples before the first interval ends: none
            self.boundary = _BoundaryPacer(None, emit)
            self.epoch = 0
            self.lock = threading.Lock()

        # ------------------------------------------------------------ set-up

        def set_model(self, model):
            """Keras calls this before it traces the train step: the moment to hook into it."""
            super().set_model(model)
            if self.sampler is None:  # one inspector, one fit
                begun = time.perf_counter()
                self.layers = [layer for layer in model.layers if layer.trainable_weights]
                self.names = [layer.name for layer in self.layers]
                self.sampler = _StepSampler(model, self.layers, tf)
                self.spent += time.perf_counter() - begun

        def on_train_begin(self, logs=None):
            begun = time.perf_counter()
            model = self.model
            self.steps = int(self.params.get("steps") or 1)
            # Keras calls back once per compiled call, so a sample more often than that
            # would be overwritten unread: no more than one per call.
            per_call = min(self.steps, int(getattr(model, "steps_per_execution", 1) or 1))
            self.every = every or max(sample_every(self.steps), per_call)
            self.sampler.schedule(self.every, self.steps)
            self.order = [layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"]
            self.outputs = [t._keras_history.operation.name for t in model.outputs]
            self.sizes = [sum(int(np.prod(w.shape)) for w in lay.trainable_weights) for lay in self.layers]
            watched = [layer for layer in model.layers if activation_name(layer) is not None]
            self.watched = [(layer.name, activation_name(layer)) for layer in watched]
            self.activations = _activation_probe(model, watched, keras, tf)
            self.records = _empty_records(self.names + [name for name, _ in self.watched])
            self.boundary = _BoundaryPacer(_boundary_probe(model, prepared, tf, task) if task else None, emit)
            self.spent += time.perf_counter() - begun

        # ------------------------------------------------------------ sampling

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            # Keras calls back once per compiled call (``batch`` is its last batch), possibly
            # on its helper thread; samples are taken in the train step at batches N, 2N, ...
            # (the end of each interval, so one that an epoch's end would overwrite is not taken)
            if batch + 1 >= self.steps:
                return  # the epoch's last batch: the epoch end reads it
            done = self.epoch * self.steps + batch + 1
            sample = done // self.every
            begun = time.perf_counter()
            with self.lock:  # Keras's helper threads may run two batch hooks at once
                if sample == self.last_sample:
                    return
                self.last_sample = sample
                grads, _, ratio = self.sampler.read()
            emit(
                events.LayerStats(
                    position=self.epoch + (batch + 1) / self.steps,
                    grad_norm=dict(zip(self.names, grads, strict=True)),
                    update_ratio=dict(zip(self.names, ratio, strict=True)),
                )
            )
            self.spent += time.perf_counter() - begun + self.boundary.within_epoch(self.epoch)

        def on_epoch_end(self, epoch, logs=None):
            begun = time.perf_counter()
            grads, sizes, ratios = self.sampler.read()
            grad_norm = dict(zip(self.names, grads, strict=True))
            weight_norm = dict(zip(self.names, sizes, strict=True))
            ratio = dict(zip(self.names, ratios, strict=True))
            activation = probe_activations(self.activations, self.x, self.watched)
            _record(self.records, grad_norm, weight_norm, ratio, activation)
            histograms = weight_histograms(self.names, self.sampler.kernels())
            rms = {n: g / math.sqrt(max(1, k)) for n, g, k in zip(self.names, grads, self.sizes, strict=True)}
            self.diagnoses = diagnose(
                [n for n in self.order if n in self.records], rms, grad_norm, activation, self.outputs
            )
            emit(
                events.EpochStats(
                    epoch, grad_norm, weight_norm, activation, histograms, list(self.diagnoses), ratio
                )
            )
            self.spent += time.perf_counter() - begun + self.boundary.draw(epoch)

        def on_train_end(self, logs=None):
            self.sampler.unhook()
            self.spent += self.boundary.draw(self.epoch, final=True)

        # ------------------------------------------------------------ the report

        def report(self) -> dict[str, Any]:
            """The ``--inspect`` JSON: per node one value per epoch in each list; the last diagnoses."""
            return {"layers": self.records, "diagnoses": self.diagnoses}

        @property
        def seconds(self) -> float:
            """Time spent in the callbacks: set-up, samples read, epoch ends, boundary pictures.
            (What the hook adds to the train step and its tracing shows in the wall time.)"""
            return self.spent

    return Inspector()


class _StepSampler:
    """The batch's gradients and the weights, taken in the train step on the steps that need them.

    Wraps the optimizer's ``apply_gradients`` (Keras's train step calls it with the
    batch's gradients) for the run.  After the update, a ``tf.cond`` branch (every
    ``every`` steps and at each epoch's last step) copies the gradients and the
    weights, each flattened into one vector, into two variables: few ops, since
    tracing them was what inspecting a short run paid for most, and one read
    each instead of one per weight (which cost 3 ms a read for nine layers).
    The rest is NumPy when the callback reads (at most once per compiled call):
    the norms per layer and how far the weights moved since the last read.
    ``unhook`` restores the optimizer's own method.
    """

    def __init__(self, model: Any, layers: list, tf: Any) -> None:
        self.optimizer = model.optimizer
        weights = [(i, j, w) for i, layer in enumerate(layers) for j, w in enumerate(layer.trainable_weights)]
        self.variables = [w for _, _, w in weights]
        place = {id(w): k for k, w in enumerate(self.variables)}
        sizes = [int(np.prod(w.shape)) for w in self.variables]
        starts = np.cumsum([0, *sizes])
        self.kernel_slices = [
            slice(starts[k], starts[k] + sizes[k]) for k, (_, j, _) in enumerate(weights) if j == 0
        ]
        # Where each layer's values begin in the flat vectors, for one np.add.reduceat per norm.
        self.layer_starts = np.array([starts[k] for k, (_, j, _) in enumerate(weights) if j == 0])
        self.previous = np.concatenate([np.ravel(np.asarray(v.numpy(), np.float32)) for v in self.variables])
        self.previous_at = int(self.optimizer.iterations.numpy())
        first = tf.VariableAggregation.ONLY_FIRST_REPLICA  # under a strategy: one replica's view

        def variable(value: Any, dtype: Any = tf.float32) -> Any:
            return tf.Variable(value, dtype=dtype, trainable=False, aggregation=first)

        with model.distribute_strategy.scope():
            self.grads = variable(tf.zeros(int(starts[-1])))
            self.weights = variable(self.previous)
            self.at = variable(self.previous_at, tf.int64)  # the step the copies were taken at
            self.every, self.steps = variable(1, tf.int64), variable(1, tf.int64)
        original = self.optimizer.apply_gradients

        def sample(pairs: list, done: Any) -> Any:
            self.at.assign(done)
            ordered = sorted(((place[id(v)], g, v) for g, v in pairs if id(v) in place), key=lambda t: t[0])
            self.grads.assign(_flat([tf.zeros(v.shape) if g is None else g for _, g, v in ordered], tf))
            self.weights.assign(_flat([v.value for _, _, v in ordered], tf))
            return tf.constant(True)

        def apply_gradients(grads_and_vars, *args, **kwargs):
            pairs = list(grads_and_vars)
            result = original(pairs, *args, **kwargs)
            done = tf.cast(tf.convert_to_tensor(self.optimizer.iterations), tf.int64)
            epoch_end = tf.equal(tf.math.floormod(done, self.steps), 0)
            due = tf.logical_or(epoch_end, tf.equal(tf.math.floormod(done, self.every), 0))
            tf.cond(due, lambda: sample(pairs, done), lambda: tf.constant(False))
            return result

        self.optimizer.apply_gradients = apply_gradients

    def _norms(self, flat: np.ndarray) -> np.ndarray:
        return np.sqrt(np.add.reduceat(np.square(flat, dtype=np.float64), self.layer_starts))

    def schedule(self, every: int, steps: int) -> None:
        self.every.assign(every)
        self.steps.assign(steps)

    def read(self) -> tuple[list[float], list[float], list[float]]:
        """Per layer, at the latest sample: the gradient norm, the weight norm, and the
        update/weight ratio (how far the weights moved per step since the sample read
        before, relative to their size)."""
        current, at = self.weights.numpy(), int(self.at.numpy())
        grad_norm, weight_norm = self._norms(self.grads.numpy()), self._norms(current)
        steps = max(1, at - self.previous_at)
        ratio = self._norms(current - self.previous) / np.maximum(weight_norm, 1e-12) / steps
        self.previous, self.previous_at = current, at
        return grad_norm.tolist(), weight_norm.tolist(), ratio.tolist()

    def kernels(self) -> list[np.ndarray]:
        """Each layer's first weight (its kernel), flat, as at the last read."""
        return [self.previous[cut] for cut in self.kernel_slices]

    def unhook(self) -> None:
        self.optimizer.__dict__.pop("apply_gradients", None)


def _flat(tensors: list, tf: Any) -> Any:
    """One float32 vector of all the values, in order."""
    flat = []
    for t in tensors:
        if isinstance(t, tf.IndexedSlices):  # a sparse gradient (an embedding's), made whole
            t = tf.convert_to_tensor(t)
        flat.append(tf.reshape(t if t.dtype == tf.float32 else tf.cast(t, tf.float32), [-1]))
    return tf.concat(flat, axis=0)


def _empty_records(names: list[str]) -> dict[str, dict[str, Any]]:
    empty = ("grad_norm", "weight_norm", "update_ratio")
    return {name: {**{key: [] for key in empty}, "activation": {}} for name in names}


def _record(records: dict, grad_norm: dict, weight_norm: dict, ratio: dict, activation: dict) -> None:
    """Append one epoch's values to the per-node lists of the report."""
    for name, value in grad_norm.items():
        records[name]["grad_norm"].append(value)
        records[name]["weight_norm"].append(weight_norm[name])
        records[name]["update_ratio"].append(ratio[name])
    for name, stats in activation.items():
        for key, value in stats.items():
            records[name]["activation"].setdefault(key, []).append(value)


class _BoundaryPacer:
    """Draws the decision boundary within its share of the training time, and once at the end."""

    def __init__(self, probe: Callable[[int], events.Boundary] | None, emit: Callable) -> None:
        self.probe, self.emit = probe, emit
        self.started = time.perf_counter()
        self.spent = 0.0
        self.last = 0.0
        self.epoch = -1

    def within_epoch(self, epoch: int) -> float:
        """A picture in the middle of a long epoch; returns the seconds it took."""
        return self.draw(epoch) if time.perf_counter() - self.last > BOUNDARY_INTERVAL else 0.0

    def draw(self, epoch: int, final: bool = False) -> float:
        """A picture, unless over budget (or, at the end, already drawn for this epoch)."""
        begun = time.perf_counter()
        over = self.spent > BOUNDARY_BUDGET * (begun - self.started)
        if self.probe is None or (final and self.epoch == epoch) or (over and not final):
            return 0.0
        self.last, self.epoch = begun, epoch
        self.emit(self.probe(epoch))
        took = time.perf_counter() - begun
        self.spent += took
        return took


def probe_activations(probe: Callable | None, x: Any, watched: list) -> dict[str, dict[str, float]]:
    """Activation statistics of every watched layer on the probe batch."""
    if probe is None:
        return {}
    outputs = probe(x)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {name: activation_stats(kind, value) for (name, kind), value in zip(watched, outputs, strict=True)}


def activation_stats(kind: str, value: Any) -> dict[str, float]:
    """Mean and spread of a layer's outputs; the share of dead units (ReLU: never positive on
    any probe sample) and of saturated outputs (sigmoid/tanh: at the flat ends).

    NumPy, not in the compiled probe: these few ops per layer cost more to trace (about
    200 ms for nine layers) than NumPy takes in all the epochs of a run."""
    a = np.asarray(value, dtype=np.float64)
    units = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(-1, 1)
    entry = {"mean": float(units.mean()), "std": float(units.std())}
    if kind in RECTIFIERS:
        entry["dead"] = float((units.max(axis=0) <= 0).mean())
    if kind in SATURATING:
        low, high = SATURATING[kind]
        entry["saturated"] = float(((units <= low) | (units >= high)).mean())
    return entry


def _activation_probe(model: Any, watched: list, keras: Any, tf: Any) -> Callable | None:
    """A compiled function from the inputs to the outputs of the watched layers.

    On deep_sigmoid tracing it costs about 90 ms and a call then 1 ms, against 10 ms
    for each eager call (30 ms for the first), so compiling pays within a few epochs."""
    if not watched:
        return None
    probe = keras.Model(model.inputs, [layer.output for layer in watched])
    return tf.function(lambda x: probe(x, training=False), reduce_retracing=True)


def weight_histograms(
    names: list[str], kernels: list[np.ndarray]
) -> dict[str, tuple[list[float], list[int]]]:
    """A histogram of each layer's kernel: the bins and counts ``np.histogram`` gives (over
    its finite values), for all layers in one ``np.bincount`` -- one ``np.histogram`` call
    per layer cost about 1.2 ms an epoch for nine layers, a few % of a small model's epoch."""
    parts = [np.asarray(k, dtype=np.float64)[np.isfinite(k)] for k in kernels]
    if not parts or not all(p.size for p in parts):  # an empty or wholly non-finite kernel
        return {n: _histogram(p) for n, p in zip(names, parts, strict=True)}
    bins, sizes = HISTOGRAM_BINS, [p.size for p in parts]
    flat, starts = np.concatenate(parts), np.cumsum([0, *sizes[:-1]])
    low, high = np.minimum.reduceat(flat, starts), np.maximum.reduceat(flat, starts)
    flat_range = low == high  # as np.histogram: a single value gets the range value +- 0.5
    low, high = np.where(flat_range, low - 0.5, low), np.where(flat_range, high + 0.5, high)
    edges = np.array([np.linspace(lo, hi, bins + 1) for lo, hi in zip(low, high, strict=True)])
    layer = np.repeat(np.arange(len(parts)), sizes)
    index = ((flat - low[layer]) * (bins / (high - low))[layer]).astype(np.intp)
    index[index == bins] -= 1  # the largest value closes the last bin
    # np.histogram's own correction of values that rounding put one bin off.
    index[flat < edges[layer, index]] -= 1
    index[(flat >= edges[layer, index + 1]) & (index != bins - 1)] += 1
    counts = np.bincount(layer * bins + index, minlength=len(parts) * bins).reshape(len(parts), bins)
    return {n: (e.tolist(), c.tolist()) for n, e, c in zip(names, edges, counts, strict=True)}


def _histogram(values: np.ndarray) -> tuple[list[float], list[int]]:
    counts, edges = np.histogram(values, bins=HISTOGRAM_BINS)
    return edges.tolist(), counts.tolist()


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

    def predict(t):  # eager: a few calls a run cost less than tracing
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
    along = tf.constant(line.reshape(-1, 1))

    def curve(epoch: int) -> events.Boundary:
        p = np.asarray(predict(along), dtype=np.float64).reshape(len(line), -1)[:, 0]
        return events.Boundary(epoch, line, None, p, None, points, labels.astype(np.float64))

    return curve
