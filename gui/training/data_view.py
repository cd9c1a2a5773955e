"""The dataset at a glance: shapes, class balance and the first rows, loaded off the GUI thread."""

from __future__ import annotations

import copy
import queue
import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from engine.data import prepare as datamod


def load_preview(key: str, spec: dict, base: Path, results: queue.Queue) -> None:
    """Runs on a helper thread.  It touches no Qt object: a thread that drops the last
    reference to one makes PySide delete it later from the GUI thread, which can deadlock."""
    try:
        results.put((key, datamod.load(spec, base)))
    except datamod.DataError as exc:
        results.put((key, str(exc)))
    except Exception as exc:  # noqa: BLE001 - a thread that dies unheard leaves "Loading the data…" forever
        results.put((key, f"The data could not be loaded: {type(exc).__name__}: {exc}"))


class DataView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self._key: str | None = None
        self._previews: queue.Queue = queue.Queue()  # (data key, Dataset or message) from load_preview
        self._timer = QTimer(self)
        self._timer.setInterval(50)
        self._timer.timeout.connect(self._poll)
        self.data_label = QLabel()
        self.data_label.setWordWrap(True)
        self.preview = QTableWidget(0, 0)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.data_label)
        layout.addWidget(self.preview, 1)

    def show_data_of(self, spec: dict | None, base: Path) -> None:
        """Load the data behind ``spec`` (if it changed) and show it when it arrives."""
        key = repr(spec)
        if key == self._key:
            return
        self._key = key
        self.preview.clear()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        if not spec:
            self.data_label.setText("No dataset: pick one in the Model tab.")
            return
        self.data_label.setText("Loading the data…")
        args = (key, copy.deepcopy(spec), base, self._previews)
        threading.Thread(target=load_preview, args=args, daemon=True).start()
        self._timer.start()

    def _poll(self) -> None:
        try:
            key, result = self._previews.get_nowait()
        except queue.Empty:
            return
        if key == self._key:
            self._timer.stop()
        self._show(key, result)

    def _show(self, key: str, ds: datamod.Dataset | str) -> None:
        """Shapes, class balance and the first rows of the dataset (stale results are ignored)."""
        if key != self._key:
            return
        if isinstance(ds, str):
            self.data_label.setText(f"<span style='color:#D32F2F'>{ds}</span>")
            return
        given = datamod.arrays(ds.x)  # one array, or one per model input
        shapes = ", ".join(f"{k or 'x'} {tuple(a.shape[1:])}" for k, a in given.items())
        text = f"{ds.name}: {ds.rows} samples, {shapes}, "
        if isinstance(ds.y, dict):  # several outputs: name them with their class counts
            text += "targets " + ", ".join(f"{k} ({ds.target(k).classes} classes)" for k in ds.y) + ", "
        if ds.task == datamod.CLASSIFICATION:
            balance = ", ".join(f"{k}: {v}" for k, v in ds.class_balance().items())
            text += f"{ds.classes} classes ({balance})"
        else:
            text += f"regression target {tuple(ds.y.shape[1:])}"
        if ds.dropped_rows:
            text += f"; {len(ds.dropped_rows)} invalid rows dropped"
        self.data_label.setText(text)
        flat = np.concatenate([a.reshape(len(a), -1) for a in given.values()], axis=1)
        cols = min(flat.shape[1], 12)
        columns = [f"{k or 'x'}{i}" for k, a in given.items() for i in range(a[0].size)]
        names = (ds.feature_names or columns)[:cols] + ["target"]
        rows = min(len(flat), 20)
        self.preview.setColumnCount(len(names))
        self.preview.setRowCount(rows)
        self.preview.setHorizontalHeaderLabels(names)
        for r in range(rows):
            for c in range(cols):
                self.preview.setItem(r, c, QTableWidgetItem(f"{flat[r, c]:.4g}"))
            if isinstance(ds.y, dict):  # several outputs: each one's label
                shown = ", ".join(f"{k} {_shown(ds.y[k][r], ds.target(k).class_names)}" for k in ds.y)
            else:
                shown = _shown(ds.y[r], ds.class_names)
            self.preview.setItem(r, cols, QTableWidgetItem(shown))


def _shown(target: object, names: list[str]) -> str:
    """One sample's label as text: its class name, a class name per step, or the numbers."""
    if names and np.ndim(target) == 0:
        return names[int(target)]
    if names and np.ndim(target) == 1:  # a class per step
        return " ".join(names[int(t)] for t in target)
    return str(target)
