"""Draw your own sample: an 8x8 pad for 8x8 image data (digits), whose picture goes through
the network as soon as a stroke ends; every card on the canvas then shows its layer's output.

Left button paints, right button erases; Clear starts again.  Ink runs from 0 (blank)
to 1 (full); the engine scales it to the data's pixel range (engine/training/forward.py).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.training.forward import PICTURE_SIDE

CELL = 28  # pixels per cell on screen


class DrawingPad(QWidget):
    """An 8x8 grid of ink; emits ``drawn`` with the picture when a stroke ends."""

    drawn = Signal(object)  # np.ndarray (8, 8) of ink in 0..1

    def __init__(self) -> None:
        super().__init__()
        self.ink = np.zeros((PICTURE_SIDE, PICTURE_SIDE), dtype=np.float32)
        self.setFixedSize(CELL * PICTURE_SIDE + 1, CELL * PICTURE_SIDE + 1)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw with the left button, erase with the right")
        self._value = 1.0

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        row, col = int(pos.y() // CELL), int(pos.x() // CELL)
        return (row, col) if 0 <= row < PICTURE_SIDE and 0 <= col < PICTURE_SIDE else None

    def _paint(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and self.ink[cell] != self._value:
            self.ink[cell] = self._value
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._value = 0.0 if event.button() == Qt.MouseButton.RightButton else 1.0
        self._paint(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.buttons() & (Qt.MouseButton.LeftButton | Qt.MouseButton.RightButton):
            self._paint(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self._paint(event)
        self.drawn.emit(self.ink.copy())

    def clear(self) -> None:
        self.ink[:] = 0
        self.update()
        self.drawn.emit(self.ink.copy())

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(QColor("#C0C4C8"))
        for row in range(PICTURE_SIDE):
            for col in range(PICTURE_SIDE):
                shade = int(255 * (1 - self.ink[row, col]))
                painter.setBrush(QColor(shade, shade, shade))
                painter.drawRect(QRectF(col * CELL, row * CELL, CELL, CELL))


class SampleDialog(QDialog):
    """A small window beside the canvas: draw, and watch the cards and the prediction change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Draw a sample")
        self.setModal(False)
        self.pad = DrawingPad()
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.pad.clear)
        self.prediction = QLabel("Draw a digit: each card on the canvas shows what its layer makes of it.")
        self.prediction.setWordWrap(True)
        self.prediction.setMinimumWidth(self.pad.width())
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pad, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(buttons)
        layout.addWidget(self.prediction)

    def show_result(self, result: dict) -> None:
        if result.get("drawn") == "picture":
            self.prediction.setText(prediction_text(result))


def prediction_text(result: dict) -> str:
    """'predicted 3 (87%)' for classes, the values otherwise; says when the network is untrained."""
    values, names = result.get("prediction") or [], result.get("class_names") or []
    if names and len(values) == len(names):
        best = int(np.argmax(values))
        text = f"predicted {names[best]} ({values[best]:.0%})"
    elif len(names) == 2 and len(values) == 1:
        text = f"predicted {names[int(values[0] > 0.5)]} ({max(values[0], 1 - values[0]):.0%})"
    else:
        text = "predicted " + ", ".join(f"{v:.4g}" for v in values[:8])
    return text + ("" if result.get("trained") else " — untrained network (train it first)")


def forward_text(result: dict) -> str:
    """The status line for a forward pass: which sample, and what the network predicts for it."""
    drawn = result.get("drawn")
    if drawn == "picture":
        which = "Your drawing"
    elif drawn == "point":
        x, y = result["sample"][:2]
        which = f"The point ({x:.2f}, {y:.2f})"
    else:
        which = f"Sample #{result['index']}"
    return f"{which} through the network: each card shows its output; {prediction_text(result)}"
