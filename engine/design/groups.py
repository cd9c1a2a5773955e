"""Collapsed groups: several layers shown as one card, a view over a design that stays flat.

A big imported model (DenseNet's dense blocks, a repeated residual block) reads
better with a block folded into one card.  A group is only a set of node ids:
the design, its file, its build and its export never see it.  This module says
which selections can be folded and what the folded card shows; the canvas
draws it (:mod:`gui.canvas.scene`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from engine.design.graph import Design, Edge
from engine.design.validation import Report
from engine.schema.generic import shown_type
from engine.schema.layer_rules import Shape


def group_problem(design: Design, members: set[str] | frozenset[str]) -> str:
    """Why these nodes cannot be folded into one card ('' when they can)."""
    if len(members) < 2:
        return "Select two or more layers to collapse them into one card"
    if missing := sorted(set(members) - set(design.nodes)):
        return f"There is no layer '{missing[0]}'"
    # Folding must not hide a path that leaves the group and comes back: the card would
    # feed itself.  Nodes reachable from the group's outside successors must be outside it.
    outside_next = [e.dst for e in design.edges if e.src in members and e.dst not in members]
    if back := sorted(design.reachable_from(outside_next) & set(members)):
        return (
            f"'{back[0]}' is reached again from outside the selection: "
            "collapse a block whose layers follow one another"
        )
    return ""


@dataclass(frozen=True)
class GroupCard:
    """What a folded group's card shows."""

    title: str  # "Block · 12 layers"
    summary: str  # "Conv2D ×4 · BatchNormalization ×4 · ..."
    shape: Shape | None  # the output shape of its only exit, when it has one and it is known
    exits: int  # how many of its layers feed layers outside it, or are model outputs
    params: int
    trainable: int
    errors: list[str]
    warnings: list[str]
    entry: str  # the member drawn where the card sits: the first in data order


def group_card(design: Design, report: Report, members: frozenset[str]) -> GroupCard:
    order = [n for n in design.topological_order()[0] if n in members]
    kinds = Counter(shown_type(design.nodes[n].type, design.nodes[n].params) for n in order)
    summary = " · ".join(f"{k} ×{c}" if c > 1 else k for k, c in kinds.most_common(3))
    if len(kinds) > 3:
        summary += " · …"
    leaving = {e.src for e in design.edges if e.src in members and e.dst not in members}
    leaving |= {o.node for o in design.model_outputs() if o.node in members}
    exits = [n for n in order if n in leaving]
    infos = [report.nodes[n] for n in order if n in report.nodes]
    return GroupCard(
        title=f"Block · {len(order)} layers",
        summary=summary,
        shape=report.nodes[exits[0]].output_shape if len(exits) == 1 and exits[0] in report.nodes else None,
        exits=len(exits),
        params=sum(i.params for i in infos),
        trainable=sum(i.trainable for i in infos),
        errors=[m for i in infos for m in i.errors],
        warnings=[m for i in infos for m in i.warnings],
        entry=order[0] if order else "",
    )


def visible_edges(design: Design, shown_as: dict[str, str]) -> list[tuple[Edge, str, str]]:
    """The edges to draw when some nodes are folded: (edge, drawn from, drawn to).

    ``shown_as`` maps a folded node to its group's card; an edge inside a group is
    not drawn, and several edges between the same two cards are drawn once.
    """
    drawn: list[tuple[Edge, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for e in design.edges:
        src, dst = shown_as.get(e.src, e.src), shown_as.get(e.dst, e.dst)
        if src == dst:
            continue
        folded = e.src in shown_as or e.dst in shown_as
        if folded and (src, dst) in seen:
            continue
        seen.add((src, dst))
        drawn.append((e, src, dst))
    return drawn
