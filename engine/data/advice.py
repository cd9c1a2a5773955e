"""Advice about data scale and stuck training, as sentences a person can act on.

Networks learn best from numbers near 0 with a spread near 1.  Features in
the hundreds (wine's proline, breast_cancer's areas) saturate activations;
targets in the hundreds (diabetes: 25 to 346) make mean squared error start
in the tens of thousands, where the default learning rate moves it only
slowly.  These functions look at the arrays (or a run's history) and say
what to try; the window and the command line show the sentences.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.schema.compile_catalog import REGRESSION

SCALE_LIMIT = 10.0  # a feature or target whose mean or spread exceeds this is "unscaled"
FLAT_LOSS_CHANGE = 0.05  # a loss that falls less than 5% over a run "does not move"


def _num(v: float) -> str:
    """29000.0 -> '29,000', 0.0123 -> '0.0123'."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.4g}"


def features(x: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
    """The features (or targets) as one array of rows; several inputs' (outputs') arrays side by side."""
    if isinstance(x, dict):
        return np.concatenate([a.reshape(len(a), -1) for a in x.values()], axis=1)
    return x


def features_unscaled(x: np.ndarray | dict[str, np.ndarray]) -> bool:
    """True when some feature is far from mean 0, spread 1 (so standardising would help)."""
    x = features(x)
    if x.size == 0 or not np.issubdtype(x.dtype, np.number):
        return False
    flat = x.reshape(len(x), -1).astype("float64")
    return bool(
        np.nanmax(np.abs(flat.mean(axis=0))) > SCALE_LIMIT or np.nanmax(flat.std(axis=0)) > SCALE_LIMIT
    )


def targets_unscaled(y: np.ndarray, task: str) -> bool:
    """True for regression targets far from mean 0, spread 1."""
    y = features(y)
    if task != REGRESSION or y.size == 0:
        return False
    values = y.astype("float64")
    return bool(abs(float(values.mean())) > SCALE_LIMIT or float(values.std()) > SCALE_LIMIT)


def scale_advice(
    x: np.ndarray, y: np.ndarray, task: str, standardized: bool, name: str = "the data"
) -> list[str]:
    """What to change before training, given the data's scale and whether features are standardised."""
    advice, x, y = [], features(x), features(y)
    if features_unscaled(x) and not standardized:
        flat = x.reshape(len(x), -1).astype("float64")
        advice.append(
            f"The features of {name} are not scaled (values up to {_num(np.nanmax(np.abs(flat)))}, spreads "
            f"from {_num(flat.std(axis=0).min())} to {_num(flat.std(axis=0).max())}): switch on 'standardise "
            "features' (data.standardize) so each has mean 0 and variance 1."
        )
    if targets_unscaled(y, task):
        values = y.astype("float64")
        start = float(((values - 0.0) ** 2).mean())
        advice.append(
            f"The targets of {name} range from {_num(values.min())} to {_num(values.max())} "
            f"(mean {_num(values.mean())}), so mean squared error starts near {start:,.0f} and a "
            "learning rate of 0.001 moves it slowly: raise the learning rate to 0.01 or more and train "
            "for more epochs."
        )
    return advice


def loss_flat(history: dict[str, list[float]]) -> bool:
    """True when the training loss fell by less than 5% over a run of at least three epochs."""
    loss = [v for v in history.get("loss", []) if np.isfinite(v)]
    if len(loss) < 3 or loss[0] <= 0:
        return False
    return (loss[0] - min(loss)) / loss[0] < FLAT_LOSS_CHANGE


def training_advice(
    history: dict[str, list[float]], data: Any = None, standardized: bool = False
) -> list[str]:
    """After a run: why a loss that did not move may not have, and what to try.

    ``data`` is the :class:`~engine.data.prepare.Dataset` (anything with x, y, task and name).
    """
    if not loss_flat(history):
        return []
    advice = [
        f"The loss hardly moved ({_num(history['loss'][0])} to {_num(history['loss'][-1])}): the model is "
        "not learning yet."
    ]
    scale = scale_advice(data.x, data.y, data.task, standardized, data.name) if data is not None else []
    advice += scale or [
        "Try a higher learning rate (0.01), more epochs, or more units; check that the output "
        "activation suits the loss."
    ]
    return advice


def run_advice(history: dict[str, list[float]], data: Any, standardized: bool) -> list[str]:
    """Everything worth saying after a run, most likely cause first: a loss that did not move
    (:func:`training_advice`), then the data's scale (:func:`scale_advice`, which the command
    line also prints before the run).  The window and the command line show this same list."""
    after = training_advice(history, data, standardized)
    before = scale_advice(data.x, data.y, data.task, standardized, data.name)
    return after + [line for line in before if line not in after]
