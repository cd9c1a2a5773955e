"""Running a sweep: the planned trials one after another, each the app's one training run.

Each trial is :func:`engine.training.run.run` (load, check, prepare, build, fit, evaluate),
as ``python main.py train`` and the window's Train make it, on the thread that calls
:func:`run_sweep` (the window's worker, or the command line's main thread); progress
leaves as plain dicts.  Before any trial trains, every trial's data is checked against
its design with the run's own :func:`~engine.training.run.ready` (:func:`check_data`), so
a sweep never fails half-way on something that was knowable at the start.  Stop ends the
sweep after the trial in progress; what finished is kept.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.experiments.pareto import best_index, lower_is_better, pareto_flags
from engine.experiments.plan import PlannedTrial, SweepRefused, estimate_seconds, settings_text
from engine.training.errors import explain
from engine.training.fit import DIVERGED, CannotTrain, Control
from engine.training.fit import STOPPED as STOPPED_RUN

DONE, FAILED, STOPPED, PENDING = "done", "failed", "stopped", "pending"
PRUNED = "pruned"  # a search's trial stopped after an epoch that scored worse than earlier trials had


class SweepControl:
    """Stop from another thread: the sweep ends after the trial in progress; ``abort`` also stops
    that trial's training within a batch (the window closing), and that trial counts as stopped."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._abort = threading.Event()
        self.current = Control()  # the trial in progress's own Stop

    def stop(self) -> None:
        self._stop.set()

    def abort(self) -> None:
        self._abort.set()
        self._stop.set()
        self.current.stop()

    @property
    def aborted(self) -> bool:
        return self._abort.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()


@dataclass
class SweepListener:
    """Where a sweep's progress goes; every argument is plain data."""

    on_trial_begin: Callable[[dict[str, Any]], None] = lambda info: None
    on_epoch: Callable[[dict[str, Any]], None] = lambda info: None
    on_trial_end: Callable[[dict[str, Any]], None] = lambda info: None


@dataclass
class Trial:
    """One trial's outcome.  ``metrics`` are the last epoch's values (None unless done)."""

    index: int
    settings: dict[str, Any]
    params: int | None  # None for a search's trial that validation refused (it has no model)
    flops: int | None
    memory: int | None = None
    status: str = PENDING
    metrics: dict[str, float] | None = None
    seconds: float | None = None
    pareto: bool = False
    history: dict[str, list[float]] = field(default_factory=dict)
    test_metrics: dict[str, float] | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The trial as the sweep's JSON writes it (the issue's format, nothing more)."""
        return {
            "settings": dict(self.settings),
            "status": self.status,
            "metrics": dict(self.metrics) if self.metrics is not None else None,
            "seconds": self.seconds,
            "params": self.params,
            "flops": self.flops,
            "pareto": self.pareto,
        }

    def plain(self) -> dict[str, Any]:
        """Everything the window shows (plain data: it crosses from the worker thread)."""
        return {
            **self.to_dict(),
            "index": self.index,
            "memory": self.memory,
            "history": {k: list(v) for k, v in self.history.items()},
            "test_metrics": dict(self.test_metrics) if self.test_metrics is not None else None,
            "message": self.message,
        }


@dataclass
class SweepResult:
    trials: list[Trial]
    objective: str
    best: int | None
    seconds: float = 0.0  # the trial loop's wall time: the trials plus the sweep's own work between them
    search: dict[str, Any] | None = None  # a model-based search's own findings (engine/experiments/search.py)

    def to_dict(self) -> dict[str, Any]:
        out = {"trials": [t.to_dict() for t in self.trials], "best": self.best, "objective": self.objective}
        return out if self.search is None else {**out, "search": self.search}


def objective_for(planned: Sequence[PlannedTrial]) -> str:
    """``val_loss`` when every trial keeps a validation split, else ``loss`` (comparable across trials)."""
    return "val_loss" if planned and all(t.validation_split > 0 for t in planned) else "loss"


def check_data(planned: Sequence[PlannedTrial], base_dir: Path | None) -> dict[int, int]:
    """Every trial's data loaded, checked against its design and prepared, as its run will do;
    the training rows of each trial (by index) for the estimate, or :class:`SweepRefused`
    naming every trial that cannot run."""
    from engine.training.run import NotReady, ready

    rows: dict[int, int] = {}
    problems: list[str] = []
    for trial in planned:
        try:
            rows[trial.index] = ready(trial.design, base_dir).prepared.rows
        except NotReady as exc:
            named = settings_text(trial.settings)
            problems += [f"trial {trial.index + 1} ({named}): {p}" for p in exc.problems]
    if problems:
        raise SweepRefused(problems)
    return rows


def run_sweep(
    planned: Sequence[PlannedTrial],
    base_dir: Path | None,
    *,
    listener: SweepListener | None = None,
    control: SweepControl | None = None,
) -> SweepResult:
    """Train every planned trial in order (after :func:`check_data`; ``base_dir`` is where the
    design's data paths start); Pareto flags and the best trial are set on what finished."""
    import keras  # noqa: F401 - loaded before the first trial, so no trial's time includes it

    listener, control = listener or SweepListener(), control or SweepControl()
    trials = [Trial(p.index, p.settings, p.params, p.flops, p.memory) for p in planned]
    started = time.perf_counter()
    with quiet_retracing():
        _run_all(planned, trials, base_dir, listener, control)
    result = finish(trials, objective_for(planned))
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def quiet_retracing() -> Iterator[None]:
    """TensorFlow warns of "excessive retracing" when the same Keras function is made for
    model after model, which is what a sweep does by design; other warnings still show."""
    tf_logger = logging.getLogger("tensorflow")
    level = tf_logger.level
    tf_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        tf_logger.setLevel(level)


def _run_all(
    planned: Sequence[PlannedTrial],
    trials: list[Trial],
    base_dir: Path | None,
    listener: SweepListener,
    control: SweepControl,
) -> None:
    for position, (plan, trial) in enumerate(zip(planned, trials, strict=True)):
        if control.stop_requested:
            for rest in trials[position:]:
                rest.status = STOPPED
            break
        run_one(plan, trial, position, len(trials), base_dir, listener, control)


def run_one(
    plan: PlannedTrial | None,
    trial: Trial,
    position: int,
    count: int,
    base_dir: Path | None,
    listener: SweepListener,
    control: SweepControl,
) -> None:
    """One trial of ``count`` with its begin and end reported: trained when it has a plan, else only
    reported (a search's trial that validation refused: ``trial`` is already failed with the reason)."""
    listener.on_trial_begin({"index": position, "count": count, "settings": dict(trial.settings)})
    if plan is not None:
        control.current = Control()
        if control.aborted:  # aborted while this trial's Stop was being made: it stops at once
            control.current.stop()
        _run_trial(plan, trial, base_dir, listener, position, control.current)
    # No gc.collect() here: a full collection walks TensorFlow's heap (0.8 s a trial, 15% of a
    # small sweep), and on the window's worker thread it could free Qt objects there
    # (gui/gui_thread_gc.py); the previous trial's model goes with the next automatic collection.
    listener.on_trial_end({"position": position, **trial.plain()})


def finish(trials: list[Trial], objective: str) -> SweepResult:
    """Pareto flags (objective against FLOPs) and the best trial, over the trials that finished;
    an objective to raise (accuracy) counts negated, so "better" is lower in both."""
    sign = 1.0 if lower_is_better(objective) else -1.0
    scores = [
        sign * t.metrics[objective] if t.status == DONE and t.metrics and objective in t.metrics else None
        for t in trials
    ]
    points = [
        (score, float(t.flops)) if score is not None and t.flops is not None else None
        for score, t in zip(scores, trials, strict=True)
    ]
    for trial, flag in zip(trials, pareto_flags(points), strict=True):
        trial.pareto = flag
    return SweepResult(trials, objective, best_index(scores))


def _run_trial(
    plan: PlannedTrial,
    trial: Trial,
    base_dir: Path | None,
    listener: SweepListener,
    position: int,
    training: Control,
) -> None:
    """One run; its seconds go from the prepared data (build) through evaluation, and a failure
    is the trial's message."""
    from engine.training import events
    from engine.training.run import Hooks, NotReady, Options, run

    def emit(event: object) -> None:
        if isinstance(event, events.Epoch):
            listener.on_epoch({"position": position, "epoch": event.epoch, "logs": dict(event.logs)})

    clock = {"start": time.perf_counter()}
    hooks = Hooks(
        emit=emit, on_prepared=lambda _outcome: clock.update(start=time.perf_counter()), control=training
    )
    try:
        outcome = run(plan.design, Options(base_dir=base_dir), hooks)
        result = outcome.result
        trial.history, trial.message = result.history, result.message
        if result.stop_reason == STOPPED_RUN:  # aborted: it did not finish
            trial.status = STOPPED
        elif result.stop_reason == DIVERGED or not result.epochs_done:
            trial.status = FAILED
        else:
            trial.test_metrics = outcome.evaluation.get("metrics")
            trial.metrics = {k: v[-1] for k, v in result.history.items() if v}
            trial.status = DONE
    except NotReady as exc:
        trial.status, trial.message = FAILED, "; ".join(exc.problems)
    except CannotTrain as exc:
        trial.status, trial.message = FAILED, str(exc)
    except MemoryError:
        trial.status, trial.message = FAILED, "not enough memory to build or train this trial's model"
    except Exception as exc:  # noqa: BLE001 - one trial's failure is its message; the sweep goes on
        trial.status, trial.message = FAILED, explain(exc, plan.design).message
    trial.seconds = time.perf_counter() - clock["start"]


def estimate_sweep_seconds(planned: Sequence[PlannedTrial], rows: dict[int, int]) -> float:
    """A rough time for the whole sweep before it runs (:func:`engine.experiments.plan.estimate_seconds`),
    from each trial's training rows as :func:`check_data` found them."""
    return sum(estimate_seconds(trial, rows[trial.index]) for trial in planned)
