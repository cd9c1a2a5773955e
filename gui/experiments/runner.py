"""A sweep on the training worker thread, its progress back as plain dicts through Qt signals.

The window keeps one thread that owns TensorFlow (gui/training_worker.py); a sweep is one
job on its queue, so it never runs beside a training run and Keras objects never leave
that thread.  Planning (every trial's design validated, every trial's data checked) runs
there too: resolving a generic layer's shape or loading a large file must not block the
window.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine.design.graph import Design
from engine.experiments.paths import PathError, parse_axis
from engine.experiments.plan import Axis, SweepRefused, estimate_seconds, plan_sweep, plan_trial
from engine.experiments.search import (
    Space,
    default_objective,
    is_range,
    parse_space,
    planned_count,
    run_search,
)
from engine.experiments.sweep import (
    SweepControl,
    SweepListener,
    check_data,
    estimate_sweep_seconds,
    objective_for,
    run_sweep,
)
from engine.training.errors import explain


def parse_axes(texts: list[tuple[str, str]]) -> list[Axis]:
    """``(path, values)`` rows as the engine's axes; :class:`PathError` names the bad row."""
    return [Axis(path, tuple(values)) for path, values in (parse_axis(f"{p}={v}") for p, v in texts)]


def search_space(design: Design, texts: list[tuple[str, str]]) -> Space:
    """Rows as a search's space: ``LO..HI`` rows are ranges, the others lists of values
    (:class:`PathError` names the bad row); it asks validation, so it runs on the worker."""
    ranges = [f"{p}={v}" for p, v in texts if is_range(v)]
    return parse_space(design, ranges, [f"{p}={v}" for p, v in texts if not is_range(v)])


@dataclass(frozen=True)
class SweepAsk:
    """What the tab asks for: its rows, a random subset or a search of N trials, the seed, and
    where the design's files are (planning, running and exporting read the same)."""

    texts: tuple[tuple[str, str], ...]
    random_k: int | None
    seed: int
    base_dir: Path
    search_n: int | None = None


class SweepRunner(QObject):
    estimated = Signal(dict)  # {"request", "count", "seconds"} or {"request", "problems"}
    started = Signal(dict)  # {"count", "objective", "paths"}
    trial_begun = Signal(dict)  # {"index", "count", "settings"}
    epoch = Signal(dict)  # {"position", "epoch", "logs"}
    trial_ended = Signal(dict)  # engine.experiments.sweep.Trial.plain() and its position
    finished = Signal(dict)  # {"trials": [plain trial], "best", "objective", "seconds"}
    refused = Signal(list)  # sentences naming each bad path, value or trial; nothing trained
    failed = Signal(str)
    rate_point = Signal(float, float)  # the range test's (rate, loss), batch by batch
    rate_found = Signal(dict)  # engine.experiments.lr_range.RangeResult.to_dict()
    rate_failed = Signal(str)
    exported = Signal(list)  # the paths written (str), the loop last

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session  # gui.training.session.TrainingSession: its thread owns TensorFlow
        self.control: SweepControl | None = None
        self._requests = itertools.count(1)
        for ended in (self.finished, self.refused, self.failed):  # connected first: runs before the view's
            ended.connect(self._ended)

    def _ended(self, *_args: Any) -> None:
        self.control = None

    @property
    def running(self) -> bool:
        return self.control is not None

    def _submit(self, job: Any, *args: Any) -> None:
        self.session._ensure_thread()  # the session's one TensorFlow thread, made on first use
        self.session.thread.jobs.put((job, args))

    def estimate(self, design: Design, ask: SweepAsk) -> int:
        """Plan on the worker and answer with the trial count and a time estimate (``estimated``);
        for a search, check its space and estimate its trials at the design's settings."""
        request = next(self._requests)
        self._submit(self._estimate, request, copy.deepcopy(design), ask)
        return request

    def run(self, design: Design, ask: SweepAsk) -> None:
        """The grid (or ``random_k`` of it), or with ``search_n`` that many trials chosen by TPE."""
        if self.running:
            return
        self.control = SweepControl()
        self._submit(self._run, copy.deepcopy(design), ask, self.control)

    def find_rate(self, design: Design, base_dir: Path) -> None:
        """The learning-rate range test on the worker (``rate_found`` or ``rate_failed``)."""
        self._submit(self._find_rate, copy.deepcopy(design), base_dir)

    def export(self, design: Design, ask: SweepAsk, folder: Path) -> None:
        """Each trial's script and the loop over them into ``folder`` (``exported``, or ``refused``)."""
        self._submit(self._export, copy.deepcopy(design), ask, folder)

    def stop(self) -> None:
        """End the sweep after the trial in progress."""
        if self.control is not None:
            self.control.stop()

    def abort(self) -> None:
        """End the sweep now, the trial in progress within a batch (the window is closing)."""
        if self.control is not None:
            self.control.abort()

    # ------------------------------------------------------------ on the worker thread

    @staticmethod
    def _plan(design: Design, ask: SweepAsk):
        planned = plan_sweep(design, parse_axes(ask.texts), ask.random_k, ask.seed)
        return planned, check_data(planned, ask.base_dir)

    def _estimate(self, request: int, design: Design, ask: SweepAsk) -> None:
        try:
            if ask.search_n:
                count = planned_count(search_space(design, ask.texts), ask.search_n)  # none trains twice
                trial = plan_trial(design, 0, {})  # the search's trials vary: the design's own is the guess
                rows = check_data([trial], ask.base_dir)[0]
                seconds = count * estimate_seconds(trial, rows)
            else:
                planned, rows = self._plan(design, ask)
                count, seconds = len(planned), estimate_sweep_seconds(planned, rows)
            self.estimated.emit({"request": request, "count": count, "seconds": seconds})
        except (PathError, SweepRefused) as exc:
            problems = exc.problems if isinstance(exc, SweepRefused) else [str(exc)]
            self.estimated.emit({"request": request, "problems": problems})
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user as a message
            self.estimated.emit({"request": request, "problems": [explain(exc, design).message]})

    def _run(self, design: Design, ask: SweepAsk, control: SweepControl) -> None:
        try:
            try:
                if ask.search_n:
                    space = search_space(design, ask.texts)
                    count, objective = planned_count(space, ask.search_n), default_objective(design)
                    paths = space.paths()
                else:
                    planned, _rows = self._plan(design, ask)
                    count, objective = len(planned), objective_for(planned)
                    paths = list(planned[0].settings) if planned else []
            except (PathError, SweepRefused) as exc:
                self.refused.emit(exc.problems if isinstance(exc, SweepRefused) else [str(exc)])
                return
            self.started.emit({"count": count, "objective": objective, "paths": paths})
            listener = SweepListener(
                on_trial_begin=self.trial_begun.emit,
                on_epoch=self.epoch.emit,
                on_trial_end=self.trial_ended.emit,
            )
            if ask.search_n:
                result = run_search(
                    design,
                    space,
                    ask.search_n,
                    ask.base_dir,
                    seed=ask.seed,
                    listener=listener,
                    control=control,
                )
            else:
                result = run_sweep(planned, ask.base_dir, listener=listener, control=control)
            self.finished.emit(
                {
                    "trials": [t.plain() for t in result.trials],
                    "best": result.best,
                    "objective": result.objective,
                    "seconds": result.seconds,
                    "paths": paths,
                }
            )
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user as a message
            self.failed.emit(explain(exc, design).text)

    def _find_rate(self, design: Design, base_dir: Path) -> None:
        from engine.experiments.lr_range import range_test
        from engine.training.run import NotReady

        try:
            result = range_test(design, base_dir, on_point=self.rate_point.emit)
            self.rate_found.emit(result.to_dict())
        except NotReady as exc:
            self.rate_failed.emit("Cannot train yet: " + "; ".join(exc.problems))
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user as a message
            self.rate_failed.emit(explain(exc, design).text)

    def _export(self, design: Design, ask: SweepAsk, folder: Path) -> None:
        from engine.experiments.export import export_sweep

        try:
            planned, _rows = self._plan(design, ask)
            written = export_sweep(planned, objective_for(planned), folder)
            self.exported.emit([str(p) for p in written])
        except (PathError, SweepRefused) as exc:
            self.refused.emit(exc.problems if isinstance(exc, SweepRefused) else [str(exc)])
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user as a message
            self.failed.emit(f"Cannot export the sweep: {exc}")
