"""Canvas items: node cards and edges.  They display the design; they own nothing.

A :class:`NodeItem` paints itself from a :class:`NodeView` (plain text and a
status) that the scene computes from the design and the validation report.
Dragging moves the card on screen only; the scene turns the drop into an
undoable move command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from gui.style import ERROR_COLOR, WARNING_COLOR, canvas_colors, category_color

WIDTH, HEIGHT, HEADER = 200.0, 86.0, 24.0
PORT_RADIUS = 6.0
# Level of detail: below a scale, cards become coloured blocks and edges thin lines.
# A small design keeps its text down to SMALL_DETAIL_SCALE, so it stays readable when
# fitted; a big one switches at DETAIL_SCALE, because drawing the text of hundreds of
# cards made a pan frame of NASNetMobile at fit take 50 ms instead of 11 ms
# (benchmarks/import_scale.py).  The scene sets its own from the design's size.
DETAIL_SCALE = 0.35
SMALL_DETAIL_SCALE = 0.2
SMALL_DESIGN = 120  # nodes


def detail_scale(item: QGraphicsItem) -> float:
    """The scale below which ``item`` is drawn without detail (its scene's choice)."""
    return getattr(item.scene(), "detail_scale", DETAIL_SCALE)


OK, WARNING, ERROR = "ok", "warning", "error"


@dataclass(frozen=True)
class NodeView:
    """What a card shows; equal views mean nothing to repaint."""

    node_id: str
    type: str
    category: str
    summary: str  # key parameters, e.g. "10 · relu"
    shape: str  # e.g. "(None, 10)" or "—"
    params: str  # e.g. "110 params"
    status: str
    tooltip: str
    has_input: bool
    has_output: bool
    in_ports: tuple[str, ...] = ()  # named inputs (MultiHeadAttention's query, value, key), in order
    out_ports: tuple[str, ...] = ()  # named outputs when the layer returns several (output, state_h, ...)
    shared_with: str = ""  # the node whose layer this one calls, or its own id when others call it


# Shared-layer tags: one colour per shared layer, the same on every card that calls it.
SHARE_COLORS = ("#8E24AA", "#00897B", "#F4511E", "#3949AB", "#C0CA33", "#6D4C41")
LABEL_SPACE = 16.0  # room above and below a card for port names


def share_color(owner: str) -> QColor:
    return QColor(SHARE_COLORS[sum(map(ord, owner)) % len(SHARE_COLORS)])


PORT_LABEL_PX, PORT_LABEL_MAX_PX, READABLE_PX = 10, 16, 9.0
TRAINABLE = re.compile(r" \([\d,]+ trainable\)")  # "(128 trainable)" on a card's params line


def port_label_px(scale: float) -> int:
    """Port names' size in scene pixels: 10, grown as the view zooms out so that they stay about
    9 screen pixels tall at a fitted zoom (up to 16, beyond which they would crowd the cards)."""
    wanted = READABLE_PX / scale if scale > 0 else PORT_LABEL_PX
    return int(min(PORT_LABEL_MAX_PX, max(PORT_LABEL_PX, round(wanted))))


def fitted_line(text: str, width: float) -> tuple[QFont, str]:
    """A card's line in the largest of 11, 10 and 9 pixels at which it fits ``width`` whole;
    elided with '…' only if even 9 pixels is too wide (the tooltip has it all)."""
    font = QFont()
    for px in (11, 10, 9):
        font.setPixelSize(px)
        metrics = QFontMetrics(font)
        if metrics.horizontalAdvance(text) <= width:
            return font, text
    return font, metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width))


def label_space(names: tuple[str, ...]) -> float:
    """Room for port names: one row, or two staggered rows when three or more would collide."""
    return 0.0 if not names else LABEL_SPACE if len(names) < 3 else 2 * LABEL_SPACE - 4


def _card_bounds(view: NodeView) -> QRectF:
    """A card with its ports and their names."""
    top, bottom = label_space(view.in_ports), label_space(view.out_ports)
    return QRectF(
        -2 - PORT_RADIUS,
        -2 - PORT_RADIUS - top,
        WIDTH + 4 + 2 * PORT_RADIUS,
        HEIGHT + 4 + 2 * PORT_RADIUS + top + bottom,
    )


def spread(index: int, count: int) -> float:
    """x of port ``index`` of ``count`` along a card's edge."""
    return WIDTH * (index + 1) / (count + 1)


class NodeItem(QGraphicsItem):
    def __init__(self, view: NodeView) -> None:
        super().__init__()
        self.view = view
        self._bounds = _card_bounds(view)
        self.edges: list[EdgeItem] = []
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setToolTip(view.tooltip)
        self.setZValue(1)
        self.wire_state: str | None = None  # while a connection is dragged over it: "ok" or "refused"

    @property
    def node_id(self) -> str:
        return self.view.node_id

    def set_wire_state(self, state: str | None) -> None:
        if state != self.wire_state:
            self.wire_state = state
            self.update()

    def set_view(self, view: NodeView) -> None:
        if view != self.view:
            ports_moved = (view.in_ports, view.out_ports) != (self.view.in_ports, self.view.out_ports)
            if ports_moved:
                self.prepareGeometryChange()
            self.view = view
            self._bounds = _card_bounds(view)
            self.setToolTip(view.tooltip)
            self.update()
            if ports_moved:
                for edge in self.edges:
                    edge.update_path()

    # ------------------------------------------------------------ geometry

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._bounds  # kept, not computed: Qt asks for it on every frame, of every item

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, WIDTH, HEIGHT), 8, 8)
        return path

    def input_point(self, index: int = 0, count: int = 1) -> QPointF:
        """Where input ``index`` of ``count`` arrives: spread along the top edge, in order."""
        return self.mapToScene(QPointF(spread(index, count), 0))

    def named_input_point(self, port: str | None) -> QPointF:
        """Where a named input sits (None: the first)."""
        ports = self.view.in_ports
        index = ports.index(port) if port in ports else 0
        return self.mapToScene(QPointF(spread(index, len(ports)), 0))

    def output_point(self, out: str | None = None) -> QPointF:
        """Where an output leaves (None: the main one)."""
        outs = self.view.out_ports
        if not outs:
            return self.mapToScene(QPointF(WIDTH / 2, HEIGHT))
        index = outs.index(out) if out in outs else 0
        return self.mapToScene(QPointF(spread(index, len(outs)), HEIGHT))

    def output_port_at(self, scene_pos: QPointF) -> str | None:
        """The output under ``scene_pos``: its name, '' for a layer's only output, None for none."""
        if not self.view.has_output:
            return None
        for out in self.view.out_ports or ("",):
            d = scene_pos - self.output_point(out or None)
            if d.x() ** 2 + d.y() ** 2 <= (PORT_RADIUS + 5) ** 2:
                return out
        return None

    def input_port_at(self, scene_pos: QPointF) -> str | None:
        """The named input a connection dropped at ``scene_pos`` lands on (None: not on one)."""
        for port in self.view.in_ports:
            d = scene_pos - self.named_input_point(port)
            if (
                abs(d.x()) <= 18
                and -label_space(self.view.in_ports) - PORT_RADIUS <= d.y() <= PORT_RADIUS + 12
            ):
                return port
        return None

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):  # noqa: N802 - Qt's name
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        return super().itemChange(change, value)

    # ------------------------------------------------------------ painting

    def block_color(self) -> QColor:
        """The card's colour when drawn as a plain block (zoomed out, on the overview map)."""
        if self.isSelected():
            return canvas_colors()["selected"]
        status = {ERROR: ERROR_COLOR, WARNING: WARNING_COLOR}.get(self.view.status)
        return status or category_color(self.view.category)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        c = canvas_colors()
        v = self.view
        accent = category_color(v.category)
        rect = QRectF(0, 0, WIDTH, HEIGHT)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < detail_scale(self):
            painter.fillRect(rect, self.block_color())
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        body = {ERROR: c["error_bg"], WARNING: c["warning_bg"]}.get(v.status, c["card"])
        border = {ERROR: ERROR_COLOR, WARNING: WARNING_COLOR}.get(v.status, accent.darker(110))
        if self.isSelected():
            border = c["selected"]
        if self.wire_state is not None:
            border = QColor("#2E9E44") if self.wire_state == OK else ERROR_COLOR
        emphasis = self.isSelected() or v.status != OK or self.wire_state is not None
        painter.setPen(QPen(border, 3 if self.wire_state is not None else 2.5 if emphasis else 1.2))
        painter.setBrush(body)
        painter.drawRoundedRect(rect, 8, 8)
        painter.save()
        painter.setClipPath(self.shape())
        painter.fillRect(QRectF(0, 0, WIDTH, HEADER), accent)
        painter.restore()

        bold = QFont()
        bold.setPixelSize(12)
        bold.setBold(True)
        small = QFont()
        small.setPixelSize(11)
        painter.setFont(small)
        painter.setPen(QColor("white"))
        name = painter.fontMetrics().elidedText(v.node_id, Qt.TextElideMode.ElideMiddle, int(WIDTH / 2))
        name_width = painter.fontMetrics().horizontalAdvance(name) + 8
        painter.setFont(bold)
        title = painter.fontMetrics().elidedText(
            v.type, Qt.TextElideMode.ElideRight, int(WIDTH - 16 - name_width)
        )
        painter.drawText(QRectF(8, 0, WIDTH - 16, HEADER), Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(small)
        painter.drawText(
            QRectF(8, 0, WIDTH - 16, HEADER),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            name,
        )
        painter.setPen(c["text"])
        fm = painter.fontMetrics()
        painter.drawText(
            QRectF(8, HEADER + 4, WIDTH - 16, 18),
            Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(v.summary, Qt.TextElideMode.ElideRight, int(WIDTH - 16)),
        )
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPixelSize(11)
        painter.setFont(mono)
        painter.setPen(ERROR_COLOR if v.status == ERROR else c["text"])
        painter.drawText(
            QRectF(8, HEADER + 22, WIDTH - 16, 18),
            Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(v.shape, Qt.TextElideMode.ElideRight, int(WIDTH - 16)),
        )
        room = WIDTH - 16 - (70 if v.shared_with else 0)  # the "shared" tag takes the line's right end
        font, text = fitted_line(v.params, room)
        if text != v.params:  # still too long at 9 px: the trainable count goes (the tooltip keeps it)
            font, text = fitted_line(TRAINABLE.sub("", v.params), room)
        painter.setFont(font)
        painter.setPen(c["muted"])
        painter.drawText(QRectF(8, HEADER + 40, room, 18), Qt.AlignmentFlag.AlignVCenter, text)

        if v.shared_with:
            self._paint_share_tag(painter, v.shared_with)
        self._paint_ports(painter, c, accent)

    def _paint_ports(self, painter: QPainter, c: dict, accent: QColor) -> None:
        """Port circles; named ones carry their names outside the card."""
        v = self.view
        tiny = QFont()
        size = port_label_px(painter.worldTransform().m11())
        tiny.setPixelSize(size)
        painter.setFont(tiny)
        ins = [(spread(i, len(v.in_ports)), name) for i, name in enumerate(v.in_ports)]
        outs = [(spread(i, len(v.out_ports)), name) for i, name in enumerate(v.out_ports)]
        if v.has_input and not ins:
            ins = [(WIDTH / 2, "")]
        if v.has_output and not outs:
            outs = [(WIDTH / 2, "")]
        for ports, y, color in ((ins, 0.0, c["edge"]), (outs, HEIGHT, accent)):
            for i, (x, name) in enumerate(ports):
                painter.setPen(QPen(c["card"], 1.5))
                painter.setBrush(color)
                painter.drawEllipse(QPointF(x, y), PORT_RADIUS, PORT_RADIUS)
                if not name:
                    continue
                row = (LABEL_SPACE - 4) * (i % 2) if len(ports) > 2 else 0.0  # stagger crowded names
                painter.setPen(c["muted"])
                top = -LABEL_SPACE - 4 - row if y == 0 else HEIGHT + 6 + row
                box = QRectF(x - 50, top + 7 - size / 2 - 2, 100, size + 4)  # centred where a 10 px name sits
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, name)

    def _paint_share_tag(self, painter: QPainter, owner: str) -> None:
        """A coloured tag with a chain-link icon: this card and the others in its colour share weights."""
        color = share_color(owner)
        tag = QRectF(WIDTH - 70, HEADER + 42, 64, 16)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(tag, 8, 8)
        painter.setPen(QPen(QColor("white"), 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(tag.x() + 6, tag.y() + 5, 9, 6), 3, 3)  # two links of a chain
        painter.drawRoundedRect(QRectF(tag.x() + 12, tag.y() + 5, 9, 6), 3, 3)
        font = QFont()
        font.setPixelSize(10)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(tag.x() + 24, tag.y(), 38, 16), Qt.AlignmentFlag.AlignVCenter, "shared")


class EdgeItem(QGraphicsPathItem):
    """A connection drawn as a curve from an output port to an input port.

    On merge layers it carries its input position (0, 1, ...) next to the target.
    """

    def __init__(self, src: NodeItem, dst: NodeItem, key: tuple, index: int = 0, count: int = 1) -> None:
        super().__init__()
        self.src, self.dst, self.key = src, dst, key  # key: (src, dst, port, out), an Edge's fields
        self.index, self.count = index, count
        self._bounds = QRectF()  # set with the path (update_path)
        self.port_label = str(index) if count > 1 else ""
        src.edges.append(self)
        dst.edges.append(self)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.update_path()

    def detach(self) -> None:
        for end in (self.src, self.dst):
            if self in end.edges:
                end.edges.remove(self)

    def end_point(self) -> QPointF:
        if self.dst.view.in_ports:
            return self.dst.named_input_point(self.key[2] if isinstance(self.key[2], str) else None)
        return self.dst.input_point(self.index, self.count)

    def update_path(self) -> None:
        a, b = self.src.output_point(self.key[3]), self.end_point()
        bend = max(40.0, abs(b.y() - a.y()) / 2)
        self.prepareGeometryChange()
        path = QPainterPath(a)
        path.cubicTo(a + QPointF(0, bend), b - QPointF(0, bend), b)
        self.setPath(path)
        self._bounds = path.boundingRect().adjusted(-10, -10, 10, 10)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._bounds  # kept, not computed: Qt asks for it on every frame, of every item

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        c = canvas_colors()
        color = c["selected"] if self.isSelected() else c["edge"]
        if option.levelOfDetailFromTransform(painter.worldTransform()) < detail_scale(self):
            painter.setPen(QPen(color, 0))  # cosmetic hairline, no antialiasing
            painter.drawPath(self.path())
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, 3 if self.isSelected() else 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.port_label:
            end = self.end_point() - QPointF(0, 15)
            painter.setBrush(QBrush(color))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(end, 8, 8)
            font = QFont()
            font.setPixelSize(10)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QColor("white"))
            painter.drawText(
                QRectF(end.x() - 8, end.y() - 8, 16, 16), Qt.AlignmentFlag.AlignCenter, self.port_label
            )
