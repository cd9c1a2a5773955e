"""One training run, the same for the window, the command line and sweeps.

``run(design, options, hooks)`` loads the design's data, checks data against
design, prepares the arrays, builds and fits the model, evaluates it, says what
to try when the run went badly, and saves the model when asked -- in that order,
on the calling thread (TensorFlow is imported there, so call it from the thread
that is to own the model).  Progress leaves as the typed events of
:mod:`engine.training.events` through ``hooks.emit``; the other hooks let a
caller show each stage (``on_stage``), say something about the data before the
fit (``on_prepared``) and keep what a long run produced before evaluation
(``on_trained``: the window keeps the model, the command line writes the history).

A run that cannot start raises :class:`NotReady` (its ``problems`` are sentences);
:class:`~engine.training.fit.CannotTrain` (memory) and whatever Keras raises while
fitting or evaluating pass through for the caller to explain
(:func:`engine.training.errors.explain`).  A model that trained but could not be
saved is not an error of the run: ``Outcome.save_error`` says why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.data import prepare as datamod
from engine.data.advice import run_advice, scale_advice
from engine.design.graph import Design

LOADING, STARTING, EVALUATING, SAVING = "loading", "starting", "evaluating", "saving"
STAGE_TEXT = {
    LOADING: "Loading data…",
    STARTING: "Starting TensorFlow…",
    EVALUATING: "Evaluating…",
    SAVING: "Saving the model…",
}


class NotReady(datamod.DataError):
    """The run cannot start: the data cannot be read, or does not fit the design."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Options:
    """How to run; ``None`` means the design's own setting."""

    base_dir: Path | None = None  # where the design's data paths start
    epochs: int | None = None
    batch_size: int | None = None
    seed: int = 0  # Keras's weights and the per-epoch shuffle (the data's own seed is the design's)
    distribution: str | None = None
    early_stopping_patience: int | None = None
    inspect: bool = False  # per-layer statistics and diagnoses (engine/training/inspect.py)
    boundaries: bool = False  # while inspecting, decision-boundary pictures for a 2-D dataset
    save_path: str | Path | None = None


@dataclass
class Hooks:
    """Where a run reports; every argument is plain data or an :class:`Outcome` so far."""

    emit: Callable[[object], None] = lambda event: None  # engine.training.events instances
    on_stage: Callable[[str, str], None] = lambda stage, text: None  # (LOADING..., its words)
    on_prepared: Callable[[Outcome], None] = lambda outcome: None
    on_trained: Callable[[Outcome], None] = lambda outcome: None
    control: Any = None  # an engine.training.fit.Control: Stop and Pause from another thread


@dataclass
class Outcome:
    """What a run produced, filled in stage by stage."""

    design: Design
    dataset: datamod.Dataset
    prepared: datamod.Prepared
    data_advice: list[str] = field(default_factory=list)  # about the data's scale, before fitting
    result: Any = None  # engine.training.fit.Result: history, stop reason, message, model
    inspection: dict[str, Any] | None = None  # the inspector's report, when inspecting
    evaluation: dict[str, Any] = field(default_factory=dict)  # empty when no epoch finished
    advice: list[str] = field(default_factory=list)  # after the run, most likely cause first
    saved: Path | None = None
    save_error: str | None = None

    @property
    def model(self) -> Any:
        return None if self.result is None else self.result.model


def ready(design: Design, base_dir: Path | None = None) -> Outcome:
    """Load, check and prepare: the arrays the run trains on, or :class:`NotReady` with the reasons.

    Nothing is built or trained (only a generic Keras layer's shapes are asked of Keras), so
    sweeps and the explain view can ask for the exact data a run sees.
    """
    from engine.keras.generic import resolve

    try:
        dataset = datamod.load(design.data, base_dir)
        resolve(design)  # generic Keras layers' shapes, which the checks read
        problems = datamod.check_fit(design, dataset)
        if problems:
            raise NotReady(problems)
        prepared = datamod.prepare(design, dataset)
    except NotReady:
        raise
    except datamod.DataError as exc:
        raise NotReady([str(exc)]) from None
    except MemoryError:
        raise NotReady(["not enough memory to prepare the data (shuffle, split, standardise)"]) from None
    standardized = bool(design.data_settings.standardize)
    advice = scale_advice(dataset.x, dataset.y, dataset.task, standardized, dataset.name)
    return Outcome(design, dataset, prepared, data_advice=advice)


def run(design: Design, options: Options | None = None, hooks: Hooks | None = None) -> Outcome:
    """Load → check → prepare → build → fit → evaluate → advise → save (see the module's docstring)."""
    options, hooks = options or Options(), hooks or Hooks()
    hooks.on_stage(LOADING, STAGE_TEXT[LOADING])
    outcome = ready(design, options.base_dir)
    hooks.on_prepared(outcome)
    hooks.on_stage(STARTING, STAGE_TEXT[STARTING])
    from engine.training import events, fit

    emit = hooks.emit
    listener = fit.Listener(
        on_begin=lambda info: emit(events.Begin(**info)),
        on_batch=lambda info: emit(events.Batch(**info)),
        on_epoch=lambda info: emit(events.Epoch(**info)),
    )
    probe = _inspector(outcome, options, emit) if options.inspect else None
    outcome.result = fit.train(
        design,
        outcome.prepared,
        epochs=options.epochs,
        batch_size=options.batch_size,
        listener=listener,
        control=hooks.control,
        early_stopping_patience=options.early_stopping_patience,
        seed=options.seed,
        distribution=options.distribution,
        extra_callbacks=[probe] if probe is not None else [],
    )
    outcome.inspection = probe.report() if probe is not None else None
    hooks.on_trained(outcome)
    if outcome.result.epochs_done:
        hooks.on_stage(EVALUATING, STAGE_TEXT[EVALUATING])
        outcome.evaluation = fit.evaluate(outcome.model, outcome.prepared, outcome.dataset, design)
    standardized = bool(design.data_settings.standardize)
    outcome.advice = run_advice(outcome.result.history, outcome.dataset, standardized)
    if options.save_path:
        hooks.on_stage(SAVING, STAGE_TEXT[SAVING])
        try:
            outcome.saved = fit.save_model(outcome.model, options.save_path)
        except Exception as exc:  # noqa: BLE001 - a missing converter or a full disk is a message
            outcome.save_error = f"cannot save the model: {getattr(exc, 'strerror', None) or exc}"
    return outcome


def _inspector(outcome: Outcome, options: Options, emit: Callable[[object], None]) -> Any:
    from engine.training.inspect import inspector

    task = outcome.dataset.task if options.boundaries else None
    return inspector(outcome.prepared, emit, task=task)
