"""Automatic layered layout: data flows top to bottom, branches side by side.

A light Sugiyama scheme: each node's layer is its longest path from a source;
edges that skip layers hold a place in the layers between; within a layer,
nodes are ordered by the mean position of their predecessors (a few sweeps),
then spread evenly and centred.  Linear in nodes and edges per sweep, so it
stays instant on designs of thousands of nodes.
"""

from __future__ import annotations

from engine.design.graph import Design

ROW = 130.0  # vertical distance between layers
COLUMN = 230.0  # horizontal distance between nodes in a layer
SWEEPS = 3


def _layers(design: Design) -> tuple[dict[int, list[str]], dict[str, list[str]]]:
    """Rows of node ids (with placeholders for long edges) and each one's predecessors."""
    order, cyclic = design.topological_order()
    order += cyclic  # nodes on a cycle still get a place
    inc = design.incoming()
    depth: dict[str, int] = {}
    for nid in order:
        depth[nid] = max((depth[e.src] + 1 for e in inc[nid] if e.src in depth), default=0)
    rows: dict[int, list[str]] = {}
    for nid in order:
        rows.setdefault(depth[nid], []).append(nid)
    preds = {nid: [e.src for e in inc[nid] if e.src in depth] for nid in order}
    # An edge that skips layers reserves a slot in each layer it crosses, so the
    # branch it jumps over is laid out beside it instead of on top of it.
    for nid in order:
        for i, src in enumerate(list(preds[nid])):
            prev = src
            for level in range(depth[src] + 1, depth[nid]):
                placeholder = f"\0{src}->{nid}:{level}"
                rows[level].append(placeholder)
                preds[placeholder] = [prev]
                prev = placeholder
            preds[nid][i] = prev
    return rows, preds


def layered_positions(design: Design) -> dict[str, tuple[float, float]]:
    rows, preds = _layers(design)
    slot = {nid: float(i) for ids in rows.values() for i, nid in enumerate(ids)}

    def barycentre(nid: str) -> float:
        ps = [slot[p] for p in preds[nid]]
        return sum(ps) / len(ps) if ps else slot[nid]

    for _sweep in range(SWEEPS):
        for level in sorted(rows)[1:]:
            rows[level].sort(key=barycentre)
            slot.update((nid, float(i)) for i, nid in enumerate(rows[level]))
    positions = {}
    for level, ids in rows.items():
        offset = (len(ids) - 1) / 2
        for i, nid in enumerate(ids):
            if not nid.startswith("\0"):
                positions[nid] = ((i - offset) * COLUMN, level * ROW)
    return positions
