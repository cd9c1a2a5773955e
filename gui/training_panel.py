"""The training panel: run, watch, pause, stop, evaluate and save.

Progress arrives as plain dicts from the worker thread (queued signals) and
is appended to NumPy buffers; a 20 Hz timer on the GUI thread pushes the
buffers into pyqtgraph, so a fast stream of batches never floods the event
loop.  Earlier runs stay on the plot as faded curves for comparison.
"""

from __future__ import annotations

import copy
import csv
import html
import io
import math
import queue
import threading
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.atomic import atomic_path, write_text_atomic
from engine.data import prepare as datamod
from engine.training.export import FORMATS as MODEL_FORMATS
from engine.training.export import path_for
from engine.training.fit import DIVERGED, Control
from gui.document import Document
from gui.style import current_theme
from gui.training_worker import TrainingThread

# 10 Hz reads as live.  Grid lines and point symbols are left out: redrawing them
# every frame cost a fifth of the training speed on two cores
# (benchmarks/training_overhead.py).
PLOT_HZ = 10
SMOOTHING = 0.8  # exponential smoothing of the per-batch loss curve
KEEP_RUNS = 3
COLORS = ["#2F6FD6", "#E4572E", "#17A398", "#F3A712", "#8E6C8A", "#4C4C4C"]


def fmt_time(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class RunCurves:
    """One run's data: per-batch loss and per-epoch logs, with its plot items."""

    def __init__(self) -> None:
        self.batch_x: list[float] = []
        self.batch_y: list[float] = []
        self.smoothed: float | None = None
        self.epochs: dict[str, list[float]] = {}
        self.items: dict[str, pg.PlotDataItem] = {}


def load_preview(key: str, spec: dict, base: Path, results: queue.Queue) -> None:
    """Runs on a helper thread.  It touches no Qt object: a thread that drops the last
    reference to one makes PySide delete it later from the GUI thread, which can deadlock."""
    try:
        results.put((key, datamod.load(spec, base)))
    except datamod.DataError as exc:
        results.put((key, str(exc)))
    except Exception as exc:  # noqa: BLE001 - a thread that dies unheard leaves "Loading the data…" forever
        results.put((key, f"The data could not be loaded: {type(exc).__name__}: {exc}"))


class TrainingPanel(QWidget):
    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.thread: TrainingThread | None = None
        self.control: Control | None = None
        self.running = False
        self.run: RunCurves | None = None
        self.previous: list[RunCurves] = []
        self.history: dict[str, list[float]] = {}
        self.dirty = False
        self.steps = 1
        self.epochs = 1
        self.device = ""  # which device trains, from the worker ("CPU" or "GPU: name")
        self._data_key: str | None = None
        self._previews: queue.Queue = queue.Queue()  # (data key, Dataset or message) from load_preview
        self._preview_timer = QTimer(self)
        self._preview_timer.setInterval(50)
        self._preview_timer.timeout.connect(self._poll_preview)
        self._build()
        self.plot_timer = QTimer(self)
        self.plot_timer.setInterval(1000 // PLOT_HZ)
        self.plot_timer.timeout.connect(self._refresh_plots)
        doc.changed.connect(self._design_changed)
        self._update_buttons()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.early = QCheckBox("Early stopping, patience")
        self.patience = QSpinBox()
        self.patience.setRange(1, 1000)
        self.patience.setValue(5)
        self.log_scale = QCheckBox("Log scale")
        self.train_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.log_scale.toggled.connect(self._set_log)
        controls = QHBoxLayout()
        for w in (
            self.train_button,
            self.pause_button,
            self.stop_button,
            self.early,
            self.patience,
            self.log_scale,
        ):
            controls.addWidget(w)
        controls.addStretch()

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress_label = QLabel("Not trained yet.")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_label = QLabel()
        self.data_label.setWordWrap(True)
        self.preview = QTableWidget(0, 0)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.setMaximumHeight(150)

        self.results = QLabel()
        self.results.setWordWrap(True)
        self.results.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confusion = QTableWidget(0, 0)
        self.confusion.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.hide()
        self.scatter = pg.PlotWidget(title="Predicted vs actual")
        self.scatter.setLabel("bottom", "actual")
        self.scatter.setLabel("left", "predicted")
        self.scatter.setMinimumHeight(180)
        self.scatter.hide()
        self.sample = QSpinBox()
        self.sample.setPrefix("sample #")
        self.predict_button = QPushButton("Predict")
        self.predict_button.clicked.connect(self._predict)
        self.prediction = QLabel()
        self.prediction.setWordWrap(True)
        self.save_button = QPushButton("Save model…")
        self.csv_button = QPushButton("History CSV…")
        self.png_button = QPushButton("Plot PNG…")
        self.save_button.clicked.connect(self.save_model)
        self.csv_button.clicked.connect(self.export_history)
        self.png_button.clicked.connect(self.export_plot)

        left = QWidget()
        col = QVBoxLayout(left)
        col.addLayout(controls)
        col.addWidget(self.progress)
        col.addWidget(self.progress_label)
        col.addWidget(self.message)
        col.addWidget(QLabel("<b>Data</b>"))
        col.addWidget(self.data_label)
        col.addWidget(self.preview)
        col.addWidget(QLabel("<b>Results</b>"))
        col.addWidget(self.results)
        col.addWidget(self.confusion)
        col.addWidget(self.scatter)
        row = QHBoxLayout()
        row.addWidget(self.sample)
        row.addWidget(self.predict_button)
        row.addWidget(self.prediction, 1)
        col.addLayout(row)
        files = QHBoxLayout()
        for b in (self.save_button, self.csv_button, self.png_button):
            files.addWidget(b)
        files.addStretch()
        col.addLayout(files)
        col.addStretch()

        self.plots = pg.GraphicsLayoutWidget()
        self.loss_plot = self.plots.addPlot(row=0, col=0, title="Loss")
        self.metric_plot = self.plots.addPlot(row=1, col=0, title="Metrics")
        for plot in (self.loss_plot, self.metric_plot):
            plot.setLabel("bottom", "epoch")
            plot.addLegend(offset=(-10, 10))
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
        self.apply_theme()
        scroll = QScrollArea()  # the results column scrolls, so the dock can stay small
        scroll.setWidgetResizable(True)
        scroll.setWidget(left)
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(self.plots)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    # ------------------------------------------------------------ data summary

    def _design_changed(self, _report: object) -> None:
        if self.isVisible():
            self._refresh_data()
        self._update_buttons()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Load the data preview only when someone looks: loading can take a second
        (scikit-learn), which must not delay start-up or every edit."""
        super().showEvent(event)
        self._refresh_data()

    def _refresh_data(self) -> None:
        key = repr(self.doc.design.data)
        if key == self._data_key or self.running:
            return
        self._data_key = key
        self.preview.clear()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        if not self.doc.design.data:
            self.data_label.setText("No dataset: pick one in the Model tab.")
            return
        self.data_label.setText("Loading the data…")
        spec, base = copy.deepcopy(self.doc.design.data), self._base_dir()
        # A big file takes a while to read: load off the GUI thread, show the result when it arrives.
        threading.Thread(target=load_preview, args=(key, spec, base, self._previews), daemon=True).start()
        self._preview_timer.start()

    def _poll_preview(self) -> None:
        try:
            key, result = self._previews.get_nowait()
        except queue.Empty:
            return
        if key == self._data_key:
            self._preview_timer.stop()
        self._show_data(key, result)

    def _show_data(self, key: str, ds: datamod.Dataset | str) -> None:
        """Shapes, class balance and the first rows of the dataset (stale results are ignored)."""
        if key != self._data_key:
            return
        if isinstance(ds, str):
            self.data_label.setText(
                f"<span style='color:#D32F2F'>{html.escape(ds)}</span>"
            )  # names from files
            return
        text = f"{ds.name}: {len(ds.x)} samples, x {tuple(ds.x.shape[1:])}, "
        if ds.task == datamod.CLASSIFICATION:
            balance = ", ".join(f"{k}: {v}" for k, v in ds.class_balance().items())
            text += f"{ds.classes} classes ({balance})"
        else:
            text += f"regression target {tuple(ds.y.shape[1:])}"
        if ds.dropped_rows:
            text += f"; {len(ds.dropped_rows)} invalid rows dropped"
        self.data_label.setText(text)
        flat = ds.x.reshape(len(ds.x), -1)
        cols = min(flat.shape[1], 12)
        names = (ds.feature_names or [f"x{i}" for i in range(flat.shape[1])])[:cols] + ["target"]
        rows = min(len(flat), 20)
        self.preview.setColumnCount(len(names))
        self.preview.setRowCount(rows)
        self.preview.setHorizontalHeaderLabels(names)
        for r in range(rows):
            for c in range(cols):
                self.preview.setItem(r, c, QTableWidgetItem(f"{flat[r, c]:.4g}"))
            target = ds.y[r]
            shown = ds.class_names[int(target)] if ds.class_names and np.ndim(target) == 0 else str(target)
            self.preview.setItem(r, cols, QTableWidgetItem(shown))

    def _base_dir(self) -> Path:
        return self.doc.path.parent if self.doc.path else Path.cwd()

    # ------------------------------------------------------------ running

    def start(self) -> None:
        """Hand a snapshot of the design to the worker.

        The worker loads the data and checks it against the design before it
        imports TensorFlow, so a mismatch is explained in a moment and a large
        file never blocks the window.
        """
        if self.running:
            return
        design = copy.deepcopy(self.doc.design)
        if self.thread is None:
            self.thread = TrainingThread()
            w = self.thread.worker
            w.begun.connect(self._begun)
            w.batch.connect(self._batch)
            w.epoch.connect(self._epoch)
            w.finished.connect(self._finished)
            w.failed.connect(self._failed)
            w.status.connect(self.progress_label.setText)
            w.saved.connect(self._saved)
            w.predicted.connect(self._show_prediction)
        self._new_run()
        self.control = Control()
        self.running = True
        self.started_at = time.perf_counter()
        self.show_message("")
        options = {
            "base_dir": self._base_dir(),
            "early_stopping": self.patience.value() if self.early.isChecked() else None,
        }
        self.thread.train(design, self.control, options)
        self.plot_timer.start()
        self._update_buttons()

    def toggle_pause(self) -> None:
        if not self.running or self.control is None:
            return
        if self.control.paused:
            self.control.resume()
            self.pause_button.setText("Pause")
        else:
            self.control.pause()
            self.pause_button.setText("Resume")
            self.progress_label.setText(self.progress_label.text() + " · paused")

    def stop(self) -> None:
        if self.running and self.control is not None:
            self.control.stop()
            self.pause_button.setText("Pause")
            self.progress_label.setText("Stopping after this batch…")

    def shutdown(self) -> None:
        if self.thread is not None:
            self.thread.shutdown(self.control)
            self.thread = None

    def _update_buttons(self) -> None:
        has_model = self.thread is not None and self.thread.worker.model is not None and not self.running
        self.train_button.setEnabled(not self.running)
        self.pause_button.setEnabled(self.running)
        self.stop_button.setEnabled(self.running)
        for b in (self.save_button, self.predict_button):
            b.setEnabled(has_model)
        self.csv_button.setEnabled(bool(self.history) and not self.running)
        self.png_button.setEnabled(self.run is not None)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #D32F2F;" if error else "")
        self.message.setText(text)

    # ------------------------------------------------------------ progress from the worker

    def _begun(self, info: dict) -> None:
        self.epochs, self.steps = info["epochs"], info["steps"]
        self.device = info.get("device", "")

    def _batch(self, info: dict) -> None:
        run = self.run
        x = info["epoch"] + (info["batch"] + 1) / info["steps"]
        loss = info["loss"]
        run.smoothed = loss if run.smoothed is None else SMOOTHING * run.smoothed + (1 - SMOOTHING) * loss
        run.batch_x.append(x)
        run.batch_y.append(run.smoothed)
        self.dirty = True
        fraction = x / self.epochs
        elapsed = info["elapsed"]
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else 0
        self.progress.setValue(int(1000 * fraction))
        self.progress_label.setText(
            f"epoch {info['epoch'] + 1}/{self.epochs} · batch {info['batch'] + 1}/{info['steps']} · "
            f"{fmt_time(elapsed)} elapsed · ETA {fmt_time(eta)} · loss {info['mean_loss']:.4f}"
            + (f" · on {self.device}" if self.device else "")
            + (" · paused" if self.control and self.control.paused else "")
        )

    def _epoch(self, info: dict) -> None:
        for key, value in info["logs"].items():
            self.run.epochs.setdefault(key, []).append(value)
        self.dirty = True

    def _finished(self, result: dict) -> None:
        self.running = False
        self.plot_timer.stop()
        self._refresh_plots()
        self.history = result["history"]
        self.progress.setValue(1000 if result["stop_reason"] is None else self.progress.value())
        self.progress_label.setText(result["message"])
        self.show_message(
            result["message"] if result["stop_reason"] else "", error=result["stop_reason"] == DIVERGED
        )
        self._show_evaluation(result["evaluation"])
        self._update_buttons()

    def _saved(self, path: str) -> None:
        self.show_message(f"Saved the trained model to {path}")

    def _failed(self, message: str) -> None:
        was_running = self.running
        self.running = False
        self.plot_timer.stop()
        self.show_message(message, error=True)
        if was_running:
            self.progress_label.setText("Training did not complete.")
        self._update_buttons()

    # ------------------------------------------------------------ plots

    def _new_run(self) -> None:
        if self.run is not None:
            self.previous.append(self.run)
            for item in self.run.items.values():
                color = item.opts["pen"].color()
                color.setAlpha(60)
                item.setPen(pg.mkPen(color, width=1))
                item.opts["name"] = None
            while len(self.previous) > KEEP_RUNS:
                for item in self.previous.pop(0).items.values():
                    view = item.getViewBox()
                    if view is not None:
                        view.removeItem(item)
        for plot in (self.loss_plot, self.metric_plot):
            if plot.legend is not None:
                plot.legend.clear()
        self.run = RunCurves()
        self.history = {}

    def _curve(self, key: str) -> pg.PlotDataItem:
        run = self.run
        if key not in run.items:
            base = key.removeprefix("val_")
            plot = self.loss_plot if base == "loss" or key == "batch loss" else self.metric_plot
            names = ["loss", *sorted({k.removeprefix("val_") for k in run.epochs} - {"loss"})]
            color = COLORS[names.index(base) % len(COLORS)] if base in names else "#999999"
            if key == "batch loss":
                pen = pg.mkPen("#9AA0A6", width=1)
            else:
                style = Qt.PenStyle.DashLine if key.startswith("val_") else Qt.PenStyle.SolidLine
                pen = pg.mkPen(color, width=2, style=style)
            # Lines only: scatter symbols cost more to repaint than the rest of the panel.
            run.items[key] = plot.plot([], [], pen=pen, name=key)
        return run.items[key]

    def _refresh_plots(self) -> None:
        if not self.dirty or self.run is None:
            return
        self.dirty = False
        run = self.run
        if run.batch_x:
            self._curve("batch loss").setData(np.asarray(run.batch_x), np.asarray(run.batch_y))
        for key, values in run.epochs.items():
            self._curve(key).setData(np.arange(1, len(values) + 1, dtype=float), np.asarray(values))

    def apply_theme(self) -> None:
        dark = current_theme() == "dark"
        background, foreground = ("#1B1C1F", "#D0D0D0") if dark else ("#FFFFFF", "#303030")
        self.plots.setBackground(background)
        self.scatter.setBackground(background)
        for plot in (*self._plot_items(), self.scatter.getPlotItem()):
            for side in ("left", "bottom"):
                plot.getAxis(side).setPen(foreground)
                plot.getAxis(side).setTextPen(foreground)
            plot.titleLabel.setText(plot.titleLabel.text, color=foreground)

    def _plot_items(self) -> tuple:
        return (self.loss_plot, self.metric_plot) if hasattr(self, "metric_plot") else ()

    def _set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)

    # ------------------------------------------------------------ results

    def _show_evaluation(self, ev: dict) -> None:
        self.confusion.hide()
        self.scatter.hide()
        if not ev:
            self.results.setText("")
            return
        scores = ", ".join(f"{k} {v:.4f}" for k, v in ev["metrics"].items())
        self.results.setText(
            f"On the {ev['evaluated_on']} set ({ev.get('test_samples') or 'all'} samples): {scores}"
        )
        if "confusion_matrix" in ev:
            matrix, names = ev["confusion_matrix"], ev["class_names"]
            self.confusion.setRowCount(len(names))
            self.confusion.setColumnCount(len(names))
            self.confusion.setHorizontalHeaderLabels([f"pred {n}" for n in names])
            self.confusion.setVerticalHeaderLabels([f"true {n}" for n in names])
            for r, row in enumerate(matrix):
                for c, value in enumerate(row):
                    item = QTableWidgetItem(str(value))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    self.confusion.setItem(r, c, item)
            self.confusion.show()
            n = sum(map(sum, matrix))
        else:
            self.scatter.clear()
            actual, predicted = np.asarray(ev["actual"]), np.asarray(ev["predicted"])
            self.scatter.plot(actual, predicted, pen=None, symbol="o", symbolSize=5, symbolBrush="#2F6FD6")
            low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
            self.scatter.plot([low, high], [low, high], pen=pg.mkPen("#999999", style=Qt.PenStyle.DashLine))
            self.scatter.show()
            n = len(actual)
        self.sample.setRange(0, max(0, n - 1))

    def _predict(self) -> None:
        if self.thread is not None:
            self.thread.predict(self.sample.value())

    def _show_prediction(self, p: dict) -> None:
        values = p["prediction"]
        names = p["class_names"]
        if names and len(values) == len(names):
            best = int(np.argmax(values))
            self.prediction.setText(
                f"predicted {names[best]} ({values[best]:.0%}); actual {_label(p['actual'], names)}"
            )
        else:
            shown = ", ".join(f"{v:.4g}" for v in values)
            self.prediction.setText(f"predicted {shown}; actual {_label(p['actual'], names)}")

    # ------------------------------------------------------------ files

    def save_model(self) -> None:
        start = str(self._base_dir() / f"{self.doc.design.name}.keras")
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save trained model", start, ";;".join(MODEL_FORMATS.values())
        )
        if path and self.thread is not None:
            kind = next((k for k, v in MODEL_FORMATS.items() if v == chosen), "keras")
            self.thread.save(str(path_for(path, kind)))

    def export_history(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export history", str(self._base_dir() / "history.csv"), "CSV (*.csv)"
        )
        if not path:
            return
        keys = list(self.history)
        rows = max((len(v) for v in self.history.values()), default=0)
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(["epoch", *keys])
        for i in range(rows):
            writer.writerow([i + 1, *(self.history[k][i] if i < len(self.history[k]) else "" for k in keys)])
        try:
            write_text_atomic(path, text.getvalue())
        except OSError as exc:
            self.show_message(f"Could not write {path}: {exc.strerror or exc}", error=True)
            return
        self.show_message(f"Wrote {path}")

    def export_plot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export plot", str(self._base_dir() / "training.png"), "PNG image (*.png)"
        )
        if path:
            try:
                with atomic_path(path) as tmp:
                    if not self.plots.grab().save(str(tmp), "PNG"):
                        raise OSError(f"{tmp.name} could not be written")
            except OSError as exc:
                self.show_message(f"Could not write {path}: {exc.strerror or exc}", error=True)
                return
            self.show_message(f"Wrote {path}")


def _label(actual: object, names: list[str]) -> str:
    if names and isinstance(actual, (int, float)) and float(actual).is_integer() and 0 <= actual < len(names):
        return names[int(actual)]
    if isinstance(actual, list):
        if names and len(actual) == len(names):
            return names[int(np.argmax(actual))]
        return ", ".join(f"{v:.4g}" for v in actual)
    return f"{actual:.4g}" if isinstance(actual, float) and not math.isnan(actual) else str(actual)
