"""Training: fit a design on prepared data, reporting through plain callbacks.

Runs on whatever thread calls it (the GUI's worker thread, or the main
thread for ``python main.py train``); Keras objects never leave that thread.
Progress goes out as dicts of floats.  A :class:`Control` (threading events)
comes in: Stop ends the epoch after the current compiled call (a few batches,
tens of ms: see engine/keras/speed.py) and keeps the weights, Pause blocks
between calls, and a NaN or infinite loss stops with a reason.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.data.prepare import Arrays, DataError, Dataset, Prepared, arrays, rows, take
from engine.design.cost import estimate, fits_warning
from engine.design.graph import Design
from engine.keras import pipeline
from engine.keras.build import build_model, make_object
from engine.keras.lower_compile import lower_fit
from engine.keras.pipeline import split_rows
from engine.keras.weights import load_pretrained
from engine.schema.datasets import CLASSIFICATION, match_inputs
from engine.training.device import training_device
from engine.training.distribution import DISTRIBUTIONS, strategy_scope
from engine.training.export import export_model

BATCH_REPORT_INTERVAL = 0.1  # seconds between batch reports: a live plot needs no more

STOPPED, DIVERGED, EARLY = "stopped", "diverged", "early_stopping"


class Control:
    """Stop / pause requests from another thread (the GUI).

    Stop sets the model's ``stop_training`` flag at once, which Keras checks
    right after the batch in progress; Pause holds the loop before the next batch.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        # Set while the loop is actually waiting: "paused" is a fact, not a request.
        self._held = threading.Event()
        self._model: Any = None
        self._lock = threading.Lock()

    def attach(self, model: Any) -> None:
        with self._lock:
            self._model = model
            if self._stop.is_set():
                model.stop_training = True

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            if self._model is not None:
                self._model.stop_training = True
        self._running.set()  # a paused run must wake up to stop

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def held(self) -> bool:
        """The training loop is waiting between batches now (not only asked to pause)."""
        return self._held.is_set()

    def wait_while_paused(self) -> None:
        self._held.set()
        try:
            self._running.wait()
        finally:
            self._held.clear()


class CannotTrain(DataError):
    """A run that must not start; the message says why."""


class WontFit(CannotTrain):
    """Training would need more memory than the machine has free; the message says how much."""


@dataclass
class Listener:
    """Where progress goes; every argument is plain data."""

    on_begin: Callable[[dict[str, Any]], None] = lambda info: None
    on_batch: Callable[[dict[str, Any]], None] = lambda info: None
    on_epoch: Callable[[dict[str, Any]], None] = lambda info: None


@dataclass
class Result:
    history: dict[str, list[float]]
    epochs_done: int
    stop_reason: str | None = None
    message: str = ""
    model: Any = field(default=None, repr=False)


def _bridge(
    keras: Any, control: Control, listener: Listener, epochs: int, rows: Callable[[int], int], state: dict
) -> Any:
    """``rows(batches)``: the training rows in an epoch's first ``batches`` batches."""

    class Bridge(keras.callbacks.Callback):
        """Turns Keras callbacks into plain reports; applies pause and divergence between batches.

        ``async_safe``: Keras may run ``on_train_batch_end`` on its helper thread,
        so reporting never holds up the next batch.  Pause lives in
        ``on_train_batch_begin``, which Keras always calls in the training loop.
        """

        async_safe = True

        def on_train_begin(self, logs=None):
            state["start"] = time.perf_counter()
            state["steps"] = steps = self.params["steps"]  # the epoch's batches, from the dataset
            control.attach(self.model)
            strategy = self.model.distribute_strategy
            setup = {
                "steps_per_execution": self.model.steps_per_execution,  # chosen for this run
                "device": training_device(),
                "replicas": strategy.num_replicas_in_sync,
            }
            listener.on_begin({"epochs": epochs, "steps": steps, **setup})

        def on_epoch_begin(self, epoch, logs=None):
            state.update(epoch=epoch, last_report=0.0, previous_mean=0.0, previous_rows=0)

        def on_train_batch_begin(self, batch, logs=None):
            if control.paused:
                paused_at = time.perf_counter()
                control.wait_while_paused()
                state["start"] += time.perf_counter() - paused_at  # paused time is not training time

        def on_train_batch_end(self, batch, logs=None):
            mean = float(logs["loss"])
            if not math.isfinite(mean):
                state["reason"] = DIVERGED
                self.model.stop_training = True
                return
            # Keras reports the running mean over the epoch's rows, once per compiled call
            # (which may run several batches: steps_per_execution); recover the call's own mean.
            before, done, steps = state["previous_rows"], rows(batch + 1), state["steps"]
            batch_loss = (mean * done - state["previous_mean"] * before) / max(1, done - before)
            state["previous_mean"], state["previous_rows"] = mean, done
            now = time.perf_counter()
            if now - state["last_report"] >= BATCH_REPORT_INTERVAL or batch == steps - 1:
                state["last_report"] = now
                listener.on_batch(
                    {
                        "epoch": state["epoch"],
                        "batch": batch,
                        "steps": steps,
                        "loss": batch_loss,
                        "mean_loss": mean,
                        "elapsed": now - state["start"],
                    }
                )

        def on_epoch_end(self, epoch, logs=None):
            values = {k: float(v) for k, v in (logs or {}).items()}
            if not all(math.isfinite(v) for v in values.values()):
                state["reason"] = DIVERGED
                self.model.stop_training = True
            listener.on_epoch(
                {"epoch": epoch, "logs": values, "elapsed": time.perf_counter() - state["start"]}
            )

    return Bridge()


def train(
    design: Design,
    prepared: Prepared,
    *,
    epochs: int | None = None,
    batch_size: int | None = None,
    listener: Listener | None = None,
    control: Control | None = None,
    early_stopping_patience: int | None = None,
    seed: int = 0,
    distribution: str | None = None,
    extra_callbacks: Sequence[Any] = (),
) -> Result:
    """Build, compile and fit the design; returns the history and the trained model.

    Raises :class:`WontFit` before TensorFlow allocates anything when the run would
    not fit in the machine's memory (rather than the process being killed).
    ``extra_callbacks`` (Keras callbacks, such as :func:`engine.training.inspect.inspector`)
    run after the progress bridge, on this thread.
    """
    warning = fits_warning(design, batch_size=batch_size)
    if warning:
        raise WontFit(warning)
    import keras

    keras.utils.set_random_seed(seed)
    settings = design.training_settings
    epochs = int(epochs or settings.epochs)
    batch_size = int(batch_size or settings.batch_size)
    listener, control = listener or Listener(), control or Control()
    distribution = distribution or settings.distribution
    if distribution not in DISTRIBUTIONS:
        raise CannotTrain(
            f"training.distribution must be one of {', '.join(DISTRIBUTIONS)}, not {distribution!r}"
        )
    with strategy_scope(distribution):  # build and compile inside the strategy's scope
        model = build_model(design)
    pretrained = load_pretrained(model, design.weights) if design.weights else ([], [])
    n_train = split_rows(prepared.rows, prepared.validation_split)
    state: dict[str, Any] = {"reason": None}
    bridge = _bridge(keras, control, listener, epochs, lambda b: min(b * batch_size, n_train), state)
    callbacks = [bridge, *extra_callbacks]
    if early_stopping_patience:
        monitor = "val_loss" if prepared.validation_split else "loss"
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=monitor, patience=early_stopping_patience, restore_best_weights=True
            )
        )
    options = lower_fit(design)
    callbacks += [make_object(keras, c) for c in options.callbacks]
    fit = pipeline.fit(  # the same function an exported script carries
        model,
        prepared.x,
        prepared.y,
        epochs,
        batch_size,
        prepared.validation_split,
        seed,
        flops_per_sample=estimate(design).total_flops,
        class_weight=options.class_weight,
        # A callback that reads each call's last step (the inspector) must not only ever see
        # the epoch's short last batch.
        whole_calls=any(getattr(c, "reads_whole_batch_calls", False) for c in extra_callbacks),
        callbacks=callbacks,
        verbose=0,
    )
    history = {k: [float(v) for v in vs] for k, vs in fit.history.items()}
    done = len(history.get("loss", []))
    reason = state["reason"] or (STOPPED if control.stop_requested else None)
    if reason is None and early_stopping_patience and done < epochs:
        reason = EARLY
    return Result(
        history, done, reason, _pretrained_text(*pretrained) + _explain(reason, done, epochs), model
    )


def _pretrained_text(loaded: list[str], problems: list[str]) -> str:
    said = [f"Started from pretrained weights in {len(loaded)} layer(s). "] if loaded else []
    return "".join(said + [p + ". " for p in problems])


def _explain(reason: str | None, done: int, epochs: int) -> str:
    if reason == DIVERGED:
        return (
            "Training stopped: the loss became NaN or infinite (the model diverged). "
            "Try a lower learning rate, standardised inputs, or a different activation."
        )
    if reason == STOPPED:
        return f"Training stopped by you after {done} of {epochs} epochs; the weights so far are kept."
    if reason == EARLY:
        return f"Early stopping after {done} epochs: the loss stopped improving; the best weights are kept."
    return f"Training finished: {done} epochs."


def evaluate(model: Any, prepared: Prepared, data: Dataset, design: Design) -> dict[str, Any]:
    """Test-set metrics and, as plain lists, a confusion matrix or predicted-vs-actual pairs.

    With several outputs, ``outputs`` holds that report for each output node (in the model's
    output order) and the top level repeats the first one's, named by ``output``.
    """
    out: dict[str, Any] = {"test_samples": prepared.test_rows, "metrics": {}}
    x_eval, y_eval = (prepared.x_test, prepared.y_test) if prepared.test_rows else (prepared.x, prepared.y)
    out["evaluated_on"] = "test" if prepared.test_rows else "training"
    out["samples"] = rows(x_eval)
    # Big batches: evaluation needs no gradients, and at the training batch size of 32 the
    # per-step overhead made evaluating a 2-million-row CSV take minutes after training.
    batch = eval_batch_size(x_eval)
    scores = model.evaluate(x_eval, y_eval, batch_size=batch, verbose=0, return_dict=True)
    out["metrics"] = {k: float(v) for k, v in scores.items()}
    predictions = _predict(model, x_eval, batch)
    if not isinstance(y_eval, dict):
        return {**out, **_output_report(np.asarray(predictions), y_eval, data)}
    targets = match_inputs(data.output_names, design.output_ids()) or {}
    predicted = dict(zip(design.output_ids(), predictions, strict=True))
    reports = {
        node: _output_report(np.asarray(predicted[node]), y_eval[node], data.target(key))
        for node, key in targets.items()
    }
    first = next(iter(reports))
    return {**out, **reports[first], "output": first, "outputs": reports}


def _output_report(predictions: np.ndarray, y: np.ndarray, data: Dataset) -> dict[str, Any]:
    """One output's confusion matrix (classes) or predicted-vs-actual pairs (numbers)."""
    out: dict[str, Any] = {}
    if data.task == CLASSIFICATION:
        if predictions.shape[-1] > 1:  # a probability per class (per step, for a label per step)
            guess = predictions.argmax(axis=-1)
            truth = y.argmax(axis=-1) if y.shape == predictions.shape else y.reshape(guess.shape)
        else:  # one sigmoid unit: class 1 above one half
            guess, truth = predictions.reshape(-1) > 0.5, y.reshape(-1)
        truth, guess = truth.astype(int), guess.astype(int)
        k = max(data.classes, 2)
        matrix = np.zeros((k, k), dtype=int)
        np.add.at(matrix, (truth, guess), 1)
        out["confusion_matrix"] = matrix.tolist()
        out["class_names"] = data.class_names or [str(i) for i in range(k)]
        out["accuracy"] = float((truth == guess).mean())
        if truth.ndim > 1:  # a label per step: the matrix counts steps; also count whole sequences
            out["sequence_accuracy"] = float((truth == guess).all(axis=1).mean())
    else:
        shown = slice(0, MAX_PLOTTED)  # rows are shuffled: the first ones are a fair sample for the plot
        out["predicted"] = predictions.reshape(len(predictions), -1)[shown, 0].tolist()
        out["actual"] = y.reshape(len(y), -1)[shown, 0].tolist()
    return out


MAX_PLOTTED = 5000  # predicted-vs-actual points: more only slow the plot down


def eval_batch_size(x: Arrays) -> int:
    """Up to 4096 samples per step, within about 64 MB of input per batch (large images stay small)."""
    per_sample = max(1, sum(a[:1].nbytes for a in arrays(x).values()))
    return int(min(4096, max(32, 2**26 // per_sample)))


def _predict(model: Any, x: Arrays, batch_size: int | None = None) -> Any:
    """``model.predict`` one batch per call: Keras unrolls ``steps_per_execution`` copies of
    the model into the predict graph (and traces again for the last, shorter group), which
    costs more than it saves; training and evaluation keep theirs."""
    model.steps_per_execution = 1
    return model.predict(x, batch_size=batch_size, verbose=0)


def predict_one(model: Any, x: Arrays, index: int) -> list[list[float]]:
    """The model's outputs for sample ``index`` of ``x`` (one array, or a dict of one per input):
    one flat list of numbers per model output."""
    predicted = _predict(model, take(x, slice(index, index + 1)))
    outputs = predicted if isinstance(predicted, (list, tuple)) else [predicted]
    return [[float(v) for v in np.asarray(p).reshape(-1)] for p in outputs]


def save_model(model: Any, path: str | Path) -> Path:
    """Save in the format the path names (engine/training/export.py): .keras, .weights.h5,
    .tflite, .onnx, or else a SavedModel folder."""
    return export_model(model, path)
