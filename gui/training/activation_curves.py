"""Activation functions seen, not read about: small pictures in the activation dropdown
(curve and derivative) and a concept view that plots them large with one sentence each."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QComboBox, QDialog, QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from engine.schema.activations import NOTES, curve
from gui.training.plots import Plot

CURVE, SLOPE = "#2F6FD6", "#E4572E"
CONCEPTS = ("relu", "leaky_relu", "elu", "gelu", "swish", "sigmoid", "tanh", "softplus", "linear")


def activation_icon(name: str, width: int = 44, height: int = 28) -> QIcon:
    """The curve (blue) and its derivative (orange) on -4..4, scaled to fit."""
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    found = curve(name, n=width)
    if found is None:
        return QIcon(pixmap)
    x, y, dy = found
    values = np.concatenate([y, dy])
    low, high = float(np.clip(values.min(), -6, 0)), float(np.clip(values.max(), 1, 6))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#9AA0A6"), 1))
    zero = height - 2 - (0 - low) / (high - low) * (height - 4)
    painter.drawLine(0, int(zero), width, int(zero))
    for series, color in ((dy, SLOPE), (y, CURVE)):
        points = [
            QPointF(i, height - 2 - (float(np.clip(v, low, high)) - low) / (high - low) * (height - 4))
            for i, v in enumerate(series)
        ]
        painter.setPen(QPen(QColor(color), 1.6))
        painter.drawPolyline(QPolygonF(points))
    painter.end()
    return QIcon(pixmap)


def add_activation_pictures(combo: QComboBox) -> None:
    """Give each activation in a dropdown its picture and its sentence as a tooltip."""
    for i in range(combo.count()):
        name = combo.itemData(i)
        if isinstance(name, str):
            combo.setItemIcon(i, activation_icon(name))
            combo.setItemData(i, NOTES.get(name, ""), Qt.ItemDataRole.ToolTipRole)
    combo.setIconSize(QSize(44, 28))


class ActivationsView(QDialog):
    """The concept view: each common activation large, with its derivative and one sentence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Activation functions")
        self.resize(980, 680)
        grid = QGridLayout()
        self.plots: dict[str, Plot] = {}
        for i, name in enumerate(CONCEPTS):
            x, y, dy = curve(name)
            plot = Plot(name)
            plot.setMinimumHeight(170)
            plot.addLegend(offset=(5, 5), labelTextSize="8pt")
            plot.plot(x, y, pen=pg.mkPen(CURVE, width=3), name="f(x)")
            plot.plot(x, dy, pen=pg.mkPen(SLOPE, width=2, style=Qt.PenStyle.DashLine), name="f′(x)")
            plot.setYRange(max(-2.0, float(min(y.min(), dy.min()))), min(4.0, float(max(y.max(), dy.max()))))
            note = QLabel(NOTES[name])
            note.setWordWrap(True)
            cell = QVBoxLayout()
            cell.addWidget(plot)
            cell.addWidget(note)
            grid.addLayout(cell, i // 3, i % 3)
            self.plots[name] = plot
        page = QWidget()
        page.setLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Blue: the function. Orange, dashed: its slope, which scales every gradient that flows back."
            )
        )
        layout.addWidget(scroll)
