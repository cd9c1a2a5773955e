"""The loss landscape: a 2-D slice of the loss around trained weights, and the path training took.

Following Li et al., "Visualizing the Loss Landscape of Neural Nets" (NeurIPS 2018):
two random directions d₁, d₂ in weight space, each filter-normalised (every
filter -- a kernel's slice for one output unit or channel -- of the direction is
scaled to the norm of the same filter of the weights; biases and other 1-D
weights get no direction), and the loss L(θ* + α·d₁ + β·d₂) on a grid of (α, β)
around the trained weights θ*.  The weights the run passed through are projected
onto the same plane (least squares on d₁, d₂), so the optimizer's path can be
drawn over the contours.

The run is the design's own (engine/training/fit.py, same seed), with a callback
that keeps a copy of the weights a few times an epoch; the grid is evaluated on
up to :data:`ROWS` training rows in inference mode, and its resolution is chosen
so the whole slice fits a time budget measured on the first evaluations.  Runs on
the thread that owns the model; progress goes out as a fraction, the result is
plain NumPy.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.data.prepare import Prepared, take
from engine.training.step_ledger import training_rows

ROWS = 512  # training rows the loss is averaged over at each grid point
SNAPSHOTS_PER_EPOCH = 4
MIN_RESOLUTION, MAX_RESOLUTION = 7, 25
RANDOM, PCA = "random", "pca"  # the plane: two filter-normalised random directions, or the path's own


@dataclass
class Landscape:
    alphas: np.ndarray  # (n,) the grid's coordinates along d₁
    betas: np.ndarray  # (n,) along d₂
    loss: np.ndarray  # (n, n): loss[i, j] at (alphas[j], betas[i]); NaN where not reached in time
    path: np.ndarray  # (k, 2): each snapshot's (α, β), the run's start first and θ* = (0, 0) last
    path_loss: np.ndarray  # (k,) the loss at each snapshot
    rows: int  # training rows the loss is averaged over
    seconds: float
    optimizer: str
    directions: str  # RANDOM or PCA
    explained: float | None = None  # PCA: the share of the path's variance the plane holds


def filter_normalized(weights: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """A random direction shaped like ``weights``: each filter (the slice of a kernel for one
    output unit, the last axis in Keras) scaled to the norm of that filter of the weights;
    zero for 1-D weights (biases, normalisation), as Li et al. do."""
    direction = []
    for w in weights:
        if w.ndim < 2:
            direction.append(np.zeros_like(w, dtype="float64"))
            continue
        d = rng.standard_normal(w.shape)
        axes = tuple(range(w.ndim - 1))
        d *= _norms(w, axes) / (_norms(d, axes) + 1e-10)
        direction.append(d)
    return direction


def _norms(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Each filter's Euclidean norm (over every axis but the last), kept broadcastable."""
    return np.sqrt(np.square(np.asarray(a, dtype="float64")).sum(axis=axes, keepdims=True))


def _flat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.asarray(a, dtype="float64").ravel() for a in arrays])


def project(snapshots: list[list[np.ndarray]], centre: list[np.ndarray], d1: list, d2: list) -> np.ndarray:
    """Each snapshot's (α, β): the least-squares coordinates of θ − θ* on d₁, d₂."""
    basis = np.stack([_flat(d1), _flat(d2)], axis=1)
    offsets = np.stack([_flat(s) - _flat(centre) for s in snapshots], axis=1)
    coords, *_ = np.linalg.lstsq(basis, offsets, rcond=None)
    return coords.T


def snapshot_callback(keras: Any, every: int) -> Any:
    """A Keras callback keeping a copy of the trainable weights at the start and about every
    ``every`` batches (a compiled call that runs several batches is seen once, at its end)."""

    class Snapshots(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.kept: list[list[np.ndarray]] = []
            self.bucket = 0

        def _keep(self) -> None:
            self.kept.append([v.numpy().copy() for v in self.model.trainable_variables])

        def on_train_begin(self, logs=None):
            self._keep()

        def on_epoch_begin(self, epoch, logs=None):
            self.bucket = 0

        def on_train_batch_end(self, batch, logs=None):
            if (batch + 1) // every > self.bucket:
                self.bucket = (batch + 1) // every
                self._keep()

    return Snapshots()


class _Surface:
    """The loss at θ* + α·d₁ + β·d₂ on fixed rows, the weights set by assignment."""

    def __init__(self, model: Any, x: Any, y: Any, d1: list, d2: list) -> None:
        import tensorflow as tf

        self.model, self.variables = model, list(model.trainable_variables)
        self.centre = [v.numpy().copy() for v in self.variables]
        self.d1, self.d2 = d1, d2
        x, y = tf.nest.map_structure(tf.constant, x), tf.nest.map_structure(tf.constant, y)
        self._loss = tf.function(lambda: model.compute_loss(x=x, y=y, y_pred=model(x, training=False)))

    def at(self, alpha: float, beta: float) -> float:
        for v, c, a, b in zip(self.variables, self.centre, self.d1, self.d2, strict=True):
            v.assign((c + alpha * a + beta * b).astype(c.dtype))
        return float(self._loss().numpy())

    def restore(self) -> None:
        for v, c in zip(self.variables, self.centre, strict=True):
            v.assign(c)


def pca_directions(snapshots: list[list[np.ndarray]], centre: list[np.ndarray]) -> tuple[list, list, float]:
    """The path's two principal directions (unit vectors, shaped like the weights) and the share
    of the path's variance they hold: Li et al.'s plane for drawing a trajectory, on which
    random directions (nearly orthogonal to any path in many dimensions) would show a dot."""
    offsets = np.stack([_flat(s) - _flat(centre) for s in snapshots])
    _, singular, vt = np.linalg.svd(offsets, full_matrices=False)
    explained = float((singular[:2] ** 2).sum() / max((singular**2).sum(), 1e-30))
    shapes = [np.shape(c) for c in centre]
    sizes = [int(np.prod(sh)) for sh in shapes]

    def unflat(v: np.ndarray) -> list[np.ndarray]:
        return [part.reshape(sh) for part, sh in zip(np.split(v, np.cumsum(sizes)[:-1]), shapes, strict=True)]

    second = vt[1] if len(vt) > 1 else np.zeros_like(vt[0])
    return unflat(vt[0]), unflat(second), explained


def _grid(path: np.ndarray, span: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates on each axis: ±span around θ*, or the path's extent with a margin."""
    if not len(path):
        return np.linspace(-span, span, n), np.linspace(-span, span, n)
    axes = []
    for k in (0, 1):
        low, high = min(0.0, path[:, k].min()), max(0.0, path[:, k].max())
        margin = 0.25 * (high - low) or 0.1 * span
        axes.append(np.linspace(low - margin, high + margin, n))
    return axes[0], axes[1]


def slice_loss(
    model: Any,
    x: Any,
    y: Any,
    snapshots: list[list[np.ndarray]],
    *,
    directions: str = PCA,
    span: float = 1.0,
    budget_s: float = 20.0,
    seed: int = 0,
    progress: Callable[[float], None] = lambda fraction: None,
) -> Landscape:
    """The slice around ``model``'s weights (θ*) and the snapshots' path on it: along two
    random filter-normalised directions (``RANDOM``, α and β in ±``span``), or along the path's
    two principal directions (``PCA``, the grid covering the path).  The resolution is as fine
    as ``budget_s`` allows (at least 7 x 7); points past the budget are left NaN.  The model's
    weights are restored afterwards."""
    started = time.perf_counter()
    centre = [v.numpy() for v in model.trainable_variables]
    explained = None
    if directions == PCA and len(snapshots) >= 2:
        d1, d2, explained = pca_directions(snapshots, centre)
    else:
        rng = np.random.default_rng(seed)
        d1, d2 = filter_normalized(centre, rng), filter_normalized(centre, rng)
        directions = RANDOM
    surface = _Surface(model, x, y, d1, d2)
    try:
        surface.at(0.0, 0.0)  # the first call traces the function
        tick = time.perf_counter()
        surface.at(0.0, 0.0)
        per_point = max(time.perf_counter() - tick, 1e-4)
        left = budget_s - (time.perf_counter() - started)
        n = int(np.clip(math.isqrt(max(1, int(left / per_point))), MIN_RESOLUTION, MAX_RESOLUTION))
        path = project(snapshots, centre, d1, d2) if snapshots else np.zeros((0, 2))
        alphas, betas = _grid(path if directions == PCA else np.zeros((0, 2)), span, n)
        loss = np.full((n, n), np.nan)
        for i, beta in enumerate(betas):
            for j, alpha in enumerate(alphas):
                loss[i, j] = surface.at(alpha, beta)
            progress((i + 1) / n)
            if time.perf_counter() - started > budget_s:
                break
        path_loss = np.array([surface.at(a, b) for a, b in path]) if len(path) else np.zeros(0)
        progress(1.0)
    finally:
        surface.restore()
    return Landscape(
        alphas,
        betas,
        loss,
        path,
        path_loss,
        len(np.asarray(next(iter(y.values())) if isinstance(y, dict) else y)),
        time.perf_counter() - started,
        type(model.optimizer).__name__,
        directions,
        explained,
    )


def landscape_run(
    design: Any,
    prepared: Prepared,
    *,
    epochs: int | None = None,
    seed: int = 0,
    budget_s: float = 20.0,
    directions: str = PCA,
    progress: Callable[[float], None] = lambda fraction: None,
) -> Landscape:
    """Train the design as a run does (keeping snapshots of its weights), then slice the loss
    around where it ended.  ``progress`` gets 0..0.5 for training and 0.5..1 for the slice."""
    import keras

    from engine.training.fit import Listener, train

    settings = design.training_settings
    steps = max(1, math.ceil(training_rows(prepared) / int(settings.batch_size)))
    recorder = snapshot_callback(keras, max(1, steps // SNAPSHOTS_PER_EPOCH))
    planned = int(epochs or settings.epochs)
    listener = Listener(on_epoch=lambda info: progress(0.5 * (info["epoch"] + 1) / planned))
    result = train(design, prepared, epochs=planned, seed=seed, listener=listener, extra_callbacks=[recorder])
    rows = slice(0, min(ROWS, training_rows(prepared)))
    return slice_loss(
        result.model,
        take(prepared.x, rows),
        take(prepared.y, rows),
        recorder.kept,
        directions=directions,
        seed=seed,
        budget_s=budget_s,
        progress=lambda f: progress(0.5 + 0.5 * f),
    )
