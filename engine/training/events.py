"""Typed progress events: what the training thread tells whoever watches.

Every event is a frozen dataclass of plain numbers, strings, lists and NumPy
arrays -- nothing from Keras -- so it can cross to the GUI thread as it is.
A new stream (say, gradient statistics) is one new class here and one handler
where it is shown; the worker passes every event through one signal unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Begin:
    epochs: int
    steps: int
    device: str = ""  # which device trains ("CPU", "GPU: name")
    replicas: int = 1
    steps_per_execution: int = 1


@dataclass(frozen=True)
class Batch:
    epoch: int
    batch: int
    steps: int
    loss: float  # this batch's own loss
    mean_loss: float  # Keras's running mean over the epoch so far
    elapsed: float

    @property
    def position(self) -> float:
        """Epochs done, as a fraction: 1.5 is half-way through the second epoch."""
        return self.epoch + (self.batch + 1) / self.steps


@dataclass(frozen=True)
class Epoch:
    epoch: int
    logs: dict[str, float]
    elapsed: float


@dataclass(frozen=True)
class LayerStats:
    """Per-layer gradient norms and update/weight ratios, every few batches.

    Keys are design node ids.  ``update_ratio`` is the norm of the weight
    change since the previous sample divided by the weight norm, per batch.
    """

    position: float  # epochs done, as a fraction
    grad_norm: dict[str, float]
    update_ratio: dict[str, float]


@dataclass(frozen=True)
class EpochStats:
    """The end-of-epoch picture of every layer, and the diagnoses it supports."""

    epoch: int
    grad_norm: dict[str, float]
    weight_norm: dict[str, float]
    activation: dict[str, dict[str, float]]  # node id -> mean, std, dead, saturated
    histograms: dict[str, tuple[list[float], list[int]]]  # node id -> (bin edges, counts)
    diagnoses: list[dict[str, Any]] = field(default_factory=list)
    update_ratio: dict[str, float] = field(default_factory=dict)  # as in LayerStats, at the epoch's end


@dataclass(frozen=True)
class Boundary:
    """What the model predicts over the input plane (2-D classes) or line (1-D regression).

    For a plane, ``values`` holds one class id per grid cell (rows follow y)
    and ``confidence`` the predicted probability of that class; for a line,
    ``values`` holds the prediction at each of ``xs``.
    """

    epoch: int
    xs: np.ndarray
    ys: np.ndarray | None
    values: np.ndarray
    confidence: np.ndarray | None = None
    points: np.ndarray | None = None  # up to a few hundred training samples, to draw over it
    labels: np.ndarray | None = None  # their class ids (plane) or targets (line)
