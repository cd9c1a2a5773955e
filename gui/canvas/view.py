"""The canvas view: zoom with the wheel, pan with the middle button or Space,
rubber-band selection, drops from the palette, and arrow keys from card to card."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QLabel

from engine.schema.catalog import LAYERS
from gui.canvas.items import HEADER, WIDTH
from gui.canvas.minimap import Minimap
from gui.canvas.scene import LAYER_MIME, DesignScene
from gui.style import canvas_colors

GRID = 24
MIN_ZOOM, MAX_ZOOM = 0.02, 3.0  # 0.02 shows a 700-layer model whole
MIN_SCENE_RECT = QRectF(-5000, -5000, 10000, 10000)
SCENE_MARGIN = 2000.0  # room to scroll past the design's edges
START_ZOOM = 0.7
# Arrow keys move the selection from card to card (Shift adds to it); Ctrl+arrows still scroll.
ARROWS = {Qt.Key.Key_Up: "up", Qt.Key.Key_Down: "down", Qt.Key.Key_Left: "left", Qt.Key.Key_Right: "right"}


class CanvasView(QGraphicsView):
    def __init__(self, scene: DesignScene) -> None:
        super().__init__(scene)
        self.design_scene = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setAcceptDrops(True)
        self.setSceneRect(MIN_SCENE_RECT)
        self._panning = False
        self.minimap = Minimap(self)
        self.building_label = QLabel(self)  # "Building the canvas…" while a large design's cards are built
        self.building_label.setObjectName("canvas_building")
        self.building_label.setStyleSheet(
            "#canvas_building { background: rgba(0, 0, 0, 150); color: white; padding: 4px 8px; "
            "border-radius: 4px; }"
        )
        self.building_label.move(12, 12)
        self.building_label.hide()
        self._fit_when_built: Callable[[], None] | None = None
        scene.progress.connect(self._scene_progress)

    def _scene_progress(self) -> None:
        """A step of building the cards: while cards are missing say so; once every card
        is up to date, size the scroll area and do the fit asked for meanwhile."""
        scene = self.design_scene
        missing = scene.unbuilt() if scene.building else 0
        if missing:
            total = len(scene.doc.design.nodes)
            self.building_label.setText(f"Building the canvas… {total - missing} of {total} layers")
            self.building_label.adjustSize()
        self.building_label.setVisible(bool(missing))
        if scene.building:
            return
        self._design_changed()
        fit, self._fit_when_built = self._fit_when_built, None
        if fit is not None:
            fit()

    def _design_changed(self) -> None:
        """Room to scroll around the whole design, however large; the overview follows."""
        items = self.design_scene.itemsBoundingRect().adjusted(
            -SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN
        )
        self.setSceneRect(MIN_SCENE_RECT.united(items))
        self.minimap.design_changed()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.minimap.update_visibility()

    # ------------------------------------------------------------ zoom and pan

    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        self.scale(target / self.zoom(), target / self.zoom())
        self.minimap.update_visibility()

    def _later(self, fit: Callable[[], None]) -> bool:
        """While the cards are being built, do ``fit`` once they are (True: put off)."""
        if self.design_scene.building:
            self._fit_when_built = fit
        return self.design_scene.building

    def fit(self) -> None:
        if self._later(self.fit):
            return
        items = self.design_scene.itemsBoundingRect()
        if items.isEmpty():
            return
        self.fitInView(items.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.zoom_by(1.0 / self.zoom())
        self.centerOn(items.center())

    def fit_or_start_at_inputs(self) -> None:
        """Fit the design if it stays readable; a deep model instead opens at its inputs,
        readable, with the overview map for the rest."""
        if self._later(self.fit_or_start_at_inputs):
            return
        self.fit()
        if self.zoom() >= self.design_scene.detail_scale:  # cards show their text
            return
        self.zoom_by(START_ZOOM / self.zoom())
        items = self.design_scene.itemsBoundingRect()
        viewport = self.mapToScene(self.viewport().rect()).boundingRect()
        # Over the top row of cards (the inputs), not the design's middle: a wide model's middle
        # at the top was empty canvas (NASNetMobile's input is 3,000 px to the right of it).
        cards = [card.sceneBoundingRect() for card in self.design_scene.nodes.values() if card.isVisible()]
        top = min((c.top() for c in cards), default=items.top())
        inputs = [c.center().x() for c in cards if c.top() <= top + 1] or [items.center().x()]
        self.centerOn(QPointF(sum(inputs) / len(inputs), items.top() + viewport.height() / 2 - 40))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        if event.angleDelta().y():
            self._fit_when_built = None  # the user's zoom wins over a fit waiting for the cards
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.MiddleButton:
            self._start_pan(event)
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.MiddleButton and self._panning:
            self._panning = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            return
        super().mouseReleaseEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self._panning:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(int(self.horizontalScrollBar().value() - delta.x()))
            self.verticalScrollBar().setValue(int(self.verticalScrollBar().value() - delta.y()))
            return
        super().mouseMoveEvent(event)

    def _start_pan(self, event: QMouseEvent) -> None:
        self._panning = True
        self._pan_from = event.position()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.design_scene.delete_selection()
            return
        direction = ARROWS.get(event.key())
        shift = Qt.KeyboardModifier.ShiftModifier
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if direction and modifiers in (Qt.KeyboardModifier.NoModifier, shift) and self.design_scene.nodes:
            target = self.design_scene.move_selection(direction, extend=modifiers == shift)
            if target is not None:
                self.ensureVisible(self.design_scene.card(target), 40, 40)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            return
        super().keyReleaseEvent(event)

    # ------------------------------------------------------------ drops from the palette

    @staticmethod
    def _layer_type(event: QDropEvent) -> str | None:
        data = event.mimeData()
        if not data.hasFormat(LAYER_MIME):
            return None
        name = bytes(data.data(LAYER_MIME)).decode("utf-8", "replace")
        return name if name in LAYERS else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if self._layer_type(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt's name
        if self._layer_type(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        layer_type = self._layer_type(event)
        if layer_type is None:
            super().dropEvent(event)
            return
        self.drop_layer(layer_type, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()

    def drop_layer(self, layer_type: str, scene_pos: QPointF) -> str:
        """Place a layer so that the card's header sits under the cursor."""
        x = round((scene_pos.x() - WIDTH / 2) / GRID) * GRID
        y = round((scene_pos.y() - HEADER / 2) / GRID) * GRID
        nid = self.design_scene.doc.add_layer(layer_type, (float(x), float(y)))
        self.design_scene.select_nodes([nid])
        return nid

    # ------------------------------------------------------------ background

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt's name
        colors = canvas_colors()
        painter.fillRect(rect, colors["background"])
        if self.zoom() < 0.45:
            return
        painter.setPen(colors["grid"])
        left = int(rect.left()) - int(rect.left()) % GRID
        top = int(rect.top()) - int(rect.top()) % GRID
        x = left
        while x < rect.right():
            painter.drawLine(int(x), int(rect.top()), int(x), int(rect.bottom()))
            x += GRID
        y = top
        while y < rect.bottom():
            painter.drawLine(int(rect.left()), int(y), int(rect.right()), int(y))
            y += GRID
