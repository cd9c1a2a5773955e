"""Advice after a run: why a regression loss did not move, in words a learner can act on.

A loss flat around 28,000 on unscaled diabetes targets looks like a broken
model; it is the scale of the numbers.  These rules look at the prepared data
and the history and say what to try.  (Issue 10 asks for the same checks
before training; they can share these functions.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.data.advice import features
from engine.spec.compile_catalog import REGRESSION

LARGE_TARGETS = 10.0  # targets whose spread or mean is beyond this are "unscaled"
UNEVEN_FEATURES = 20.0  # ratio between the widest and narrowest feature spread
FLAT = 0.05  # a loss that fell by less than this share over the run "did not move"


def data_scale_advice(x: Any, y: np.ndarray, task: str, standardized: bool) -> list[str]:
    """Unscaled features or regression targets, as sentences with the fix (x: an array, or a
    dict of one per input, judged side by side)."""
    advice = []
    flat_x = np.asarray(features(x), dtype=np.float64)
    flat_x = flat_x.reshape(len(flat_x), -1)
    if not standardized and flat_x.size and flat_x.shape[1] > 1:
        spread = flat_x.std(axis=0)
        spread = spread[spread > 0]
        if len(spread) and (spread.max() / spread.min() > UNEVEN_FEATURES or np.abs(flat_x).max() > 100):
            advice.append(
                "The features have very different scales (spread from "
                f"{spread.min():.3g} to {spread.max():.3g}): turn on Standardise in the Model tab's data "
                "settings."
            )
    if task == REGRESSION:
        target = np.asarray(y, dtype=np.float64)
        mean, spread = float(np.abs(target.mean())), float(target.std())
        if max(mean, spread) > LARGE_TARGETS:
            advice.append(
                f"The targets are large (mean {target.mean():.4g}, spread {spread:.4g}), so the loss starts "
                "huge and small weight updates barely dent it: raise the learning rate (e.g. 0.01), train "
                "longer, or scale the targets (divide by their spread)."
            )
    return advice


def flat_loss_advice(history: dict[str, list[float]]) -> list[str]:
    """A loss that hardly changed from the first epoch to the last."""
    loss = history.get("loss", [])
    if len(loss) < 3 or not np.isfinite(loss).all() or loss[0] <= 0:
        return []
    if (loss[0] - min(loss)) / loss[0] < FLAT:
        return [
            f"The loss barely moved ({loss[0]:.4g} → {loss[-1]:.4g}): the model is not learning. Try a "
            "larger learning rate, standardised inputs, or more epochs."
        ]
    return []


def advice(prepared: Any, task: str, standardized: bool, history: dict[str, list[float]]) -> list[str]:
    """Everything worth saying after a run, most likely cause first."""
    flat = flat_loss_advice(history)
    scale = data_scale_advice(prepared.x, prepared.y, task, standardized)
    return flat + scale if flat or task == REGRESSION else []
