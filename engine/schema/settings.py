"""A design's compile, training and data settings as typed values, defaults in one place.

The design file and the undoable edits keep each section as a plain JSON object
(what a person reads and diffs); every reader in the engine asks for the typed
view instead (``CompileSettings.of(design.compile)``), so a missing key means
the same default everywhere.  Values are taken as written: whether they are
*valid* is validation's job (:mod:`engine.design.validation`), which reports a
bad value at its key instead of failing here.  So each field is typed as a
valid design has it, and may hold whatever a file wrote until validation says so.
``to_dict`` writes the JSON form back, leaving out what is at its default among
the newer keys, so an older file's sections stay as they were.

Edits are methods that return a new value (``with_optimizer`` keeps the
learning rate, ``with_schedule`` starts at it, ``split_per_output`` rewrites loss and
metrics output by output, ...): the rules of an edit live here, once, and the
window, the importer and the comparisons call them.  ``written_over`` puts a
value back into a section's JSON object, keeping keys Netwright does not know.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeAlias

from engine.schema.compile_catalog import METRIC_CLASSES, REDUCE_LR_PARAMS, SCHEDULES, metric_name
from engine.schema.datasets import DEFAULT_TEST_SPLIT
from engine.schema.params import is_number

# The "balanced" class weight: each class weighs n_samples / (n_classes * its count).
BALANCED = "balanced"
PER_CLASS = "per class"  # the class-weight choice that starts a {class: weight} table to edit

Metric: TypeAlias = "str | dict[str, Any]"  # "accuracy", or {"type": "precision", "thresholds": 0.3}
THRESHOLD = "thresholds"  # the one argument the confusion metrics share
# ReduceLROnPlateau switched on: a gentler start than Keras's own (factor 0.1, patience 10)
# for the short runs people make here.
REDUCE_LR_START = {"factor": 0.5, "patience": 2}


def takes_threshold(name: object) -> bool:
    """Whether the metric named ``name`` takes a decision threshold (precision, recall, the counts)."""
    return name in METRIC_CLASSES and any(p.name == THRESHOLD for p in METRIC_CLASSES[name].params)


def with_threshold(metrics: list[Metric], value: object, only_plain: bool = False) -> list[Metric]:
    """``metrics`` with ``value`` as the threshold of each that takes one (None: Keras's default).
    ``only_plain`` leaves a metric already written with arguments as it is."""
    out: list[Metric] = []
    for m in metrics:
        name = metric_name(m)
        if not takes_threshold(name) or (only_plain and isinstance(m, dict)):
            out.append(m)
            continue
        rest = {k: v for k, v in m.items() if k not in ("type", THRESHOLD)} if isinstance(m, dict) else {}
        if value is not None:
            rest[THRESHOLD] = value
        out.append({"type": name, **rest} if rest else name)
    return out


def shown_threshold(metrics: list[Metric]) -> object:
    """The threshold of the first metric that has one (None: Keras's 0.5)."""
    return next((m.get(THRESHOLD) for m in metrics if isinstance(m, dict) and THRESHOLD in m), None)


@dataclass(frozen=True)
class CompileSettings:
    """What ``model.compile`` gets.

    ``loss`` and ``metrics`` are one setting for every output, or a dict keyed by
    output node id (Keras's per-output form); a metric is a name
    (``"precision"``) or an object with its arguments
    (``{"type": "precision", "thresholds": 0.3}``).  ``loss_weights`` weighs the
    outputs' losses; ``from_logits`` says the outputs are raw scores, not
    probabilities (the losses that take it).  ``learning_rate_schedule``
    (``{"type": "ExponentialDecay", ...}``) replaces the optimizer's constant
    learning rate.
    """

    optimizer: str = "Adam"
    optimizer_params: dict[str, Any] = field(default_factory=dict)
    loss: str | dict[str, str] = "mse"  # one for every output, or {output id: loss}
    metrics: tuple[Metric, ...] | dict[str, list[Metric]] = ()  # shared, or {output id: [metric, ...]}
    loss_weights: dict[str, float] | None = None  # {output id: weight}
    from_logits: bool = False
    learning_rate_schedule: dict[str, Any] | None = None  # {"type": class name, argument: value}

    def optimizer_config(self) -> dict[str, Any]:
        """The optimizer as the design file writes it: ``{"type": class name, argument: value}``."""
        return {"type": self.optimizer, **copy.deepcopy(self.optimizer_params)}

    @property
    def per_output(self) -> bool:
        return isinstance(self.loss, dict) or isinstance(self.metrics, dict)

    def loss_for(self, output: str) -> Any:
        """One output's loss identifier (the shared one when not set per output)."""
        if isinstance(self.loss, dict):
            return self.loss.get(output, CompileSettings.loss)
        return self.loss

    def metrics_for(self, output: str) -> list[Any]:
        """One output's metrics (the shared ones when not set per output)."""
        if isinstance(self.metrics, dict):
            found = self.metrics.get(output, [])
            return list(found) if isinstance(found, (list, tuple)) else []
        return list(self.metrics)

    def weight_for(self, output: str) -> Any:
        return self.loss_weights.get(output, 1.0) if isinstance(self.loss_weights, dict) else 1.0

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> CompileSettings:
        raw = raw if isinstance(raw, dict) else {}
        opt = raw.get("optimizer", {"type": cls.optimizer})
        if isinstance(opt, str):  # Keras also accepts a bare optimizer name
            opt = {"type": opt}
        opt = opt if isinstance(opt, dict) else {}
        metrics = raw.get("metrics", [])
        return cls(
            optimizer=opt.get("type", cls.optimizer),
            optimizer_params={k: v for k, v in opt.items() if k != "type"},
            loss=raw.get("loss", cls.loss),
            metrics=tuple(metrics) if isinstance(metrics, (list, tuple)) else metrics,
            loss_weights=raw.get("loss_weights"),
            from_logits=raw.get("from_logits", False),
            learning_rate_schedule=raw.get("learning_rate_schedule"),
        )

    # ------------------------------------------------------------ edits: each returns a new value

    def with_loss(self, loss: str) -> CompileSettings:
        """One loss for every output."""
        return replace(self, loss=loss)

    def with_from_logits(self, on: bool) -> CompileSettings:
        return replace(self, from_logits=on)

    def with_optimizer(self, kind: str) -> CompileSettings:
        """Another optimizer with its own defaults, keeping the learning rate that was set."""
        kept = {k: v for k, v in self.optimizer_params.items() if k == "learning_rate"}
        return replace(self, optimizer=kind, optimizer_params=copy.deepcopy(kept))

    def with_optimizer_config(self, config: dict[str, Any]) -> CompileSettings:
        """The optimizer exactly as written: ``{"type": class name, argument: value}``."""
        params = {k: copy.deepcopy(v) for k, v in config.items() if k != "type"}
        return replace(self, optimizer=config.get("type", CompileSettings.optimizer), optimizer_params=params)

    def with_optimizer_param(self, name: str, value: Any) -> CompileSettings:
        return replace(self, optimizer_params={**copy.deepcopy(self.optimizer_params), name: value})

    def with_schedule(self, kind: str | None) -> CompileSettings:
        """A learning-rate schedule with its defaults, starting at the rate set now (None: constant)."""
        if kind is None:
            return replace(self, learning_rate_schedule=None)
        schedule = {"type": kind, **{p.name: copy.deepcopy(p.default) for p in SCHEDULES[kind].params}}
        rate = self.optimizer_params.get("learning_rate")
        if is_number(rate) and "initial_learning_rate" in schedule:
            schedule["initial_learning_rate"] = rate  # start where it was
        return replace(self, learning_rate_schedule=schedule)

    def with_schedule_param(self, name: str, value: Any) -> CompileSettings:
        schedule = copy.deepcopy(self.learning_rate_schedule) or {}
        return replace(self, learning_rate_schedule={**schedule, name: value})

    def with_metrics(self, names: list[str], threshold: object = None) -> CompileSettings:
        """The metrics named, shared by every output: one already written with arguments keeps
        them, and one newly chosen that takes a threshold gets ``threshold``."""
        written = {metric_name(m): m for m in self._shared_metrics()}
        chosen = [copy.deepcopy(written.get(n, n)) for n in names]
        return replace(self, metrics=tuple(with_threshold(chosen, threshold, only_plain=True)))

    def with_shared_metrics(self, metrics: list[Metric]) -> CompileSettings:
        """Exactly these metrics (names or objects with their arguments), for every output."""
        return replace(self, metrics=tuple(copy.deepcopy(metrics)))

    def with_schedule_config(self, schedule: dict[str, Any] | None) -> CompileSettings:
        """A schedule exactly as written (``{"type": class name, argument: value}``)."""
        return replace(self, learning_rate_schedule=copy.deepcopy(schedule))

    def with_threshold(self, value: object) -> CompileSettings:
        """Every shared metric that takes a threshold uses ``value`` (None: Keras's 0.5)."""
        return replace(self, metrics=tuple(with_threshold(copy.deepcopy(self._shared_metrics()), value)))

    def _shared_metrics(self) -> list[Metric]:
        if isinstance(self.metrics, dict):
            return list(next(iter(self.metrics.values()), []))
        return list(self.metrics)

    def split_per_output(self, outputs: list[str]) -> CompileSettings:
        """Loss and metrics written output by output, as they read now (Keras's dict form)."""
        return replace(
            self,
            loss={nid: self.loss_for(nid) for nid in outputs},
            metrics={nid: copy.deepcopy(self.metrics_for(nid)) for nid in outputs},
        )

    def with_output_loss(self, outputs: list[str], output: str, loss: str) -> CompileSettings:
        settings = self.split_per_output(outputs)
        return replace(settings, loss={**settings.loss, output: loss})  # type: ignore[dict-item]

    def with_output_weight(self, outputs: list[str], output: str, weight: float) -> CompileSettings:
        """One output's weight in the total loss; the others keep theirs (1.0 unless set)."""
        weights = {nid: self.weight_for(nid) for nid in outputs}
        return replace(self.split_per_output(outputs), loss_weights={**weights, output: round(weight, 6)})

    def with_output_metric(self, outputs: list[str], output: str, name: str, on: bool) -> CompileSettings:
        settings = self.split_per_output(outputs)
        metrics: dict[str, list[Metric]] = settings.metrics  # type: ignore[assignment]
        kept = [m for m in metrics[output] if metric_name(m) != name]
        return replace(settings, metrics={**metrics, output: [*kept, name] if on else kept})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "optimizer": self.optimizer_config(),
            "loss": copy.deepcopy(self.loss),
            "metrics": list(self.metrics) if isinstance(self.metrics, tuple) else copy.deepcopy(self.metrics),
        }
        if self.loss_weights is not None:
            out["loss_weights"] = copy.deepcopy(self.loss_weights)
        if self.from_logits is not False:
            out["from_logits"] = self.from_logits
        if self.learning_rate_schedule is not None:
            out["learning_rate_schedule"] = copy.deepcopy(self.learning_rate_schedule)
        return out


@dataclass(frozen=True)
class TrainingSettings:
    """What ``model.fit`` gets.

    ``validation_split`` is the last fraction of the (shuffled) training rows
    that Keras keeps aside.  ``class_weight`` is ``"balanced"`` (computed from
    the training labels) or ``{class index: weight}`` (JSON keys are strings);
    ``reduce_lr_on_plateau`` holds ``keras.callbacks.ReduceLROnPlateau``'s
    arguments (``{}`` for its defaults) when the learning rate should drop
    once the monitored loss stops improving.
    """

    epochs: int = 10
    batch_size: int = 32
    validation_split: float = 0.2
    distribution: str = "none"
    class_weight: str | dict[str, float] | None = None  # "balanced", or {class index: weight}
    reduce_lr_on_plateau: dict[str, Any] | None = None  # ReduceLROnPlateau's arguments when on

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> TrainingSettings:
        return cls(**_known(cls, raw))

    # ------------------------------------------------------------ edits: each returns a new value

    def with_run(self, epochs: int, batch_size: int, validation_split: float) -> TrainingSettings:
        split = round(validation_split, 4)
        return replace(self, epochs=epochs, batch_size=batch_size, validation_split=split)

    def with_class_weight(self, choice: str | None) -> TrainingSettings:
        """None, "balanced", or "per class" (a table starting at 1.0 for classes 0 and 1, to edit)."""
        value = {"0": 1.0, "1": 1.0} if choice == PER_CLASS else choice
        return replace(self, class_weight=value)

    def with_class_weights_text(self, text: str) -> TrainingSettings:
        """``0: 1, 2: 3.5`` -> {"0": 1.0, "2": 3.5}; ValueError (with what to write) for other text."""
        weights: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, colon, value = part.partition(":")
            try:
                weights[key.strip()] = float(value)
            except ValueError:
                raise ValueError("Write class: weight pairs, e.g. 0: 1, 1: 5") from None
            if not colon or not key.strip():
                raise ValueError("Write class: weight pairs, e.g. 0: 1, 1: 5")
        return replace(self, class_weight=weights)

    def with_reduce_lr(self, on: bool) -> TrainingSettings:
        return replace(self, reduce_lr_on_plateau=dict(REDUCE_LR_START) if on else None)

    def with_reduce_lr_param(self, name: str, value: Any) -> TrainingSettings:
        if name not in {p.name for p in REDUCE_LR_PARAMS}:
            raise ValueError(f"ReduceLROnPlateau has no argument {name!r}")
        return replace(self, reduce_lr_on_plateau={**(self.reduce_lr_on_plateau or {}), name: value})

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)}
        for key in ("distribution", "class_weight", "reduce_lr_on_plateau"):
            if out[key] == getattr(TrainingSettings, key):
                del out[key]
        return out


@dataclass(frozen=True)
class DataSettings:
    """Where the data comes from and how it is prepared (seeded shuffle, held-out test
    split, standardisation); the source's own keys (``path``, ``target``, ...) stay in
    ``extra``.  Which keys a source takes is :mod:`engine.schema.data_settings`'s rule."""

    source: str | None = None  # "builtin", "csv", "numpy", "images"
    name: str | None = None  # a built-in dataset's name
    seed: int = 0
    test_split: float = DEFAULT_TEST_SPLIT
    standardize: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> DataSettings:
        known = _known(cls, raw)
        known.pop("extra", None)
        return cls(**known, extra={k: v for k, v in (raw or {}).items() if k not in known})


def written_over(raw: dict[str, Any] | None, settings: CompileSettings | TrainingSettings) -> dict[str, Any]:
    """``settings`` as a section's JSON object, keeping the keys of ``raw`` that it does not hold
    (a note a person wrote in the file is not dropped by an edit in the window)."""
    own = settings.to_dict()
    known = set(_RAW_KEYS[type(settings)])
    return {**{k: copy.deepcopy(v) for k, v in (raw or {}).items() if k not in known}, **own}


def _known(cls: type, raw: dict[str, Any] | None) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in (raw if isinstance(raw, dict) else {}).items() if k in names}


DEFAULT_COMPILE = CompileSettings().to_dict()
DEFAULT_TRAINING = TrainingSettings().to_dict()
_RAW_KEYS: dict[type, tuple[str, ...]] = {
    CompileSettings: (
        "optimizer", "loss", "metrics", "loss_weights", "from_logits", "learning_rate_schedule"
    ),
    TrainingSettings: tuple(f.name for f in fields(TrainingSettings)),
}
