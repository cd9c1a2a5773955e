"""The learning-rate range test (Smith 2015; fastai's ``lr_find``): one short run whose rate
rises exponentially, call by call, from ``start`` to ``end``, recording the loss at each rate.

The loss first barely moves (the rate is too small), then falls fast, then blows up.  The
suggested rate is where the smoothed loss falls fastest against log(rate) (fastai's "steepest"
suggestion), taken before its minimum so the blow-up never wins.  It trains the design as built
for a run (:func:`engine.keras.build.build_model`) with the app's fit path
(:func:`engine.keras.pipeline.fit`, one batch per compiled call, so every batch is a point) on
the data :func:`engine.training.run.ready` prepares, with no validation split (only training
loss is read), the design's schedule and plateau callback off (the test sets the rate itself),
and stops early once the smoothed loss is four times its best.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.design.graph import Design
from engine.experiments.paths import apply_settings

START, END, POINTS = 1e-7, 10.0, 100
SMOOTHING = 0.98  # fastai's exponential moving average of the loss
BLOW_UP = 4.0  # stop once the smoothed loss is this many times its best
SKIP_START = 10  # points left out of the suggestion at the start, as fastai's plot does


@dataclass
class RangeResult:
    rates: list[float]
    losses: list[float]  # each batch's own loss
    smoothed: list[float]
    suggested: float | None  # None when the loss never fell
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rates": self.rates,
            "losses": self.losses,
            "smoothed": self.smoothed,
            "suggested": self.suggested,
            "message": self.message,
        }


def rates(start: float, end: float, points: int) -> list[float]:
    """``points`` rates from ``start`` to ``end``, evenly spaced on a log scale."""
    return [start * (end / start) ** (i / max(1, points - 1)) for i in range(points)]


def smooth(losses: Sequence[float], beta: float = SMOOTHING) -> list[float]:
    """The bias-corrected exponential moving average fastai plots."""
    out, average = [], 0.0
    for i, loss in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * loss
        out.append(average / (1 - beta**i))
    return out


def suggest(rates_tried: Sequence[float], smoothed: Sequence[float]) -> int | None:
    """The index of the steepest fall of the smoothed loss against log10(rate), before its minimum;
    None when it never fell (or there are too few points to tell)."""
    values = np.asarray(smoothed, dtype=float)
    finite = np.isfinite(values)
    if finite.sum() < 5:
        return None
    lowest = int(np.nanargmin(np.where(finite, values, np.nan)))
    skip = min(SKIP_START, lowest // 2)  # the average's first points follow single noisy batches
    if lowest - skip < 2:
        return None
    slope = np.gradient(values[skip : lowest + 1], np.log10(np.asarray(rates_tried[skip : lowest + 1])))
    steepest = int(np.argmin(slope))
    return skip + steepest if slope[steepest] < 0 else None


def range_test(
    design: Design,
    base_dir: Path | None,
    *,
    start: float = START,
    end: float = END,
    points: int = POINTS,
    on_point: Callable[[float, float], None] = lambda rate, loss: None,
) -> RangeResult:
    """Run the test on the thread that calls it (it imports TensorFlow); ``on_point(rate, loss)``
    reports each batch.  Raises what a run raises (:class:`engine.training.run.NotReady`, ...)."""
    import keras

    from engine.keras.build import build_model
    from engine.keras.pipeline import fit
    from engine.training.run import ready

    plain = apply_settings(
        design,
        {
            "training.validation_split": 0,
            "compile.learning_rate_schedule": None,
            "training.reduce_lr_on_plateau": None,
        },
    )
    prepared = ready(plain, base_dir).prepared
    schedule = rates(start, end, points)
    batch = int(plain.training_settings.batch_size)
    epochs = math.ceil(points / max(1, math.ceil(prepared.rows / batch)))
    seen: dict[str, list[float]] = {"rates": [], "losses": []}
    keras.utils.set_random_seed(0)
    model = build_model(plain)
    probe = _probe(schedule, batch, prepared.rows, seen, on_point)
    # No FLOPs given: one batch per compiled call, so the rate changes every batch.
    fit(model, prepared.x, prepared.y, epochs, batch, callbacks=[probe], verbose=0)
    smoothed = smooth(seen["losses"])
    index = suggest(seen["rates"], smoothed)
    suggested = float(f"{seen['rates'][index]:.3g}") if index is not None else None
    message = (
        f"suggested learning rate {suggested:g} (steepest fall of the smoothed loss)"
        if suggested is not None
        else "the loss never fell as the rate rose: no rate to suggest (check the data and the loss)"
    )
    return RangeResult(seen["rates"], seen["losses"], smoothed, suggested, message)


def _probe(
    schedule: list[float],
    batch: int,
    rows: int,
    seen: dict[str, list[float]],
    on_point: Callable[[float, float], None],
) -> Any:
    import keras

    class RangeProbe(keras.callbacks.Callback):
        """Sets the rate before each batch and records that batch's own loss (Keras reports the
        epoch's running mean; the batch's is recovered from it by rows)."""

        def on_epoch_begin(self, epoch, logs=None):
            self.before = (0.0, 0)  # (running mean, rows) at the previous call's end

        def on_train_batch_begin(self, batch_index, logs=None):
            point = len(seen["rates"])
            if point >= len(schedule):
                self.model.stop_training = True
                return
            self.model.optimizer.learning_rate.assign(schedule[point])

        def on_train_batch_end(self, batch_index, logs=None):
            point = len(seen["rates"])
            if point >= len(schedule):
                return
            mean, done = float(logs["loss"]), min((batch_index + 1) * batch, rows)
            previous_mean, previous_rows = self.before
            loss = (mean * done - previous_mean * previous_rows) / max(1, done - previous_rows)
            self.before = (mean, done)
            seen["rates"].append(schedule[point])
            seen["losses"].append(loss)
            on_point(schedule[point], loss)
            smoothed = smooth(seen["losses"])
            if not math.isfinite(loss) or smoothed[-1] > BLOW_UP * min(smoothed):
                self.model.stop_training = True

    return RangeProbe()


def seed_values(suggested: float) -> list[float]:
    """Learning rates for a sweep around a suggestion: a decade below it, a third of it, and it."""
    return [float(f"{suggested * f:.2g}") for f in (0.1, 1 / 3, 1.0)]
