"""The trade-off between a trial's score and its cost: the Pareto front and the best trial.

Standard dominance on two figures, both lower-is-better (the objective loss and FLOPs):
a finished trial is on the front unless another finished trial is at least as good
on both and strictly better on one, so exact ties are all on the front.  A trial
that did not finish (``None`` for its point) is never on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[float, float] | None  # (objective, cost), or None for a trial that did not finish


def _usable(p: Point) -> bool:
    return p is not None and all(v is not None and math.isfinite(v) for v in p)


def dominates(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """``a`` is at least as good as ``b`` on both figures and strictly better on one."""
    return a[0] <= b[0] and a[1] <= b[1] and (a[0] < b[0] or a[1] < b[1])


def pareto_flags(points: Sequence[Point]) -> list[bool]:
    """For each point, whether it is on the front (quadratic: a sweep has tens of trials)."""
    finished = [p for p in points if _usable(p)]
    return [_usable(p) and not any(dominates(q, p) for q in finished) for p in points]  # type: ignore[arg-type]


def best_index(objectives: Sequence[float | None]) -> int | None:
    """The index of the lowest objective (the first on a tie); None when no trial finished."""
    usable = [(v, i) for i, v in enumerate(objectives) if v is not None and math.isfinite(v)]
    return min(usable)[1] if usable else None


# Metrics a model should raise (Keras's names, as a history writes them: ``val_accuracy``,
# ``sparse_categorical_accuracy``, ``auc``, ``mean_io_u``); every other figure (a loss, an error) is lowered.
RAISED = (
    "accuracy",
    "acc",
    "auc",
    "precision",
    "recall",
    "f1_score",
    "fbeta_score",
    "r2_score",
    "io_u",
    "iou",
    "cosine_similarity",
    "true_positives",
    "true_negatives",
)


def lower_is_better(objective: str) -> bool:
    """Whether a sweep's objective is minimised: a loss or an error, not an accuracy-like score."""
    return not objective.endswith(RAISED)
