"""Instrumentation: gradients, updates, weights and activations of every layer, while it trains.

An :func:`inspector` is a Keras callback that runs on the training thread.  What
it measures, and why it costs little (``benchmarks/inspect_overhead.py``):

* the train step's own values, with no extra work inside it (:class:`_StepTap`):
  each compiled call (of one or several steps) hands out its last step's
  gradients, the weights after that step's update, the step count and the outputs
  of the layers with an activation -- tensors the step computed anyway;
* every N batches (N from the number of batches: about five samples an epoch,
  at least one every 50 batches, but at most one per compiled call) and at each
  epoch's end, from those values: each layer's gradient norm, weight norm and
  update/weight ratio (how far the weights moved per step since the previous
  sample, relative to their size), in NumPy;
* at each epoch end also: a histogram of each kernel, activation statistics
  (mean, spread, dead ReLU units, saturated sigmoid/tanh outputs) on the epoch's
  last full training batch, and the diagnoses those numbers support;
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

from engine.schema.compile_catalog import REGRESSION
from engine.schema.datasets import CLASSIFICATION
from engine.training import events
from engine.training.diagnoses import diagnose

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
    if name is None or getattr(layer, "cell", None) is not None or type(layer).__name__ == "Bidirectional":
        return None  # a recurrent layer's activation (ConvLSTM's too) is inside its cell, not on its output
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

    ``every``: batches between gradient samples; by default from the batch count.
    ``task`` (classification or regression) enables the decision-boundary pictures."""
    import keras
    import tensorflow as tf

    class Inspector(keras.callbacks.Callback):
        # It reads each compiled call's last step; engine.training.fit.train then makes sure
        # an epoch's calls do not all end on its short last batch.
        reads_whole_batch_calls = True

        def __init__(self) -> None:
            super().__init__()
            self.spent = 0.0
            self.tap: _StepTap | None = None
            self.records: dict[str, dict[str, Any]] = {}
            self.diagnoses: list[dict[str, Any]] = []
            self.boundary = _BoundaryPacer(None, emit)
            self.epoch = 0

        # ------------------------------------------------------------ set-up

        def on_train_begin(self, logs=None):
            """Hook into the train step before its first call traces it (Keras has made the
            train function, untraced, or kept one traced for an earlier fit: made anew)."""
            begun = time.perf_counter()
            model = self.model
            if self.tap is not None:  # an earlier fit with this inspector ended in an error
                self.tap.unhook()
            self.layers = [layer for layer in model.layers if layer.trainable_weights]
            self.names = [layer.name for layer in self.layers]
            watched = [layer for layer in model.layers if activation_name(layer) is not None]
            self.watched = [(layer.name, activation_name(layer)) for layer in watched]
            self.tap = _StepTap(model, self.layers, watched, tf)
            model.make_train_function(force=True)
            self.steps = int(self.params.get("steps") or 1)
            # Each compiled call hands out its last step: no more than one sample per call.
            per_call = min(self.steps, int(getattr(model, "steps_per_execution", 1) or 1))
            self.every = every or max(sample_every(self.steps), per_call)
            self.begun_at = self.sampled_at = self.tap.at  # steps done before this fit
            self.tap.attach(self.after_call)
            self.order = [layer.name for layer in model.layers if type(layer).__name__ != "InputLayer"]
            self.outputs = [t._keras_history.operation.name for t in model.outputs]
            self.sizes = [sum(int(np.prod(w.shape)) for w in lay.trainable_weights) for lay in self.layers]
            self.records = _empty_records(self.names + [name for name, _ in self.watched])
            self.boundary = _BoundaryPacer(_boundary_probe(model, prepared, tf, task) if task else None, emit)
            self.spent += time.perf_counter() - begun

        # ------------------------------------------------------------ sampling

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def after_call(self) -> None:
            """After each compiled call, on the training thread: a sample when the call
            passed the end of an interval of N batches (batches N, 2N, ... of the run), but
            not at the epoch's last batch, which the epoch end reads."""
            done = self.tap.at - self.begun_at
            batch = done - self.epoch * self.steps  # batches of this epoch done
            if batch >= self.steps or done // self.every == (self.sampled_at - self.begun_at) // self.every:
                return
            begun = time.perf_counter()
            self.sampled_at = self.tap.at
            grads, _, ratio = self.tap.read()
            emit(
                events.LayerStats(
                    position=self.epoch + batch / self.steps,
                    grad_norm=dict(zip(self.names, grads, strict=True)),
                    update_ratio=dict(zip(self.names, ratio, strict=True)),
                )
            )
            self.spent += time.perf_counter() - begun + self.boundary.within_epoch(self.epoch)

        def on_epoch_end(self, epoch, logs=None):
            begun = time.perf_counter()
            self.sampled_at = self.tap.at
            grads, sizes, ratios = self.tap.read()
            grad_norm = dict(zip(self.names, grads, strict=True))
            weight_norm = dict(zip(self.names, sizes, strict=True))
            ratio = dict(zip(self.names, ratios, strict=True))
            activation = {
                name: activation_stats(kind, value)
                for (name, kind), value in zip(self.watched, self.tap.activations(), strict=True)
                if value is not None
            }
            _record(self.records, grad_norm, weight_norm, ratio, activation)
            histograms = weight_histograms(self.names, self.tap.kernels())
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
            self.tap.unhook()
            self.spent += self.boundary.draw(self.epoch, final=True)

        # ------------------------------------------------------------ the report

        def report(self) -> dict[str, Any]:
            """The ``--inspect`` JSON: per node one value per epoch in each list; the last diagnoses."""
            return {"layers": self.records, "diagnoses": self.diagnoses}

        @property
        def seconds(self) -> float:
            """Time spent in the callbacks: set-up, samples read, epoch ends, boundary pictures
            (all of the inspector's own work: the train step does none)."""
            return self.spent

    return Inspector()


REPLICA_ROWS = 256  # under several replicas, activation statistics use at most this many rows
PAYLOAD = "netwright_inspect"  # the key the step's values travel under in its logs, until taken out


class _StepTap:
    """The train step's own values, handed out with its logs: no extra work in the step.

    At trace time, the optimizer's ``apply_gradients`` (which Keras's train step
    calls with the batch's gradients) is wrapped to note the gradient tensors, each
    watched layer's ``call`` to note its output, and the model's ``train_step`` to
    add those, the weights after the update and the step count to the logs it
    returns.  Keras runs several steps per compiled call and returns the last one's
    logs, so each call hands out its last step's values; the step computed them
    anyway, and only the last step's are kept.  (Copying them into variables in a
    ``tf.cond`` on the due steps cost 0.1-0.3 ms a step, a sixth of a small MLP's
    step, and tracing it about 0.3 s; a separate compiled forward pass for the
    activations cost 60-120 ms to trace.)  The train function is wrapped to take the
    values out of the logs before any callback or ``History`` sees them; converting
    them to NumPy is left to the samples.  ``unhook`` restores Keras's own methods
    and drops the traced train function, so a later fit traces Keras's own.

    Under a distribution strategy with R replicas Keras averages the logs over the
    replicas, and each replica's gradients are 1/R of its own (Keras scales the
    loss): R times the average is the sum the optimizer applies.  Activations keep
    up to :data:`REPLICA_ROWS` of the first replica's rows (a copy a step, only
    when R > 1), since an average of different samples' outputs describes none
    of them.
    """

    def __init__(self, model: Any, layers: list, watched: list, tf: Any) -> None:
        self.model, self.optimizer, self.watched = model, model.optimizer, watched
        # Keras mean-reduces a step's logs over the replicas of a distribution strategy.
        self.replicas = replicas = int(model.distribute_strategy.num_replicas_in_sync)
        weights = [(j, w) for layer in layers for j, w in enumerate(layer.trainable_weights)]
        variables = [w for _, w in weights]
        place = {id(w): k for k, w in enumerate(variables)}
        sizes = [int(np.prod(w.shape)) for w in variables]
        starts = np.cumsum([0, *sizes])
        firsts = [k for k, (j, _) in enumerate(weights) if j == 0]  # each layer's first weight
        self.kernel_slices = [slice(starts[k], starts[k] + sizes[k]) for k in firsts]
        # Where each layer's values begin in the flat vectors, for one np.add.reduceat per norm.
        self.layer_starts = np.array([starts[k] for k in firsts], dtype=np.int64)
        self.previous = _flat_numpy(tuple(v.numpy() for v in variables))
        self.previous_at = int(self.optimizer.iterations.numpy())
        self.latest: tuple | None = None  # the latest call's values
        self.full: dict[int, Any] = {}  # watched layer's outputs, by place, in the latest whole batch
        self.full_rows = 0  # the rows of them that are the batch's
        noted = _Noted()  # each replica of a distribution strategy traces on its own thread
        apply_gradients, train_step = self.optimizer.apply_gradients, model.train_step

        def noting_apply_gradients(grads_and_vars, *args, **kwargs):
            pairs = list(grads_and_vars)
            noted.values["pairs"] = pairs
            return apply_gradients(pairs, *args, **kwargs)

        def noting_call(layer: Any) -> Callable:
            call = layer.call

            def noted_call(*args, **kwargs):
                output = call(*args, **kwargs)
                noted.values[id(layer)] = output
                return output

            return noted_call

        def handing_train_step(data):
            mine = noted.values
            mine.clear()
            logs = train_step(data)
            pairs = mine.get("pairs")
            if pairs is None or not isinstance(logs, dict):  # a step that applied no gradients
                return logs
            ordered = sorted((place[id(v)], g, v) for g, v in pairs if id(v) in place)
            grads = tuple(tf.zeros(v.shape) if g is None else _dense(g, tf) for _, g, v in ordered)
            after = tuple(v.value for _, _, v in ordered)  # read after the update (program order)
            outputs = {k: out for k, layer in enumerate(watched) if tf.is_tensor(out := mine.get(id(layer)))}
            shown = _first_replicas(outputs, replicas, tf) if replicas > 1 and outputs else (outputs,)
            return {**logs, PAYLOAD: (grads, after, self.optimizer.iterations.value, *shown)}

        self.optimizer.apply_gradients = noting_apply_gradients
        for layer in watched:
            layer.call = noting_call(layer)
        model.train_step = handing_train_step

    def attach(self, after_call: Callable[[], None]) -> None:
        """Take the values out of every compiled call's logs, then call ``after_call``
        (Keras has made its train function by the time callbacks hear of the run)."""
        function = self.model.train_function

        def train_function(iterator):
            logs = function(iterator)
            self.latest = logs.pop(PAYLOAD, None) if isinstance(logs, dict) else None
            if self.latest is not None:
                outputs = self.latest[3]
                batch = int(self.latest[4]) if len(self.latest) > 4 else _rows(outputs)
                if batch >= self.full_rows:  # a shorter last batch would say less of the units
                    self.full, self.full_rows = outputs, batch
            after_call()
            return logs

        self.model.train_function = train_function

    @property
    def at(self) -> int:
        """Steps done when the latest call ended."""
        return self.previous_at if self.latest is None else int(self.latest[2])

    def _norms(self, flat: np.ndarray) -> np.ndarray:
        return np.sqrt(np.add.reduceat(np.square(flat, dtype=np.float64), self.layer_starts))

    def read(self) -> tuple[list[float], list[float], list[float]]:
        """Per layer, at the latest call's last step: the gradient norm, the weight norm, and
        the update/weight ratio (how far the weights moved per step since the sample read
        before, relative to their size)."""
        if self.latest is None:  # no step yet
            zeros = [0.0] * len(self.layer_starts)
            return zeros, self._norms(self.previous).tolist(), zeros
        grads, after, at = self.latest[:3]
        current = _flat_numpy(after)
        # Keras scales each replica's loss by 1/R, and the mean over replicas divides once more:
        # R times that mean is the sum the optimizer applied.
        grad_norm, weight_norm = self._norms(_flat_numpy(grads)) * self.replicas, self._norms(current)
        steps = max(1, int(at) - self.previous_at)
        ratio = self._norms(current - self.previous) / np.maximum(weight_norm, 1e-12) / steps
        self.previous, self.previous_at = current, int(at)
        return grad_norm.tolist(), weight_norm.tolist(), ratio.tolist()

    def activations(self) -> list[np.ndarray | None]:
        """Each watched layer's outputs on the latest whole training batch (None: not seen, or
        not one tensor)."""
        rows = self.full_rows
        return [np.asarray(self.full[k])[:rows] if k in self.full else None for k in range(len(self.watched))]

    def kernels(self) -> list[np.ndarray]:
        """Each layer's first weight (its kernel), flat, as at the last read."""
        return [self.previous[cut] for cut in self.kernel_slices]

    def unhook(self) -> None:
        self.optimizer.__dict__.pop("apply_gradients", None)
        for layer in self.watched:
            layer.__dict__.pop("call", None)
        self.model.__dict__.pop("train_step", None)
        self.model.train_function = None  # traced with the hooks: a later fit traces Keras's own


class _Noted(threading.local):
    """What the step noted while tracing, per thread."""

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}


def _dense(gradient: Any, tf: Any) -> Any:
    """A sparse gradient (an embedding's) made whole, so its norm counts repeated rows once."""
    return tf.convert_to_tensor(gradient) if isinstance(gradient, tf.IndexedSlices) else gradient


def _first_replicas(outputs: dict[int, Any], replicas: int, tf: Any) -> tuple[dict[int, Any], Any]:
    """In one replica's step: its outputs cut or padded to :data:`REPLICA_ROWS` rows (replicas
    may get different shares of a batch, and Keras stacks their logs to average them), times R
    in the first replica and zeros in the others, so that the average is the first replica's;
    and how many of those rows are real, the same way."""
    first = tf.equal(tf.distribute.get_replica_context().replica_id_in_sync_group, 0)
    fixed = {}
    for k, out in outputs.items():
        kept = out[:REPLICA_ROWS]
        padded = tf.pad(kept, [[0, REPLICA_ROWS - tf.shape(kept)[0]]] + [[0, 0]] * (out.shape.rank - 1))
        fixed[k] = tf.where(first, padded * replicas, tf.zeros_like(padded))
    rows = tf.minimum(tf.shape(next(iter(outputs.values())))[0], REPLICA_ROWS)
    return fixed, tf.where(first, rows * replicas, 0)


def _rows(outputs: dict[int, Any]) -> int:
    """The batch size of a call's noted layer outputs (0: none)."""
    return next((int(t.shape[0]) for t in outputs.values() if len(t.shape)), 0)


def _flat_numpy(tensors: tuple) -> np.ndarray:
    """One float32 vector of the tensors' values, in order (empty: no trainable weights)."""
    return np.concatenate(
        [np.zeros(0, np.float32), *(np.ravel(np.asarray(t, dtype=np.float32)) for t in tensors)]
    )


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


def activation_stats(kind: str, value: Any) -> dict[str, float]:
    """Mean and spread of a layer's outputs; the share of dead units (ReLU: never positive on
    any sample of the batch) and of saturated outputs (sigmoid/tanh: at the flat ends).

    NumPy, not in the train step: these few ops per layer cost more to trace (about
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
