"""Model-based search: each next trial chosen from the results so far (Optuna's TPE sampler).

A grid or random sweep fixes its trials before any trains (:mod:`engine.experiments.plan`); a
search names ranges (``PATH=LO..HI``, ``:log`` for a logarithmic scale) and lists of values,
and asks Optuna's Tree-structured Parzen Estimator for one trial at a time, telling it each
finished trial's score.  Each trial is validated and its data checked as a sweep's are
(:func:`~engine.experiments.plan.plan_trial`, :func:`~engine.experiments.sweep.check_data`)
and trained as the app's one run (:func:`~engine.experiments.sweep.run_one`); a trial that
validation refuses is reported as failed with the reason, told to the sampler as failed, and
the search goes on.  The result has the sweep's form (:class:`~engine.experiments.sweep.SweepResult`)
with the search's own findings beside it.

With ``prune``, Optuna's MedianPruner reads each epoch's objective through the sweep's own
per-epoch listener and stops a trial (the run's Stop, after that epoch) whose score is worse
than the median of the earlier trials' at the same epoch (past the first quarter of the
epochs); it is "pruned", with the figures of its last epoch, and neither best nor on the
front.  Optuna is imported only inside :func:`run_search`, so nothing the window loads at
start pays for it.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.design.graph import Design
from engine.experiments.logged import logged_names
from engine.experiments.pareto import lower_is_better
from engine.experiments.paths import (
    PathError,
    SettingPath,
    apply_settings,
    parse_axis,
    parse_path,
    read_setting,
)
from engine.experiments.plan import Axis, PlannedTrial, SweepRefused, check_axes, plan_trial, settings_text
from engine.experiments.sweep import (
    DONE,
    FAILED,
    PRUNED,
    STOPPED,
    SweepControl,
    SweepListener,
    SweepResult,
    Trial,
    check_data,
    finish,
    quiet_retracing,
    run_one,
)
from engine.keras.generic import resolve

_WHOLE = re.compile(r"^[+-]?\d+$")
DIGITS = 4  # significant digits of a searched number
STARTUP_MAX = 10  # Optuna's default count of random trials before TPE models the results
ENUMERATED_MAX = 10_000  # a space of at most this many settings is listed to find an untried one
REPEATS_MAX = 100  # proposals that repeat a trained trial before a search of a larger space gives up


class SpaceError(PathError):
    """A range or list of values a search cannot use; ``kind`` is "range" or "grid" (which
    argument), None for the space as a whole."""

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind


class ObjectiveMissing(ValueError):
    """The trials will not log the objective; the message lists what they do log."""


@dataclass(frozen=True)
class Span:
    """A searched range: numbers from ``low`` to ``high``, whole numbers for a count."""

    path: SettingPath
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def to_dict(self) -> dict[str, Any]:
        low, high = (int(self.low), int(self.high)) if self.integer else (self.low, self.high)
        return {"low": low, "high": high, "log": self.log, "integer": self.integer}


@dataclass(frozen=True)
class Space:
    """What a search may choose: ranges, and settings with a list of values (categorical)."""

    spans: tuple[Span, ...]
    axes: tuple[Axis, ...] = ()

    def paths(self) -> list[str]:
        return [s.path.text for s in self.spans] + [a.path.text for a in self.axes]

    def size(self) -> int | None:
        """How many distinct settings the space holds; None when a range of fractions makes it endless."""
        if any(not s.integer for s in self.spans):
            return None
        return math.prod(
            [int(s.high) - int(s.low) + 1 for s in self.spans] + [len(a.values) for a in self.axes]
        )

    def untried(self, tried: set[str], rng: random.Random) -> dict[str, Any] | None:
        """One setting of a small space not in ``tried`` (keys as :func:`settings_key`), as Optuna's
        parameters, drawn with ``rng``; None when the space is endless, too large to list, or spent."""
        size = self.size()
        if size is None or size > ENUMERATED_MAX:
            return None
        values = [range(int(s.low), int(s.high) + 1) for s in self.spans] + [
            list(a.values) for a in self.axes
        ]
        every = [dict(zip(self.paths(), combo, strict=True)) for combo in itertools.product(*values)]
        left = [settings for settings in every if settings_key(settings) not in tried]
        if not left:
            return None
        chosen = rng.choice(left)  # Optuna's parameter for a list's value is its JSON (see suggest)
        return {**chosen, **{a.path.text: json.dumps(chosen[a.path.text], sort_keys=True) for a in self.axes}}

    def suggest(self, asked: Any) -> dict[str, Any]:
        """One trial's settings from Optuna's ``asked`` trial: a number to :data:`DIGITS` significant
        digits (a design's learning rate reads 0.01079, not 0.010789816816471733); a list's values
        offered as their JSON (Optuna's choices are plain numbers and words; ``[3,3]`` is a value too)."""
        settings: dict[str, Any] = {}
        for span in self.spans:
            name = span.path.text
            if span.integer:
                settings[name] = asked.suggest_int(name, int(span.low), int(span.high), log=span.log)
            else:
                value = asked.suggest_float(name, span.low, span.high, log=span.log)
                settings[name] = min(max(float(f"{value:.{DIGITS}g}"), span.low), span.high)
        for axis in self.axes:
            choices = [json.dumps(v, sort_keys=True) for v in axis.values]
            settings[axis.path.text] = json.loads(asked.suggest_categorical(axis.path.text, choices))
        return settings

    def to_dict(self) -> dict[str, Any]:
        return {
            **{s.path.text: s.to_dict() for s in self.spans},
            **{a.path.text: {"values": list(a.values)} for a in self.axes},
        }


def settings_key(settings: dict[str, Any]) -> str:
    """One trial's settings as text, equal for equal settings: a search trains each once."""
    return json.dumps(settings, sort_keys=True)


def planned_count(space: Space, count: int) -> int:
    """The trials a search of ``count`` runs: no more than the space has distinct settings."""
    size = space.size()
    return count if size is None else min(count, size)


def is_range(values_text: str) -> bool:
    """Whether a setting's values are written as a range (``LO..HI``) rather than a list."""
    text = values_text.strip()
    return ".." in text and not text.startswith("[")


def parse_span(text: str, base: Design) -> Span:
    """``PATH=LO..HI[:log]`` as a range of ``base``'s setting; :class:`PathError` naming ``text``.

    A setting that holds a whole number in ``base`` (units, batch_size, epochs), or one not
    written there whose ends are both written whole, is searched in whole numbers."""
    path_text, sep, bounds = text.partition("=")
    if not sep or not is_range(bounds):
        raise PathError(f"{text!r}: write PATH=LO..HI, or PATH=LO..HI:log for a logarithmic range")
    path = parse_path(path_text)
    bounds = bounds.strip()
    log = bounds.endswith(":log")
    low_text, _, high_text = bounds.removesuffix(":log").partition("..")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise PathError(f"{text!r}: LO and HI must be numbers") from None
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise PathError(f"{text!r}: LO must be below HI")
    if log and low <= 0:
        raise PathError(f"{text!r}: a logarithmic range must start above 0")
    current = read_setting(base, path)
    written_whole = bool(_WHOLE.match(low_text.strip()) and _WHOLE.match(high_text.strip()))
    integer = isinstance(current, int) and not isinstance(current, bool)
    if integer and not (low.is_integer() and high.is_integer()):
        raise PathError(f"{text!r}: {path.text} is a whole number ({current} now); give whole-number ends")
    return Span(path, low, high, log, integer or (current is None and written_whole))


def parse_space(base: Design, ranges: Sequence[str], choices: Sequence[str] = ()) -> Space:
    """The search's space from ``--range`` and ``--grid`` texts, checked against ``base``:
    :class:`SpaceError` naming the text of a range or list that cannot be searched (malformed,
    a path named twice, or a setting the design refuses at both ends / for every value)."""
    spans = tuple(_named(parse_span, text, base, kind="range") for text in ranges)
    axes = tuple(Axis(*_named(_axis, text, kind="grid")) for text in choices)
    if not spans and not axes:
        raise SpaceError("name at least one setting to search: --range PATH=LO..HI or --grid PATH=V1,V2")
    for kind, group in (("range", [Axis(s.path, (s.low, s.high)) for s in spans]), ("grid", list(axes))):
        try:
            check_axes(group) if group else None
        except SweepRefused as exc:
            raise SpaceError("; ".join(exc.problems), kind) from None
    both = sorted({s.path.text for s in spans} & {a.path.text for a in axes})
    if both:
        raise SpaceError(f"--range and --grid both name {', '.join(both)}: give each setting once")
    for text, span in zip(ranges, spans, strict=True):
        ends = span.to_dict()
        _named(_usable, text, base, span.path, (ends["low"], ends["high"]), kind="range")
    for text, axis in zip(choices, axes, strict=True):
        _named(_usable, text, base, axis.path, axis.values, kind="grid")
    return Space(spans, axes)


def _axis(text: str) -> tuple[SettingPath, tuple[Any, ...]]:
    path, values = parse_axis(text)
    return path, tuple(values)


def _named(check: Any, *args: Any, kind: str) -> Any:
    """``check(*args)``, its :class:`PathError` as a :class:`SpaceError` of ``kind``."""
    try:
        return check(*args)
    except PathError as exc:
        raise SpaceError(str(exc), kind) from None


def _usable(text: str, base: Design, path: SettingPath, values: Sequence[Any]) -> None:
    """Refuse a setting the design refuses at every value tried (a parameter the layer does not
    have, or a range wholly out of bounds); one good value is enough to search."""
    first: list[str] = []
    for value in values:
        try:
            report = resolve(apply_settings(base, {path.text: value}))
        except PathError as exc:
            raise PathError(f"{text!r}: {exc}") from None
        if report.valid:
            return
        first = first or [p.message for p in report.errors]
    raise PathError(f"{text!r}: {'; '.join(first)}")


def check_objective(base: Design, space: Space, objective: str) -> None:
    """:class:`ObjectiveMissing` unless some trial will log ``objective`` (the design's run, or one
    with a searched value that adds a figure: a validation split, a metric); before anything trains."""
    tried = [{}] + [{s.path.text: s.to_dict()[end]} for s in space.spans for end in ("low", "high")]
    tried += [{a.path.text: value} for a in space.axes for value in a.values]
    names: list[str] = []
    for settings in tried:
        try:
            logged = logged_names(apply_settings(base, settings))
        except Exception:  # noqa: BLE001 - a trial validation refuses logs nothing: it is reported as failed
            continue
        if logged is None:
            return  # several outputs: Keras names their figures as it trains; the trials report them
        names += logged
    if objective not in names:
        raise ObjectiveMissing(
            f"{objective!r} is not a figure the trials log (they log {', '.join(dict.fromkeys(names))})"
        )


def default_objective(base: Design) -> str:
    """``val_loss`` when the design keeps a validation split, else ``loss`` (as a sweep's)."""
    return "val_loss" if float(base.training_settings.validation_split) > 0 else "loss"


def startup_trials(count: int) -> int:
    """How many trials are drawn at random before TPE models the results: a third of the search,
    at least 2 and at most Optuna's default 10 (a short search still learns from its results),
    never more than the search has."""
    return min(count, max(2, min(STARTUP_MAX, count // 3)))


def run_search(
    base: Design,
    space: Space,
    count: int,
    base_dir: Path | None,
    *,
    seed: int = 0,
    objective: str | None = None,
    listener: SweepListener | None = None,
    control: SweepControl | None = None,
    prune: bool = False,
) -> SweepResult:
    """``count`` trials, each chosen by TPE (seeded by ``seed``) from the ones before, each
    validated before it trains; Stop ends the search after the trial in progress; ``prune``
    stops a trial early that scores worse than the median of the trials before it, once the
    random trials are done and past the first quarter of the design's epochs.  No settings train
    twice: a search of a space with fewer settings than ``count`` runs one trial each
    (:func:`planned_count`), and a proposal that repeats a trained trial is told its figures and
    not trained (counted in ``repeats_skipped``).  :class:`ObjectiveMissing`, before any trial
    trains, when no trial will log ``objective``."""
    import keras  # noqa: F401 - loaded before the first trial, so no trial's time includes it
    import optuna

    if count < 1:
        raise ValueError(f"a search needs at least 1 trial, not {count}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    objective = objective or default_objective(base)
    listener, control = listener or SweepListener(), control or SweepControl()
    check_objective(base, space, objective)
    planned = planned_count(space, count)
    startup = startup_trials(planned)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup)
    warmup = int(base.training_settings.epochs) // 4  # an early epoch says little about where a run ends
    pruner = (
        optuna.pruners.MedianPruner(n_startup_trials=startup, n_warmup_steps=warmup)
        if prune
        else optuna.pruners.NopPruner()
    )
    direction = "minimize" if lower_is_better(objective) else "maximize"
    study = optuna.create_study(direction=direction, sampler=sampler, pruner=pruner)
    trials: list[Trial] = []
    trained: dict[str, Trial] = {}  # by settings_key: a repeated proposal is told the same figures
    repeats, rng = 0, random.Random(seed)
    started = time.perf_counter()
    with quiet_retracing():
        while len(trials) < planned and not control.stop_requested and repeats < REPEATS_MAX:
            asked = study.ask()
            settings = space.suggest(asked)
            key = settings_key(settings)
            if key in trained:
                _tell(study, asked, trained[key], objective)  # the same settings would score the same
                repeats += 1
                untried = space.untried(set(trained), rng)
                if untried is not None:
                    study.enqueue_trial(untried)  # the next proposal: a setting not yet trained
                continue
            position = len(trials)
            plan, trial = _prepare(base, position, settings, base_dir)
            trials.append(trial)
            trained[key] = trial
            watched = _pruning(asked, trial, objective, listener, control) if prune else listener
            run_one(plan, trial, position, planned, base_dir, watched, control)
            _tell(study, asked, trial, objective)
    result = finish(trials, objective)
    result.seconds = time.perf_counter() - started
    found = _findings(result, space, seed, direction, startup)
    result.search = {**found, "pruning": prune, "asked": count, "planned": planned,
                     "space_size": space.size(), "repeats_skipped": repeats}  # fmt: skip
    return result


def _pruning(
    asked: Any, trial: Trial, objective: str, listener: SweepListener, control: SweepControl
) -> SweepListener:
    """``listener``, and each epoch's objective told to the pruner; when it says prune, the run
    stops after that epoch and the trial ends as :data:`PRUNED` with that epoch's figures."""
    said: dict[str, Any] = {}

    def epoch(info: dict[str, Any]) -> None:
        listener.on_epoch(info)
        value = info["logs"].get(objective)
        if said or value is None or not math.isfinite(value):
            return
        asked.report(value, info["epoch"])
        if asked.should_prune():
            said.update(epoch=info["epoch"] + 1, value=value)
            control.current.stop()

    def end(info: dict[str, Any]) -> None:
        if said and trial.status == STOPPED and not control.aborted:
            trial.status = PRUNED
            trial.metrics = {k: v[-1] for k, v in trial.history.items() if v}
            trial.message = (
                f"after epoch {said['epoch']}: {objective} {said['value']:.4g} is worse than the "
                "median of the trials before at that epoch"
            )
            info = {**info, **trial.plain()}
        listener.on_trial_end(info)

    return SweepListener(on_trial_begin=listener.on_trial_begin, on_epoch=epoch, on_trial_end=end)


def _prepare(
    base: Design, position: int, settings: dict[str, Any], base_dir: Path | None
) -> tuple[PlannedTrial | None, Trial]:
    """The trial's plan, or none and a failed trial saying why validation or the data refused it."""
    try:
        plan = plan_trial(base, position, settings)
        check_data([plan], base_dir)
    except SweepRefused as exc:
        named = f"trial {position + 1} ({settings_text(settings)}): "  # the progress line says so already
        why = "; ".join(p.removeprefix(named) for p in exc.problems)
        return None, Trial(position, settings, None, None, status=FAILED, message=f"refused: {why}")
    return plan, Trial(plan.index, plan.settings, plan.params, plan.flops, plan.memory)


def _tell(study: Any, asked: Any, trial: Trial, objective: str) -> None:
    """The trial's score to the sampler, or that it was pruned or failed."""
    from optuna.trial import TrialState

    if trial.status == PRUNED:
        study.tell(asked, state=TrialState.PRUNED)  # TPE still learns from its epochs' scores
        return
    if trial.status != DONE:
        study.tell(asked, state=TrialState.FAIL)
        return
    metrics = trial.metrics or {}
    if objective not in metrics:
        raise ObjectiveMissing(
            f"{objective!r} is not a figure the trials report (they report {', '.join(metrics)})"
        )
    value = metrics[objective]
    if math.isfinite(value):
        study.tell(asked, value)
    else:
        study.tell(asked, state=TrialState.FAIL)


def _findings(result: SweepResult, space: Space, seed: int, direction: str, startup: int) -> dict[str, Any]:
    best = result.trials[result.best] if result.best is not None else None
    return {
        "sampler": "TPE",
        "seed": seed,
        "direction": direction,
        "random_trials": startup,
        "space": space.to_dict(),
        "best_settings": dict(best.settings) if best else None,
        "best_value": (best.metrics or {}).get(result.objective) if best else None,
        "refused": [
            {"trial": i, "message": t.message}
            for i, t in enumerate(result.trials)
            if t.message.startswith("refused: ")
        ],
    }
