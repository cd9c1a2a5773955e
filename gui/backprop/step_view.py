"""Backpropagation step by step, on the canvas: one sample, one training step, every number.

The panel asks the session for a step ledger (computed on the training worker:
engine/training/step_ledger.py) and walks it over the cards.  "Forward" goes
from the input to the loss, the current card showing its pre-activation ``z`` and
its output ``a``; "Backward" goes from the loss back to the input, the card
showing δ = ∂L/∂z (or ∂L/∂a) and, for a Dense layer, its kernel's gradient as a
heatmap.  Clicking a cell of that heatmap shows the chain rule for that one
weight with its numbers and then the optimizer's update, as
engine/training/step_formulas.py writes them.  Only plain data (NumPy arrays and
numbers) arrives here; what a number means is the engine's to say.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.training.forward import trim
from engine.training.step_formulas import chain_rule, num, update
from engine.training.step_ledger import LayerStep, Ledger
from gui.canvas.activation_overlay import clear_activations, paint_values, value_color
from gui.canvas.items import WIDTH
from gui.wheel_guard import SpinBox

ITEM_W, HEADER_H, ROW_H, LABEL_W, GAP = 300.0, 20.0, 34.0, 70.0, 10.0
HEATMAP_SIDE, HEATMAP_MAX = 132.0, 32  # the heatmap's size on the card and the most cells per side
NUMBERS = 8  # a vector up to this long is written as numbers; longer ones are drawn as bars
LISTED = 12  # values listed in the panel's text before "…"
FORWARD, BACKWARD = "forward", "backward"


def values_text(a: np.ndarray | list) -> str:
    flat = np.asarray(first(a), dtype=float).reshape(-1)
    more = " …" if flat.size > LISTED else ""
    return "[" + ", ".join(num(v) for v in flat[:LISTED]) + more + f"]  ({flat.size} values)"


def first(a: np.ndarray | list | None) -> np.ndarray:
    """A layer's (first) tensor: layers with several outputs or inputs give a list."""
    if isinstance(a, list):
        return np.asarray(a[0]) if a else np.zeros(0)
    return np.zeros(0) if a is None else np.asarray(a)


class StepItem(QGraphicsItem):
    """Beside the current card: rows of values (numbers or bars) and, going backward through a
    Dense layer, its kernel's gradient as a heatmap whose cells can be clicked."""

    def __init__(
        self,
        title: str,
        rows: list[tuple[str, np.ndarray]],
        heatmap: np.ndarray | None = None,
        on_cell: Callable[[int, int], None] | None = None,
    ) -> None:
        super().__init__()
        self.title, self.rows, self.on_cell = title, rows, on_cell
        self.heatmap = None if heatmap is None else heatmap[:HEATMAP_MAX, :HEATMAP_MAX]
        self.setPos(WIDTH + GAP, 0)
        self.setZValue(5)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton if on_cell else Qt.MouseButton.NoButton)
        if on_cell:
            self.setToolTip("Click a weight's cell: the chain rule and the update for that weight")

    def _heatmap_rect(self) -> QRectF:
        top = HEADER_H + ROW_H * len(self.rows) + 4
        rows, cols = self.heatmap.shape
        side = HEATMAP_SIDE / max(rows, cols)
        return QRectF(LABEL_W, top, side * cols, side * rows)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        height = HEADER_H + ROW_H * len(self.rows) + 6
        if self.heatmap is not None:
            height += HEATMAP_SIDE + 8
        return QRectF(0, 0, ITEM_W, height)

    def cell_rect(self, i: int, j: int) -> QRectF:
        """Where, in this item's coordinates, the heatmap's cell (i, j) is drawn (a click inside
        it picks that weight: :meth:`mousePressEvent` is the inverse)."""
        r = self._heatmap_rect()
        rows, cols = self.heatmap.shape
        w, h = r.width() / cols, r.height() / rows
        return QRectF(r.x() + j * w, r.y() + i * h, w, h)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(QColor("#5F6368"))
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRoundedRect(self.boundingRect(), 4, 4)
        font = QFont(painter.font())
        font.setPointSizeF(8)
        painter.setFont(font)
        painter.setPen(QColor("#202124"))
        painter.drawText(QRectF(6, 2, ITEM_W - 12, HEADER_H), Qt.AlignmentFlag.AlignVCenter, self.title)
        for k, (label, values) in enumerate(self.rows):
            top = HEADER_H + k * ROW_H
            painter.setPen(QColor("#202124"))
            painter.drawText(QRectF(6, top, LABEL_W - 8, ROW_H), Qt.AlignmentFlag.AlignVCenter, label)
            area = QRectF(LABEL_W, top + 3, ITEM_W - LABEL_W - 6, ROW_H - 6)
            if values.ndim == 1 and values.size <= NUMBERS:
                painter.drawText(area, Qt.AlignmentFlag.AlignVCenter, "  ".join(num(v) for v in values))
            else:
                paint_values(painter, trim(values), area)
        if self.heatmap is not None:
            r = self._heatmap_rect()
            painter.setPen(QColor("#202124"))
            painter.drawText(QRectF(6, r.y(), LABEL_W - 8, 30), "∂L/∂W\n(click)")
            scale = float(np.abs(self.heatmap).max()) or 1.0
            rows, cols = self.heatmap.shape
            painter.setPen(Qt.PenStyle.NoPen)
            for i in range(rows):
                for j in range(cols):
                    painter.setBrush(value_color(self.heatmap[i, j] / scale))
                    painter.drawRect(self.cell_rect(i, j).adjusted(0, 0, 0.5, 0.5))  # no seams

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.heatmap is None or self.on_cell is None:
            event.ignore()
            return
        r, p = self._heatmap_rect(), event.pos()
        if not r.contains(p):
            event.ignore()
            return
        rows, cols = self.heatmap.shape
        i = min(rows - 1, int((p.y() - r.y()) / r.height() * rows))
        j = min(cols - 1, int((p.x() - r.x()) / r.width() * cols))
        self.on_cell(i, j)
        event.accept()


def clear_steps(scene: QGraphicsScene) -> None:
    for card in scene.nodes.values():
        for child in card.childItems():
            if isinstance(child, StepItem):
                scene.removeItem(child)


def kernel_heatmap(step: LayerStep) -> np.ndarray | None:
    """A Dense layer's kernel gradient (inputs x units), the matrix whose cells are clickable."""
    kernel = step.weights.get("kernel")
    if step.type != "Dense" or kernel is None or kernel.grad.ndim != 2:
        return None
    return kernel.grad


class BackpropPanel(QWidget):
    """The controls and the written-out numbers of the step shown on the canvas."""

    def __init__(
        self, session, scene: QGraphicsScene, design: Callable, base_dir: Callable[[], Path]
    ) -> None:
        super().__init__()
        self.session, self.scene, self.design, self.base_dir = session, scene, design, base_dir
        self.ledger: Ledger | None = None
        self.phase, self.position = FORWARD, -1
        self.item: StepItem | None = None
        self.sample = SpinBox()
        self.sample.setRange(0, 10**7)
        self.sample.setToolTip("Which training row (as fit is fed it: shuffled, split, standardised)")
        self.compute_button = QPushButton("Take one step")
        self.compute_button.setToolTip(
            "One real training step on this sample: the trained model's next step, or the first step"
        )
        self.forward_button = QPushButton("Forward ▶")
        self.backward_button = QPushButton("◀ Backward")
        self.where = QLabel("Pick a sample and take one step.")
        self.where.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.formula = QPlainTextEdit()
        self.formula.setReadOnly(True)
        self.formula.setPlaceholderText("Going backward, click a cell of a Dense layer's ∂L/∂W heatmap.")
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        for box in (self.details, self.formula):
            box.setFont(mono)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sample"))
        for w in (self.sample, self.compute_button, self.forward_button, self.backward_button):
            row.addWidget(w)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.where)
        texts = QHBoxLayout()  # side by side: a short dock below the canvas still shows both
        texts.addWidget(self.details, 1)
        texts.addWidget(self.formula, 1)
        layout.addLayout(texts, 1)
        self.compute_button.clicked.connect(self.compute)
        self.forward_button.clicked.connect(self.forward)
        self.backward_button.clicked.connect(self.backward)
        self.waiting = False  # a step was asked for and has not come back yet
        session.explained.connect(self.show_ledger)
        session.failed.connect(self._failed)
        self._enable()

    def _enable(self) -> None:
        for b in (self.forward_button, self.backward_button):
            b.setEnabled(self.ledger is not None)

    def compute(self) -> None:
        if self.session.running:
            self.where.setText("A run is training: take the step when it has finished.")
            return
        self.waiting = True
        self.where.setText("Computing the step on the training thread…")
        self.session.explain_step(self.design(), self.sample.value(), self.base_dir())

    def _failed(self, message: str) -> None:
        """The worker's sentence when the step cannot be taken (no data, a sample past the rows)."""
        if self.waiting:
            self.waiting = False
            self.where.setText(message)

    def show_ledger(self, ledger: Ledger) -> None:
        self.waiting = False
        self.ledger, self.phase, self.position = ledger, FORWARD, -1
        self.clear()
        opt = ledger.optimizer
        fd = ledger.fd_max_rel_error
        lines = [
            f"Sample {ledger.index}: loss L = {num(ledger.loss)}",
            f"{opt.type}, step {opt.iterations + 1}, learning rate η = {num(opt.learning_rate)}",
        ]
        if fd is not None:
            lines.append(f"Gradients checked by finite differences: largest relative error {fd:.1e}")
        lines += [f"Note: {n}" for n in ledger.notes]
        self.details.setPlainText("\n".join(lines))
        self.where.setText("Step ready: Forward walks from the input, Backward from the loss.")
        self._enable()

    def forget(self) -> None:
        """The design changed: the step shown no longer belongs to it."""
        self.ledger = None
        self.clear()
        self.where.setText("The design changed: take a new step.")
        self._enable()

    def clear(self) -> None:
        clear_steps(self.scene)
        self.item = None
        self.formula.clear()

    def forward(self) -> None:
        if self.ledger is None:
            return
        last = len(self.ledger.layers)  # one past the last layer: the loss
        self.position = 0 if self.phase != FORWARD else min(self.position + 1, last)
        self.phase = FORWARD
        self._show()

    def backward(self) -> None:
        if self.ledger is None:
            return
        last = len(self.ledger.layers) - 1
        self.position = last if self.phase != BACKWARD else max(self.position - 1, 0)
        self.phase = BACKWARD
        self._show()

    def _show(self) -> None:
        self.clear()
        layers = self.ledger.layers
        if self.position >= len(layers):
            self.where.setText(f"Forward: the loss. L = {num(self.ledger.loss)}; now walk Backward.")
            self.details.setPlainText(
                f"L = {num(self.ledger.loss)} (the design's loss, regularisation included)"
            )
            return
        step = layers[self.position]
        self.where.setText(
            f"{self.phase.capitalize()}: {step.id} ({step.type}), {self.position + 1} of {len(layers)}"
        )
        if self.phase == FORWARD:
            rows, text = self._forward_rows(step)
            heatmap = None
        else:
            rows, text = self._backward_rows(step)
            heatmap = kernel_heatmap(step)
        card = self.scene.nodes.get(step.id)
        if card is not None:
            clear_activations(self.scene)
            on_cell = (
                (lambda i, j, s=step: self.explain_weight(s.id, "kernel", (i, j)))
                if heatmap is not None
                else None
            )
            self.item = StepItem(f"{step.id}: {self.phase}", rows, heatmap, on_cell)
            self.item.setParentItem(card)
            for view in self.scene.views():
                view.ensureVisible(self.item)
        self.details.setPlainText("\n".join(text))

    @staticmethod
    def _forward_rows(step: LayerStep) -> tuple[list[tuple[str, np.ndarray]], list[str]]:
        out = first(step.output)
        if step.type == "Input":
            return [("x", out)], [
                f"{step.id}: the sample as the network is fed it",
                f"x = {values_text(out)}",
            ]
        rows, text = [], [f"{step.id} ({step.type})", f"input = {values_text(step.input)}"]
        if step.z is not None:
            rows.append(("z", step.z))
            text.append(f"z = {values_text(step.z)}   (before the activation)")
        rows.append(("a", out))
        text.append(f"a = {step.activation + '(z)' if step.z is not None else 'output'} = {values_text(out)}")
        if step.mask is not None:
            text.append(f"dropout mask = {values_text(step.mask)}")
        if step.note:
            text.append(f"note: {step.note}")
        return rows, text

    @staticmethod
    def _backward_rows(step: LayerStep) -> tuple[list[tuple[str, np.ndarray]], list[str]]:
        grad = first(step.grad_output)
        rows = [("∂L/∂a", grad)]
        text = [f"{step.id} ({step.type})", f"∂L/∂a = {values_text(grad)}"]
        if step.delta is not None:
            rows.append(("δ=∂L/∂z", step.delta))
            text.append(f"δ = ∂L/∂z = ∂L/∂a ⊙ {step.activation}′(z) = {values_text(step.delta)}")
        for name, w in step.weights.items():
            text.append(f"∂L/∂{name}: norm {num(np.linalg.norm(w.grad))}, shape {tuple(w.grad.shape)}")
        return rows, text

    def explain_weight(self, layer: str, weight: str, index: tuple[int, ...]) -> None:
        """The chain rule for one weight and the optimizer's update of it, with the numbers."""
        step = self.ledger.layer(layer)
        rule = chain_rule(step, weight, index)
        new = update(self.ledger, layer, weight, index)
        before = float(step.weights[weight].before[index])
        lines = [f"{layer}.{weight}{list(index)}: w = {num(before)}", "", "Chain rule:", *rule.lines]
        lines += [
            "",
            f"Update ({self.ledger.optimizer.type}):",
            *new.lines,
            "",
            f"new weight: {num(new.value)}",
        ]
        self.formula.setPlainText("\n".join(lines))
