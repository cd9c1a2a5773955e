"""Automatic layered layout: data flows top to bottom, branches side by side.

A Sugiyama layout from grandalf (a maintained implementation of the whole
scheme): layers by depth, dummy nodes on edges that skip layers, crossing
reduction by sweeps, then Brandes–Köpf coordinates, which keep a main chain
straight.  Edges that skip layers get a route through the dummy positions,
so the canvas can draw a skip connection around the cards it jumps over.
Each connected part is laid out on its own, side by side, left to right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grandalf.graphs import Edge as GEdge
from grandalf.graphs import Graph, Vertex
from grandalf.layouts import SugiyamaLayout

from engine.design.graph import Design

ROW = 130.0  # vertical distance between layers
COLUMN = 230.0  # horizontal distance between nodes in a layer
CARD_W, CARD_H = 200.0, 86.0  # the canvas's card size: the layout keeps them apart
SWEEPS = 2  # crossing-reduction rounds; more barely changes large models and costs time
GAP = COLUMN  # horizontal space between connected parts


@dataclass
class _View:
    """grandalf reads ``w``/``h`` and writes ``xy`` on a vertex's view."""

    w: float = CARD_W
    h: float = CARD_H
    xy: tuple[float, float] = (0.0, 0.0)


@dataclass
class _EdgeView:
    """grandalf hands each edge's route (a list of points) to ``setpath``."""

    points: list[tuple[float, float]] = field(default_factory=list)

    def setpath(self, pts: list[tuple[float, float]]) -> None:
        self.points = [(float(x), float(y)) for x, y in pts]


@dataclass
class Layout:
    """Card positions (top-left corners) and the bends of edges that skip layers."""

    positions: dict[str, tuple[float, float]]
    routes: dict[tuple[str, str], list[tuple[float, float]]]  # (src, dst) -> bend points, card centres


def layered_positions(design: Design) -> dict[str, tuple[float, float]]:
    """Where each card goes (its top-left corner)."""
    return layered_layout(design).positions


def layered_layout(design: Design) -> Layout:
    vertices = {nid: Vertex(nid) for nid in design.nodes}
    for v in vertices.values():
        v.view = _View()
    edges: list[GEdge] = []
    seen: set[tuple[str, str]] = set()
    for e in design.edges:
        key = (e.src, e.dst)
        if e.src in vertices and e.dst in vertices and e.src != e.dst and key not in seen:
            seen.add(key)
            edge = GEdge(vertices[e.src], vertices[e.dst])
            edge.view = _EdgeView()
            edges.append(edge)
    graph = Graph(list(vertices.values()), edges)
    positions: dict[str, tuple[float, float]] = {}
    routes: dict[tuple[str, str], list[tuple[float, float]]] = {}
    left = 0.0
    for part in sorted(graph.C, key=lambda c: min(_index(design, v.data) for v in c.sV)):
        placed = _lay_out_part(part, routes)
        xs = [x for x, _ in placed.values()]
        shift = left - min(xs)
        for nid, (x, y) in placed.items():
            positions[nid] = (x + shift, y)
        for key in [k for k in routes if k[0] in placed]:
            routes[key] = [(x + shift + CARD_W / 2, y + CARD_H / 2) for x, y in routes[key]]
        left += max(xs) - min(xs) + COLUMN + GAP - CARD_W
    return Layout(positions, routes)


def _index(design: Design, nid: str) -> int:
    return list(design.nodes).index(nid)


def _lay_out_part(part: Graph, routes: dict) -> dict[str, tuple[float, float]]:
    """Positions of one connected part; its first layer at y = 0, its nodes on a COLUMN grid."""
    if len(part.sV) == 1:
        (v,) = part.sV
        return {v.data: (0.0, 0.0)}
    layout = SugiyamaLayout(part)
    layout.xspace, layout.yspace = COLUMN - CARD_W, ROW - CARD_H
    layout.init_all()
    layout.draw(SWEEPS)
    top = min(v.view.xy[1] for v in part.sV)
    placed = {v.data: (v.view.xy[0] - CARD_W / 2, v.view.xy[1] - top - CARD_H / 2) for v in part.sV}
    # grandalf centres rows on float coordinates; snap to the rows the design uses.
    placed = {nid: (round(x, 1), round(y / ROW) * ROW) for nid, (x, y) in placed.items()}
    for e in part.sE:
        pts = e.view.points[1:-1]  # the bends, between the two cards
        if pts:
            routes[(e.v[0].data, e.v[1].data)] = [
                (x - CARD_W / 2, round((y - top - CARD_H / 2) / ROW) * ROW) for x, y in pts
            ]
    return placed
