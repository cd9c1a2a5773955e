"""The decision boundary: what the network predicts over the input plane, with the data on top
(2-D classification), or its prediction curve over the data (1-D regression), as it trains.
A click on the plane places a point of one's own: it goes through the network, and every
card on the canvas shows its layer's output for it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.training.plots import COLORS, Plot
from gui.training.session import TrainingSession


def class_rgb(k: int) -> np.ndarray:
    c = QColor(COLORS[k % len(COLORS)])
    return np.array([c.red(), c.green(), c.blue()], dtype=float)


def plane_image(values: np.ndarray, confidence: np.ndarray, background: str) -> np.ndarray:
    """An RGB picture: each cell in its predicted class's colour, paler where the network is unsure."""
    bg = QColor(background)
    base = np.array([bg.red(), bg.green(), bg.blue()], dtype=float)
    classes = int(values.max()) + 1 if values.size else 1
    palette = np.stack([class_rgb(k) for k in range(max(classes, 2))])
    # confidence runs from 1/classes (a guess) to 1 (sure): map it to 0.15..0.6 of the class colour
    floor = 1.0 / max(classes, 2)
    strength = 0.15 + 0.45 * np.clip((confidence - floor) / (1 - floor), 0, 1)
    rgb = base + (palette[values] - base) * strength[..., None]
    return np.clip(rgb, 0, 255).astype(np.uint8)


class BoundaryView(QWidget):
    point_chosen = Signal(float, float)  # a point placed on the plane, in the data's coordinates

    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session
        self._shown: object = None  # the boundary drawn (the run sends a new one each epoch)
        self._points: np.ndarray | None = None  # the samples drawn over it (the same all run)
        self.hint = QLabel(
            "For 2-D classification data (moons, circles, xor, spirals) the classes the network "
            "predicts over the plane appear here as it trains; for 1-D regression (sine), its "
            "prediction curve. Train with “Inspect layers” on; then click on the plane to place "
            "a point of your own and see every card's output for it."
        )
        self.hint.setWordWrap(True)
        self.plot = Plot("Decision boundary")
        self.plot.setAspectLocked(False)
        self.image = pg.ImageItem()
        self.points = pg.ScatterPlotItem(size=5, pen=pg.mkPen("#00000080"))
        self.curve = pg.PlotDataItem(pen=pg.mkPen("#E4572E", width=3))
        self.marker = pg.ScatterPlotItem(
            symbol="star", size=20, brush=pg.mkBrush("#FFFFFF"), pen=pg.mkPen("#000000", width=1.5)
        )
        self.marker.setZValue(10)
        for item in (self.image, self.points, self.curve, self.marker):
            self.plot.addItem(item)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.hint)
        layout.addWidget(self.plot, 1)
        session.cleared.connect(self._clear)

    def _clicked(self, event) -> None:
        """A left click inside a drawn plane places the point there."""
        run = self.session.run
        view = self.plot.getPlotItem().vb
        if (
            event.button() != Qt.MouseButton.LeftButton
            or run is None
            or run.boundary is None
            or run.boundary.ys is None
            or not view.sceneBoundingRect().contains(event.scenePos())
        ):
            return
        point = view.mapSceneToView(event.scenePos())
        self.marker.setData([point.x()], [point.y()])
        self.point_chosen.emit(point.x(), point.y())

    def _clear(self) -> None:
        self.marker.clear()
        self.image.clear()
        self.image.hide()  # a cleared image keeps its rectangle, which auto-range would still count
        self.points.clear()
        self.curve.clear()
        self._shown = self._points = None

    def refresh(self) -> None:
        run = self.session.run
        b = run.boundary if run is not None else None
        if b is None or b is self._shown:
            return  # a new picture once an epoch: the batches in between change nothing here
        self._shown = b
        # the samples are the same all run: a brush per point each epoch cost most of a frame
        new_points = b.points is not None and b.points is not self._points
        self._points = b.points
        self.hint.hide()
        self.plot.setTitle(f"Decision boundary after epoch {b.epoch + 1}")
        if b.ys is not None:
            self.curve.clear()
            background = self.plot.backgroundBrush().color().name()
            picture = np.transpose(plane_image(b.values, b.confidence, background), (1, 0, 2))
            self.image.setImage(picture, autoLevels=False, levels=(0, 255))
            self.image.show()
            dx, dy = b.xs[1] - b.xs[0], b.ys[1] - b.ys[0]
            self.image.setRect(b.xs[0] - dx / 2, b.ys[0] - dy / 2, dx * len(b.xs), dy * len(b.ys))
            if new_points:
                brushes = [pg.mkBrush(COLORS[int(k) % len(COLORS)]) for k in b.labels]
                self.points.setData(b.points[:, 0], b.points[:, 1], brush=brushes)
        else:
            self.image.clear()
            self.image.hide()
            if new_points:
                self.points.setData(b.points[:, 0], b.labels, brush=pg.mkBrush("#2F6FD6A0"))
            self.curve.setData(b.xs, b.values)

    def apply_theme(self) -> None:
        self.plot.apply_theme()
        self._shown = self._points = None
        self.refresh()  # the plane is tinted with the theme's background
