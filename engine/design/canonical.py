"""A design's canonical form: what makes two designs the same model and the same run.

Export, import and every round trip compare designs through this one function,
so "the same design" is defined once.  What counts: the design's name, each
node's id, type, shared layer and parameters in Keras's form (a parameter
equal to Keras's default counts as left out, an activation "linear" is none), the connections (each input's
port resolved: a merge's position, a named port's name; the main output as
None), the model's outputs in order, and the compile, training and data
settings with their defaults filled in (a loss per output, metrics per output,
loss weights per output, optimizer and schedule arguments without Keras's
defaults; a constant learning rate beside a schedule is unused, so it does not
count).  What does not count: node positions, collapsed groups, the order
nodes and edges are listed in, pretrained weights, and how a setting is
spelled (``"mean_squared_error"`` is ``"mse"``, a loss shared by every output
is that loss per output).
"""

from __future__ import annotations

import math
from typing import Any

from engine.design.graph import Design
from engine.schema.catalog import LAYERS
from engine.schema.compile_catalog import (
    LOGITS_LOSSES,
    METRIC_CLASSES,
    OPTIMIZERS,
    REDUCE_LR_PARAMS,
    SCHEDULES,
    loss_spec,
    metric_name,
)
from engine.schema.custom import is_custom, source_tree
from engine.schema.generic import is_generic
from engine.schema.params import PAIRS, Param, changed_values, check_params


def canonical(design: Design) -> dict[str, Any]:
    """The design as plain, comparable data (see the module docstring for what counts)."""
    return {
        "name": design.name,
        "nodes": {nid: _node(design, nid) for nid in sorted(design.nodes)},
        "edges": _edges(design),
        "outputs": [(ref.node, _out_name(design, ref.node, ref.out)) for ref in design.model_outputs()],
        "compile": canonical_compile(design),
        "training": canonical_training(design),
        "data": canonical_data(design),
    }


def differences(a: Design, b: Design) -> list[str]:
    """Where two designs' canonical forms differ, one line per differing part (empty: the same)."""
    ca, cb = canonical(a), canonical(b)
    out = []
    for key in ca:
        if key == "nodes":
            for nid in sorted(set(ca["nodes"]) | set(cb["nodes"])):
                if ca["nodes"].get(nid) != cb["nodes"].get(nid):
                    out.append(f"node {nid}: {ca['nodes'].get(nid)} != {cb['nodes'].get(nid)}")
        elif ca[key] != cb[key]:
            out.append(f"{key}: {ca[key]} != {cb[key]}")
    return out


# ---------------------------------------------------------------- the graph


def _node(design: Design, nid: str) -> dict[str, Any]:
    node = design.nodes[nid]
    if node.shares is not None:  # a later call of another node's layer: its own params are unused
        return {"type": node.type, "shares": node.shares}
    return {"type": node.type, "params": layer_params(node.type, node.params)}


def layer_params(node_type: str, params: dict[str, Any]) -> Any:
    """A layer's parameters in Keras's form, those equal to Keras's defaults left out."""
    spec = LAYERS.get(node_type)
    if is_custom(node_type):  # the same code is the same syntax tree (a formatter may reflow it)
        return _plain({**params, "source": source_tree(params.get("source"))})
    if spec is None:
        return _plain(_generic_config(params) if is_generic(node_type) else params)
    problems, _ = spec.check_params(params)
    if problems:  # an invalid value: compared as written
        return _plain(params)
    given = {**spec.keras_kwargs(params), **spec.call_kwargs(params)}
    checked = spec.check_params(params)[1]
    out = {}
    for key, value in given.items():
        p = spec.param(key)
        if p.kind == PAIRS:  # padding 1 is (1, 1), or ((1, 1), (1, 1)) in 2-D: one meaning
            value = _pairs(p, value)
            if not p.required and value == _pairs(p, p.check(p.default)):
                continue
        if value == "linear" and p.default is None:  # Keras saves "no activation" as "linear"
            continue
        if (
            p.default is None
            and key in _DEFAULT_FROM
            and _plain(value) == _plain(checked.get(_DEFAULT_FROM[key]))
        ):
            continue  # strides None means the pool size, value_dim None the key size
        value = _SAME_FUNCTION.get(value, value) if isinstance(value, str) else value
        out[key] = value
    return _plain(out)


# Parameters whose None means another's value (Keras saves that value).
_DEFAULT_FROM = {"strides": "pool_size", "value_dim": "key_dim"}
# Two names of one function: Keras saves swish as silu.
_SAME_FUNCTION = {"swish": "silu"}


def _pairs(p: Param, value: Any) -> Any:
    """Padding or cropping in its longest form: a (before, after) pair per axis."""
    rank = p.extra.get("rank", 1)
    if isinstance(value, int):
        value = (value,) * (2 if rank == 1 else p.length or 1)
    if rank > 1:
        return [list(v) if isinstance(v, (list, tuple)) else [v, v] for v in value]
    return list(value)


def _generic_config(params: dict[str, Any]) -> dict[str, Any]:
    config = params.get("config")
    config = {k: v for k, v in config.items() if k != "name"} if isinstance(config, dict) else config
    return {"class_name": params.get("class_name"), "config": config}


def _out_name(design: Design, nid: str, out: str | None) -> str | None:
    """None for a node's main output however it is written."""
    if out is None or nid not in design.nodes:
        return None
    spec = LAYERS.get(design.nodes[design.layer_owner(nid)].type)
    main = spec.outputs[0].name if spec is not None else "output"
    return None if out == main else out


def _edges(design: Design) -> list[tuple[Any, ...]]:
    """(source, its output, destination, the input it feeds) for every edge, sorted."""
    out = []
    for dst, edges in design.incoming().items():
        spec = LAYERS.get(design.nodes[design.layer_owner(dst)].type)
        for position, e in enumerate(edges):
            if spec is not None and spec.ports:
                port: Any = e.port if isinstance(e.port, str) else spec.ports[0].name
            elif spec is None or spec.is_merge or len(edges) > 1:
                port = position
            else:
                port = None
            out.append((e.src, _out_name(design, e.src, e.out) or "", dst, port if port is not None else -1))
    return sorted(out, key=repr)


# ---------------------------------------------------------------- settings


def _changed(params: tuple[Param, ...], given: dict[str, Any], keep_required: bool = False) -> Any:
    """Checked values that differ from the defaults (the given values when they do not check)."""
    problems, _ = check_params(params, given)
    return _plain(given if problems else changed_values(params, given, keep_required))


def canonical_compile(design: Design) -> dict[str, Any]:
    comp = design.compile_settings
    outputs = design.output_ids()
    spec = OPTIMIZERS.get(comp.optimizer)
    optimizer = {
        "type": comp.optimizer,
        **(_changed(spec.params, comp.optimizer_params) if spec else _plain(comp.optimizer_params)),
    }
    losses = {nid: _loss(comp.loss_for(nid)) for nid in outputs}
    logits = comp.from_logits is True and any(v in LOGITS_LOSSES for v in losses.values())
    schedule = comp.learning_rate_schedule
    if isinstance(schedule, dict) and schedule.get("type") in SCHEDULES:
        given = {k: v for k, v in schedule.items() if k != "type"}
        schedule = {"type": schedule["type"], **_changed(SCHEDULES[schedule["type"]].params, given, True)}
        optimizer.pop("learning_rate", None)  # the schedule sets the rate: a constant one is unused
    return {
        "optimizer": optimizer,
        "schedule": _plain(schedule),
        "loss": losses,
        "from_logits": logits,
        "loss_weights": {nid: _plain(comp.weight_for(nid)) for nid in outputs},
        "metrics": {nid: [_metric(m) for m in comp.metrics_for(nid)] for nid in outputs},
    }


def _loss(name: Any) -> Any:
    spec = loss_spec(name)
    return spec.name if spec else _plain(name)


def _metric(metric: Any) -> Any:
    """A metric with its arguments as ``{"type": ..., arg: value}``; without any, its name."""
    name = metric_name(metric)
    name = {"acc": "accuracy", "mean_absolute_error": "mae", "mean_squared_error": "mse"}.get(name, name)
    spec = METRIC_CLASSES.get(name) if isinstance(name, str) else None
    if not isinstance(metric, dict) or spec is None:
        return _plain(name)
    args = _changed(spec.params, {k: v for k, v in metric.items() if k != "type"})
    return {"type": name, **args} if args else name


def canonical_training(design: Design) -> dict[str, Any]:
    train = design.training_settings
    weights = train.class_weight
    if isinstance(weights, dict):
        try:
            weights = {int(k): float(v) for k, v in weights.items()}
        except (TypeError, ValueError):
            weights = _plain(train.class_weight)
    reduce_lr = train.reduce_lr_on_plateau
    if isinstance(reduce_lr, dict):
        reduce_lr = _changed(REDUCE_LR_PARAMS, reduce_lr)
    return {
        "epochs": _plain(train.epochs),
        "batch_size": _plain(train.batch_size),
        "validation_split": _plain(train.validation_split),
        "distribution": _plain(train.distribution),
        "class_weight": weights,
        "reduce_lr_on_plateau": reduce_lr,
    }


def canonical_data(design: Design) -> dict[str, Any] | None:
    if not design.data:
        return None
    data = design.data_settings
    return _plain(
        {
            "source": data.source,
            "name": data.name,
            "seed": data.seed,
            "test_split": data.test_split,
            "standardize": data.standardize,
            **data.extra,
        }
    )


def _plain(value: Any) -> Any:
    """Tuples as lists and whole floats as they are, so equal values compare equal however held."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.7g}")  # float32 round-off in saved configs does not count
    return value
