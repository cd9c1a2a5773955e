"""Running a sweep: the planned trials one after another with the app's own training code.

Each trial is a run as ``python main.py train`` makes it (prepare the data, build,
fit with :func:`engine.training.fit.train`, evaluate on the test split), on the
thread that calls :func:`run_sweep` (the window's worker, or the command line's
main thread); progress leaves as plain dicts.  Before any trial trains, every
trial's data is checked against its design (:func:`check_data`), so a sweep
never fails half-way on something that was knowable at the start.  Stop ends the
sweep after the trial in progress; what finished is kept.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.data import prepare as datamod
from engine.experiments.pareto import best_index, pareto_flags
from engine.experiments.plan import PlannedTrial, SweepRefused, estimate_seconds
from engine.training.errors import explain
from engine.training.fit import DIVERGED, CannotTrain, Listener, evaluate, train

DONE, FAILED, STOPPED, PENDING = "done", "failed", "stopped", "pending"


class SweepControl:
    """Stop from another thread: the sweep ends after the trial in progress."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

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
    params: int
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

    def to_dict(self) -> dict[str, Any]:
        return {"trials": [t.to_dict() for t in self.trials], "best": self.best, "objective": self.objective}


def objective_for(planned: Sequence[PlannedTrial]) -> str:
    """``val_loss`` when every trial keeps a validation split, else ``loss`` (comparable across trials)."""
    return "val_loss" if planned and all(t.validation_split > 0 for t in planned) else "loss"


def _data_key(trial: PlannedTrial) -> str:
    return json.dumps(trial.design.data, sort_keys=True)


def check_data(planned: Sequence[PlannedTrial], base_dir: Path | None) -> dict[str, datamod.Dataset]:
    """Each distinct data section loaded once and every trial's fit with its data checked
    (what ``train`` checks before it starts); :class:`SweepRefused` naming the trials that fail."""
    loaded: dict[str, datamod.Dataset] = {}
    problems: list[str] = []
    for trial in planned:
        key = _data_key(trial)
        try:
            if key not in loaded:
                loaded[key] = datamod.load(trial.design.data, base_dir)
            found = datamod.check_fit(trial.design, loaded[key])
            if not found:
                datamod.prepare(trial.design, loaded[key])
        except datamod.DataError as exc:
            found = [str(exc)]
        except MemoryError:
            found = ["not enough memory to prepare the data"]
        named = ", ".join(f"{k}={json.dumps(v)}" for k, v in trial.settings.items())
        problems += [f"trial {trial.index + 1} ({named}): {p}" for p in found]
    if problems:
        raise SweepRefused(problems)
    return loaded


def run_sweep(
    planned: Sequence[PlannedTrial],
    data: dict[str, datamod.Dataset],
    *,
    listener: SweepListener | None = None,
    control: SweepControl | None = None,
) -> SweepResult:
    """Train every planned trial in order (``data`` from :func:`check_data`); Pareto flags and
    the best trial are set on what finished."""
    import keras  # noqa: F401 - loaded before the first trial, so no trial's time includes it

    listener, control = listener or SweepListener(), control or SweepControl()
    trials = [Trial(p.index, p.settings, p.params, p.flops, p.memory) for p in planned]
    started = time.perf_counter()
    with _quiet_retracing():
        _run_all(planned, trials, data, listener, control)
    result = finish(trials, objective_for(planned))
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def _quiet_retracing() -> Iterator[None]:
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
    data: dict[str, datamod.Dataset],
    listener: SweepListener,
    control: SweepControl,
) -> None:
    for position, (plan, trial) in enumerate(zip(planned, trials, strict=True)):
        if control.stop_requested:
            for rest in trials[position:]:
                rest.status = STOPPED
            break
        listener.on_trial_begin({"index": position, "count": len(trials), "settings": dict(plan.settings)})
        _run_trial(plan, trial, data[_data_key(plan)], listener, position)
        # No gc.collect() here: a full collection walks TensorFlow's heap (0.8 s a trial, 15% of a
        # small sweep), and on the window's worker thread it could free Qt objects there
        # (gui/gui_thread_gc.py); the previous trial's model goes with the next automatic collection.
        listener.on_trial_end({"position": position, **trial.plain()})


def finish(trials: list[Trial], objective: str) -> SweepResult:
    """Pareto flags (objective against FLOPs) and the best trial, over the trials that finished."""
    scores = [t.metrics.get(objective) if t.status == DONE and t.metrics else None for t in trials]
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
    dataset: datamod.Dataset,
    listener: SweepListener,
    position: int,
) -> None:
    """Prepare, then build through evaluation (the trial's seconds); a failure is the trial's message."""
    design = plan.design
    prepared = datamod.prepare(design, dataset)
    progress = Listener(on_epoch=lambda info: listener.on_epoch({"position": position, **info}))
    start = time.perf_counter()
    try:
        result = train(design, prepared, listener=progress)
        trial.history = result.history
        if result.stop_reason == DIVERGED or not result.epochs_done:
            trial.status, trial.message = FAILED, result.message
        else:
            report = evaluate(result.model, prepared, dataset, design)
            trial.test_metrics = report["metrics"]
            trial.metrics = {k: v[-1] for k, v in result.history.items() if v}
            trial.status, trial.message = DONE, result.message
    except CannotTrain as exc:
        trial.status, trial.message = FAILED, str(exc)
    except MemoryError:
        trial.status, trial.message = FAILED, "not enough memory to build or train this trial's model"
    except Exception as exc:  # noqa: BLE001 - one trial's failure is its message; the sweep goes on
        trial.status, trial.message = FAILED, explain(exc, design).message
    trial.seconds = time.perf_counter() - start


def estimate_sweep_seconds(planned: Sequence[PlannedTrial], data: dict[str, datamod.Dataset]) -> float:
    """A rough time for the whole sweep before it runs (see :func:`engine.experiments.plan.estimate_seconds`):
    each trial's training rows are its data's rows less its test split."""
    total = 0.0
    for trial in planned:
        rows = datamod.rows(data[_data_key(trial)].x)
        total += estimate_seconds(trial, int(rows * (1 - float(trial.design.data_settings.test_split))))
    return total
