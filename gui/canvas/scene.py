"""The canvas scene: mirrors the document's design, turns gestures into requests.

``sync`` makes the items match the design and its validation report.  It is
incremental (only cards whose text or status changed are repainted; edge
items are rebuilt only when the edge list changed), so editing stays instant
on designs of hundreds of nodes.  Gestures -- dropping a palette item,
dragging from an output port to a node, moving cards, deleting -- become calls
on the document, which pushes undoable commands; a refused connection is
reported through ``message``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QLineF, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsScene, QGraphicsSceneMouseEvent

from engine.design.cost import human_count, node_cost
from engine.design.graph import Edge
from engine.design.groups import group_card, group_problem, visible_edges
from engine.design.report import Report, pending_text
from engine.schema.catalog import LAYERS
from engine.schema.custom import CUSTOM_HELP, custom_summary, is_custom
from engine.schema.generic import GENERIC_HELP, generic_summary, is_generic, shown_type
from engine.schema.layer_rules import fmt_shape
from gui.canvas.groups import GroupItem, group_view
from gui.canvas.items import (
    DETAIL_SCALE,
    ERROR,
    OK,
    SMALL_DESIGN,
    SMALL_DETAIL_SCALE,
    WARNING,
    EdgeItem,
    NodeItem,
    NodeView,
)
from gui.document import Document
from gui.style import canvas_colors

LAYER_MIME = "application/x-netwright-layer"
# A design up to AT_ONCE layers is shown in one step; a larger one in steps of STEP_S, each a
# turn of the event loop (see DesignScene.sync and benchmarks/import_scale.py).
AT_ONCE = 150
STEP_S = 0.015
_DONE = object()  # the end of a build's steps


def summarize_params(node_type: str, params: dict) -> str:
    """The few parameters worth reading on a card: '10 · relu', '32 · 3x3 · same'."""
    spec = LAYERS.get(node_type)
    if is_generic(node_type):
        return generic_summary(params)
    if is_custom(node_type):
        return custom_summary(params)
    if spec is None:
        return "unknown layer type"
    parts = []
    for p in spec.params:
        if p.name not in params:
            continue
        value = params[p.name]
        if p.name == "layer" and isinstance(value, dict):
            inner = value.get("params", {})
            parts.append(f"{value.get('type')} {inner.get('units', '')}".strip())
        elif p.positional or p.name in ("activation", "padding", "return_sequences"):
            if value is None or value is False:
                continue
            if isinstance(value, list):
                value = "x".join(str(v) for v in value)
            parts.append(p.name if value is True else str(value))
    return " · ".join(parts)


def shared_layers(doc: Document) -> set[str]:
    """The nodes whose layer other nodes call (their cards carry a 'shared' tag)."""
    return {n.shares for n in doc.design.nodes.values() if n.shares}


def node_view(
    doc: Document,
    node_id: str,
    report: Report,
    incoming: dict | None = None,
    shared: set[str] | None = None,
) -> NodeView:
    """What ``node_id``'s card shows.  Pass ``incoming`` (``design.incoming()``) and ``shared``
    (:func:`shared_layers`) when viewing many nodes: each is O(design) to compute."""
    node = doc.design.nodes[node_id]
    info = report.nodes.get(node_id)
    spec = LAYERS.get(node.type)
    errors, warnings = (info.errors, info.warnings) if info else ([], [])
    status = ERROR if errors else WARNING if warnings else OK
    shown = shown_type(node.type, node.params)
    tip = [f"<b>{shown}</b> '{node_id}'"]
    if spec is not None:
        tip.append(spec.help)
    elif is_generic(node.type):
        tip.append(GENERIC_HELP)
    elif is_custom(node.type):
        tip.append(CUSTOM_HELP)
    tip += [f"<span style='color:#D32F2F'>✖ {m}</span>" for m in errors]
    tip += [f"<span style='color:#B07800'>⚠ {m}</span>" for m in warnings]
    known = info is not None and info.output_shape is not None
    shape = fmt_shape(info.output_shape) if known else pending_text(info) or "shape unknown"
    count = f"{info.params:,} params" if info and info.output_shape else ""
    if info and info.output_shape and info.trainable != info.params:
        count += f" ({info.trainable:,} trainable)"
    cost = node_cost(doc.design, report, node_id, incoming) if info and info.output_shape else None
    if cost is not None and cost.flops:
        count += f" · {human_count(cost.flops, 'FLOPs')}"
    weights = doc.design.weights
    if weights and node_id in weights["layers"]:
        count += " · pretrained"
        tip.append(f"Training starts from its pretrained weights in {Path(weights['file']).name}.")
    in_ports = spec.port_names() if spec is not None else ()
    owner = doc.design.nodes[doc.design.layer_owner(node_id)]
    owner_spec = LAYERS.get(owner.type)
    produced = owner_spec.outputs_for(owner_spec.check_params(owner.params)[1]) if owner_spec else ()
    out_ports = produced if len(produced) > 1 else ()
    shared_with = node.shares or (
        node_id if node_id in (shared_layers(doc) if shared is None else shared) else ""
    )
    if shared_with:
        tip.append(f"Shares its weights with every layer tagged like it (the layer of '{shared_with}').")
    return NodeView(
        node_id=node_id,
        type=shown,
        category=spec.category if spec else "",
        summary=summarize_params(node.type, node.params),
        shape=shape,
        params=count,
        status=status,
        tooltip="<br>".join(tip),
        has_input=spec is None or not spec.is_input,
        has_output=True,
        in_ports=in_ports,
        out_ports=out_ports,
        shared_with=shared_with,
    )


def _ahead(here: QPointF, item: NodeItem, direction: str) -> bool:
    """Whether ``item``'s centre lies in ``direction`` from ``here`` (by more than a few pixels)."""
    there = item.sceneBoundingRect().center()
    dx, dy = there.x() - here.x(), there.y() - here.y()
    return {"up": dy < -4, "down": dy > 4, "left": dx < -4, "right": dx > 4}[direction]


def _distance(here: QPointF, item: NodeItem, direction: str) -> float:
    """How far ``item`` is in ``direction``: straight ahead counts less than off to the side."""
    there = item.sceneBoundingRect().center()
    along, across = abs(there.y() - here.y()), abs(there.x() - here.x())
    if direction in ("left", "right"):
        along, across = across, along
    return along + 3 * across


class DesignScene(QGraphicsScene):
    message = Signal(str)  # a refusal or hint for the status bar
    progress = Signal()  # a step of a sync: cards built or refreshed (``building`` says whether more follow)

    def __init__(self, doc: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.nodes: dict[str, NodeItem] = {}
        self._edges: dict[tuple, EdgeItem] = {}  # by key (see _edge_keys)
        self._wire: QGraphicsLineItem | None = None
        self._wire_src: str | None = None
        self._wire_out: str | None = None
        self._wire_target: NodeItem | None = None
        self._press_positions: dict[str, QPointF] = {}
        self._key_anchor: str | None = None  # the card the arrow keys last moved to
        # Collapsed groups: card id -> its layers (a view over the design, never saved).
        self.groups: dict[str, frozenset[str]] = {}
        self.group_items: dict[str, GroupItem] = {}
        self._group_number = 0
        self._grouped_design = doc.design
        self.detail_scale = SMALL_DETAIL_SCALE  # cards drop their text below this zoom (items.py)
        self._steps: Iterator[None] | None = None  # what is left of a sync's build (see sync)
        self._known: set[str] = set()  # the layers of the design at the last sync, with a card or not
        self._select_when_built: set[str] = set()  # asked to be selected before their card was built
        self._build_timer = QTimer(self, singleShot=True, interval=0)
        self._build_timer.timeout.connect(self._next_step)
        self.setBackgroundBrush(canvas_colors()["background"])
        doc.changed.connect(self.sync)
        doc.node_renamed.connect(self._renamed)
        self.sync(doc.report)

    def _renamed(self, old: str, new: str) -> None:
        if old in self.nodes:  # else its card is not built yet: the sync that follows builds it
            self.nodes[new] = self.nodes.pop(old)
        self._known = (self._known - {old}) | {new}
        if old in self._select_when_built:
            self._select_when_built = (self._select_when_built - {old}) | {new}
        self.groups = {gid: frozenset(new if m == old else m for m in ms) for gid, ms in self.groups.items()}

    # ------------------------------------------------------------ model -> items

    def sync(self, report: Report) -> None:
        """Make the cards and edges match the design.

        A design of up to AT_ONCE layers is done before this returns.  A larger one is done in
        steps of STEP_S on later turns of the event loop, so the window keeps painting and
        taking input (opening NASNetMobile built its 771 cards in one 180 ms step): only a few
        new cards (a layer dropped or pasted, to be selected) are built at once.  The order:
        new cards, then the edges and collapsed groups, then the refresh of the other cards,
        those on screen first (an edit shows at once where the user looks).

        Between steps the canvas is consistent: every card and edge on it belongs to the current
        design (those of removed layers go at once), and a newer change starts again from its
        own design, so an outdated build never finishes."""
        design = self.doc.design
        self.detail_scale = SMALL_DETAIL_SCALE if len(design.nodes) <= SMALL_DESIGN else DETAIL_SCALE
        self._build_timer.stop()
        self._drop_removed()
        # New cards first, those of layers this change added (to select) before those still to build.
        added = [n for n in design.nodes if n not in self._known]
        new = added + [n for n in design.nodes if n in self._known and n not in self.nodes]
        self._known = set(design.nodes)
        self._steps = self._build(report, new)
        if len(design.nodes) <= AT_ONCE:
            self._advance()
        else:
            self._advance(steps=len(added) if len(added) <= AT_ONCE else 0)

    @property
    def building(self) -> bool:
        """Whether the cards and edges are still being brought up to date (on later turns)."""
        return self._steps is not None

    def unbuilt(self) -> int:
        """How many of the design's layers have no card yet."""
        return len(self.doc.design.nodes) - len(self.nodes)

    def _advance(self, steps: int | None = None, seconds: float | None = None) -> None:
        """Take ``steps`` steps of the build (None: all), or as many as fit in ``seconds``;
        what is left is taken on the next turn of the event loop."""
        deadline = None if seconds is None else time.perf_counter() + seconds
        done = 0
        while self._steps is not None and (steps is None or done < steps):
            try:
                if next(self._steps, _DONE) is _DONE:
                    self._steps = None
            except Exception:
                # A build that failed is over, not "building" for ever; the next change starts another.
                self._steps = None
                raise
            done += 1
            if deadline is not None and done % 8 == 0 and time.perf_counter() > deadline:
                break
        if self._steps is not None:
            self._build_timer.start()
        else:
            self._select_when_built.clear()
        self.progress.emit()

    def _next_step(self) -> None:
        self._advance(seconds=STEP_S)

    def _build(self, report: Report, new: list[str]) -> Iterator[None]:
        """The build, one card or edge per step."""
        design = self.doc.design
        incoming, shared = design.incoming(), shared_layers(self.doc)

        def view(nid: str) -> NodeView:
            return node_view(self.doc, nid, report, incoming, shared)

        for nid in new:
            item = self.nodes[nid] = NodeItem(view(nid))
            item.setPos(*design.nodes[nid].pos)
            self.addItem(item)
            if nid in self._select_when_built:
                item.setSelected(True)
            yield
        self._sync_groups(report)
        yield from self._sync_edges()
        built = set(new)
        shown = [v.mapToScene(v.viewport().rect()).boundingRect() for v in self.views()]

        def off_screen(nid: str) -> bool:  # the cards on screen are refreshed first
            card = self.nodes[nid].sceneBoundingRect()
            return not any(area.intersects(card) for area in shown)

        for nid in sorted((n for n in design.nodes if n not in built), key=off_screen):
            item, pos = self.nodes[nid], design.nodes[nid].pos
            item.set_view(view(nid))
            if (item.pos().x(), item.pos().y()) != pos:
                item.setPos(*pos)
            yield
        if self.groups:
            self._sync_groups(report)  # a group's card sits on its entry layer's card, which may have moved

    def _drop_removed(self) -> None:
        """Remove the cards of layers no longer in the design, with the edges that touch them,
        and the groups of a design no longer shown."""
        design = self.doc.design
        gone = [self.nodes.pop(nid) for nid in [n for n in self.nodes if n not in design.nodes]]
        if design is not self._grouped_design:  # another design is shown: its groups are gone
            self.groups, self._grouped_design = {}, design
            gone += [self.group_items.pop(gid) for gid in list(self.group_items)]
        self._remove_edges({id(edge) for item in gone for edge in item.edges})
        for item in gone:
            self.removeItem(item)

    # ------------------------------------------------------------ collapsed groups (a view only)

    def collapse(self, node_ids: list[str]) -> str:
        """Fold these layers into one card; the design is untouched.  Returns why not, or ''."""
        members = frozenset(n for n in node_ids if n in self.doc.design.nodes and n not in self._folded())
        reason = (
            group_problem(self.doc.design, members)
            if len(members) == len(set(node_ids))
            else ("A layer of the selection is already in a collapsed group")
        )
        if reason:
            self.message.emit(reason)
            return reason
        self._group_number += 1
        self.groups[f"group:{self._group_number}"] = members
        self.sync(self.doc.report)
        self.message.emit(f"Collapsed {len(members)} layers into one card (double-click it to expand)")
        return ""

    def expand(self, group_id: str) -> None:
        if self.groups.pop(group_id, None) is not None:
            self.sync(self.doc.report)

    def expand_containing(self, node_id: str) -> None:
        for gid, members in list(self.groups.items()):
            if node_id in members:
                self.expand(gid)

    def _folded(self) -> dict[str, str]:
        """Each folded node -> the id of its group's card."""
        return {n: gid for gid, members in self.groups.items() for n in members}

    def _sync_groups(self, report: Report) -> None:
        design = self.doc.design
        self.groups = {
            gid: kept
            for gid, members in self.groups.items()
            if len(kept := frozenset(m for m in members if m in design.nodes)) >= 2
        }
        for gid in [g for g in self.group_items if g not in self.groups]:
            self.removeItem(self.group_items.pop(gid))
        folded = self._folded()
        for nid, item in self.nodes.items():
            item.setVisible(nid not in folded)
        for gid, members in self.groups.items():
            card = group_card(design, report, members)
            view = group_view(gid, card)
            item = self.group_items.get(gid)
            if item is None:
                item = self.group_items[gid] = GroupItem(view, members)
                self.addItem(item)
            else:
                item.members = members
                item.set_view(view)
            item.setPos(self.nodes[card.entry].pos())

    def _item(self, nid: str) -> NodeItem:
        return self.group_items.get(nid) or self.nodes[nid]

    @property
    def edge_items(self) -> list[EdgeItem]:
        return list(self._edges.values())

    def _edge_keys(self) -> list[tuple]:
        """Each edge on show: (src, dst, port, out, its input's index and count on a merge layer,
        the cards it joins: the layers', or the collapsed groups' they are folded into)."""
        design = self.doc.design
        inc = design.incoming()
        keys = []
        for e, src, dst in visible_edges(design, self._folded()):
            spec = LAYERS.get(design.nodes[e.dst].type)
            merge = spec is not None and spec.is_merge and dst == e.dst
            index, count = (inc[e.dst].index(e), len(inc[e.dst])) if merge else (0, 1)
            keys.append((e.src, e.dst, e.port, e.out, index, count, src, dst))
        return keys

    def _sync_edges(self) -> Iterator[None]:
        """Remove the edges no longer wanted at once, then add the new ones, one per step."""
        keys = self._edge_keys()
        wanted = set(keys)
        self._remove_edges({id(item) for key, item in self._edges.items() if key not in wanted})
        for key in keys:
            if key not in self._edges:
                src, dst, port, out, index, count, src_card, dst_card = key
                item = self._edges[key] = EdgeItem(
                    self._item(src_card), self._item(dst_card), (src, dst, port, out), index, count
                )
                self.addItem(item)
                yield

    def _remove_edges(self, ids: set[int]) -> None:
        """Remove the edge items whose ``id`` is in ``ids``."""
        if not ids:
            return
        for key, item in [(k, i) for k, i in self._edges.items() if id(i) in ids]:
            item.detach()
            self.removeItem(item)
            del self._edges[key]

    # ------------------------------------------------------------ selection

    def selected_node_ids(self) -> list[str]:
        """The selected layers; a selected group card stands for its layers.  Those chosen while
        their card is still being built count too: the selection is the design's, and Copy or
        Delete mid-build acts on all of it, not only on the cards built so far."""
        ids: list[str] = []
        for i in self.selectedItems():
            if isinstance(i, GroupItem):
                ids += sorted(i.members)
            elif isinstance(i, NodeItem):
                ids.append(i.node_id)
        design = self.doc.design.nodes
        return ids + [n for n in design if n in self._select_when_built and n not in self.nodes]

    def selected_groups(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, GroupItem)]

    def selected_edges(self) -> list[Edge]:
        return [Edge(*i.key) for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, ids: list[str]) -> None:
        """Select these layers; one whose card is still being built is selected when it is."""
        super().clearSelection()
        self._select_when_built = {
            nid for nid in ids if nid not in self.nodes and nid in self.doc.design.nodes
        }
        for nid in ids:
            if nid in self.nodes:
                self.nodes[nid].setSelected(True)

    def select_all(self) -> None:
        """Every layer, those whose card is still to be built included, with the connections and
        collapsed groups on show; one selection change, not one per card."""
        self._select_when_built = {nid for nid in self.doc.design.nodes if nid not in self.nodes}
        had = len(self.selectedItems())
        everything = QPainterPath()
        everything.addRect(self.itemsBoundingRect().adjusted(-1, -1, 1, 1))
        self.setSelectionArea(everything)
        if len(self.selectedItems()) == had:  # Qt saw no change, but the layers to come are selected now
            self.selectionChanged.emit()

    def clearSelection(self) -> None:  # noqa: N802 - Qt's name
        """Nothing selected, not even the layers whose card is still to come."""
        self._select_when_built = set()
        super().clearSelection()

    def delete_selection(self) -> None:
        self.doc.remove(self.selected_node_ids(), self.selected_edges())

    # ------------------------------------------------------------ the keyboard's way around

    def _cards(self) -> dict[str, NodeItem]:
        """The cards on show: layers not folded away, and the collapsed groups' cards."""
        return {nid: item for nid, item in {**self.nodes, **self.group_items}.items() if item.isVisible()}

    def card(self, card_id: str) -> NodeItem:
        """The card shown for a layer or a collapsed group's id."""
        return self._cards()[card_id]

    def _shown_as(self, node_id: str) -> str:
        return self._folded().get(node_id, node_id)

    def neighbour(self, card_id: str, direction: str) -> str | None:
        """The card the arrow key ``direction`` (up, down, left, right) moves to from ``card_id``.

        Down and Up follow the connections (to the layer it feeds, the layer feeding it), the
        one nearest sideways first; where there is none, and for Left and Right, the nearest
        card that way on the canvas, so a card not yet connected is reachable too."""
        cards = self._cards()
        here = cards[card_id].sceneBoundingRect().center()
        members = self.groups.get(card_id, frozenset({card_id}))
        linked: set[str] = set()
        if direction in ("up", "down"):
            edges = self.doc.design.incoming() if direction == "up" else self.doc.design.outgoing()
            for member in members:
                for edge in edges.get(member, []):
                    other = self._shown_as(edge.src if direction == "up" else edge.dst)
                    if other != card_id and other in cards:
                        linked.add(other)
        candidates = linked or {
            cid for cid, item in cards.items() if cid != card_id and _ahead(here, item, direction)
        }
        if not candidates:
            return None

        def rank(cid: str) -> tuple[float, str]:
            item = cards[cid]
            if linked:  # among the connected ones, the one most nearly straight ahead
                return abs(item.sceneBoundingRect().center().x() - here.x()), cid
            return _distance(here, item, direction), cid

        return min(candidates, key=rank)

    def move_selection(self, direction: str, extend: bool = False) -> str | None:
        """Select the neighbouring card (``extend``: add it to the selection); with nothing
        selected, the first input.  Returns the card now current."""
        cards = self._cards()
        current = [i for i in self.selectedItems() if isinstance(i, NodeItem) and i.node_id in cards]
        if not current:
            order, _ = self.doc.design.topological_order()
            start = next((self._shown_as(n) for n in order if self._shown_as(n) in cards), None)
            target = start or next(iter(sorted(cards)), None)
        else:
            anchor = self._key_anchor if self._key_anchor in [i.node_id for i in current] else None
            target = self.neighbour(anchor or current[-1].node_id, direction)
        if target is None:
            return None
        if not extend:
            self.clearSelection()
        cards[target].setSelected(True)
        self._key_anchor = target  # where the next arrow starts from when several are selected
        return target

    def connect_to_next(self) -> str:
        """Connect with the keyboard: two selected layers, the upper one into the lower one; one
        selected layer, into the nearest layer below it that it does not feed yet.  Returns
        what happened, for the status bar."""
        ids = [i for i in self.selected_node_ids() if i in self.nodes]
        if len(ids) == 2:
            src, dst = sorted(ids, key=lambda n: (self.nodes[n].pos().y(), self.nodes[n].pos().x()))
        elif len(ids) == 1:
            src = ids[0]
            fed = {e.dst for e in self.doc.design.outgoing().get(src, [])}
            here = self.nodes[src].sceneBoundingRect().center()
            below = [
                n
                for n, item in self.nodes.items()
                if n != src and n not in fed and item.isVisible() and _ahead(here, item, "down")
            ]
            if not below:
                return f"No layer below {src} to connect it to"
            dst = min(below, key=lambda n: _distance(here, self.nodes[n], "down"))
        else:
            return "Select one layer (it connects to the next one below) or two layers to connect"
        reason = self.doc.connect(src, dst)
        return reason or f"Connected {src} → {dst} (Ctrl+Z undoes it)"

    # ------------------------------------------------------------ gestures

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._select_when_built = set()  # a click selects what it clicks, not cards still to come
        pos = event.scenePos()
        # Ports straddle the card's edge, so look by bounding box, not by the card's shape.
        near = self.items(
            QRectF(pos.x() - 12, pos.y() - 12, 24, 24), Qt.ItemSelectionMode.IntersectsItemBoundingRect
        )
        for item in near:
            out = item.output_port_at(pos) if isinstance(item, NodeItem) else None
            if out is not None:
                self.begin_wire(item.node_id, out or None)
                event.accept()
                return
        super().mousePressEvent(event)
        self._press_positions = {
            i.node_id: i.pos()
            for i in self.selectedItems()
            if isinstance(i, NodeItem) and i.node_id in self.nodes
        }

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._wire is not None:
            line = self._wire.line()
            self._wire.setLine(QLineF(line.p1(), event.scenePos()))
            self._preview_target(event.scenePos())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._wire is not None:
            self.finish_wire(event.scenePos())
            return
        super().mouseReleaseEvent(event)
        moved = {
            nid: (self.nodes[nid].pos().x(), self.nodes[nid].pos().y())
            for nid, before in self._press_positions.items()
            if nid in self.nodes and self.nodes[nid].pos() != before
        }
        self._press_positions = {}
        if moved:
            self.doc.move(moved)

    def begin_wire(self, src: str, out: str | None = None) -> None:
        """Start dragging a connection from ``src``'s output ``out`` (None: its main output)."""
        start = self.nodes[src].output_point(out)
        self._wire_src, self._wire_out = src, out
        self._wire = self.addLine(QLineF(start, start), QPen(QColor("#3D7BD9"), 2))
        self._wire.setZValue(5)

    def _node_at(self, scene_pos: QPointF) -> NodeItem | None:
        # By bounding box: named ports and their names sit just outside the card.
        hits = self.items(scene_pos, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
        return next((i for i in hits if isinstance(i, NodeItem) and not isinstance(i, GroupItem)), None)

    def _preview_target(self, scene_pos: QPointF) -> None:
        """While dragging a connection, show on the card under the cursor whether it would be accepted."""
        target = self._node_at(scene_pos)
        if target is self._wire_target and (target is None or not target.view.in_ports):
            return
        if self._wire_target is not None:
            self._wire_target.set_wire_state(None)
        self._wire_target = target
        if target is None or target.node_id == self._wire_src:
            self.message.emit("")  # clear a refusal shown for the card the cursor just left
            return
        port = target.input_port_at(scene_pos)
        reason = self.doc.connect_reason(self._wire_src, target.node_id, port, self._wire_out)
        target.set_wire_state("refused" if reason else OK)
        self.message.emit(reason)

    def finish_wire(self, scene_pos: QPointF) -> str:
        """End a connection drag over ``scene_pos``; return the refusal reason ('' if connected)."""
        if self._wire_target is not None:
            self._wire_target.set_wire_state(None)
            self._wire_target = None
        src, out = self._wire_src, self._wire_out
        self.removeItem(self._wire)
        self._wire, self._wire_src, self._wire_out = None, None, None
        target = self._node_at(scene_pos)
        if target is None or src is None:
            return ""
        reason = self.doc.connect(src, target.node_id, target.input_port_at(scene_pos), out)
        self.message.emit(reason)  # the reason, or '' to clear the hover message
        return reason
