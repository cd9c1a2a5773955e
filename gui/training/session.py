"""The training session: the state of training one design, with signals and no widgets.

It owns the worker thread, the run in progress, the history of runs (each with
its design snapshot, optimizer, curves, final metrics and time), the latest
layer statistics and decision boundary, and the evaluation.  Views read this
state and redraw on a timer; they never talk to the worker.

Progress arrives as typed events (:mod:`engine.training.events`) on one
signal and is dispatched by type, so a new stream is one handler here.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine.design.graph import Design
from engine.schema.compile_catalog import OPTIMIZERS
from engine.training import events
from engine.training.compare import loss_variants, optimizer_variants
from engine.training.fit import Control
from gui.training_worker import TrainingThread

SMOOTHING = 0.8  # exponential smoothing of the per-batch loss curve
KEEP_RUNS = 12


def optimizer_text(optimizer: dict[str, Any]) -> str:
    """'Adam lr 0.001': a learning rate left at the optimizer's default is named by its value."""
    rest = ", ".join(f"{k} {v}" for k, v in optimizer.items() if k not in ("type", "learning_rate"))
    spec = OPTIMIZERS.get(optimizer.get("type"))
    default = next((p.default for p in spec.params if p.name == "learning_rate"), None) if spec else None
    rate = optimizer.get("learning_rate", default)
    text = str(optimizer.get("type", "?"))
    if rate is not None:
        text += f" lr {rate:g}" if isinstance(rate, float) else f" lr {rate}"
    return f"{text}, {rest}" if rest else text


@dataclass
class Run:
    """One run: what was trained how, and everything it reported (plain data)."""

    number: int
    label: str
    design: Design
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0
    epochs_planned: int = 1
    steps: int = 1
    device: str = ""  # which device trains it ("CPU", "GPU: name")
    batch_x: list[float] = field(default_factory=list)
    batch_y: list[float] = field(default_factory=list)
    smoothed: float | None = None
    epochs: dict[str, list[float]] = field(default_factory=dict)
    grad_x: list[float] = field(default_factory=list)
    grad_norm: dict[str, list[float]] = field(default_factory=dict)
    ratio_x: list[float] = field(default_factory=list)
    update_ratio: dict[str, list[float]] = field(default_factory=dict)
    epoch_stats: events.EpochStats | None = None
    boundary: events.Boundary | None = None
    result: dict[str, Any] | None = None
    overlay: bool = True

    @property
    def finished(self) -> bool:
        return self.result is not None

    @property
    def x_end(self) -> float:
        """How many epochs its plots span: those planned while it trains, those it trained once
        it ended (stopped, early stopping, diverged), and never less than one."""
        if not self.finished:
            return max(1, self.epochs_planned)
        return max([1, *(len(values) for values in self.epochs.values())])

    def final(self, key: str) -> float | None:
        values = self.epochs.get(key)
        return values[-1] if values else None


class TrainingSession(QObject):
    """State and signals of training the document's design."""

    started = Signal(object)  # Run
    progress = Signal(object)  # events.Batch, for the progress line
    changed = Signal()  # something to redraw arrived
    finished = Signal(object)  # Run, with its result
    failed = Signal(str)
    status = Signal(str)
    saved = Signal(str)
    predicted = Signal(dict)
    forwarded = Signal(dict)  # one sample's output of every layer: {"index", "drawn", "outputs", ...}
    cleared = Signal()  # another design is shown: results and runs are gone
    shapes_computed = Signal(list)  # Keras's answers for generic layers: [(Request, KerasShape)]
    explained = Signal(object)  # one training step written down (engine.training.step_ledger.Ledger)
    landscaped = Signal(object)  # a loss landscape and a run's path (engine.training.landscape.Landscape)
    attended = Signal(object)  # saliency and Grad-CAM of one sample (engine.training.saliency.Attention)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread: TrainingThread | None = None
        self.control: Control | None = None
        self.runs: list[Run] = []
        self.run: Run | None = None
        self.running = False
        self.queue: list[tuple[str, Design]] = []  # runs waiting (an optimizer comparison)
        self.options: dict[str, Any] = {}
        self.revision = 0  # bumped on every change, so a view redraws only when needed
        self.numbered = 0  # the last run's number: numbers stay unique when old runs are dropped
        self._handlers = {
            events.Begin: self._on_begin,
            events.Batch: self._on_batch,
            events.Epoch: self._on_epoch,
            events.LayerStats: self._on_layer_stats,
            events.EpochStats: self._on_epoch_stats,
            events.Boundary: self._on_boundary,
        }

    # ------------------------------------------------------------ commands

    def start(self, design: Design, options: dict[str, Any], label: str | None = None) -> None:
        """Train a snapshot of the design; ``options`` go to the worker (base_dir, inspect, ...)."""
        if self.running:
            return
        self.options = dict(options)
        self._launch(
            label or optimizer_text(design.compile_settings.optimizer_config()), copy.deepcopy(design)
        )

    def compare_optimizers(self, design: Design, options: dict[str, Any]) -> None:
        """The same design and seed with SGD, SGD + momentum, RMSprop and Adam, one after another."""
        self._compare(optimizer_variants(design), options)

    def compare_losses(self, design: Design, options: dict[str, Any]) -> None:
        """The same design and seed with cross-entropy and with MSE on one-hot targets."""
        self._compare(loss_variants(design), options)

    def _compare(self, variants: list[tuple[str, Design]], options: dict[str, Any]) -> None:
        """Train the variants one after another; only their curves stay overlaid."""
        if self.running:
            return
        self.options = dict(options)
        self.queue = list(variants)
        for run in self.runs:
            run.overlay = False
        label, first = self.queue.pop(0)
        self._launch(label, first)

    def forward(self, design: Design, index: int, base_dir, drawn: tuple[str, Any] | None = None) -> None:
        """Run one sample through the network (trained, or fresh when nothing was trained):
        the evaluation sample ``index``, or one the learner made (``drawn``: kind, values)."""
        if self.running:
            return
        self._ensure_thread()
        self.thread.forward(copy.deepcopy(design), index, base_dir, drawn)

    def explain_step(self, design: Design, index: int, base_dir) -> None:
        """One training step on training row ``index``, every number written down, on the worker."""
        if self.running:
            return
        self._ensure_thread()
        self.thread.explain_step(copy.deepcopy(design), index, base_dir)

    def landscape(self, design: Design, base_dir) -> None:
        """A run of the design and the loss landscape around where it ended, on the worker."""
        if self.running:
            return
        self._ensure_thread()
        self.thread.landscape(copy.deepcopy(design), base_dir)

    def attend(self, index: int) -> None:
        """Saliency and Grad-CAM of the trained model for evaluation sample ``index``."""
        if self.has_model:
            self.thread.attend(index)

    def compute_shapes(self, requests: list) -> None:
        """Ask Keras, on the worker thread, for generic layers' shapes (after a run in progress)."""
        self._ensure_thread()
        self.thread.compute_shapes(list(requests))

    def _launch(self, label: str, design: Design) -> None:
        self._ensure_thread()
        self.numbered += 1
        self.run = Run(self.numbered, label, design)
        self.runs.append(self.run)
        del self.runs[:-KEEP_RUNS]
        self.control = Control()
        self.running = True
        self.thread.train(design, self.control, self.options)
        self._touch()
        self.started.emit(self.run)

    def _ensure_thread(self) -> None:
        if self.thread is None:
            self.thread = TrainingThread()
            w = self.thread.worker
            w.event.connect(self._on_event)
            w.finished.connect(self._on_finished)
            w.failed.connect(self._on_failed)
            w.status.connect(self.status)
            w.saved.connect(self.saved)
            w.predicted.connect(self.predicted)
            w.forwarded.connect(self.forwarded)
            w.shapes_computed.connect(self.shapes_computed)
            w.explained.connect(self.explained)
            w.landscaped.connect(self.landscaped)
            w.attended.connect(self.attended)

    def toggle_pause(self) -> bool:
        """Pause or resume; returns whether it is paused now."""
        if not self.running or self.control is None:
            return False
        if self.control.paused:
            self.control.resume()
        else:
            self.control.pause()
        return self.control.paused

    @property
    def paused(self) -> bool:
        return bool(self.running and self.control and self.control.paused)

    def stop(self) -> None:
        self.queue = []
        if self.running and self.control is not None:
            self.control.stop()

    def clear(self) -> None:
        """Forget every run and result: another design is shown.  A run in progress is stopped."""
        self.stop()
        if self.thread is not None:
            self.thread.forget()
        self.runs = []
        self.run = None
        self.numbered = 0
        self._touch()
        self.cleared.emit()

    def predict(self, index: int) -> None:
        if self.has_model:
            self.thread.predict(index)

    def save_model(self, path: str) -> None:
        if self.has_model:
            self.thread.save(path)

    @property
    def has_model(self) -> bool:
        return self.thread is not None and self.thread.worker.model is not None and not self.running

    def shutdown(self) -> None:
        if self.thread is not None:
            self.thread.shutdown(self.control)
            self.thread = None

    # ------------------------------------------------------------ events from the worker

    def _touch(self) -> None:
        self.revision += 1
        self.changed.emit()

    def _on_event(self, event: object) -> None:
        if self.run is not None and self.running:
            self._handlers[type(event)](event)

    def _on_begin(self, e: events.Begin) -> None:
        self.run.epochs_planned, self.run.steps, self.run.device = e.epochs, e.steps, e.device
        self.run.started = time.perf_counter()

    def _on_batch(self, e: events.Batch) -> None:
        run = self.run
        run.smoothed = e.loss if run.smoothed is None else SMOOTHING * run.smoothed + (1 - SMOOTHING) * e.loss
        run.batch_x.append(e.position)
        run.batch_y.append(run.smoothed)
        run.seconds = e.elapsed
        self.revision += 1
        self.progress.emit(e)

    def _on_epoch(self, e: events.Epoch) -> None:
        for key, value in e.logs.items():
            self.run.epochs.setdefault(key, []).append(value)
        self.run.seconds = e.elapsed
        self._touch()

    def _on_layer_stats(self, e: events.LayerStats) -> None:
        run = self.run
        run.grad_x.append(e.position)
        for name, value in e.grad_norm.items():
            run.grad_norm.setdefault(name, []).append(value)
        if e.update_ratio:
            run.ratio_x.append(e.position)
        for name, value in e.update_ratio.items():
            run.update_ratio.setdefault(name, []).append(value)
        self._touch()

    def _on_epoch_stats(self, e: events.EpochStats) -> None:
        self.run.epoch_stats = e
        self._on_layer_stats(events.LayerStats(e.epoch + 1.0, e.grad_norm, e.update_ratio))

    def _on_boundary(self, e: events.Boundary) -> None:
        self.run.boundary = e
        self._touch()

    def _on_finished(self, result: dict) -> None:
        if self.run is None:  # another design was opened while it trained: its results are gone
            self.running = False
            self.queue = []
            self._touch()
            self.cleared.emit()
            return
        self.run.result = result
        self.running = False
        self._touch()
        self.finished.emit(self.run)
        if self.queue and result["stop_reason"] is None:
            label, design = self.queue.pop(0)
            self._launch(label, design)

    def _on_failed(self, message: str) -> None:
        was_running = self.running
        self.running = False
        self.queue = []
        if was_running and self.run is not None:
            self.runs.remove(self.run)
            self.run = self.runs[-1] if self.runs else None
        self._touch()
        self.failed.emit(message)
