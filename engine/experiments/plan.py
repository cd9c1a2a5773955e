"""A sweep's plan: its axes, the trials they make (grid or seeded random), each trial checked.

Every trial's design is built and validated before the first one trains, so a bad
path or value is refused with a message naming it and nothing trains
(:func:`plan_sweep`).  A planned trial carries its design's cost (parameters and
FLOPs from :mod:`engine.design.cost`, the same figures as ``check --json``).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.design.cost import estimate, training_memory
from engine.design.graph import Design
from engine.experiments.paths import PathError, SettingPath, apply_settings
from engine.keras.generic import resolve
from engine.keras.speed import step_seconds
from engine.training.fit import split_rows  # where it lives moves (engine.keras.pipeline); fit keeps it

# One trial's build, compile, first trace and evaluation, and each epoch's own work beyond its steps
# (validation, callbacks), on the CI kind of machine: the mlp_classifier sweep's trials (96 training
# rows) took about 1.3 s for 10 epochs and 4 s for 50 on a quiet machine.
TRIAL_SETUP_S = 1.0
EPOCH_S = 0.06


class SweepRefused(ValueError):
    """The sweep cannot start; ``problems`` says which path, value or trial and why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Axis:
    """One swept setting and the values it takes."""

    path: SettingPath
    values: tuple[Any, ...]


@dataclass
class PlannedTrial:
    """A trial ready to run: its settings, its design and that design's cost."""

    index: int
    settings: dict[str, Any]
    design: Design
    params: int
    flops: int | None
    memory: int | None = None  # training memory in bytes, as the window's summary counts it
    validation_split: float = 0.0


def grid_size(axes: Sequence[Axis]) -> int:
    return math.prod(len(a.values) for a in axes) if axes else 0


def combinations(axes: Sequence[Axis], random_k: int | None = None, seed: int = 0) -> list[dict[str, Any]]:
    """Every combination in grid order, or ``random_k`` distinct ones drawn with ``seed``."""
    total = grid_size(axes)
    if random_k is None:
        picked: Sequence[int] = range(total)
    else:
        if random_k < 1 or random_k > total:
            raise SweepRefused(
                [f"--random {random_k}: the grid has {total} combination(s); ask for 1 to {total}"]
            )
        picked = random.Random(seed).sample(range(total), random_k)
    return [_combination(axes, i) for i in picked]


def _combination(axes: Sequence[Axis], index: int) -> dict[str, Any]:
    """The ``index``-th grid combination (the last axis varies fastest), without listing the grid."""
    chosen = []
    for axis in reversed(axes):
        index, at = divmod(index, len(axis.values))
        chosen.append((axis.path.text, axis.values[at]))
    return dict(reversed(chosen))


def check_axes(axes: Sequence[Axis]) -> None:
    """Refuse a sweep with no axis, an axis named twice or one with repeated values."""
    problems = [] if axes else ["name at least one setting to sweep"]
    for text, count in _counts(a.path.text for a in axes).items():
        if count > 1:
            problems.append(f"{text} is swept twice")
    for axis in axes:
        keys = [json.dumps(v, sort_keys=True) for v in axis.values]
        if len(set(keys)) < len(keys):
            problems.append(f"{axis.path.text}: a value is listed twice")
    if problems:
        raise SweepRefused(problems)


def _counts(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


def plan_sweep(
    base: Design, axes: Sequence[Axis], random_k: int | None = None, seed: int = 0
) -> list[PlannedTrial]:
    """Every trial's design, validated; :class:`SweepRefused` listing every bad path or value."""
    check_axes(axes)
    planned, problems = [], []
    for index, settings in enumerate(combinations(axes, random_k, seed)):
        try:
            planned.append(plan_trial(base, index, settings))
        except SweepRefused as exc:
            problems += exc.problems
    if problems:
        raise SweepRefused(list(dict.fromkeys(problems)))  # one message per path, not per trial
    return planned


def settings_text(settings: dict[str, Any]) -> str:
    """``path=value, ...``: how a trial is named in messages and progress lines."""
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in settings.items())


def plan_trial(base: Design, index: int, settings: dict[str, Any]) -> PlannedTrial:
    """One trial's design, validated and costed (a grid's trials, or a search's as it picks them);
    :class:`SweepRefused` naming the path or what validation said of the trial."""
    try:
        design = apply_settings(base, settings)
    except PathError as exc:
        raise SweepRefused([str(exc)]) from None
    report = resolve(design)
    if not report.valid:
        named = settings_text(settings)
        raise SweepRefused([f"trial {index + 1} ({named}): {p.message}" for p in report.errors])
    return _planned(index, settings, design, report)


def _planned(index: int, settings: dict[str, Any], design: Design, report: Any) -> PlannedTrial:
    cost = estimate(design, report)
    batch = int(design.training_settings.batch_size)
    memory = training_memory(cost, batch, design.compile_settings.optimizer_config())
    return PlannedTrial(
        index,
        settings,
        design,
        report.total_params,
        cost.total_flops,
        memory.total if memory is not None else None,
        float(design.training_settings.validation_split),
    )


def estimate_seconds(trial: PlannedTrial, training_rows: int) -> float:
    """A rough time for one trial before it runs: its steps at the machine's estimated rate
    (:mod:`engine.keras.speed`) plus a fixed setup; the window refines it with measured trials."""
    batch = int(trial.design.training_settings.batch_size)
    epochs = int(trial.design.training_settings.epochs)
    steps = max(1, math.ceil(split_rows(training_rows, trial.validation_split) / batch))
    return TRIAL_SETUP_S + epochs * (EPOCH_S + steps * step_seconds(trial.flops or 0, batch))
