"""A design's compile, training and data settings as typed values, defaults in one place.

The design file and the undoable edits keep each section as a plain JSON object
(what a person reads and diffs); every reader in the engine asks for the typed
view instead (``CompileSettings.of(design.compile)``), so a missing key means
the same default everywhere.  Values are taken as written: whether they are
*valid* is validation's job (:mod:`engine.design.validation`), which reports a
bad value at its key instead of failing here.  ``to_dict`` writes the JSON form
back, leaving out what is at its default among the newer keys, so an older
file's sections stay as they were.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

from engine.spec.datasets import DEFAULT_TEST_SPLIT

# The "balanced" class weight: each class weighs n_samples / (n_classes * its count).
BALANCED = "balanced"


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
    loss: Any = "mse"  # str, or {output id: str}
    metrics: Any = ()  # tuple of metrics, or {output id: list of metrics}
    loss_weights: Any = None  # {output id: weight}
    from_logits: Any = False
    learning_rate_schedule: Any = None

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

    epochs: Any = 10
    batch_size: Any = 32
    validation_split: Any = 0.2
    distribution: Any = "none"
    class_weight: Any = None
    reduce_lr_on_plateau: Any = None

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> TrainingSettings:
        return cls(**_known(cls, raw))

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
    ``extra``.  Which keys a source takes is :mod:`engine.spec.data_settings`'s rule."""

    source: Any = None
    name: Any = None
    seed: Any = 0
    test_split: Any = DEFAULT_TEST_SPLIT
    standardize: Any = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> DataSettings:
        known = _known(cls, raw)
        known.pop("extra", None)
        return cls(**known, extra={k: v for k, v in (raw or {}).items() if k not in known})


def _known(cls: type, raw: dict[str, Any] | None) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in (raw if isinstance(raw, dict) else {}).items() if k in names}


DEFAULT_COMPILE = CompileSettings().to_dict()
DEFAULT_TRAINING = TrainingSettings().to_dict()
