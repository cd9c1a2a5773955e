"""Design settings -> the arguments of ``model.compile`` and ``model.fit``, in one form.

Like :mod:`engine.keras.lower` for the layers: :mod:`engine.keras.build` turns
this form into Keras objects, :mod:`engine.keras.codegen` into source, so the
app and the exported script compile and fit the same way.  Keras objects
(an optimizer, a loss with ``from_logits``, a metric with a threshold, a
learning-rate schedule, a callback) are :class:`KerasObject`; the rest are
plain values.  Per-output settings are keyed by the output's Keras name (its
layer's name), as a Keras user writes them, or listed in output order where two
outputs share a layer name.

The design must be valid (see :func:`engine.design.validation.validate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.design.graph import Design
from engine.schema.compile_catalog import (
    LOGITS_LOSSES,
    METRIC_CLASSES,
    OPTIMIZERS,
    REDUCE_LR_PARAMS,
    SCHEDULES,
    loss_spec,
    metric_name,
)
from engine.schema.params import changed_values
from engine.schema.settings import BALANCED, CompileSettings


@dataclass(frozen=True)
class KerasObject:
    """``keras.<module>.<class_name>(**kwargs)``; kwargs may hold further KerasObjects."""

    module: str  # "optimizers", "optimizers.schedules", "losses", "metrics", "callbacks"
    class_name: str
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class CompileCall:
    optimizer: KerasObject
    kwargs: dict[str, Any]  # loss, loss_weights (when set), metrics


@dataclass(frozen=True)
class FitOptions:
    callbacks: tuple[KerasObject, ...]
    # "balanced" (computed from the training labels), {class index: weight}, or None.
    class_weight: str | dict[int, float] | None


def output_keys(design: Design) -> list[str] | None:
    """Each model output's Keras name (its layer's name), in output order; None when two
    outputs share one (several outputs of one layer), where only a list can tell them apart."""
    names = [design.layer_owner(ref.node) for ref in design.model_outputs()]
    return names if len(set(names)) == len(names) else None


def _per_output(design: Design, value_of: Any) -> Any:
    """A dict keyed by output name (a list when names repeat) of ``value_of(output id)``."""
    ids = [ref.node for ref in design.model_outputs()]
    keys = output_keys(design)
    if keys is None:
        return [value_of(nid) for nid in ids]
    return {key: value_of(nid) for key, nid in zip(keys, ids, strict=True)}


def _loss(comp: CompileSettings, name: Any) -> Any:
    spec = loss_spec(name)
    ident = spec.name if spec else name
    if comp.from_logits is True and ident in LOGITS_LOSSES:
        return KerasObject("losses", LOGITS_LOSSES[ident], {"from_logits": True})
    return ident


def _metric(metric: Any) -> Any:
    """A metric name as is; one with arguments as its object, named as Keras names it by default,
    so its history key does not depend on how many were made before."""
    if not isinstance(metric, dict):
        return metric
    name = metric_name(metric)
    spec = METRIC_CLASSES[name]
    kwargs = changed_values(spec.params, {k: v for k, v in metric.items() if k != "type"})
    return KerasObject("metrics", spec.class_name, {**kwargs, "name": name}) if kwargs else name


def learning_rate(comp: CompileSettings) -> KerasObject | None:
    schedule = comp.learning_rate_schedule
    if schedule is None:
        return None
    spec = SCHEDULES[schedule["type"]]
    given = {k: v for k, v in schedule.items() if k != "type"}
    kwargs = changed_values(spec.params, given, keep_required=True)
    if "boundaries" in kwargs:  # steps, written as whole numbers as a Keras user does
        kwargs["boundaries"] = [int(b) for b in kwargs["boundaries"]]
    return KerasObject("optimizers.schedules", spec.type, kwargs)


def lower_compile(design: Design) -> CompileCall:
    comp = design.compile_settings
    spec = OPTIMIZERS[comp.optimizer]
    kwargs = changed_values(spec.params, comp.optimizer_params)
    schedule = learning_rate(comp)
    if schedule is not None:
        kwargs = {"learning_rate": schedule, **{k: v for k, v in kwargs.items() if k != "learning_rate"}}
    outputs = [ref.node for ref in design.model_outputs()]
    several = len(outputs) > 1
    if isinstance(comp.loss, dict) and several:
        loss = _per_output(design, lambda nid: _loss(comp, comp.loss_for(nid)))
    else:
        loss = _loss(comp, comp.loss_for(outputs[0]) if outputs else comp.loss)
    args: dict[str, Any] = {"loss": loss}
    if isinstance(comp.loss_weights, dict) and comp.loss_weights:
        args["loss_weights"] = _per_output(design, lambda nid: float(comp.weight_for(nid)))
    chosen = {nid: [_metric(m) for m in comp.metrics_for(nid)] for nid in outputs}
    if several and any(chosen.values()):
        # Keras takes one metrics list per output of a model with several: never one shared list.
        args["metrics"] = _per_output(design, lambda nid: chosen[nid])
    else:
        args["metrics"] = chosen[outputs[0]] if outputs else []
    return CompileCall(KerasObject("optimizers", spec.type, kwargs), args)


def lower_fit(design: Design) -> FitOptions:
    train = design.training_settings
    callbacks = []
    if isinstance(train.reduce_lr_on_plateau, dict):
        callbacks.append(
            KerasObject(
                "callbacks", "ReduceLROnPlateau", changed_values(REDUCE_LR_PARAMS, train.reduce_lr_on_plateau)
            )
        )
    weights = train.class_weight
    if isinstance(weights, dict):
        weights = {int(k): float(v) for k, v in sorted(weights.items(), key=lambda kv: int(kv[0]))}
    return FitOptions(tuple(callbacks), BALANCED if weights == BALANCED else weights)
