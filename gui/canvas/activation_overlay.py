"""Forward propagation on the canvas: beside each card, what its layer outputs for one sample.

A separate item parented to the card (the card itself is unchanged): a bar strip
for a vector, a grid of feature maps for an image-shaped output, a heatmap for a
sequence.  Blue is positive, red negative, scaled to the layer's largest value.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from gui.canvas.items import HEIGHT, WIDTH

BOX_W, BOX_H, GAP = 128.0, HEIGHT, 10.0


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
        a = self.values
        scale = float(np.abs(a).max()) or 1.0
        inner = QRectF(4, 4, BOX_W - 8, BOX_H - 8)
        painter.setPen(Qt.PenStyle.NoPen)
        if a.ndim == 1:
            self._bars(painter, a / scale, inner)
        elif a.ndim == 2:
            self._grid(painter, a / scale, inner)
        else:
            maps = a.shape[-1]
            cols = min(4, maps)
            rows = int(np.ceil(maps / cols))
            w, h = inner.width() / cols, inner.height() / rows
            for k in range(maps):
                cell = QRectF(inner.x() + (k % cols) * w, inner.y() + (k // cols) * h, w - 2, h - 2)
                self._grid(painter, a[:, :, k] / scale, cell)

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


def show_activations(scene: QGraphicsScene, outputs: dict[str, np.ndarray]) -> None:
    """Put each layer's output beside its card (replacing any shown before)."""
    clear_activations(scene)
    for node_id, card in scene.nodes.items():
        if node_id in outputs:
            ActivationItem(np.asarray(outputs[node_id])).setParentItem(card)


def clear_activations(scene: QGraphicsScene) -> None:
    for card in scene.nodes.values():
        for child in card.childItems():
            if isinstance(child, ActivationItem):
                scene.removeItem(child)
