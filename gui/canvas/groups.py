"""The card of a collapsed group: several layers drawn as one (see :mod:`engine.design.groups`).

It paints like a layer card and carries the group's edges, but it is not a
layer: it cannot be moved on its own, wired, or edited; a double-click expands
it again.  Selecting it selects its layers (copy, delete act on them).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent

from engine.design.groups import GroupCard
from engine.schema.layer_rules import fmt_shape
from gui.canvas.items import ERROR, OK, WARNING, NodeItem, NodeView


def group_view(group_id: str, card: GroupCard) -> NodeView:
    status = ERROR if card.errors else WARNING if card.warnings else OK
    count = f"{card.params:,} params"
    if card.trainable != card.params:
        count += f" ({card.trainable:,} trainable)"
    tip = [f"<b>{card.title}</b>", card.summary, "Double-click (or Edit → Expand Group) to show its layers."]
    tip += [f"<span style='color:#D32F2F'>✖ {m}</span>" for m in card.errors[:5]]
    tip += [f"<span style='color:#B07800'>⚠ {m}</span>" for m in card.warnings[:5]]
    return NodeView(
        node_id=group_id,
        type=card.title,
        category="",
        summary=card.summary,
        shape=fmt_shape(card.shape)
        if card.shape
        else f"{card.exits} outputs"
        if card.exits > 1
        else "shape unknown",
        params=count,
        status=status,
        tooltip="<br>".join(tip),
        has_input=True,
        has_output=False,  # nothing is wired from a folded card: expand it to connect
    )


class GroupItem(NodeItem):
    def __init__(self, view: NodeView, members: frozenset[str]) -> None:
        super().__init__(view)
        self.members = members
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable, False)

    def output_point(self, out: str | None = None) -> QPointF:
        return super().output_point(None)

    def input_port_at(self, scene_pos: QPointF) -> str | None:
        return None

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt's name
        scene = self.scene()
        if scene is not None:
            scene.expand(self.node_id)
        event.accept()
