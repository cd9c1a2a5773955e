"""The loss landscape as contours, with the path the optimizer took across it.

The slice and the path are computed on the training worker
(engine/training/landscape.py: a run of the design, then the loss on a plane of
weight space through where it ended); this view draws them: the loss as a
colour map (log scale) with contour lines, the run's snapshots as a line from
the start (hollow circle) to the trained weights (star).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.training.plots import style_plot, theme_colors

CONTOURS = 12


class LandscapeView(QWidget):
    def __init__(self, session, design: Callable, base_dir: Callable[[], Path]) -> None:
        super().__init__()
        self.session, self.design, self.base_dir = session, design, base_dir
        self.landscape = None
        self.button = QPushButton("Train and draw the loss landscape")
        self.button.setToolTip(
            "Train the design as a run does, keeping its weights as it goes, then draw the loss on a "
            "plane of weight space through where it ended, with the path the optimizer took"
        )
        self.button.clicked.connect(self.compute)
        self.caption = QLabel("The loss around the trained weights, and the way training came.")
        self.caption.setWordWrap(True)
        self.plot = pg.PlotWidget()
        self.plot.setBackground(theme_colors()[0])
        style_plot(self.plot.getPlotItem())
        self.plot.setLabel("bottom", "α (first direction)")
        self.plot.setLabel("left", "β (second direction)")
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.curves: list[pg.GraphicsObject] = []
        top = QHBoxLayout()
        top.addWidget(self.button)
        top.addWidget(self.caption, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self.waiting = False  # a landscape was asked for and has not come back yet
        session.landscaped.connect(self.show_landscape)
        session.failed.connect(self._failed)
        session.status.connect(self._status)

    def compute(self) -> None:
        if self.session.running:
            self.caption.setText("A run is training: draw the landscape when it has finished.")
            return
        self.waiting = True
        self.caption.setText("Training and measuring the loss on the plane…")
        self.session.landscape(self.design(), self.base_dir())

    def _failed(self, message: str) -> None:
        if self.waiting:
            self.waiting = False
            self.caption.setText(message)

    def _status(self, text: str) -> None:
        if text.startswith("Loss landscape"):
            self.caption.setText(text)

    def show_landscape(self, land) -> None:
        self.waiting = False
        self.landscape = land
        for item in self.curves:
            self.plot.removeItem(item)
        self.curves = []
        loss = np.log10(np.maximum(np.nan_to_num(land.loss, nan=np.nanmax(land.loss)), 1e-12))
        a0, a1, b0, b1 = land.alphas[0], land.alphas[-1], land.betas[0], land.betas[-1]
        self.image.setImage(loss.T, autoLevels=True)  # ImageItem reads [x, y]
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.image.setRect(QRectF(a0, b0, a1 - a0, b1 - b0))
        for level in np.linspace(np.nanmin(loss), np.nanmax(loss), CONTOURS + 2)[1:-1]:
            curve = pg.IsocurveItem(data=loss.T, level=level, pen=pg.mkPen("w", width=1))
            curve.setParentItem(self.image)  # drawn in the image's coordinates, scaled with it
            self.curves.append(curve)
        if len(land.path):
            x, y = land.path[:, 0], land.path[:, 1]
            line = pg.PlotDataItem(
                x, y, pen=pg.mkPen("#FF5252", width=2), symbol="o", symbolSize=5, symbolBrush="#FF5252"
            )
            start = pg.ScatterPlotItem(
                [x[0]], [y[0]], symbol="o", size=12, pen=pg.mkPen("#FF5252", width=2), brush=None
            )
            end = pg.ScatterPlotItem([x[-1]], [y[-1]], symbol="star", size=16, brush="#FFD54F")
            for item in (line, start, end):
                self.plot.addItem(item)
                self.curves.append(item)
        plane = (
            f"the path's two principal directions ({land.explained:.0%} of its variance)"
            if land.directions == "pca"
            else "two random filter-normalised directions"
        )
        self.caption.setText(
            f"{land.optimizer}: log₁₀ loss on {land.rows} training rows over {plane}; the red line is the "
            f"path from the start (○) to the trained weights (★), loss {land.path_loss[0]:.3g} → "
            f"{land.path_loss[-1]:.3g}. {len(land.alphas)}×{len(land.betas)} points in {land.seconds:.1f} s."
            if len(land.path_loss)
            else f"log₁₀ loss over {plane}."
        )
        self.plot.autoRange()
