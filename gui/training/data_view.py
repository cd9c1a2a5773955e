"""The dataset at a glance: shapes, class balance and the first samples, loaded off the GUI thread.
Image data (digits, image folders) shows as a grid of small pictures with their labels; other
data as a table of its first rows."""

from __future__ import annotations

import copy
import queue
import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.data import prepare as datamod
from engine.training.forward import as_picture

THUMBNAILS = 48  # pictures shown for image data
THUMBNAIL_PX = 56


def picture_pixmap(picture: np.ndarray, size: int = THUMBNAIL_PX) -> QPixmap:
    """A 0..1 grey or RGB picture as a pixmap, scaled up without blurring (8x8 stays crisp)."""
    rgb = np.repeat(picture[:, :, None], 3, axis=2) if picture.ndim == 2 else picture
    data = np.ascontiguousarray((rgb * 255).astype(np.uint8))
    h, w = data.shape[:2]
    image = QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


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
        self.pictures = QListWidget()
        self.pictures.setViewMode(QListView.ViewMode.IconMode)
        self.pictures.setIconSize(QSize(THUMBNAIL_PX, THUMBNAIL_PX))
        self.pictures.setResizeMode(QListView.ResizeMode.Adjust)
        self.pictures.setMovement(QListView.Movement.Static)
        self.pictures.setSpacing(4)
        self.pictures.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.data_label)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.pictures, 1)

    def show_data_of(self, spec: dict | None, base: Path) -> None:
        """Load the data behind ``spec`` (if it changed) and show it when it arrives."""
        key = repr(spec)
        if key == self._key:
            return
        self._key = key
        self.preview.clear()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        self.pictures.clear()
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
        pictures = _pictures(ds)
        self.pictures.setVisible(pictures is not None)
        self.preview.setVisible(pictures is None)
        if pictures is not None:
            self._show_pictures(ds, pictures)
        else:
            self._show_rows(ds, given)

    def _show_pictures(self, ds: datamod.Dataset, pictures: list[np.ndarray]) -> None:
        """The first samples as pictures, each labelled with its class (or target)."""
        for r, picture in enumerate(pictures):
            item = QListWidgetItem(QIcon(picture_pixmap(picture)), _row_label(ds, r))
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.pictures.addItem(item)

    def _show_rows(self, ds: datamod.Dataset, given: dict[str, np.ndarray]) -> None:
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
            self.preview.setItem(r, cols, QTableWidgetItem(_row_label(ds, r)))


def _pictures(ds: datamod.Dataset) -> list[np.ndarray] | None:
    """The first samples as pictures when the data is one array of images; otherwise None."""
    if isinstance(ds.x, dict) or not len(ds.x):
        return None
    low, high = float(np.nanmin(ds.x)), float(np.nanmax(ds.x))
    pictures = [as_picture(x, low, high) for x in ds.x[:THUMBNAILS]]
    return pictures if all(p is not None for p in pictures) else None


def _row_label(ds: datamod.Dataset, r: int) -> str:
    """Sample ``r``'s target as text; with several outputs, each one's."""
    if isinstance(ds.y, dict):
        return ", ".join(f"{k} {_shown(ds.y[k][r], ds.target(k).class_names)}" for k in ds.y)
    return _shown(ds.y[r], ds.class_names)


def _shown(target: object, names: list[str]) -> str:
    """One target as text: its class name, a class name per step, an image's shape (an
    autoencoder's target), or the numbers."""
    if names and np.ndim(target) == 0:
        return names[int(target)]
    if names and np.ndim(target) == 1:  # a class per step
        return " ".join(names[int(t)] for t in target)
    if np.ndim(target) > 1:
        return f"image {tuple(np.shape(target))}"
    return str(target)
