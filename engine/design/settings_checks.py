"""Validation of the compile and training options beyond one loss for one output.

Per-output losses, metrics and loss weights (keyed by output node id), from_logits,
learning-rate schedules, ReduceLROnPlateau and class weights.  Each problem is a
located, plain-language sentence with the settings key it concerns, reported
through validation's collector (anything with ``error`` and ``warn``), so the
window and ``python main.py check`` show it; nothing here raises.
"""

from __future__ import annotations

from typing import Any, Protocol

from engine.design.graph import Design
from engine.schema.compile_catalog import (
    BINARY,
    CATEGORICAL,
    LOGITS_LOSSES,
    LOSSES,
    METRIC_CLASSES,
    METRICS,
    REDUCE_LR_PARAMS,
    REGRESSION,
    SCHEDULES,
    SPARSE,
    loss_spec,
    metric_name,
    schedule_problems,
)
from engine.schema.layer_rules import Shape
from engine.schema.params import check_params, is_number
from engine.schema.settings import BALANCED, CompileSettings, TrainingSettings


class Out(Protocol):
    def error(self, message: str, node: str | None = None, **kw: Any) -> None: ...

    def warn(self, message: str, node: str | None = None, **kw: Any) -> None: ...



def _per_output(design: Design, value: Any, key: str, out: Out) -> list[tuple[str | None, Any]]:
    """(output id or None for all, value) pairs of a setting given once or per output id."""
    if not isinstance(value, dict):
        return [(None, value)]
    outputs = design.output_ids()
    for name in value:
        if name not in outputs:
            out.error(
                f"{key} names '{name}', which is not one of the model's outputs "
                f"({', '.join(outputs) or 'none'})",
                key=f"{key}.{name}",
            )
    return [(name, v) for name, v in value.items() if name in outputs]


def check_compile(design: Design, comp: CompileSettings, out: Out) -> None:
    losses = _per_output(design, comp.loss, "compile.loss", out)
    for name, loss in losses:
        if loss_spec(loss) is None:
            where = f" for output '{name}'" if name else ""
            key = f"compile.loss.{name}" if name else "compile.loss"
            out.error(f"Unknown loss {loss!r:.60}{where} (known: {', '.join(LOSSES)})", name, key=key)
    if isinstance(comp.loss, dict):
        for nid in design.output_ids():
            if nid not in comp.loss:
                out.warn(
                    f"compile.loss gives output '{nid}' no loss of its own: it trains with "
                    f"{CompileSettings.loss}",
                    nid,
                    key=f"compile.loss.{nid}",
                )
    if not isinstance(comp.metrics, (dict, tuple, list)):
        out.error(
            "compile.metrics must be a list of metrics, or one list per output id", key="compile.metrics"
        )
    else:
        for name, metrics in _per_output(design, comp.metrics, "compile.metrics", out):
            if not isinstance(metrics, (list, tuple)):
                out.error(
                    f"compile.metrics for '{name}' must be a list of metrics", name, key="compile.metrics"
                )
                continue
            for metric in metrics:
                _check_metric(metric, name, out)
    _check_loss_weights(design, comp, out)
    _check_from_logits(comp, losses, out)
    _check_schedule(comp.learning_rate_schedule, out)


def _check_metric(metric: Any, output: str | None, out: Out) -> None:
    name = metric_name(metric)
    where = f" for output '{output}'" if output else ""
    if not isinstance(name, str) or name not in METRICS:
        out.error(
            f"Unknown metric {name!r:.60}{where} (known: {', '.join(METRICS)})", output, key="compile.metrics"
        )
        return
    if not isinstance(metric, dict):
        return
    spec = METRIC_CLASSES.get(name)
    if spec is None:
        out.error(
            f"Metric '{name}' takes no arguments: write it as \"{name}\"", output, key="compile.metrics"
        )
        return
    problems, _ = check_params(spec.params, {k: v for k, v in metric.items() if k != "type"})
    for problem in problems:
        out.error(f"Metric {name}{where}: {problem.message}", output, key=f"compile.metrics.{problem.param}")


def _check_loss_weights(design: Design, comp: CompileSettings, out: Out) -> None:
    weights = comp.loss_weights
    if weights is None:
        return
    if not isinstance(weights, dict):
        out.error(
            f"compile.loss_weights must be an object: output id -> weight, not {weights!r:.60}",
            key="compile.loss_weights",
        )
        return
    for name, w in _per_output(design, weights, "compile.loss_weights", out):
        if not is_number(w) or w < 0:
            out.error(
                f"compile.loss_weights: the weight of output '{name}' must be a number >= 0, not {w!r:.60}",
                name,
                key=f"compile.loss_weights.{name}",
            )


def _check_from_logits(comp: CompileSettings, losses: list[tuple[str | None, Any]], out: Out) -> None:
    if not isinstance(comp.from_logits, bool):
        out.error(
            f"compile.from_logits must be true or false, not {comp.from_logits!r:.60}",
            key="compile.from_logits",
        )
        return
    specs = [loss_spec(loss) for _, loss in losses]
    if comp.from_logits and specs and all(s is not None and s.name not in LOGITS_LOSSES for s in specs):
        shown = ", ".join(dict.fromkeys(s.name for s in specs if s is not None))
        out.error(
            f"from_logits applies to {', '.join(LOGITS_LOSSES)} only, not {shown}: turn it off",
            key="compile.from_logits",
        )


def _check_schedule(schedule: Any, out: Out) -> None:
    if schedule is None:
        return
    kind = schedule.get("type") if isinstance(schedule, dict) else None
    spec = SCHEDULES.get(kind) if isinstance(kind, str) else None
    if spec is None:
        out.error(
            f"Unknown learning-rate schedule {kind!r:.60} (known: {', '.join(SCHEDULES)})",
            key="compile.learning_rate_schedule.type",
        )
        return
    problems, values = check_params(spec.params, {k: v for k, v in schedule.items() if k != "type"})
    for problem in problems:
        out.error(f"{spec.type}: {problem.message}", key=f"compile.learning_rate_schedule.{problem.param}")
    for param, message in schedule_problems(spec, values):
        out.error(f"{spec.type}: {message}", key=f"compile.learning_rate_schedule.{param}")


def check_training_options(design: Design, train: TrainingSettings, comp: CompileSettings, out: Out) -> None:
    plateau = train.reduce_lr_on_plateau
    if plateau is not None:
        if not isinstance(plateau, dict):
            out.error(
                "training.reduce_lr_on_plateau must be an object of ReduceLROnPlateau's arguments "
                "({} for its defaults)",
                key="training.reduce_lr_on_plateau",
            )
        else:
            problems, values = check_params(REDUCE_LR_PARAMS, plateau)
            for problem in problems:
                out.error(
                    f"ReduceLROnPlateau: {problem.message}",
                    key=f"training.reduce_lr_on_plateau.{problem.param}",
                )
            if values.get("factor") == 1:
                out.error(
                    "ReduceLROnPlateau: 'factor' must be below 1 (the rate is multiplied by it)",
                    key="training.reduce_lr_on_plateau.factor",
                )
            if comp.learning_rate_schedule is not None:
                out.error(
                    "ReduceLROnPlateau cannot change a learning rate that a schedule sets: "
                    "use one or the other",
                    key="training.reduce_lr_on_plateau",
                )
            if values.get("monitor") == "val_loss" and train.validation_split == 0:
                out.warn(
                    "ReduceLROnPlateau watches val_loss but the validation split is 0: set a validation "
                    "split, or let it watch loss",
                    key="training.reduce_lr_on_plateau.monitor",
                )


def class_count(design: Design, comp: CompileSettings, shapes: dict[tuple[str, str], Shape]) -> int | None:
    """How many classes the single output tells apart (None when it is not a classifier)."""
    outputs = design.output_ids()
    if len(outputs) != 1:
        return None
    loss = loss_spec(comp.loss_for(outputs[0]))
    if loss is None or loss.task == REGRESSION:
        return None
    if loss.task == BINARY:
        return 2
    main = next((shape for (nid, _), shape in shapes.items() if nid == outputs[0]), None)
    units = main[-1] if main else None
    return units if isinstance(units, int) and loss.task in (SPARSE, CATEGORICAL) else None


def check_class_weight(
    design: Design,
    train: TrainingSettings,
    comp: CompileSettings,
    shapes: dict[tuple[str, str], Shape],
    out: Out,
) -> None:
    weights = train.class_weight
    if weights is None:
        return
    key = "training.class_weight"
    if weights != BALANCED and not isinstance(weights, dict):
        out.error(
            'training.class_weight must be "balanced" or an object: class index -> weight, '
            f"not {weights!r:.60}",
            key=key,
        )
        return
    outputs = design.output_ids()
    if len(outputs) > 1:
        out.error(
            f"training.class_weight works for a model with one output; this one has {len(outputs)}: "
            "use loss_weights to weigh the outputs",
            key=key,
        )
        return
    loss = loss_spec(comp.loss_for(outputs[0])) if outputs else None
    if loss is not None and loss.task == REGRESSION:
        out.error(
            f"training.class_weight weighs classes, but the loss {loss.name} predicts numbers: "
            "remove it or use a classification loss",
            key=key,
        )
        return
    if not isinstance(weights, dict):
        return
    classes = class_count(design, comp, shapes)
    for index, w in weights.items():
        where = f"{key}.{index}"
        number = int(index) if isinstance(index, str) and index.isdigit() else index
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            out.error(f"training.class_weight: {index!r:.40} is not a class index (0, 1, 2, ...)", key=where)
        elif classes is not None and number >= classes:
            out.error(
                f"training.class_weight names class {number}, but output '{outputs[0]}' tells apart "
                f"{classes} classes (0 to {classes - 1})",
                outputs[0],
                key=where,
            )
        if not is_number(w) or w < 0:
            out.error(
                f"training.class_weight: the weight of class {index} must be a number >= 0, not {w!r:.40}",
                key=where,
            )
