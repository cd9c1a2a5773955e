"""Loss and metric curves: the run in progress in full, earlier runs overlaid in their own colour.

Each plot's legend sits above it (gui.training.plots.Legend), so no entry ever covers
a curve's latest values, in the window's font and text colour.  Redrawn by the
workspace's timer (10 Hz) and only when the session changed, so a fast stream of
batches never floods the event loop.  Grid lines and point symbols are left out:
redrawing them every frame cost a fifth of the training speed on two cores
(benchmarks/training_overhead.py).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.schema.compile_catalog import is_count
from gui.style import current_theme
from gui.training.plots import LegendPlot, line_color
from gui.training.runs import run_titles
from gui.training.session import Run, TrainingSession

BATCH_NAME = "loss per batch (smoothed)"  # what the thin grey line is, in its legend entry
BATCH_COLORS = {"light": "#A8ADB3", "dark": "#6B7077"}
COMPARE_NOTE = "solid: training, dashed: validation"


class CurvesView(QWidget):
    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session
        self._seen = -1
        self.loss_box = LegendPlot("Loss")
        self.metric_box = LegendPlot("Metrics")
        self.count_box: LegendPlot | None = None  # confusion counts, on their own scale, once logged
        self.loss_plot, self.metric_plot = self.loss_box.plot, self.metric_box.plot
        self.count_plot: pg.PlotItem | None = None
        for plot in (self.loss_plot, self.metric_plot):
            self._prepare(plot)
        self.items: dict[tuple[int, str], pg.PlotDataItem] = {}
        self._blank: set[LegendPlot] = set()  # plots showing nothing, at the unit range
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.loss_box, 1)
        self._layout.addWidget(self.metric_box, 1)

    @staticmethod
    def _prepare(plot: pg.PlotItem) -> None:
        plot.setLabel("bottom", "epoch")
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")

    def boxes(self) -> list[LegendPlot]:
        return [b for b in (self.loss_box, self.metric_box, self.count_box) if b is not None]

    def set_log(self, on: bool) -> None:
        self.loss_plot.setLogMode(y=on)

    def refresh(self) -> None:
        if self._seen == self.session.revision:
            return
        self._seen = self.session.revision
        current = self.session.run
        shown = {run.number for run in self.session.runs if run.overlay or run is current}
        self._entries: dict[int, list[tuple[str, str, bool]]] = {id(b.plot): [] for b in self.boxes()}
        self._drawn: set[tuple[int, str]] = set()
        comparing = sum(1 for run in self.session.runs if run.overlay) > 1
        titles = run_titles(self.session.runs)
        for run in self.session.runs:
            if run.number in shown:
                self._draw(run, titles[run.number], full=run is current and not comparing)
        for key in [k for k in self.items if k not in self._drawn]:  # a hidden run's, or no longer shown
            item = self.items.pop(key)  # (a compared run's per-batch line)
            for box in self.boxes():
                if item in box.plot.listDataItems():
                    box.plot.removeItem(item)  # off the plot's list too, so an emptied plot knows it
        x_end = None if current is None or current.finished else current.epochs_planned
        for box in self.boxes():
            box.widget.set_x_end(x_end)  # the run in progress fills a fixed axis, not a rescaled one
            box.legend.set_entries(self._entries[id(box.plot)])
            note = COMPARE_NOTE if comparing else ""
            if box.legend.note != note:  # re-rendering the legend on every refresh cost a relayout
                box.legend.set_title(box.legend.title, note)
            empty = not box.plot.listDataItems()
            if empty and box not in self._blank:  # no axes left over from another design or run
                box.plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.05)
                self._blank.add(box)
            elif not empty and box in self._blank:
                box.plot.enableAutoRange()
                self._blank.discard(box)

    def _draw(self, run: Run, title: str, full: bool) -> None:
        """The current run: batch loss, and every log in its own colour (validation dashed).
        An overlaid run: its loss and first metric in the run's colour, faded when not compared."""
        if full and run.batch_x:
            grey = BATCH_COLORS[current_theme()]
            self._line(run, "batch loss", self.loss_plot, pg.mkPen(grey, width=1)).setData(
                np.asarray(run.batch_x), np.asarray(run.batch_y)
            )
            self._entries[id(self.loss_plot)].append((BATCH_NAME, grey, False))
        names = ["loss", *sorted({k.removeprefix("val_") for k in run.epochs} - {"loss"})]
        for key, values in run.epochs.items():
            base = key.removeprefix("val_")
            plot = (
                self.loss_plot if base == "loss" else self._counts() if is_count(base) else self.metric_plot
            )
            dashed = key.startswith("val_")
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            if full:
                color, name = line_color(names.index(base)), key
            elif base in ("loss", names[1] if len(names) > 1 else "loss"):
                color, name = line_color(run.number - 1), title
            else:
                continue
            item = self._line(run, key, plot, pg.mkPen(color, width=2, style=style))
            if getattr(item, "points", None) != len(values):  # once an epoch, not on every batch's refresh
                item.setData(np.arange(1, len(values) + 1, dtype=float), np.asarray(values))
                item.points = len(values)
            if full or not dashed:  # overlaid: one entry per run; its validation curve is the dashed twin
                self._entries[id(plot)].append((name, color, dashed and full))

    def _counts(self) -> pg.PlotItem:
        """The plot of confusion counts (numbers of samples), below the 0-1 metrics."""
        if self.count_box is None:
            self.count_box = LegendPlot("Counts")
            self.count_plot = self.count_box.plot
            self._prepare(self.count_plot)
            self._layout.addWidget(self.count_box, 1)
            self._entries[id(self.count_plot)] = []
        return self.count_plot

    def _line(self, run: Run, key: str, plot: pg.PlotItem, pen) -> pg.PlotDataItem:
        self._drawn.add((run.number, key))
        item = self.items.get((run.number, key))
        if item is None:
            item = plot.plot([], [], pen=pen)
            self.items[(run.number, key)] = item
        elif item.opts["pen"] != pen:  # a new pen redraws the line: only when it changes (theme, overlay)
            item.setPen(pen)
        return item

    def curve_names(self) -> set[str]:
        """The keys drawn for the current run (for tests and the PNG export)."""
        run = self.session.run
        return {key for (number, key) in self.items if run is not None and number == run.number}

    def apply_theme(self) -> None:
        for box in self.boxes():
            box.apply_theme()
        self._seen = -1  # the lines take the theme's colours at the next refresh
        self.refresh()
