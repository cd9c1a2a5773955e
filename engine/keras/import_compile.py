"""A Keras compile config -> the design's compile settings: optimizer, loss, metrics, per output.

Keras keys a model's per-output ``loss``, ``loss_weights`` and ``metrics`` by
its output names (the output layers' names) or lists them in output order; a
loss written as an object carries ``from_logits``.  This reads what
:mod:`engine.keras.lower_compile` writes, so an exported model imports back
with the same settings; :mod:`engine.keras.importer` calls :func:`read_compile`
once it has read the graph (and :func:`loss_from_outputs` for a file saved
without training settings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.design.graph import Design
from engine.design.lint import output_activation
from engine.keras.import_values import SKIP, from_keras
from engine.schema.compile_catalog import OPTIMIZERS
from engine.schema.keras_config import config_of

if TYPE_CHECKING:  # the importer calls in here with its result
    from engine.keras.importer import ImportResult
from engine.schema.compile_catalog import METRIC_CLASSES, METRICS, SCHEDULES, loss_spec
from engine.schema.keras_config import snake_case

_KERAS_ALIASES = {"acc": "accuracy", "mean_absolute_error": "mae", "mean_squared_error": "mse"}




def by_output(value: Any, design: Design, origins: dict[str, str]) -> dict[str, Any] | None:
    """``value`` keyed by output node id, when it is a dict of output names or a list with one
    item per output; None when it is one setting for every output."""
    outputs = [ref.node for ref in design.model_outputs()]
    if isinstance(value, list) and len(outputs) > 1 and len(value) == len(outputs):
        return dict(zip(outputs, value, strict=True))
    if isinstance(value, dict) and "class_name" not in value:
        named = {origins.get(design.layer_owner(nid), nid): nid for nid in outputs}
        return {named[k]: v for k, v in value.items() if k in named}
    return None


def loss_name(loss: Any) -> tuple[str | None, bool]:
    """(the catalog's loss name, from_logits) of a loss as Keras serialises it."""
    logits = False
    if isinstance(loss, dict):
        logits = (loss.get("config") or {}).get("from_logits") is True
        loss = snake_case(str(loss.get("class_name", "")))
    spec = loss_spec(loss)
    return (spec.name if spec else None), logits


def metric(item: Any) -> Any:
    """A metric in the design's form (a name, or an object with its threshold), or None."""
    if isinstance(item, str):
        name = _KERAS_ALIASES.get(item, item)
        return name if name in METRICS else None
    if not isinstance(item, dict):
        return None
    name = _KERAS_ALIASES.get(
        snake_case(str(item.get("class_name", ""))), snake_case(str(item.get("class_name", "")))
    )
    if name not in METRICS:
        return None
    config = item.get("config") or {}
    spec = METRIC_CLASSES.get(name)
    args = (
        {p.name: config[p.name] for p in spec.params if config.get(p.name, p.default) != p.default}
        if spec
        else {}
    )
    return {"type": name, **args} if args else name


def split_loss(loss: Any, design: Design, origins: dict[str, str], notes: list[str]) -> tuple[Any, bool]:
    """(the loss to read as the one shared loss, whether the model has one per output instead).

    One loss object carries ``from_logits``, which is set here; a per-output loss of a model
    with one output is read as that output's."""
    if len(design.model_outputs()) > 1 and by_output(loss, design, origins):
        return None, True
    if isinstance(loss, dict) and "class_name" in loss:
        if loss_name(loss)[1]:
            design.set_compile(design.compile_settings.with_from_logits(True))
        return loss, False
    if isinstance(loss, (list, dict)) and loss:
        notes.append("the model has a loss per output; the first one is used for all")
        return (loss[0] if isinstance(loss, list) else next(iter(loss.values()))), False
    return loss, False


def read_per_output(cc: dict[str, Any], design: Design, origins: dict[str, str]) -> list[str]:
    """Set the design's per-output loss, loss weights, metrics and from_logits from ``cc``;
    returns notes on what was left out.  Leaves a single shared loss to the caller."""
    notes: list[str] = []
    comp = design.compile
    losses = by_output(cc.get("loss"), design, origins)
    if losses:
        read = {nid: loss_name(v) for nid, v in losses.items()}
        comp["loss"] = {nid: name for nid, (name, _) in read.items() if name}
        notes += [
            f"output {nid}'s loss is not offered here; mse is used" for nid, (n, _) in read.items() if not n
        ]
        if any(logits for _, logits in read.values()):
            comp["from_logits"] = True
    weights = by_output(cc.get("loss_weights"), design, origins)
    if weights:
        comp["loss_weights"] = {nid: float(w) for nid, w in weights.items() if isinstance(w, (int, float))}
    metrics = by_output(cc.get("metrics"), design, origins)
    if metrics:
        read = {
            nid: [m for m in map(metric, items if isinstance(items, list) else [items]) if m is not None]
            for nid, items in metrics.items()
        }
        lists = list(read.values())
        every = len(read) == len({r.node for r in design.model_outputs()}) and all(
            m == lists[0] for m in lists
        )
        comp["metrics"] = lists[0] if every else read  # the same for every output: one shared list
    return notes


def read_schedule(value: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """A learning-rate schedule as Keras serialises it -> the design's form, and a problem when
    it is not one the design holds (then the optimizer keeps its constant rate)."""
    cls = str(value.get("class_name", ""))
    spec = SCHEDULES.get(cls)
    config = value.get("config") if isinstance(value.get("config"), dict) else {}
    if spec is None:
        return None, f"the learning-rate schedule {cls} is not offered here; a constant rate is used"
    known = {p.name for p in spec.params}
    odd = [k for k, v in config.items() if k not in known and k != "name" and v not in (None, False)]
    if odd:
        return None, f"{cls}'s `{odd[0]}` is not carried over; a constant rate is used"
    return {"type": cls, **{k: v for k, v in config.items() if k in known}}, ""


# What a loss object's arguments are when they change nothing (Keras's defaults); ``from_logits``
# and ``name`` are read or need no reading.
_LOSS_DEFAULTS = {
    "reduction": "sum_over_batch_size",
    "label_smoothing": 0.0,
    "axis": -1,
    "ignore_class": None,
    "delta": 1.0,
    "dtype": None,
    "from_logits": None,
    "name": None,
}


def loss_problems(loss: Any) -> list[str]:
    """What a loss object (or each of a per-output loss) sets that the design cannot hold."""
    if isinstance(loss, list):
        return [p for item in loss for p in loss_problems(item)]
    if isinstance(loss, dict) and "class_name" not in loss:
        return [p for item in loss.values() for p in loss_problems(item)]
    if not isinstance(loss, dict):
        return []
    config = loss.get("config") if isinstance(loss.get("config"), dict) else {}
    return [
        f"the loss {loss.get('class_name')}'s `{key}` = {value!r} is not carried over; Keras's default"
        " is used"
        for key, value in config.items()
        if key not in _LOSS_DEFAULTS
        or (_LOSS_DEFAULTS[key] is not None and value not in (_LOSS_DEFAULTS[key], None))
        or (key == "ignore_class" and value is not None)
    ]


# ---------------------------------------------------------------- a whole compile config


def read_compile(cc: dict[str, Any], result: ImportResult) -> None:
    design = result.design
    _read_optimizer(cc.get("optimizer"), result)
    result.problems += loss_problems(cc.get("loss"))
    loss, per_output = split_loss(cc.get("loss"), design, result.origins, result.notes)
    if isinstance(loss, dict):
        loss = snake_case(str(loss.get("class_name", "")))
    if isinstance(loss, str) and loss:
        spec = loss_spec(loss)
        if spec is None:
            result.problems.append(f"the loss '{loss}' is not offered here; mse is used")
        else:
            design.set_compile(design.compile_settings.with_loss(spec.name))
    read: list[Any] = []
    for m in _flatten(cc.get("metrics")):
        value = metric(m)
        if value is None:
            name = snake_case(str(m.get("class_name", ""))) if isinstance(m, dict) else m
            result.notes.append(f"metric '{name}' is not offered here; left out")
        elif value not in read:
            read.append(value)
    design.set_compile(design.compile_settings.with_shared_metrics(read))
    if per_output or len(design.model_outputs()) > 1:  # Keras's per output name: by node id here
        result.notes += read_per_output(cc, design, result.origins)


def _read_optimizer(opt: Any, result: ImportResult) -> None:
    """The optimizer and its arguments; a learning-rate schedule in its place of the rate."""
    if isinstance(opt, str):
        opt = {"class_name": opt, "config": {}}
    if not isinstance(opt, dict):
        return
    cls = str(opt.get("class_name", ""))
    spec = next((s for s in OPTIMIZERS.values() if s.type.lower() == cls.lower()), None)
    if spec is None:
        result.problems.append(f"the optimizer {cls} is not offered here; Adam is used")
        return
    settings: dict[str, Any] = {"type": spec.type}
    cfg = dict(config_of(opt))
    if isinstance(cfg.get("learning_rate"), dict):
        schedule, problem = read_schedule(cfg.pop("learning_rate"))
        if schedule is not None:
            result.design.set_compile(result.design.compile_settings.with_schedule_config(schedule))
        if problem:
            result.problems.append(problem)
    for p in spec.params:
        if p.name in cfg:
            value, note = from_keras(p, cfg[p.name])
            if note:
                result.notes.append(f"optimizer: {note}")
            if value is not SKIP and value != p.default:
                settings[p.name] = value
    result.design.set_compile(result.design.compile_settings.with_optimizer_config(settings))


def loss_from_outputs(result: ImportResult) -> None:
    """A model saved without training settings gets the loss its output implies.

    A softmax output classifies (integer labels are the common case), a sigmoid
    says yes/no; anything else predicts numbers, which the default MSE fits.
    """
    design = result.design
    outputs = design.output_ids()
    if len(outputs) != 1:
        return
    values = {nid: node.params for nid, node in design.nodes.items()}
    activation = output_activation(design, outputs[0], values)
    loss = {"softmax": "sparse_categorical_crossentropy", "sigmoid": "binary_crossentropy"}.get(activation)
    if loss:
        design.set_compile(design.compile_settings.with_loss(loss).with_shared_metrics(["accuracy"]))
        result.notes.append(
            f"the file has no training settings: the {activation} output suggests {loss} with accuracy"
        )


def _flatten(v: Any) -> list[Any]:
    if isinstance(v, list):
        return [x for item in v for x in _flatten(item)]
    if isinstance(v, dict) and "class_name" not in v:
        return [x for item in v.values() for x in _flatten(item)]
    return [] if v is None else [v]
