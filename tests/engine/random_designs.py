"""Random designs across the whole catalog, valid and invalid, for oracle tests.

Parameters are drawn inside the catalog's limits (values the property editor
would accept), so any disagreement with Keras is about shapes and structure.
"""

from __future__ import annotations

import math
import random
from typing import Any

from engine.design.graph import Design, Edge, Node
from engine.design.validation import validate
from engine.schema.catalog import LAYERS
from engine.schema.compile_catalog import (
    LOSSES,
    METRIC_CLASSES,
    METRICS,
    OPTIMIZERS,
    REDUCE_LR_PARAMS,
    SCHEDULES,
)
from engine.schema.params import (
    BOOL,
    CHOICE,
    FLOAT,
    FLOATS,
    INT,
    INTS,
    LAYER,
    PAIRS,
    SHAPE,
    TEXT,
    VALUES,
    Param,
)

LAYER_TYPES = [t for t in LAYERS if t != "Input"]


def random_input_shape(rng: random.Random) -> list[int | None]:
    rank = rng.choice([1, 1, 2, 2, 3, 3, 4])
    shape: list[int | None] = [rng.randint(1, 9) for _ in range(rank)]
    if rank >= 2 and rng.random() < 0.1:
        shape[0] = None  # a variable-length axis
    return shape


def _small_int(rng: random.Random, p: Param) -> int:
    low = int(p.min) + (1 if p.min_exclusive else 0) if p.min is not None else -3
    high = int(p.max) if p.max is not None else low + 5
    return rng.randint(low, min(high, low + 5))


def random_value(rng: random.Random, p: Param, in_shape: tuple | None) -> Any:
    if p.kind == INT:
        if p.name == "axis":
            return rng.choice([-1, -1, 1, 2, -2])
        return _small_int(rng, p)
    if p.kind == FLOAT:
        low = p.min if p.min is not None else -1.0
        high = p.max if p.max is not None else low + 2.0
        return round(rng.uniform(low, high), 3) or (p.default if p.default is not None else 0.5)
    if p.kind == BOOL:
        return rng.random() < 0.5
    if p.kind == CHOICE:
        return rng.choice(p.choices)
    if p.kind == INTS:
        return _random_ints(rng, p)
    if p.kind == PAIRS:
        form = rng.randint(0, 2)
        if form == 0:
            return rng.randint(0, 2)
        if form == 1 or p.extra.get("rank", p.length) == 1:
            return [rng.randint(0, 2) for _ in range(p.length)]
        return [[rng.randint(0, 2), rng.randint(0, 2)] for _ in range(p.length)]
    if p.kind == FLOATS:  # increasing, as Discretization's boundaries must be
        return sorted({round(rng.uniform(-2, 2), 2) for _ in range(rng.randint(1, 4))})
    if p.kind == SHAPE:
        return _random_shape_param(rng, p, in_shape)
    if p.kind == LAYER:
        return _random_wrapped(rng, p, in_shape)
    if p.kind == VALUES:
        return _random_vocabulary(rng, p)
    if p.kind == TEXT:  # StringLookup's mask_token ("a" is often in the vocabulary: refused);
        return rng.choice(["", "pad", "a"])  # EinsumDense's texts are redrawn in random_params
    raise AssertionError(p.kind)


# The oracle runs lookups on "a" (text) and 0 (ids), usually in the vocabulary.
def _random_vocabulary(rng: random.Random, p: Param) -> list[Any]:
    pool = ["a", "b", "red", "blue", "x y"] if p.extra.get("item", "str") == "str" else [0, 1, 2, 7, 1999]
    words = rng.sample(pool, rng.randint(1, 4))
    if rng.random() < 0.8 and pool[0] not in words:
        words.append(pool[0])
    return words


def _random_einsum(rng: random.Random, in_shape: tuple | None) -> dict[str, Any]:
    """An equation for the input's rank (sometimes not), its output_shape and bias axes."""
    rank = len(in_shape) if in_shape else 2
    if rng.random() < 0.15:
        rank = rng.randint(2, 4)  # a wrong rank now and then
    letters = "abcdefgh"[:rank]
    known = list((in_shape or [None] * rank)[1:-1])
    units = rng.randint(1, 5)
    form = rng.randint(0, 3)
    if form == 0:  # contract the last axis: like Dense
        equation = f"{letters},{letters[-1]}z->{letters[:-1]}z"
        out = [d if rng.random() < 0.7 else None for d in known] + [units]
    elif form == 1:  # ellipsis on the left
        equation = f"...{letters[-1]},{letters[-1]}z->...z"
        out = [units]
    elif form == 2:  # two new axes from one, e.g. heads and features
        equation = f"{letters},{letters[-1]}yz->{letters[:-1]}yz"
        out = [*known, units, rng.randint(1, 3)]
    else:  # ellipsis on the right: mix the first axis after the batch
        equation = "ab...,bz->az..."
        out = [units]
    if rng.random() < 0.1:
        out = out + [2] if rng.random() < 0.5 else out[1:]  # a wrong output_shape
    bias = rng.choice([None, "z", "yz" if form == 2 else "z", "q"])
    return {"equation": equation, "output_shape": out, "bias_axes": bias}


def _random_ints(rng: random.Random, p: Param) -> int | list[int]:
    if p.name == "axes":  # Dot: one axis for both inputs, or one each
        return rng.choice([-1, -1, 1, 2, [1, 2], [2, 1], [-1, -2], [1, 1]])
    if rng.random() < 0.5:
        return rng.randint(1, 3)
    return [rng.randint(1, 3) for _ in range(p.length)]


def _random_wrapped(rng: random.Random, p: Param, in_shape: tuple | None) -> dict[str, Any]:
    kind = rng.choice(p.choices)
    if kind in ("SimpleRNN", "LSTM", "GRU"):  # Bidirectional
        return {
            "type": kind,
            "params": {
                "units": rng.randint(1, 5),
                "return_sequences": rng.random() < 0.5,
                "return_state": rng.random() < 0.3,
            },
        }
    step = (in_shape[0], *in_shape[2:]) if in_shape and len(in_shape) > 2 else in_shape
    return {"type": kind, "params": random_params(rng, kind, step)}  # TimeDistributed: one step


def _random_shape_param(rng: random.Random, p: Param, in_shape: tuple | None) -> list[int]:
    rest = list(in_shape[1:]) if in_shape else [rng.randint(1, 6)]
    if p.name == "dims":
        n = len(rest) if rng.random() < 0.8 else rng.randint(1, 3)
        dims = list(range(1, n + 1))
        rng.shuffle(dims)
        return dims
    # Reshape target: usually a factorisation of the size, sometimes with -1, sometimes wrong.
    size = math.prod(d for d in rest if d is not None) if rest else 1
    if rng.random() < 0.2:
        return [rng.randint(1, 7), rng.randint(1, 7)]
    factors = [size]
    if size > 1 and rng.random() < 0.6:
        divisors = [d for d in range(2, size) if size % d == 0]
        if divisors:
            d = rng.choice(divisors)
            factors = [d, size // d]
    if rng.random() < 0.4:
        factors[rng.randrange(len(factors))] = -1
    return factors


def random_params(rng: random.Random, node_type: str, in_shape: tuple | None) -> dict[str, Any]:
    spec = LAYERS[node_type]
    out: dict[str, Any] = {}
    for p in spec.params:
        if p.required or rng.random() < 0.5:
            out[p.name] = random_value(rng, p, in_shape)
    # Keep random convolutions from mostly failing on stride-and-dilation at once.
    if "dilation_rate" in out and "strides" in out and rng.random() < 0.7:
        del out["dilation_rate"]
    if "groups" in out and rng.random() < 0.7:
        out["groups"] = 1
    if node_type == "EinsumDense":
        out.update(_random_einsum(rng, in_shape))
    return out


def random_design(seed: int, n_layers: int | None = None, guided: float = 0.75) -> Design:
    """A random design; ``guided`` is the chance a layer is chosen to accept its input."""
    rng = random.Random(seed)
    design = Design(name=f"random_{seed}")
    for i in range(rng.choice([1, 1, 1, 2])):
        params: dict[str, Any] = {"shape": random_input_shape(rng)}
        if rng.random() < 0.12:  # ids or words: the dtype flow
            params["dtype"] = rng.choice(["int32", "int64", "string"])
        design.add_node(Node(f"in{i}", "Input", params))
    if rng.random() < 0.05:  # words to ids to vectors, as a text model starts
        design.add_node(Node("words", "Input", {"shape": [rng.randint(1, 5)], "dtype": "string"}))
        design.add_node(Node("ids", "StringLookup", {"vocabulary": ["a", "b", "c"]}))
        design.add_node(Node("vecs", "Embedding", {"input_dim": 4, "output_dim": rng.randint(1, 4)}))
        design.connect(Edge("words", "ids"))
        design.connect(Edge("ids", "vecs"))
    if rng.random() < 0.15:  # an encoder whose final states feed what follows (seq2seq)
        kind = rng.choice(["LSTM", "GRU", "SimpleRNN"])
        design.add_node(Node("seq", "Input", {"shape": [rng.randint(1, 5), rng.randint(1, 5)]}))
        enc = {"units": rng.randint(1, 5), "return_state": True}
        if rng.random() < 0.4:  # a bidirectional encoder: its forward and backward states
            design.add_node(Node("enc", "Bidirectional", {"layer": {"type": kind, "params": enc}}))
        else:
            design.add_node(Node("enc", kind, enc))
        design.connect(Edge("seq", "enc"))
    for i in range(n_layers or rng.randint(2, 7)):
        nid = f"n{i}"
        existing = list(design.nodes)
        report = validate(design)
        shapes = {k: v.output_shape for k, v in report.nodes.items()}
        for _attempt in range(12 if rng.random() < guided else 1):
            node_type = rng.choice(LAYER_TYPES)
            shares = _random_share(rng, design, report)
            if shares is not None:
                node_type = design.nodes[shares].type
            spec = LAYERS[node_type]
            if spec.is_merge:
                if spec.max_inputs is None:
                    k = rng.choice([2, 2, 3])
                else:
                    k = rng.randint(max(spec.min_inputs, 2), spec.max_inputs)
                same = [n for n in existing if shapes.get(n) == shapes.get(existing[-1])]
                pool = same if len(same) >= 2 and rng.random() < 0.7 else existing
                srcs = [rng.choice(pool) for _ in range(k)]
            else:
                several = [n for n in existing if len(report.nodes[n].outputs) > 1]
                srcs = [rng.choice(several if several and rng.random() < 0.3 else existing[-3:])]
            params = random_params(rng, node_type, shapes.get(srcs[0])) if shares is None else {}
            trial = design.copy()
            trial.add_node(Node(nid, node_type, params, shares=shares))
            for edge in _random_edges(rng, spec, nid, srcs, existing, report):
                trial.connect(edge)
            if validate(trial).nodes[nid].output_shape is not None:
                break
        design = trial
    return design


def _random_share(rng: random.Random, design: Design, report: Any) -> str | None:
    """Sometimes call an earlier layer again (shared weights) instead of a new one."""
    owners = [
        n.id
        for n in design.nodes.values()
        if n.type != "Input" and n.shares is None and report.nodes[n.id].output_shape is not None
    ]
    return rng.choice(owners) if owners and rng.random() < 0.04 else None


def _random_out(rng: random.Random, report: Any, src: str) -> str | None:
    """Which output of ``src`` an edge leaves from: usually the main one."""
    names = list(report.nodes[src].outputs)
    if len(names) > 1 and rng.random() < 0.6:
        return rng.choice(names[1:])
    return None


def _random_edges(
    rng: random.Random, spec: Any, nid: str, srcs: list[str], existing: list[str], report: Any
) -> list[Edge]:
    if not spec.ports:
        return [
            Edge(s, nid, port if spec.is_merge else None, _random_out(rng, report, s))
            for port, s in enumerate(srcs)
        ]
    edges = [Edge(srcs[0], nid, None, _random_out(rng, report, srcs[0]))]
    groups: dict[str, bool] = {}
    for p in spec.ports[1:]:
        if p.slot is not None:  # a list argument (an RNN's states): usually all or none
            wanted = groups.setdefault(p.arg, rng.random() < 0.3) != (rng.random() < 0.05)
        else:
            wanted = p.required or rng.random() < 0.3
        if wanted:
            src = srcs[0] if p.required and rng.random() < 0.5 else rng.choice(existing)
            edges.append(Edge(src, nid, p.name, _random_out(rng, report, src)))
    return edges


def random_settings(rng: random.Random, design: Design) -> None:
    """Random compile and training settings for ``design`` (in place), over the settings catalog:
    an optimizer and its arguments, a loss shared or per output (with from_logits), loss weights,
    metrics with arguments, a learning-rate schedule or ReduceLROnPlateau, epochs and batches."""
    outputs = design.output_ids()
    opt = rng.choice(sorted(OPTIMIZERS))
    optimizer = {"type": opt}
    for p in OPTIMIZERS[opt].params:
        if rng.random() < 0.3:
            optimizer[p.name] = random_value(rng, p, None)
    compile_: dict[str, Any] = {"optimizer": optimizer}
    several = len(outputs) > 1 and rng.random() < 0.5
    compile_["loss"] = (
        {nid: rng.choice(sorted(LOSSES)) for nid in outputs} if several else rng.choice(sorted(LOSSES))
    )
    pool = [*sorted(METRICS), *({"type": name} for name in sorted(METRIC_CLASSES))]
    metrics = [_random_metric(rng, m) for m in rng.sample(pool, rng.randint(0, 3))]
    metrics = list({repr(m): m for m in metrics}.values())
    compile_["metrics"] = {nid: metrics for nid in outputs} if several else metrics
    if len(outputs) > 1 and rng.random() < 0.5:
        compile_["loss_weights"] = {nid: round(rng.uniform(0.1, 2.0), 2) for nid in outputs}
    if rng.random() < 0.3:
        compile_["from_logits"] = True
    training: dict[str, Any] = {
        "epochs": rng.randint(1, 60),
        "batch_size": rng.choice([1, 8, 32, 100]),
        "validation_split": rng.choice([0.0, 0.1, 0.25]),
    }
    if rng.random() < 0.25:
        kind = rng.choice(sorted(SCHEDULES))
        schedule = {"type": kind}
        for p in SCHEDULES[kind].params:
            if p.required or rng.random() < 0.5:
                schedule[p.name] = p.default if p.kind == FLOATS else random_value(rng, p, None)
        compile_["learning_rate_schedule"] = schedule
    elif rng.random() < 0.3:
        training["reduce_lr_on_plateau"] = {
            p.name: random_value(rng, p, None) for p in REDUCE_LR_PARAMS if rng.random() < 0.5
        }
    design.compile = compile_
    design.training = training


def _random_metric(rng: random.Random, metric: Any) -> Any:
    if not isinstance(metric, dict):
        return metric
    spec = METRIC_CLASSES[metric["type"]]
    args = {p.name: random_value(rng, p, None) for p in spec.params if rng.random() < 0.7}
    return {**metric, **args} if args else metric["type"]
