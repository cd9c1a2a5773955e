"""Results of the last run: the scores (saying plainly when they come from training data),
advice when the loss did not move, a confusion matrix coloured by count or predicted-vs-actual,
and a prediction for any chosen sample."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.schema.compile_catalog import metric_text
from gui.backprop.saliency_view import SaliencyView
from gui.experiments.baselines import BaselineProbe, per_class_text
from gui.style import status_color
from gui.training.plots import Plot
from gui.training.session import Run, TrainingSession
from gui.wheel_guard import ComboBox, SpinBox

TRAINING_DATA_WARNING = (
    "These results are on the training data (the test split is 0): they show how well the model "
    "fits what it has already seen, not how it does on new data. Set a test split in the Model tab."
)


def count_color(value: int, largest: int) -> QColor:
    """Blue, stronger with the count: the diagonal of a good classifier stands out."""
    share = value / largest if largest else 0.0
    color = QColor("#2F6FD6")
    color.setAlpha(int(25 + 200 * share) if value else 0)
    return color


class ResultsView(QScrollArea):
    forward_requested = Signal(int)  # a sample index: show its forward pass on the cards
    draw_requested = Signal()  # open the pad to draw a sample of one's own

    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session
        self.setWidgetResizable(True)
        self.results = QLabel("Train the design to see its results here.")
        self.results.setWordWrap(True)
        self.results.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(f"color: {status_color('warning')}; font-weight: bold;")
        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setStyleSheet(f"color: {status_color('warning')};")
        self.output = ComboBox()  # a model with several outputs: whose results are shown
        self.output.setToolTip("The model has several outputs: choose whose results to show")
        self.output.currentIndexChanged.connect(self._show_chosen_output)
        self._outputs: dict[str, dict] = {}
        self.confusion = QTableWidget(0, 0)
        self.confusion.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.per_class = QLabel()  # each class's share predicted right, beside the matrix
        self.baselines = QLabel()  # simple models on the same split (gui/experiments/baselines.py)
        self.baselines.setWordWrap(True)
        BaselineProbe(session, self.baselines)
        self.scatter = Plot("Predicted vs actual")
        self.scatter.setLabel("bottom", "actual")
        self.scatter.setLabel("left", "predicted")
        self.scatter.setMinimumHeight(220)
        self.sample = SpinBox()
        self.sample.setPrefix("sample #")
        self.predict_button = QPushButton("Predict")
        self.predict_button.clicked.connect(lambda: session.predict(self.sample.value()))
        self.forward_button = QPushButton("Show on canvas")
        self.forward_button.setToolTip(
            "Run this sample through the network and show every layer's output beside its card"
        )
        self.forward_button.clicked.connect(lambda: self.forward_requested.emit(self.sample.value()))
        self.draw_button = QPushButton("Draw a sample…")
        self.draw_button.setToolTip("Draw an 8×8 picture and watch every layer's output for it on the canvas")
        self.draw_button.clicked.connect(self.draw_requested)
        self.draw_button.hide()  # only for 8x8 image data
        self.prediction = QLabel()
        self.prediction.setWordWrap(True)
        self.sample_picture = QLabel()  # the predicted sample itself: a picture, when it is one
        self.sample_picture.setToolTip("The sample that was predicted (scaled to its own range)")
        self.sample_picture.hide()
        page = QWidget()
        col = QVBoxLayout(page)
        for w in (self.results, self.baselines, self.warning, self.advice, self.output, self.confusion):
            col.addWidget(w)
        col.addWidget(self.per_class)
        col.addWidget(self.scatter)
        row = QHBoxLayout()
        row.addWidget(self.sample)
        row.addWidget(self.predict_button)
        row.addWidget(self.forward_button)
        row.addWidget(self.draw_button)
        row.addWidget(self.sample_picture)
        row.addWidget(self.prediction, 1)
        col.addLayout(row)
        self.saliency = SaliencyView(session, self.sample.value)  # gui/backprop: what the network looks at
        col.addWidget(self.saliency)
        col.addStretch()
        self.setWidget(page)
        session.finished.connect(self.show_run)
        session.cleared.connect(self.clear)
        session.predicted.connect(self.show_prediction)
        self.clear()

    def clear(self) -> None:
        self.results.setText("Train the design to see its results here.")
        for w in (self.warning, self.advice, self.output, self.confusion, self.per_class, self.scatter):
            w.hide()
        self._outputs = {}
        self.prediction.setText("")
        self.sample_picture.hide()

    def show_run(self, run: Run) -> None:
        result = run.result or {}
        ev = result.get("evaluation") or {}
        self.clear()
        advice = result.get("advice") or []
        self.advice.setText("\n".join(f"Tip: {a}" for a in advice))
        self.advice.setVisible(bool(advice))
        if not ev:
            self.results.setText("")
            return
        scores = ", ".join(metric_text(k, v) for k, v in ev["metrics"].items())
        whole = ev.get("sequence_accuracy")
        steps = f". Whole sequences right: {whole:.1%}; the matrix counts steps" if whole is not None else ""
        self.results.setText(
            f"On the {ev['evaluated_on']} set ({ev.get('test_samples') or 'all'} samples): {scores}{steps}"
        )
        self.warning.setText(TRAINING_DATA_WARNING)
        self.warning.setVisible(ev["evaluated_on"] == "training")
        self._outputs = ev.get("outputs") or {}
        self.output.blockSignals(True)
        self.output.clear()
        self.output.addItems([f"output {name}" for name in self._outputs])
        self.output.blockSignals(False)
        self.output.setVisible(len(self._outputs) > 1)
        n = self._show_output(ev)
        self.sample.setRange(0, max(0, ev.get("samples", n) - 1))

    def _show_chosen_output(self, index: int) -> None:
        if 0 <= index < len(self._outputs):
            self._show_output(list(self._outputs.values())[index])

    def _show_output(self, ev: dict) -> int:
        """One output's confusion matrix or predicted-vs-actual plot; returns the samples it counts."""
        self.confusion.hide()
        self.per_class.hide()
        self.scatter.hide()
        if "confusion_matrix" in ev:
            self._show_confusion(ev["confusion_matrix"], ev["class_names"])
            return sum(map(sum, ev["confusion_matrix"]))
        self.scatter.clear()
        actual, predicted = np.asarray(ev["actual"]), np.asarray(ev["predicted"])
        self.scatter.plot(actual, predicted, pen=None, symbol="o", symbolSize=5, symbolBrush="#2F6FD6")
        low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
        self.scatter.plot([low, high], [low, high], pen=pg.mkPen("#999999", style=Qt.PenStyle.DashLine))
        self.scatter.show()
        return len(actual)

    def _show_confusion(self, matrix: list[list[int]], names: list[str]) -> None:
        self.confusion.setRowCount(len(names))
        self.confusion.setColumnCount(len(names))
        self.confusion.setHorizontalHeaderLabels([f"pred {n}" for n in names])
        self.confusion.setVerticalHeaderLabels([f"true {n}" for n in names])
        largest = max((max(row) for row in matrix), default=0)
        for r, row in enumerate(matrix):
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(QBrush(count_color(value, largest)))
                item.setToolTip(f"{value} samples of class {names[r]} predicted as {names[c]}")
                self.confusion.setItem(r, c, item)
        self.confusion.show()
        self.per_class.setText(per_class_text(matrix, names))
        self.per_class.show()
        self._fit_confusion()

    def _fit_confusion(self) -> None:
        """Every row and column on the page, no box of its own to scroll: the page scrolls instead."""
        table = self.confusion
        table.resizeRowsToContents()
        frame = 2 * table.frameWidth()
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows + frame)

    def show_prediction(self, p: dict) -> None:
        outputs = p.get("outputs") or [p]  # several outputs: each one's prediction, named
        texts = [_prediction_text(o["prediction"], o["actual"], o["class_names"]) for o in outputs]
        if len(outputs) > 1:
            texts = [f"{o['output']}: {t}" for o, t in zip(outputs, texts, strict=True)]
        sample = p.get("sample")
        words = sample_words(sample, outputs[0]["class_names"] or [])
        self.prediction.setText(" · ".join(([words] if words else []) + texts))
        picture = sample_picture(sample)
        self.sample_picture.setVisible(picture is not None)
        if picture is not None:
            self.sample_picture.setPixmap(picture)

    def apply_theme(self) -> None:
        self.scatter.apply_theme()


def _prediction_text(values: list[float], actual: object, names: list[str]) -> str:
    if names and len(values) > len(names) and len(values) % len(names) == 0:  # a class per step
        steps = np.asarray(values).reshape(-1, len(names)).argmax(axis=1)
        labels = np.asarray(actual)
        truth = labels.argmax(axis=-1) if labels.ndim > 1 else labels.astype(int).reshape(-1)
        return f"predicted {' '.join(names[i] for i in steps)}; actual {' '.join(names[i] for i in truth)}"
    if names and len(values) == len(names):
        best = int(np.argmax(values))
        return f"predicted {names[best]} ({values[best]:.0%}); actual {_label(actual, names)}"
    shown = ", ".join(f"{v:.4g}" for v in values)
    return f"predicted {shown}; actual {_label(actual, names)}"


def _label(actual: object, names: list[str]) -> str:
    if names and isinstance(actual, (int, float)) and float(actual).is_integer() and 0 <= actual < len(names):
        return names[int(actual)]
    if isinstance(actual, list):
        if names and len(actual) == len(names):
            return names[int(np.argmax(actual))]
        return ", ".join(f"{v:.4g}" for v in actual)
    return f"{actual:.4g}" if isinstance(actual, float) and not math.isnan(actual) else str(actual)


PICTURE_PX = 72  # the predicted picture's size on screen


def _one_hot(a: np.ndarray) -> bool:
    return a.ndim == 2 and bool(np.isin(a, (0.0, 1.0)).all()) and bool((a.sum(axis=1) == 1).all())


def sample_words(sample: object, names: list[str]) -> str:
    """The sample in words when it is symbols (a one-hot row per step, e.g. the encoder-decoder's
    source sequence: 'input source: c a f') or a few numbers (a point: 'input (0.12, -1.3)')."""
    if sample is None:
        return ""
    name, value = next(iter(sample.items())) if isinstance(sample, dict) else ("", sample)
    a = np.asarray(value, dtype=float)
    a = a[0] if a.ndim > 1 and a.shape[0] == 1 else a
    label = f"input {name}: " if name else "input "
    if names and _one_hot(a) and a.shape[1] == len(names):
        return label + " ".join(names[int(i)] for i in a.argmax(axis=1))
    if a.ndim == 1 and len(a) <= 3:  # a point on the plane (or in space); a row of features is not shown
        return label + "(" + ", ".join(f"{v:.3g}" for v in a) + ")"
    return ""


def sample_picture(sample: object) -> QPixmap | None:
    """The sample as a grey picture when it is an image (H x W, or H x W x 1), else None."""
    if sample is None or isinstance(sample, dict):
        return None
    a = np.asarray(sample, dtype=float)
    a = a[0] if a.ndim > 2 and a.shape[0] == 1 else a
    a = a[..., 0] if a.ndim == 3 and a.shape[-1] == 1 else a
    if a.ndim != 2 or min(a.shape) < 4 or _one_hot(a):
        return None
    low, high = float(a.min()), float(a.max())
    grey = np.ascontiguousarray(255 * (1 - (a - low) / ((high - low) or 1.0)), dtype=np.uint8)  # ink dark
    image = QImage(grey.data, grey.shape[1], grey.shape[0], grey.strides[0], QImage.Format.Format_Grayscale8)
    return QPixmap.fromImage(image.copy()).scaled(
        PICTURE_PX, PICTURE_PX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )
