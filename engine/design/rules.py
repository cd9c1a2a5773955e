"""Editing rules: which connections, names and insertions a design accepts, and where new cards go.

These are domain rules, so they live here and not in the window: the GUI asks
(``connect_refusal`` before it pushes a connection, ``plan_insert`` before it
adds a layer between two others) and shows the answer.  Every function is a
pure query on a :class:`~engine.design.graph.Design`; none changes it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from engine.design.graph import NODE_ID, NODE_ID_RULE, Design, Edge, Node
from engine.design.report import label
from engine.schema.catalog import LAYERS

# A card's footprint on the canvas, in scene units, with the gap kept around it.  The
# canvas draws cards of this size; placement only needs to know how much room one takes.
CARD_WIDTH, CARD_HEIGHT = 200.0, 86.0
GAP_X, GAP_Y = 30.0, 44.0


def connect_refusal(
    design: Design, src: str, dst: str, port: int | str | None = None, out: str | None = None
) -> str:
    """Why an edge from ``src`` (its output ``out``) into ``dst`` (input ``port``) is refused
    ('' when it is fine).  On a layer with named inputs, no ``port`` means the first free one."""
    if src not in design.nodes or dst not in design.nodes:
        missing = src if src not in design.nodes else dst
        return f"There is no layer named '{missing}'."
    if src == dst:
        return "A layer cannot feed itself."
    spec = LAYERS.get(design.nodes[dst].type)
    who = label(design.nodes[dst].type, dst)
    if spec is not None and spec.is_input:
        return f"{who} is where data enters; nothing can connect into it."
    current = design.incoming()[dst]
    if spec is not None and spec.ports:
        reason = _port_refusal(spec, who, current, port)
        if reason:
            return reason
    elif any(e.src == src for e in current) and not (spec and spec.is_merge):
        return f"'{src}' already feeds {who}."
    elif spec is not None and spec.max_inputs is not None and len(current) >= spec.max_inputs:
        have = ", ".join(f"'{e.src}'" for e in current)
        return f"{who} takes {spec.inputs_text()} and already receives {have}."
    if design.would_create_cycle(src, dst):
        return f"Connecting '{src}' to '{dst}' would make a cycle; data must flow one way."
    return ""


def _port_refusal(spec: Any, who: str, current: list[Edge], port: int | str | None) -> str:
    taken = {spec.ports[0].name if e.port is None else e.port: e.src for e in current}
    if port is None:
        if all(p.name in taken for p in spec.ports):
            return f"Every input of {who} is connected ({', '.join(spec.port_names())})."
        return ""
    if port not in spec.port_names():
        return f"{who} has no input '{port}'."
    if port in taken:
        return f"Input '{port}' of {who} already receives '{taken[port]}'."
    return ""


def free_port(design: Design, dst: str) -> str | None:
    """The first input of a named-input layer that nothing feeds yet."""
    spec = LAYERS.get(design.nodes[dst].type)
    if spec is None or not spec.ports:
        return None
    taken = {spec.ports[0].name if e.port is None else e.port for e in design.incoming()[dst]}
    return next((p.name for p in spec.ports if p.name not in taken), None)


def new_edge(
    design: Design, src: str, dst: str, port: int | str | None = None, out: str | None = None
) -> Edge:
    """The edge a connection adds: a merge layer numbers its inputs in arrival order, a layer
    with named inputs takes the named (or first free) one; the main output and first input
    need no name."""
    spec = LAYERS.get(design.nodes[dst].type)
    if spec is not None and spec.ports:
        port = port if port is not None else free_port(design, dst)
        port = None if port == spec.ports[0].name else port
    elif spec is not None and spec.is_merge:
        port = len(design.incoming()[dst])
    else:
        port = None
    src_spec = LAYERS.get(design.nodes[src].type)
    if src_spec is not None and out == src_spec.outputs[0].name:
        out = None
    return Edge(src, dst, port, out)


def share_candidates(design: Design, node_id: str) -> list[str]:
    """The nodes whose layer ``node_id`` may call: same type, not itself, not sharing in turn."""
    node = design.nodes[node_id]
    return [
        n.id
        for n in design.nodes.values()
        if n.id != node_id and n.type == node.type and n.shares is None and node.type != "Input"
    ]


def rename_refusal(design: Design, old: str, new: str) -> str:
    """Why a layer may not be renamed from ``old`` to ``new`` ('' when it may)."""
    if new == old:
        return ""
    if not NODE_ID.match(new):
        return f"A name {NODE_ID_RULE}."
    if new in design.nodes:
        return f"There is already a layer named '{new}'."
    return ""


def new_node(
    design: Design, layer_type: str, pos: tuple[float, float], taken: set[str] = frozenset()
) -> Node:
    """A layer with its catalog defaults, the parameters people set first, and a fresh id."""
    spec = LAYERS[layer_type]
    params = copy.deepcopy(spec.defaults())
    shown = {k: v for k, v in params.items() if _listed_on_creation(spec, k)}
    return Node(design.unique_id(layer_type, set(taken)), layer_type, shown, pos)


def _listed_on_creation(spec, name: str) -> bool:
    """A new node lists its required parameters and the ones people usually set."""
    p = spec.param(name)
    return p.required or p.positional or name in ("activation", "padding", "return_sequences")


@dataclass
class Insertion:
    """What adding one layer does to the graph: the node, the edges it replaces and adds."""

    node: Node
    remove: list[Edge] = field(default_factory=list)
    add: list[Edge] = field(default_factory=list)
    moves: dict[str, tuple[float, float]] = field(default_factory=dict)


def plan_insert(
    design: Design,
    layer: str | Node,
    *,
    after: str | None = None,
    before: str | None = None,
    pos: tuple[float, float] | None = None,
) -> Insertion:
    """Add ``layer`` after ``after`` and/or before ``before``, rewiring the edge between.

    With only ``after``: the new layer takes over ``after``'s outgoing edges
    (inserted between it and its children), so double-clicking a palette entry
    with a layer selected extends the chain instead of starting a branch.
    With only ``before``: it takes over ``before``'s incoming edges (the fix
    "add Flatten before the output").  The node is placed on a free spot
    below ``after`` (or above ``before``), and the layers downstream are
    pushed down one row when they would be covered.
    ``layer`` is a catalog type (a new node with its defaults) or a node already
    made, with a free id: a custom layer with its code, inserted the same way.
    """
    node = copy.deepcopy(layer) if isinstance(layer, Node) else new_node(design, layer, (0.0, 0.0))
    spec = LAYERS.get(node.type)  # None: code written by the user, fed by one layer like most
    merge = spec is not None and spec.is_merge
    out, inc = design.outgoing(), design.incoming()
    remove: list[Edge] = []
    add: list[Edge] = []
    moves: dict[str, tuple[float, float]] = {}
    if after is not None and before is None and not (spec and spec.is_input):
        children = out[after]
        remove = list(children)
        add = [Edge(after, node.id, 0 if merge else None)]
        add += [Edge(node.id, e.dst, e.port) for e in children]
        x, y = design.nodes[after].pos
        want = pos or (x, y + CARD_HEIGHT + GAP_Y)
        if children:
            moves = _push_down(design, {e.dst for e in children}, want[1] + CARD_HEIGHT + GAP_Y)
        node.pos = free_position(design, want, ignore=set(moves))
    elif before is not None and not (spec and spec.is_input):
        parents = inc[before]
        if len(parents) > 1:
            raise ValueError(
                f"'{before}' has {len(parents)} inputs; insert on one of its connections instead"
            )
        remove = list(parents)
        add = [Edge(e.src, node.id, e.port if merge else None) for e in parents]
        add.append(Edge(node.id, before, remove[0].port if len(remove) == 1 else None))
        x, y = design.nodes[before].pos
        node.pos = pos or (x, y)
        moves = _push_down(design, {before}, node.pos[1] + CARD_HEIGHT + GAP_Y)
        node.pos = free_position(design, node.pos, ignore=set(moves))
    else:  # nothing to wire (an Input, or no neighbour given): just a free spot near the request
        near = after if after is not None else before
        if pos is None and near is not None:
            x, y = design.nodes[near].pos
            pos = (x, y + CARD_HEIGHT + GAP_Y)
        node.pos = free_position(design, pos or (0.0, 0.0))
    return Insertion(node, remove, add, moves)


def _push_down(design: Design, starts: set[str], top: float) -> dict[str, tuple[float, float]]:
    """Move ``starts`` and everything downstream of them down so the first of them is at ``top``."""
    shift = top - min(design.nodes[n].pos[1] for n in starts)
    if shift <= 0:
        return {}
    return {
        n: (design.nodes[n].pos[0], design.nodes[n].pos[1] + shift)
        for n in design.reachable_from(list(starts))
    }


def _overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < CARD_WIDTH + GAP_X / 2 and abs(a[1] - b[1]) < CARD_HEIGHT + GAP_Y / 2


def free_position(
    design: Design, want: tuple[float, float], ignore: set[str] = frozenset()
) -> tuple[float, float]:
    """The spot nearest ``want`` (same row first, then the rows below) where a card covers no other."""
    taken = [n.pos for nid, n in design.nodes.items() if nid not in ignore]
    step_x, step_y = CARD_WIDTH + GAP_X, CARD_HEIGHT + GAP_Y
    for row in range(0, 50):
        for col in (0, 1, -1, 2, -2, 3, -3):
            spot = (want[0] + col * step_x, want[1] + row * step_y)
            if not any(_overlaps(spot, p) for p in taken):
                return spot
    return want
