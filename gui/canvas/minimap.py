"""The overview map: the whole design in the canvas's corner, with the part on screen framed.

It appears when the design does not fit in the view (an imported ResNet,
DenseNet or NASNet does not).  Clicking or dragging in it moves the canvas
there.  The picture of the design is rendered once per change of the design
(cards are drawn as blocks at that scale) and only the frame moves while the
user pans, so it costs nothing per frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from gui.canvas.items import HEIGHT, WIDTH
from gui.style import canvas_colors

if TYPE_CHECKING:
    from gui.canvas.view import CanvasView

SIZE = 180  # the longer side of the map, in pixels
MIN_SIDE = 48  # the shorter side, at least
MARGIN = 12  # from the canvas's bottom-right corner
RENDER_DELAY_MS = 300  # after the last change of the design


class Minimap(QWidget):
    def __init__(self, view: CanvasView) -> None:
        super().__init__(view)
        self.setObjectName("minimap")
        self.view = view
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the canvas")
        self._picture = QPixmap()
        self._area = QRectF()  # the scene area the picture shows
        self._render_timer = QTimer(self, singleShot=True, interval=RENDER_DELAY_MS)
        self._render_timer.timeout.connect(self.render_design)
        view.horizontalScrollBar().valueChanged.connect(self.update_visibility)
        view.verticalScrollBar().valueChanged.connect(self.update_visibility)
        self.hide()

    def design_changed(self) -> None:
        self._render_timer.start()

    def render_design(self) -> None:
        """Draw the whole design once into a picture: each card a block, each edge a hairline.
        Drawn straight from the cards and edges: rendering the scene (a paint call per item) took
        50 ms for NASNetMobile, a stall of the window 300 ms after it opened."""
        scene = self.view.design_scene
        cards = [item for item in (*scene.nodes.values(), *scene.group_items.values()) if item.isVisible()]
        edges = [item for item in scene.edge_items if item.isVisible()]
        area = QRectF()
        for card in cards:
            area = area.united(card.sceneBoundingRect())
        area = area.adjusted(-60, -60, 60, 60) if cards else QRectF()
        self._area = area
        if area.isEmpty():
            self._picture = QPixmap()
            self.update_visibility()
            return
        scale = SIZE / max(area.width(), area.height())
        # A very long, thin model still gets a map wide enough to click on.
        width, height = max(MIN_SIDE, int(area.width() * scale)), max(MIN_SIDE, int(area.height() * scale))
        self.resize(width, height)
        picture = QPixmap(width, height)
        colors = canvas_colors()
        picture.fill(colors["background"])
        painter = QPainter(picture)
        painter.scale(width / area.width(), height / area.height())
        painter.translate(-area.left(), -area.top())
        painter.setPen(QPen(colors["edge"], 0))  # cosmetic: one pixel at any scale
        for edge in edges:
            painter.drawPath(edge.path())
        for card in cards:
            painter.fillRect(QRectF(card.pos(), QSizeF(WIDTH, HEIGHT)), card.block_color())
        painter.end()
        self._picture = picture
        self.update_visibility()

    def update_visibility(self) -> None:
        """Shown only while part of the design is off screen."""
        visible = self.visible_area()
        needed = not self._picture.isNull() and not visible.contains(self._area.adjusted(40, 40, -40, -40))
        self.setVisible(needed)
        if needed:
            parent = self.view.viewport()
            self.move(parent.width() - self.width() - MARGIN, parent.height() - self.height() - MARGIN)
            self.raise_()
            self.update()

    def visible_area(self) -> QRectF:
        return self.view.mapToScene(self.view.viewport().rect()).boundingRect()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._picture)
        colors = canvas_colors()
        painter.setPen(QPen(colors["edge"], 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        frame = self._to_map(self.visible_area()).intersected(QRectF(self.rect()))
        selected = QColor(colors["selected"])
        painter.setPen(QPen(selected, 2))
        selected.setAlpha(40)
        painter.setBrush(selected)
        painter.drawRect(frame)

    def _to_map(self, rect: QRectF) -> QRectF:
        sx, sy = self.width() / self._area.width(), self.height() / self._area.height()
        return QRectF(
            (rect.left() - self._area.left()) * sx,
            (rect.top() - self._area.top()) * sy,
            rect.width() * sx,
            rect.height() * sy,
        )

    def to_scene(self, point: QPointF) -> QPointF:
        return QPointF(
            self._area.left() + point.x() * self._area.width() / self.width(),
            self._area.top() + point.y() * self._area.height() / self.height(),
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self.view.centerOn(self.to_scene(event.position()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.view.centerOn(self.to_scene(event.position()))
