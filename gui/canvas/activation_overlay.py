"""Forward propagation on the canvas: beside each card, what its layer outputs for one sample.

A separate item parented to the card (the card itself is unchanged): a bar strip
for a vector, a grid of feature maps for an image-shaped output, a heatmap for a
sequence.  Blue is positive, red negative, scaled to the layer's largest value.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from gui.canvas.items import HEIGHT, WIDTH
from gui.style import canvas_colors

BOX_W, BOX_H, GAP = 128.0, HEIGHT, 10.0
NAMES_H = 13.0  # the row of class names under an output's bars


def value_color(v: float) -> QColor:
    """-1 red .. 0 white .. 1 blue."""
    v = float(np.clip(v, -1.0, 1.0))
    if v >= 0:
        return QColor(int(255 - 208 * v), int(255 - 144 * v), int(255 - 41 * v))
    return QColor(int(255 + 27 * v), int(255 + 168 * v), int(255 + 209 * v))


class ActivationItem(QGraphicsItem):
    def __init__(self, values: np.ndarray) -> None:
        super().__init__()
        self.values = values
        self.setPos(WIDTH + GAP, 0)
        self.setZValue(-1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setToolTip(f"Output for the chosen sample: shape {tuple(values.shape)}")

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return QRectF(0, 0, BOX_W, BOX_H)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(QColor("#9AA0A6"))
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRoundedRect(self.boundingRect(), 4, 4)
        paint_values(painter, self.values, QRectF(4, 4, BOX_W - 8, BOX_H - 8))

    @staticmethod
    def _bars(painter: QPainter, a: np.ndarray, r: QRectF) -> None:
        w = r.width() / max(1, len(a))
        mid = r.y() + r.height() / 2
        for i, v in enumerate(a):
            height = abs(float(v)) * r.height() / 2
            painter.setBrush(value_color(v))
            top = mid - height if v >= 0 else mid
            painter.drawRect(QRectF(r.x() + i * w, top, max(1.0, w - 1), max(1.0, height)))

    @staticmethod
    def _grid(painter: QPainter, a: np.ndarray, r: QRectF) -> None:
        rows, cols = a.shape
        w, h = r.width() / cols, r.height() / rows
        for i in range(rows):
            for j in range(cols):
                painter.setBrush(value_color(a[i, j]))
                painter.drawRect(QRectF(r.x() + j * w, r.y() + i * h, w + 0.5, h + 0.5))


def paint_values(painter: QPainter, a: np.ndarray, inner: QRectF) -> None:
    """Values as bars (a vector), a heatmap (a grid) or a grid of maps (h x w x maps), scaled
    to their largest magnitude; the step view (gui/backprop) draws its rows with this too."""
    scale = float(np.abs(a).max()) if a.size else 0.0
    scale = scale or 1.0
    painter.setPen(Qt.PenStyle.NoPen)
    if a.ndim == 1:
        ActivationItem._bars(painter, a / scale, inner)
    elif a.ndim == 2:
        ActivationItem._grid(painter, a / scale, inner)
    else:
        maps = a.shape[-1]
        cols = min(4, maps)
        rows = int(np.ceil(maps / cols))
        w, h = inner.width() / cols, inner.height() / rows
        for k in range(maps):
            cell = QRectF(inner.x() + (k % cols) * w, inner.y() + (k // cols) * h, w - 2, h - 2)
            ActivationItem._grid(painter, a[:, :, k] / scale, cell)


class ClassNames(QGraphicsItem):
    """Under an output's bars, the class each bar stands for; the highest one in bold."""

    def __init__(self, values: np.ndarray, names: list[str]) -> None:
        super().__init__()
        self.names, self.best = list(names), int(np.argmax(values))
        self.setPos(WIDTH + GAP, BOX_H + 1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setToolTip("\n".join(f"{n}: {float(v):.3g}" for n, v in zip(names, values, strict=True)))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return QRectF(0, 0, BOX_W, NAMES_H)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        font = QFont(painter.font())
        font.setPixelSize(10)
        painter.setPen(canvas_colors()["text"])
        inner = QRectF(4, 0, BOX_W - 8, NAMES_H)  # the bars' span (see ActivationItem.paint)
        w = inner.width() / len(self.names)
        for i, name in enumerate(self.names):
            font.setBold(i == self.best)
            painter.setFont(font)
            text = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, int(w))
            painter.drawText(QRectF(inner.x() + i * w, 0, w, NAMES_H), Qt.AlignmentFlag.AlignCenter, text)


def show_activations(
    scene: QGraphicsScene, outputs: dict[str, np.ndarray], class_names: dict[str, list[str]] | None = None
) -> None:
    """Put each layer's output beside its card (replacing any shown before); the bars of an
    output that scores classes (``class_names`` by node) are named."""
    clear_activations(scene)
    for node_id, card in scene.nodes.items():
        if node_id in outputs:
            values = np.asarray(outputs[node_id])
            ActivationItem(values).setParentItem(card)
            names = (class_names or {}).get(node_id) or []
            if values.ndim == 1 and len(names) == len(values) > 0:
                ClassNames(values, names).setParentItem(card)


def clear_activations(scene: QGraphicsScene) -> None:
    for card in scene.nodes.values():
        for child in card.childItems():
            if isinstance(child, (ActivationItem, ClassNames)):
                scene.removeItem(child)
