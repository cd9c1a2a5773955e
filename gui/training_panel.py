"""The training workspace: controls always on top, large curves, and the lab's views beside them.

The state lives in a :class:`gui.training.session.TrainingSession`; this widget
lays out the small views that show it (curves, gradients, decision boundary,
results, run history, data) and redraws the visible ones at 10 Hz when the
session changed.  Results belong to the design shown: opening another design
clears them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.atomic import atomic_path, write_text_atomic
from engine.training.export import FORMATS as MODEL_FORMATS
from engine.training.export import path_for
from engine.training.fit import DIVERGED, EARLY, STOPPED
from engine.training.forward import PICTURE, POINT, design_drawable
from gui.backprop.landscape_view import LandscapeView
from gui.custom_code import ask_trust
from gui.document import Document
from gui.experiments.view import ExperimentsView
from gui.style import status_color
from gui.training.boundary import BoundaryView
from gui.training.curves import CurvesView
from gui.training.data_view import DataView
from gui.training.gradients import GradientsView
from gui.training.lessons import lesson_for
from gui.training.results import ResultsView
from gui.training.runs import RunsView
from gui.training.sample_pad import SampleDialog
from gui.training.session import Run, TrainingSession
from gui.wheel_guard import SpinBox

# 10 Hz reads as live; see benchmarks/training_overhead.py for what redrawing costs.
PLOT_HZ = 10
# The status line's word for a run that ended early: the whole sentence is in the message below it.
ENDED = {STOPPED: "stopped", EARLY: "stopped early", DIVERGED: "diverged"}


def fmt_time(seconds: float) -> str:
    seconds = int(max(0, seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class TrainingPanel(QWidget):
    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.session = TrainingSession(self)
        self._design = doc.design
        self._build()
        # The curves and each plot of the visible tab redraw in turn, one per tick (each still
        # PLOT_HZ times a second): no turn of the event loop repaints every plot at once
        # (benchmarks/ui_latency.py).
        self.plot_timer = QTimer(self)
        self.plot_timer.setInterval(1000 // (2 * PLOT_HZ))  # then from the number of plots shown
        self.plot_timer.timeout.connect(self._refresh_in_turn)
        self._turn = 0
        s = self.session
        s.started.connect(self._started)
        s.progress.connect(self._progress)
        s.finished.connect(self._finished)
        s.failed.connect(self._failed)
        s.status.connect(self.progress_label.setText)
        s.saved.connect(lambda path: self.show_message(f"Saved the trained model to {path}"))
        s.cleared.connect(self._cleared)
        doc.changed.connect(self._design_changed)
        self._update_buttons()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.train_button = QPushButton("Train")
        self.train_button.setDefault(True)
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.inspect = QCheckBox("Inspect layers")
        self.inspect.setChecked(True)
        self.inspect.setToolTip(
            "Record every layer's gradients, weights and activations while training (costs a few percent)"
        )
        self.early = QCheckBox("Early stopping, patience")
        self.patience = SpinBox()
        self.patience.setRange(1, 1000)
        self.patience.setValue(5)
        self.log_scale = QCheckBox("Log scale")
        self.save_button = QPushButton("Save model…")
        self.csv_button = QPushButton("History CSV…")
        self.png_button = QPushButton("Plot PNG…")
        self.train_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop)
        self.save_button.clicked.connect(self.save_model)
        self.csv_button.clicked.connect(self.export_history)
        self.png_button.clicked.connect(self.export_plot)
        controls = QHBoxLayout()
        for w in (
            self.train_button,
            self.pause_button,
            self.stop_button,
            self.inspect,
            self.early,
            self.patience,
        ):
            controls.addWidget(w)
        controls.addWidget(self.log_scale)
        controls.addStretch()

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(260)
        self.progress_label = QLabel("Not trained yet.")
        self.progress_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        status = QHBoxLayout()
        status.addWidget(self.progress)
        status.addWidget(self.progress_label, 1)
        for w in (self.save_button, self.csv_button, self.png_button):
            status.addWidget(w)
        self.lesson = QLabel()
        self.lesson.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        s = self.session
        self.curves = CurvesView(s)
        self.gradients = GradientsView(s)
        self.boundary = BoundaryView(s)
        self.results = ResultsView(s)
        self.runs = RunsView(s)
        self.data = DataView()
        self.runs.compare_requested.connect(self.compare_optimizers)
        self.runs.compare_losses_requested.connect(self.compare_losses)
        self.results.forward_requested.connect(
            lambda index: self.session.forward(self.doc.design, index, self._base_dir())
        )
        self.results.draw_requested.connect(self.show_drawing_pad)
        self.boundary.point_chosen.connect(
            lambda x, y: self.session.forward(self.doc.design, 0, self._base_dir(), (POINT, [x, y]))
        )
        self.drawing: SampleDialog | None = None
        self.log_scale.toggled.connect(self.curves.set_log)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.gradients, "Gradients")
        self.tabs.addTab(self.boundary, "Decision boundary")
        self.tabs.addTab(self.results, "Results")
        self.tabs.addTab(self.runs, "Runs")
        self.tabs.addTab(self.data, "Data")
        self.experiments = ExperimentsView(self.doc, s, self._base_dir)
        self.tabs.addTab(self.experiments, "Experiments")
        self.landscape = LandscapeView(s, lambda: self.doc.design, self._base_dir)
        self.tabs.addTab(self.landscape, "Loss landscape")
        self.tabs.currentChanged.connect(lambda _i: self.refresh_views())
        self.splitter = QSplitter()
        self.splitter.addWidget(self.curves)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)
        for w in (self.curves, self.tabs):
            w.setMinimumWidth(280)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(controls)
        layout.addLayout(status)
        layout.addWidget(self.lesson)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        self._design_changed(None)  # built on first use: show the design that is open now

    # ------------------------------------------------------------ the design shown

    def _design_changed(self, _report: object) -> None:
        if self.doc.design is not self._design:  # another design was opened: its results are not these
            self._design = self.doc.design
            self.session.clear()
        self.results.draw_button.setVisible(design_drawable(self.doc.design) == PICTURE)
        lesson = lesson_for(self.doc.design)
        self.lesson.setText(lesson)
        self.lesson.setStyleSheet(f"color: {status_color('lesson')};")
        self.lesson.setVisible(bool(lesson))
        if self.isVisible():
            self.data.show_data_of(self.doc.design.data, self._base_dir())
        self._update_buttons()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Load the data preview only when someone looks: loading can take a second
        (scikit-learn), which must not delay start-up or every edit."""
        super().showEvent(event)
        if not self.session.running:
            self.data.show_data_of(self.doc.design.data, self._base_dir())
        self.refresh_views()

    def _base_dir(self) -> Path:
        return self.doc.path.parent if self.doc.path else Path.cwd()

    def _cleared(self) -> None:
        if not self.session.running:
            self.plot_timer.stop()
        self.progress.setValue(0)
        self.progress_label.setText("Not trained yet.")
        self.show_message("")
        self.refresh_views()
        self._update_buttons()

    # ------------------------------------------------------------ running

    def _options(self) -> dict:
        return {
            "base_dir": self._base_dir(),
            "early_stopping": self.patience.value() if self.early.isChecked() else None,
            "inspect": self.inspect.isChecked(),
            "seed": int(self.doc.design.data_settings.seed),
        }

    def start(self) -> None:
        """Hand a snapshot of the design to the worker.

        The worker loads the data and checks it against the design before it
        imports TensorFlow, so a mismatch is explained in a moment and a large
        file never blocks the window.
        """
        if ask_trust(self, self.doc.design):  # a design's own code runs only once its user trusts it
            self.session.start(self.doc.design, self._options())

    def compare_optimizers(self) -> None:
        if ask_trust(self, self.doc.design):
            self.session.compare_optimizers(self.doc.design, self._options())

    def show_drawing_pad(self) -> None:
        """The pad for a sample of one's own, beside the canvas: each stroke goes through the network."""
        if self.drawing is None:
            self.drawing = SampleDialog(self.window())
            self.drawing.pad.drawn.connect(
                lambda ink: self.session.forward(self.doc.design, 0, self._base_dir(), (PICTURE, ink))
            )
            self.session.forwarded.connect(self.drawing.show_result)
        self.drawing.show()
        self.drawing.raise_()

    def compare_losses(self) -> None:
        if ask_trust(self, self.doc.design):
            self.session.compare_losses(self.doc.design, self._options())

    def toggle_pause(self) -> None:
        paused = self.session.toggle_pause()
        if self.session.running:
            self.pause_button.setText("Resume" if paused else "Pause")
            if paused:
                self.progress_label.setText(self.progress_label.text() + " · paused")

    def stop(self) -> None:
        if self.session.running:
            self.session.stop()
            self.pause_button.setText("Pause")
            self.progress_label.setText("Stopping after this batch…")

    def shutdown(self) -> None:
        self.experiments.runner.abort()  # a sweep on the same thread ends within a batch too
        self.session.shutdown()

    @property
    def running(self) -> bool:
        return self.session.running

    @property
    def thread(self):
        return self.session.thread

    @property
    def control(self):
        return self.session.control

    def _update_buttons(self) -> None:
        running, has_model = self.session.running, self.session.has_model
        self.train_button.setEnabled(not running)
        self.runs.compare_button.setEnabled(not running)
        self.runs.compare_losses_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.save_button.setEnabled(has_model)
        self.results.predict_button.setEnabled(has_model)
        run = self.session.run
        self.csv_button.setEnabled(bool(run and run.finished and run.result["history"]) and not running)
        self.png_button.setEnabled(run is not None)

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(f"color: {status_color('error')};" if error else "")
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ------------------------------------------------------------ progress

    def _started(self, run: Run) -> None:
        self.show_message("")
        self.progress.setValue(0)
        self.progress_label.setText(f"Run #{run.number}: {run.label} — starting…")
        self.plot_timer.start()
        self._update_buttons()

    def _progress(self, e) -> None:
        run = self.session.run
        fraction = e.position / max(1, run.epochs_planned)
        eta = e.elapsed * (1 - fraction) / fraction if fraction > 0 else 0
        self.progress.setValue(int(1000 * fraction))
        self.progress_label.setText(
            f"#{run.number} {run.label} · epoch {e.epoch + 1}/{run.epochs_planned}"
            f" · batch {e.batch + 1}/{e.steps}"
            f" · {fmt_time(e.elapsed)} elapsed · ETA {fmt_time(eta)} · loss {e.mean_loss:.4f}"
            + (f" · on {run.device}" if run.device else "")
            + (" · paused" if self.session.paused else "")
        )

    def _finished(self, run: Run) -> None:
        result = run.result
        if not self.session.running:
            self.plot_timer.stop()
        self.refresh_views()
        reason = result["stop_reason"]
        self.progress.setValue(1000 if reason is None else self.progress.value())
        ended = ENDED.get(reason, reason)
        self.progress_label.setText(f"Run #{run.number} {ended}." if reason else result["message"])
        self.show_message(result["message"] if reason else "", error=reason == DIVERGED)
        if result.get("advice") and not result["stop_reason"]:
            self.show_message("Tip: " + result["advice"][0])
        self._update_buttons()

    def _failed(self, message: str) -> None:
        self.plot_timer.stop()
        self.show_message(message, error=True)
        self.progress_label.setText("Training did not complete.")
        self.refresh_views()
        self._update_buttons()

    def _refresh_in_turn(self) -> None:
        parts = self._refresh_parts()
        self._turn = (self._turn + 1) % len(parts)
        parts[self._turn]()
        interval = 1000 // (PLOT_HZ * len(parts))
        if self.plot_timer.interval() != interval:  # setting it restarts the timer: only on a change
            self.plot_timer.setInterval(interval)

    def refresh_views(self) -> None:
        """Redraw the curves and the visible tab (each view skips the work when nothing changed)."""
        for part in self._refresh_parts():
            part()

    def _refresh_parts(self) -> list[Callable[[], None]]:
        """Each plot of the curves, then each of the visible tab's that redraws on its own."""
        curves, current = self.curves.refresh_parts(), self.tabs.currentWidget()
        if current is self.runs and self.session.running:  # its table changes once a run
            return curves
        if hasattr(current, "refresh_parts"):
            return [*curves, *current.refresh_parts()]
        if hasattr(current, "refresh"):
            return [*curves, current.refresh]
        return curves

    def apply_theme(self) -> None:
        for view in (self.curves, self.gradients, self.boundary, self.results):
            view.apply_theme()

    # ------------------------------------------------------------ files

    def save_model(self) -> None:
        start = str(self._base_dir() / f"{self.doc.design.name}.keras")
        path, chosen = QFileDialog.getSaveFileName(
            self, "Save trained model", start, ";;".join(MODEL_FORMATS.values())
        )
        if path:
            kind = next((k for k, v in MODEL_FORMATS.items() if v == chosen), "keras")
            self.session.save_model(str(path_for(path, kind)))

    def export_history(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export history", str(self._base_dir() / "history.csv"), "CSV (*.csv)"
        )
        if not path or self.session.run is None or not self.session.run.finished:
            return
        history = self.session.run.result["history"]
        keys = list(history)
        rows = max((len(v) for v in history.values()), default=0)
        text = io.StringIO(newline="")
        writer = csv.writer(text)
        writer.writerow(["epoch", *keys])
        for i in range(rows):
            writer.writerow([i + 1, *(history[k][i] if i < len(history[k]) else "" for k in keys)])
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
                    if not self.curves.grab().save(str(tmp), "PNG"):
                        raise OSError(f"{tmp.name} could not be written")
            except OSError as exc:
                self.show_message(f"Could not write {path}: {exc.strerror or exc}", error=True)
                return
            self.show_message(f"Wrote {path}")
