"""A Keras compile config's per-output settings -> the design's, keyed by output node id.

Keras keys a model's per-output ``loss``, ``loss_weights`` and ``metrics`` by
its output names (the output layers' names) or lists them in output order; a
loss written as an object carries ``from_logits``.  :mod:`engine.keras.importer`
reads the rest of the compile config; this reads what
:mod:`engine.keras.lower_compile` writes, so an exported model imports back
with the same per-output settings.
"""

from __future__ import annotations

from typing import Any

from engine.design.graph import Design
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
