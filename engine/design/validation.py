"""Shape inference and validation of a whole design, in pure Python.

``validate(design)`` walks the graph once in topological order and returns a
:class:`Report`: each node's output shape and parameter count, the totals,
and every problem tied to the node, edge or settings key it concerns.  It
imports no TensorFlow and runs in linear time, so the GUI calls it after
every edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.design import dtype_flow
from engine.design.graph import NODE_ID, NODE_ID_RULE, Design, Edge
from engine.design.label_fit import (
    Fix,
    SetLoss,
    SetParam,
    label_form,
    label_problems,
    output_rank_problem,
    set_param_fixes,
)
from engine.design.settings_checks import check_class_weight, check_compile, check_training_options
from engine.spec.catalog import LAYERS, LayerSpec
from engine.spec.compile_catalog import (
    BINARY,
    CATEGORICAL,
    LOGITS_LOSSES,
    OPTIMIZERS,
    REGRESSION,
    SPARSE,
    loss_spec,
)
from engine.spec.custom import PENDING_TEXT as CODE_PENDING_TEXT
from engine.spec.custom import CodeRequest, by_keras, check_custom, is_custom
from engine.spec.data_settings import data_problems
from engine.spec.datasets import BUILTIN, CLASSIFICATION, inputs_text, match_inputs
from engine.spec.generic import PENDING_TEXT, Request, check_generic, class_of, recall
from engine.spec.layer_rules import Ctx, Shape, ShapeError, fmt_shape
from engine.spec.params import check_params

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One message for a person, tied to what it concerns."""

    severity: str
    message: str
    node: str | None = None
    edge: int | None = None  # index into design.edges
    key: str | None = None  # e.g. "compile.loss"
    fixes: tuple[Fix | SetParam | SetLoss, ...] = ()  # edits that resolve it, offered as one-click fixes

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        for k in ("node", "edge", "key"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        return out


@dataclass
class NodeInfo:
    output_shape: Shape | None = None  # the main output's
    outputs: dict[str, Shape] = field(default_factory=dict)  # every output the call returns, by name
    holds: dict[str, str] = field(default_factory=dict)  # what each output holds: float, int or string
    params: int = 0
    trainable: int = 0
    problems: list[Problem] = field(default_factory=list)
    # The shape waits for Keras: a generic layer's (or one downstream of it), see engine.spec.generic.
    pending: bool = False
    # A custom layer whose code has not run (see engine.spec.custom): its shape waits for trust.
    awaits_code: bool = False

    @property
    def errors(self) -> list[str]:
        return [p.message for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[str]:
        return [p.message for p in self.problems if p.severity == WARNING]


@dataclass
class Report:
    nodes: dict[str, NodeInfo]
    problems: list[Problem]
    # What Keras must compute before the generic layers' shapes are known (none known yet).
    requests: list[Request] = field(default_factory=list)
    # What only the design's own code can answer: custom layers' shapes, run once trusted.
    code_requests: list[CodeRequest] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def total_params(self) -> int:
        return sum(n.params for n in self.nodes.values())

    @property
    def trainable_params(self) -> int:
        return sum(n.trainable for n in self.nodes.values())


def label(node_type: str, node_id: str) -> str:
    return f"{node_type} '{node_id}'"


class _Collector:
    def __init__(self, design: Design) -> None:
        self.nodes = {nid: NodeInfo() for nid in design.nodes}
        self.problems: list[Problem] = []
        self.requests: list[Request] = []
        self.code_requests: list[CodeRequest] = []

    def add(self, severity: str, message: str, node: str | None = None, **kw: Any) -> None:
        problem = Problem(severity, message, node, **kw)
        self.problems.append(problem)
        if node is not None and node in self.nodes:
            self.nodes[node].problems.append(problem)

    def error(self, message: str, node: str | None = None, **kw: Any) -> None:
        self.add(ERROR, message, node, **kw)

    def warn(self, message: str, node: str | None = None, **kw: Any) -> None:
        self.add(WARNING, message, node, **kw)


def validate(design: Design) -> Report:
    out = _Collector(design)
    values = _check_nodes(design, out)
    _check_shares(design, values, out)
    _check_edges(design, values, out)
    shapes = _infer(design, values, out)
    _check_settings(design, out)
    check_class_weight(design, design.training_settings, design.compile_settings, shapes, out)
    _check_outputs(design, values, shapes, out)
    return Report(
        out.nodes, out.problems, list(dict.fromkeys(out.requests)), list(dict.fromkeys(out.code_requests))
    )


# ---------------------------------------------------------------- nodes and edges


def _check_nodes(design: Design, out: _Collector) -> dict[str, dict[str, Any] | None]:
    """Check ids, types and parameters; return each node's parameters in Keras form."""
    values: dict[str, dict[str, Any] | None] = {}
    for nid, node in design.nodes.items():
        if not NODE_ID.match(nid):
            out.error(f"Node id '{nid}' {NODE_ID_RULE}", nid)
        spec = LAYERS.get(node.type)
        if spec is None and by_keras(node.type) and node.shares is None:
            problems = (check_custom if is_custom(node.type) else check_generic)(node.params)
            for problem in problems:
                who = label(class_of(node.params), nid)
                out.error(f"{who}: {problem.message}", nid, key=f"params.{problem.param}")
            values[nid] = None if problems else node.params
            continue
        if spec is None and not by_keras(node.type):
            out.error(f"'{nid}' has an unknown layer type '{node.type}'", nid)
            values[nid] = None
            continue
        if node.shares is not None:
            values[nid] = None  # calls another node's layer: see _check_shares
            continue
        problems, vals = spec.check_params(node.params)
        for problem in problems:
            out.error(f"{label(node.type, nid)}: {problem.message}", nid, key=f"params.{problem.param}")
        values[nid] = None if problems else vals
    if not design.input_ids():
        out.error("The design has no Input layer: add one where the data enters")
    return values


def frozen(values: dict[str, Any] | None) -> bool:
    """A layer set not to train (``trainable`` false), itself or the layer it wraps."""
    if not values:
        return False
    inner = values.get("layer")
    return values.get("trainable") is False or (
        isinstance(inner, dict) and inner["params"].get("trainable") is False
    )


def _check_shares(design: Design, values: dict[str, dict[str, Any] | None], out: _Collector) -> None:
    """A shared node calls another node's layer: same type, a real layer, not itself.

    It takes that layer's parameters (``values``); None where the sharing is wrong.
    """
    for nid, node in design.nodes.items():
        target = node.shares
        if target is None or (node.type not in LAYERS and not by_keras(node.type)):
            continue
        who = label(node.type, nid)
        other = design.nodes.get(target)
        if target == nid:
            out.error(f"{who} shares weights with itself: pick another {node.type}", nid, key="shares")
        elif other is None:
            out.error(f"{who} shares weights with '{target}', which does not exist", nid, key="shares")
        elif node.type == "Input":
            out.error(f"{who} cannot share weights: an Input has none", nid, key="shares")
        elif other.type != node.type:
            out.error(
                f"{who} shares weights with {label(other.type, target)}: "
                f"a shared layer must be of the same type ({node.type})",
                nid,
                key="shares",
            )
        elif by_keras(node.type) and class_of(other.params) != class_of(node.params):
            out.error(
                f"{who} shares weights with {label(class_of(other.params), target)}: "
                f"a shared layer must be of the same class ({class_of(node.params)})",
                nid,
                key="shares",
            )
        elif other.shares is not None:
            out.error(
                f"{who} shares weights with '{target}', which itself shares those of '{other.shares}': "
                f"share with '{other.shares}' directly",
                nid,
                key="shares",
            )
        else:
            values[nid] = values[target]


def _edge_index(design: Design, edge: Edge) -> int:
    return next(i for i, e in enumerate(design.edges) if e is edge)


def _check_edges(design: Design, values: dict[str, dict[str, Any] | None], out: _Collector) -> None:
    seen_ports: set[tuple[str, int]] = set()
    for i, e in enumerate(design.edges):
        for end in (e.src, e.dst):
            if end not in design.nodes:
                out.error(f"Edge {e.src} -> {e.dst} refers to a node '{end}' that does not exist", edge=i)
        if e.src == e.dst:
            out.error(f"'{e.src}' is connected to itself", e.src, edge=i)
        if isinstance(e.port, int):
            if (e.dst, e.port) in seen_ports:
                out.error(f"Two edges go into input {e.port} of '{e.dst}'", e.dst, edge=i)
            seen_ports.add((e.dst, e.port))
        if e.out is not None and e.src in design.nodes:
            problem = output_problem(design, values, e.src, e.out)
            if problem:
                out.error(f"Edge {e.src} -> {e.dst}: {problem}", e.src, edge=i)


def output_problem(design: Design, values: dict[str, dict[str, Any] | None], nid: str, name: str) -> str:
    """Why node ``nid`` has no output ``name`` with its settings, or ''."""
    node = design.nodes[nid]
    spec = LAYERS.get(node.type)
    if spec is None:
        return ""
    who = label(node.type, nid)
    known = [o.name for o in spec.outputs]
    if name not in known:
        return f"{who} has no output '{name}' (its outputs: {', '.join(known)})"
    when, wraps = spec.output_when(name), spec.output_wraps(name)
    vals = values.get(nid)
    if vals is not None and name not in spec.outputs_for(vals):
        needs = [f"'{when}' is on"] if when is not None else []
        needs += [f"it wraps {' or '.join(wraps)}"] if wraps else []
        return f"{who} gives '{name}' only when {' and '.join(needs)}"
    return ""


def port_slots(spec: LayerSpec, edges: list[Edge]) -> dict[str, Edge]:
    """A named-input layer's edges by port name (None means the first port); valid designs only."""
    first = spec.ports[0].name
    return {(first if e.port is None else str(e.port)): e for e in edges}


def _check_ports(
    design: Design, nid: str, spec: LayerSpec, edges: list[Edge], out: _Collector
) -> list[Edge | None] | None:
    """The edges into a named-input layer in port order (None: empty), or None if miswired."""
    who = label(design.nodes[nid].type, nid)
    names = spec.port_names()
    slots: dict[str, Edge] = {}
    ok = True
    for e in edges:
        port = names[0] if e.port is None else e.port
        if not isinstance(port, str) or port not in names:
            what = f"input {port}" if isinstance(port, int) else f"input '{port}'"
            where = _edge_index(design, e)
            out.error(f"{who} has no {what}: its inputs are {', '.join(names)}", nid, edge=where)
            ok = False
        elif port in slots:
            out.error(
                f"Two edges go into input '{port}' of {who}; an input takes one",
                nid,
                edge=_edge_index(design, e),
            )
            ok = False
        else:
            slots[port] = e
    for p in spec.ports:
        if p.required and p.name not in slots:
            out.error(f"{who} needs an input on '{p.name}': {p.help}", nid)
            ok = False
    groups: dict[str, list[str]] = {}
    for p in spec.ports:
        if p.slot is not None and p.arg is not None:
            groups.setdefault(p.arg, []).append(p.name)
    for group in groups.values():
        filled = [g for g in group if g in slots]
        if 0 < len(filled) < len(group):
            out.error(f"{who} takes {' and '.join(group)} together: connect all of them or none", nid)
            ok = False
    if not ok:
        return None
    ordered: list[Edge | None] = [slots.get(p.name) for p in spec.ports]
    while ordered and ordered[-1] is None:
        ordered.pop()
    return ordered


# ---------------------------------------------------------------- shapes


def _infer(
    design: Design, values: dict[str, dict[str, Any] | None], out: _Collector
) -> dict[tuple[str, str], Shape]:
    """Every call's output shapes, keyed by (node, output name)."""
    order, cyclic = design.topological_order()
    if cyclic:
        cycle = design.cycle()
        path = " -> ".join(f"'{n}'" for n in cycle)
        for n in dict.fromkeys(cycle[:-1]):
            out.error(
                f"{label(design.nodes[n].type, n)} is part of a cycle ({path}); "
                "a model's data must flow one way",
                n,
            )
    inc = design.incoming()
    shapes: dict[tuple[str, str], Shape] = {}
    holds: dict[tuple[str, str], str] = {}  # what each output holds (the dtype flow)
    built: dict[str, tuple[str, int, Shape]] = {}  # layer owner -> (first call, weights, its input)
    for nid in order:
        node = design.nodes[nid]
        spec = LAYERS.get(node.type)
        if spec is None:
            _infer_generic(design, nid, inc[nid], values, shapes, built, out)
            continue
        edges = [e for e in inc[nid] if e.src in design.nodes]
        who = label(node.type, nid)
        wired = _wire(design, nid, spec, edges, out)
        if wired is None:
            continue
        vals = values[nid]
        if vals is None:
            continue
        in_shapes: list[Shape | None] = [
            None if e is None else shapes.get((e.src, e.out or _main(design, e.src))) for e in wired
        ]
        if any(s is None for e, s in zip(wired, in_shapes, strict=True) if e is not None):
            # an upstream node (or this edge's output) already has an error, or its shape waits
            # for Keras: do not pile on
            out.nodes[nid].pending = any(e is not None and out.nodes[e.src].pending for e in wired)
            continue
        kinds = _dtypes_in(design, nid, spec, vals, wired, holds, out)
        if kinds is None:
            continue
        try:
            result = spec.rule(Ctx(who), in_shapes, vals)  # type: ignore[arg-type]
        except ShapeError as exc:
            out.error(str(exc), nid)
            continue
        owner = design.layer_owner(nid)
        first = built.get(owner)
        if first is not None and spec.same_rank_when_shared and len(in_shapes[0] or ()) != len(first[2]):
            out.error(
                f"{who} calls the layer of '{owner}' again, but its input {fmt_shape(in_shapes[0] or ())} "
                f"has another number of axes than the first call's input {fmt_shape(first[2])}: "
                f"a built {node.type} takes inputs of one rank only",
                nid,
            )
            continue
        if first is not None and first[1] != result.params:
            out.error(
                f"{who} calls the layer of '{owner}' again, but its input {fmt_shape(in_shapes[0] or ())} "
                f"would need weights of another size than the first call's input {fmt_shape(first[2])}: "
                "a shared layer's inputs must have the same feature sizes",
                nid,
            )
            continue
        produced = spec.outputs_for(vals)
        kind = dtype_flow.output_holds(spec, vals, kinds)
        for name, shape in zip(produced, (result.shape, *result.more), strict=False):
            shapes[(nid, name)] = shape
            holds[(nid, name)] = kind
        info = out.nodes[nid]
        info.holds = {name: kind for name in produced if (nid, name) in shapes}
        info.output_shape = result.shape
        info.outputs = {name: shapes[(nid, name)] for name in produced if (nid, name) in shapes}
        if first is None:  # the first call builds the weights (and shows them); later calls reuse them
            built[owner] = (nid, result.params, in_shapes[0] if in_shapes and in_shapes[0] else ())
            info.params, info.trainable = result.params, result.trainable_params
            if frozen(vals):
                info.trainable = 0
    _check_reachable(design, order, out)
    return shapes


def _infer_generic(
    design: Design,
    nid: str,
    edges: list[Edge],
    values: dict[str, dict[str, Any] | None],
    shapes: dict[tuple[str, str], Shape],
    built: dict[str, tuple[str, int, Shape]],
    out: _Collector,
) -> None:
    """A generic layer's output: what Keras computed for it, or a request to compute it.

    Its inputs go in by position (one tensor, or several as ``layer(a, b)``); the
    first call of a layer shows its weights.  Other unknown types were reported already.
    """
    if not by_keras(design.nodes[nid].type):
        return
    edges = [e for e in edges if e.src in design.nodes]
    vals = values[nid]
    info = out.nodes[nid]
    who = label(class_of(vals or design.nodes[nid].params), nid)
    if not edges:
        out.error(f"{who} receives no input: connect a layer into it", nid)
        return
    if vals is None:
        return
    if named := [e for e in edges if isinstance(e.port, str)]:
        out.error(f"{who} has no input '{named[0].port}': it takes its inputs by position", nid)
        return
    ins = [shapes.get((e.src, e.out or _main(design, e.src))) for e in edges]
    if any(s is None for s in ins):
        info.pending = any(out.nodes[e.src].pending for e in edges)
        return
    code = is_custom(design.nodes[nid].type)
    request = (
        CodeRequest.of_code(vals, ins)
        if code
        else Request.of(vals["class_name"], vals.get("config", {}), ins)
    )
    answer = recall(request)
    if answer is None:
        info.pending, info.awaits_code = True, code
        (out.code_requests if code else out.requests).append(request)  # type: ignore[arg-type]
        return
    if answer.error or answer.shape is None:
        out.error(f"{who}: Keras cannot build it this way: {answer.error}", nid)
        return
    shapes[(nid, "output")] = answer.shape
    info.output_shape = answer.shape
    info.outputs = {"output": answer.shape}
    owner = design.layer_owner(nid)
    if owner not in built:
        built[owner] = (nid, answer.params, ins[0])  # type: ignore[assignment]
        info.params, info.trainable = answer.params, answer.trainable


def pending_text(info: NodeInfo | None) -> str:
    """What to show instead of a shape that Keras has not computed yet ('' otherwise)."""
    if info is None or not info.pending or info.output_shape is not None:
        return ""
    return CODE_PENDING_TEXT if info.awaits_code else PENDING_TEXT


def _dtypes_in(
    design: Design,
    nid: str,
    spec: LayerSpec,
    vals: dict[str, Any],
    wired: list[Edge | None],
    holds: dict[tuple[str, str], str],
    out: _Collector,
) -> list[str] | None:
    """What each input holds (float, int, string), or None where the layer cannot take one."""
    sources = [(e.src, holds.get((e.src, e.out or _main(design, e.src)), "float")) for e in wired if e]
    found = dtype_flow.problems(spec, label(design.nodes[nid].type, nid), vals, sources)
    for severity, message in found:
        out.add(severity, message, nid)
    return None if any(severity == ERROR for severity, _ in found) else [k for _, k in sources]


def _wire(
    design: Design, nid: str, spec: LayerSpec, edges: list[Edge], out: _Collector
) -> list[Edge | None] | None:
    """The edges into a node in input order (None: an empty optional port), or None if miswired."""
    who = label(spec.type, nid)
    n = len(edges)
    if spec.is_input:
        if n:
            out.error(f"{who} is where data enters, so nothing may connect into it", nid)
            return None
    elif n == 0:
        out.error(f"{who} receives no input: connect a layer into it", nid)
        return None
    elif spec.ports:
        return _check_ports(design, nid, spec, edges, out)
    elif n < spec.min_inputs or (spec.max_inputs is not None and n > spec.max_inputs):
        out.error(f"{who} takes {spec.inputs_text()} but receives {n}", nid)
        return None
    elif named := [e for e in edges if isinstance(e.port, str)]:
        out.error(
            f"{who} has no input '{named[0].port}': it takes its inputs by position",
            nid,
            edge=_edge_index(design, named[0]),
        )
        return None
    if spec.is_merge and n == 1:
        out.warn(f"{who} has only one input, so it passes it through unchanged", nid)
    return list(edges)


def _main(design: Design, nid: str) -> str:
    spec = LAYERS.get(design.nodes[nid].type)
    return spec.outputs[0].name if spec is not None else "output"


def _check_reachable(design: Design, order: list[str], out: _Collector) -> None:
    reached = set(design.input_ids())
    outgoing = design.outgoing()
    for nid in order:
        if nid in reached:
            for e in outgoing[nid]:
                reached.add(e.dst)
    for nid in order:
        known = design.nodes[nid].type in LAYERS or by_keras(design.nodes[nid].type)
        if nid not in reached and not out.nodes[nid].problems and known:
            out.error(f"{label(design.nodes[nid].type, nid)} is not reached from any Input", nid)


# ---------------------------------------------------------------- compile, training, data


def _check_settings(design: Design, out: _Collector) -> None:
    comp = design.compile_settings
    spec = OPTIMIZERS.get(comp.optimizer)
    if spec is None:
        out.error(
            f"Unknown optimizer '{comp.optimizer}' (known: {', '.join(OPTIMIZERS)})",
            key="compile.optimizer.type",
        )
    else:
        problems, _ = check_params(spec.params, comp.optimizer_params)
        for problem in problems:
            out.error(f"Optimizer {spec.type}: {problem.message}", key=f"compile.optimizer.{problem.param}")
    check_compile(design, comp, out)
    train = design.training_settings
    for key, low in (("epochs", 1), ("batch_size", 1)):
        v = getattr(train, key)
        if not isinstance(v, int) or isinstance(v, bool) or v < low:
            out.error(
                f"training.{key} must be a whole number of at least {low}, not {v!r}", key=f"training.{key}"
            )
    split = train.validation_split
    if not isinstance(split, (int, float)) or isinstance(split, bool) or not 0 <= split < 1:
        out.error(
            f"training.validation_split must be at least 0 and below 1, not {split!r}",
            key="training.validation_split",
        )
    check_training_options(design, train, comp, out)
    _check_data_settings(design.data or {}, out)


def _check_data_settings(data: dict[str, Any], out: _Collector) -> None:
    for key, message in data_problems(data):
        out.error(message, key=key)


# ---------------------------------------------------------------- likely mistakes


def output_activation(design: Design, nid: str, values: dict[str, dict[str, Any] | None]) -> str:
    """The activation that ends an output ('linear' when none), looking back through
    layers that only move values around (Reshape, Dropout, ...)."""
    inc = design.incoming()
    seen = set()
    while nid not in seen:
        seen.add(nid)
        node = design.nodes[nid]
        spec = LAYERS.get(node.type)
        if node.type == "Softmax":
            return "softmax"
        params = values.get(nid) or {}
        if params.get("activation"):
            return params["activation"]
        if spec is None or not spec.keeps_values or len(inc[nid]) != 1:
            return "linear"
        nid = inc[nid][0].src
    return "linear"


def _activation_fix(design: Design, nid: str, values: dict, activation: str) -> tuple[SetParam, ...]:
    """Set the output's own activation, when the one that ends it is its own (not a layer's before it)."""
    own = (values.get(nid) or {}).get("activation")
    if not own:
        return ()
    text = f"Set the activation of '{nid}' to {activation}"
    return set_param_fixes(design.nodes[nid].type, nid, "activation", activation, text)


def _check_model_outputs(design: Design, values: dict[str, dict[str, Any] | None], out: _Collector) -> bool:
    """The explicitly chosen outputs exist and are produced; False if any is wrong."""
    if design.outputs is None:
        return True
    ok = bool(design.outputs)
    if not ok:
        out.error("The model's output list is empty: choose at least one output", key="outputs")
    seen = set()
    for ref in design.outputs:
        if ref.node not in design.nodes:
            out.error(f"Model output '{ref.node}' is not a node of the design", key="outputs")
            ok = False
            continue
        problem = output_problem(design, values, ref.node, ref.out) if ref.out is not None else ""
        if problem:
            out.error(f"Model output: {problem}", ref.node, key="outputs")
            ok = False
        name = ref.out or _main(design, ref.node)
        if (ref.node, name) in seen:
            out.error(f"'{ref.node}' ({name}) is listed twice among the outputs", ref.node, key="outputs")
            ok = False
        seen.add((ref.node, name))
    return ok


def _check_outputs(
    design: Design, values: dict, shapes: dict[tuple[str, str], Shape], out: _Collector
) -> None:
    _check_model_outputs(design, values, out)
    comp = design.compile_settings
    loss = loss_spec(comp.loss_for(design.output_ids()[0]) if design.output_ids() else comp.loss)
    data = design.data_settings
    dataset = BUILTIN.get(data.name) if data.source == "builtin" and isinstance(data.name, str) else None
    classes: dict[str, int] = {}  # the classes each output node's labels have
    targets: dict[str, str] = {}  # the dataset's target that trains each output node
    if dataset is not None:
        _check_data_fit(design, shapes, dataset, out)
        targets = match_inputs(list(dataset.output_classes), design.output_ids()) or {}
        classes = {node: dataset.output_classes[key] for node, key in targets.items()}
        labels = label_form(loss.task if loss else None, dataset.task)
        target = dataset.target_shape
        if target and dataset.task == CLASSIFICATION:
            target = (*target, dataset.classes)  # a class label per step: a probability row per step
        _check_output_ranks(design, shapes, labels, out, target)
    for ref in design.model_outputs():
        nid = ref.node
        loss = loss_spec(comp.loss_for(nid))
        if loss is None or nid not in design.nodes or design.nodes[nid].type == "Input":
            continue
        main = _main(design, nid)
        if (ref.out or main) != main or (nid, main) not in shapes:
            continue  # a state or attention-score output: no activation to judge
        act = output_activation(design, nid, values)
        units = shapes[(nid, main)][-1]
        who = label(design.nodes[nid].type, nid)
        crossentropy = loss.name.endswith("crossentropy")
        if loss.task == BINARY and crossentropy and act == "softmax":
            out.warn(
                f"Output {who} uses softmax with binary_crossentropy: use sigmoid for yes/no outputs, "
                "or categorical_crossentropy for classes",
                nid,
            )
        if loss.task in (CATEGORICAL, SPARSE) and crossentropy and units == 1:
            out.warn(
                f"Output {who} has one unit but {loss.name} needs one unit per class "
                "(with one unit, softmax always outputs 1)",
                nid,
            )
        logits = comp.from_logits is True and loss.name in LOGITS_LOSSES
        if logits and act in ("softmax", "sigmoid"):
            out.warn(
                f"Output {who} ends with {act} but from_logits says it gives raw scores: "
                "remove the activation (a linear output) or turn from_logits off",
                nid,
                key="compile.from_logits",
            )
        if crossentropy and not logits and act not in ("softmax", "sigmoid"):
            squash = "sigmoid" if loss.task == BINARY else "softmax"
            out.warn(
                f"Output {who} has a '{act}' activation but {loss.name} expects probabilities: "
                f"end with {squash}",
                nid,
                fixes=_activation_fix(design, nid, values, squash),
            )
        if (
            loss.task == REGRESSION
            and act in ("softmax", "sigmoid")
            and (dataset is None or dataset.task == REGRESSION)
        ):
            out.warn(
                f"Output {who} squashes values with '{act}' but {loss.name} is a regression loss: "
                "use a linear output to predict numbers",
                nid,
                fixes=_activation_fix(design, nid, values, "linear"),
            )
        if dataset is None:
            continue
        name = f"{dataset.name} ({targets[nid]})" if dataset.outputs and nid in targets else dataset.name
        width = None if dataset.target_shape else 1
        wanted = classes.get(nid, dataset.classes)
        for p in label_problems(name, dataset.task, wanted, loss.name, loss.task, who, units, width):
            # Warnings here: the data setting may change; preparing the data refuses the blocking ones.
            fixes: tuple[SetParam | SetLoss, ...] = ()
            if p.units is not None:
                fixes = set_param_fixes(
                    design.nodes[nid].type, nid, "units", p.units, f"Set the units of '{nid}' to {p.units}"
                )
            elif p.loss is not None and not comp.per_output:
                fixes = (SetLoss(f"Set the loss to {p.loss}", p.loss),)
            out.warn(p.message, nid, key=p.key, fixes=fixes)


def _check_output_ranks(
    design: Design,
    shapes: dict[tuple[str, str], Shape],
    labels: str,
    out: _Collector,
    target_shape: tuple | None = None,
) -> None:
    inc = design.incoming()
    for nid in design.output_ids():
        main = (nid, _main(design, nid))
        if main not in shapes:
            continue
        sources = inc[nid]
        before = (
            shapes.get((sources[0].src, sources[0].out or _main(design, sources[0].src)))
            if len(sources) == 1
            else None
        )
        found = output_rank_problem(nid, design.nodes[nid].type, shapes[main], before, labels, target_shape)
        if found:
            out.error(found[0], nid, fixes=found[1])


def _check_data_fit(
    design: Design, shapes: dict[tuple[str, str], Shape], dataset: Any, out: _Collector
) -> None:
    outputs = design.output_ids()
    if match_inputs(list(dataset.output_classes), outputs) is None:
        out.warn(
            f"Dataset '{dataset.name}' has {inputs_text(list(dataset.output_classes), 'target')} per "
            f"sample but the design has {len(outputs)} outputs ({', '.join(outputs)})",
            key="data.name",
        )
    inputs = design.input_ids()
    feeds = match_inputs(list(dataset.input_shapes), inputs)
    if feeds is None:
        out.warn(
            f"Dataset '{dataset.name}' feeds {inputs_text(list(dataset.input_shapes))} but the design has "
            f"{len(inputs)} Input(s)" + (f": {', '.join(inputs)}" if inputs else ""),
            key="data.name",
        )
        return
    for nid, name in feeds.items():
        got = shapes.get((nid, "output"))
        shape = dataset.input_shapes[name]
        if got is not None and got != (None, *shape):
            what = f" for input '{name}'" if name else ""
            which = "the Input's" if len(inputs) == 1 else f"Input '{nid}''s"
            fix = f"Set {which} shape to {fmt_shape(shape)}"
            out.warn(
                f"Dataset '{dataset.name}' has samples of shape {fmt_shape(shape)}{what} but "
                f"Input '{nid}' expects {fmt_shape(got[1:])}",
                nid,
                key="data.name",
                fixes=set_param_fixes(design.nodes[nid].type, nid, "shape", list(shape), fix),
            )
