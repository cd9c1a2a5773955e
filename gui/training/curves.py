"""Loss and metric curves: the run in progress in full, earlier runs overlaid in their own colour.

Redrawn by the workspace's timer (10 Hz) and only when the session changed, so a
fast stream of batches never floods the event loop.  Grid lines and point
symbols are left out: redrawing them every frame cost a fifth of the training
speed on two cores (benchmarks/training_overhead.py).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.spec.compile_catalog import is_count
from gui.training.plots import COLORS, PlotGrid, theme_colors
from gui.training.session import Run, TrainingSession

BATCH_PEN = "#9AA0A6"


class CurvesView(QWidget):
    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session
        self._seen = -1
        self.plots = PlotGrid()
        self.loss_plot = self.plots.addPlot(row=0, col=0, title="Loss")
        self.metric_plot = self.plots.addPlot(row=1, col=0, title="Metrics")
        for plot in (self.loss_plot, self.metric_plot):
            plot.setLabel("bottom", "epoch")
            backdrop = QColor(theme_colors()[0])
            backdrop.setAlpha(170)  # the legend stays readable without hiding the curves under it
            plot.addLegend(offset=(-10, 10), labelTextSize="8pt", brush=pg.mkBrush(backdrop))
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
        self.count_plot: pg.PlotItem | None = None  # confusion counts, on their own scale, once logged
        self.items: dict[tuple[int, str], pg.PlotDataItem] = {}
        self.plots.apply_theme()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plots)

    def set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)

    def refresh(self) -> None:
        if self._seen == self.session.revision:
            return
        self._seen = self.session.revision
        current = self.session.run
        shown = {run.number for run in self.session.runs if run.overlay or run is current}
        for key in [k for k in self.items if k[0] not in shown]:
            item = self.items.pop(key)
            if item.getViewBox() is not None:
                item.getViewBox().removeItem(item)
        for plot in (self.loss_plot, self.metric_plot, self.count_plot):
            if plot is not None:
                plot.legend.clear()
        comparing = sum(1 for run in self.session.runs if run.overlay) > 1
        for run in self.session.runs:
            if run.number in shown:
                self._draw(run, full=run is current and not comparing)
        for plot in (self.loss_plot, self.metric_plot, self.count_plot):
            if plot is not None:
                place_legend(plot)

    def _draw(self, run: Run, full: bool) -> None:
        """The current run: batch loss, and every log in its own colour (validation dashed).
        An overlaid run: its loss and first metric in the run's colour, faded when not compared."""
        if full and run.batch_x:
            self._line(run, "batch loss", self.loss_plot, pg.mkPen(BATCH_PEN, width=1)).setData(
                np.asarray(run.batch_x), np.asarray(run.batch_y)
            )
        names = ["loss", *sorted({k.removeprefix("val_") for k in run.epochs} - {"loss"})]
        for key, values in run.epochs.items():
            base = key.removeprefix("val_")
            plot = (
                self.loss_plot if base == "loss" else self._counts() if is_count(base) else self.metric_plot
            )
            style = Qt.PenStyle.DashLine if key.startswith("val_") else Qt.PenStyle.SolidLine
            if full:
                color, name = COLORS[names.index(base) % len(COLORS)], key
            elif base in ("loss", names[1] if len(names) > 1 else "loss"):
                color, name = COLORS[(run.number - 1) % len(COLORS)], ""
            else:
                continue
            item = self._line(run, key, plot, pg.mkPen(color, width=2, style=style))
            item.setData(np.arange(1, len(values) + 1, dtype=float), np.asarray(values))
            if full:
                plot.legend.addItem(item, name)
            elif not key.startswith("val_"):  # one entry per run; its validation curve is the dashed twin
                plot.legend.addItem(item, f"#{run.number} {run.label}")

    def _counts(self) -> pg.PlotItem:
        """The plot of confusion counts (numbers of samples), below the 0-1 metrics."""
        if self.count_plot is None:
            self.count_plot = plot = self.plots.addPlot(row=2, col=0, title="Counts")
            plot.setLabel("bottom", "epoch")
            backdrop = QColor(theme_colors()[0])
            backdrop.setAlpha(170)
            plot.addLegend(offset=(-10, 10), labelTextSize="8pt", brush=pg.mkBrush(backdrop))
            self.plots.apply_theme()
        return self.count_plot

    def _line(self, run: Run, key: str, plot: pg.PlotItem, pen) -> pg.PlotDataItem:
        item = self.items.get((run.number, key))
        if item is None:
            item = plot.plot([], [], pen=pen)
            self.items[(run.number, key)] = item
        else:
            item.setPen(pen)
        return item

    def curve_names(self) -> set[str]:
        """The keys drawn for the current run (for tests and the PNG export)."""
        run = self.session.run
        return {key for (number, key) in self.items if run is not None and number == run.number}

    def apply_theme(self) -> None:
        self.plots.apply_theme()


def place_legend(plot: pg.PlotItem) -> None:
    """The legend in the right-hand corner the curves leave free: the bottom one when their
    latest values are high (accuracy rising), else the top one (a loss falling)."""
    ends, lows, highs = [], [], []
    for item in plot.listDataItems():
        x, y = item.getData()
        if y is None or not np.isfinite(y).any():
            continue
        finite = np.isfinite(y)
        lows.append(y[finite].min())
        highs.append(y[finite].max())
        right = (x >= x[0] + 0.6 * (x[-1] - x[0])) & finite  # the last 40% of the curve
        ends.extend(y[right])
    low, high = min(lows, default=0.0), max(highs, default=1.0)
    high_end = bool(ends) and high > low and np.mean(ends) > (low + high) / 2
    corner, offset = ((1, 1), (-10, -10)) if high_end else ((1, 0), (-10, 10))
    plot.legend.anchor(itemPos=corner, parentPos=corner, offset=offset)
