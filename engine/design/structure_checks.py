"""Structure checks: each node's type and parameters, shared layers, edges and named ports.

What can be said before any shape is known: an unknown layer type, a bad
parameter, a connection into a port the layer does not have, a shared layer
whose owner is of another type.  Problems go to the :class:`Collector`.
"""

from __future__ import annotations

from typing import Any

from engine.design.graph import NODE_ID, NODE_ID_RULE, Design, Edge
from engine.design.report import Collector, label
from engine.schema.catalog import LAYERS, LayerSpec
from engine.schema.custom import by_keras, check_custom, is_custom
from engine.schema.generic import check_generic, class_of


def check_nodes(design: Design, out: Collector) -> dict[str, dict[str, Any] | None]:
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
            values[nid] = None  # calls another node's layer: see check_shares
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


def check_shares(design: Design, values: dict[str, dict[str, Any] | None], out: Collector) -> None:
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


def edge_index(design: Design, edge: Edge) -> int:
    return next(i for i, e in enumerate(design.edges) if e is edge)


def check_edges(design: Design, values: dict[str, dict[str, Any] | None], out: Collector) -> None:
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


def check_ports(
    design: Design, nid: str, spec: LayerSpec, edges: list[Edge], out: Collector
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
            where = edge_index(design, e)
            out.error(f"{who} has no {what}: its inputs are {', '.join(names)}", nid, edge=where)
            ok = False
        elif port in slots:
            out.error(
                f"Two edges go into input '{port}' of {who}; an input takes one",
                nid,
                edge=edge_index(design, e),
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
