"""Canvas items: node cards and edges.  They display the design; they own nothing.

A :class:`NodeItem` paints itself from a :class:`NodeView` (plain text and a
status) that the scene computes from the design and the validation report.
Dragging moves the card on screen only; the scene turns the drop into an
undoable move command.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from gui.style import ERROR_COLOR, WARNING_COLOR, canvas_colors, category_color

WIDTH, HEIGHT, HEADER = 200.0, 86.0, 24.0
PORT_RADIUS = 6.0
# Below this scale text is unreadable: cards become coloured blocks and edges
# thin lines, so an 800-node model pans smoothly when zoomed out (level of detail).
DETAIL_SCALE = 0.35
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


class NodeItem(QGraphicsItem):
    def __init__(self, view: NodeView) -> None:
        super().__init__()
        self.view = view
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
            self.view = view
            self.setToolTip(view.tooltip)
            self.update()

    # ------------------------------------------------------------ geometry

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return QRectF(
            -2 - PORT_RADIUS, -2 - PORT_RADIUS, WIDTH + 4 + 2 * PORT_RADIUS, HEIGHT + 4 + 2 * PORT_RADIUS
        )

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, WIDTH, HEIGHT), 8, 8)
        return path

    def input_point(self, index: int = 0, count: int = 1) -> QPointF:
        """Where input ``index`` of ``count`` arrives: spread along the top edge, in order."""
        return self.mapToScene(QPointF(WIDTH * (index + 1) / (count + 1), 0))

    def output_point(self) -> QPointF:
        return self.mapToScene(QPointF(WIDTH / 2, HEIGHT))

    def hits_output_port(self, scene_pos: QPointF) -> bool:
        if not self.view.has_output:
            return False
        d = scene_pos - self.output_point()
        return d.x() ** 2 + d.y() ** 2 <= (PORT_RADIUS + 5) ** 2

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):  # noqa: N802 - Qt's name
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        return super().itemChange(change, value)

    # ------------------------------------------------------------ painting

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        c = canvas_colors()
        v = self.view
        accent = category_color(v.category)
        rect = QRectF(0, 0, WIDTH, HEIGHT)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < DETAIL_SCALE:
            status = {ERROR: ERROR_COLOR, WARNING: WARNING_COLOR}.get(v.status)
            painter.fillRect(rect, c["selected"] if self.isSelected() else status or accent)
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
        painter.setFont(small)
        painter.setPen(c["muted"])
        painter.drawText(QRectF(8, HEADER + 40, WIDTH - 16, 18), Qt.AlignmentFlag.AlignVCenter, v.params)

        painter.setPen(QPen(c["card"], 1.5))
        if v.has_input:
            painter.setBrush(c["edge"])
            painter.drawEllipse(QPointF(WIDTH / 2, 0), PORT_RADIUS, PORT_RADIUS)
        if v.has_output:
            painter.setBrush(accent)
            painter.drawEllipse(QPointF(WIDTH / 2, HEIGHT), PORT_RADIUS, PORT_RADIUS)


class EdgeItem(QGraphicsPathItem):
    """A connection drawn as a curve from an output port to an input port.

    On merge layers it carries its input position (0, 1, ...) next to the target.
    """

    def __init__(self, src: NodeItem, dst: NodeItem, key: tuple, index: int = 0, count: int = 1) -> None:
        super().__init__()
        self.src, self.dst, self.key = src, dst, key
        self.index, self.count = index, count
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

    def update_path(self) -> None:
        a, b = self.src.output_point(), self.dst.input_point(self.index, self.count)
        bend = max(40.0, abs(b.y() - a.y()) / 2)
        self.prepareGeometryChange()
        path = QPainterPath(a)
        path.cubicTo(a + QPointF(0, bend), b - QPointF(0, bend), b)
        self.setPath(path)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self.path().boundingRect().adjusted(-10, -10, 10, 10)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        c = canvas_colors()
        color = c["selected"] if self.isSelected() else c["edge"]
        if option.levelOfDetailFromTransform(painter.worldTransform()) < DETAIL_SCALE:
            painter.setPen(QPen(color, 0))  # cosmetic hairline, no antialiasing
            painter.drawPath(self.path())
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, 3 if self.isSelected() else 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.port_label:
            end = self.dst.input_point(self.index, self.count) - QPointF(0, 15)
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
