"""Loss and metric curves: the run in progress in full, earlier runs overlaid in their own colour.

Each plot's legend sits above it (gui.training.plots.Legend), so no entry ever covers
a curve's latest values, in the window's font and text colour.  Redrawn by the
workspace's timer (10 Hz) and only when the session changed, so a fast stream of
batches never floods the event loop.  Grid lines and point symbols are left out:
redrawing them every frame cost a fifth of the training speed on two cores
(benchmarks/training_overhead.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

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
LOSS, METRICS, COUNTS = PLOTS = ("loss", "metrics", "counts")  # the plots, by what they show


class CurvesView(QWidget):
    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session
        self._seen: dict[str, int] = {}  # the session's revision each plot shows, by plot
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
        for part in self.refresh_parts():
            part()

    def refresh_parts(self) -> list[Callable[[], None]]:
        """Each plot redrawn on its own (the loss's lines change on every batch, the others' once an
        epoch): the workspace redraws one per tick, so no turn of the event loop repaints them all."""
        return [partial(self._refresh_plot, name) for name in PLOTS]

    @staticmethod
    def _plot_of(key: str) -> str:
        """Which plot a logged key (or the per-batch loss) is drawn on."""
        base = key.removeprefix("val_")
        if base in ("loss", "batch loss"):
            return LOSS
        return COUNTS if is_count(base) else METRICS

    def _refresh_plot(self, name: str) -> None:
        if self._seen.get(name) == self.session.revision:
            return
        self._seen[name] = self.session.revision
        current = self.session.run
        comparing = sum(1 for run in self.session.runs if run.overlay) > 1
        titles = run_titles(self.session.runs)
        entries: list[tuple[str, str, bool]] = []
        drawn: set[tuple[int, str]] = set()
        for run in self.session.runs:
            if run.overlay or run is current:
                full = run is current and not comparing
                self._draw(run, titles[run.number], full, name, entries, drawn)
        box = {LOSS: self.loss_box, METRICS: self.metric_box, COUNTS: self.count_box}[name]
        if box is None:  # no counts logged
            return
        stale = [k for k in self.items if k not in drawn and self._plot_of(k[1]) == name]
        for key in stale:  # a hidden run's, or no longer shown (a compared run's per-batch line)
            box.plot.removeItem(self.items.pop(key))  # off the plot's list: an emptied plot knows it
        box.widget.set_x_end(None if current is None else current.x_end)  # a fixed axis, not rescaled
        box.legend.set_entries(entries)
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

    def _draw(
        self,
        run: Run,
        title: str,
        full: bool,
        plot_name: str,
        entries: list[tuple[str, str, bool]],
        drawn: set[tuple[int, str]],
    ) -> None:
        """The run's lines on one plot.  The current run: batch loss, and every log in its own
        colour (validation dashed).  An overlaid run: its loss and first metric in the run's
        colour, faded when not compared."""
        if plot_name == LOSS and full and run.batch_x:
            grey = BATCH_COLORS[current_theme()]
            line = self._line(run, "batch loss", self.loss_plot, pg.mkPen(grey, width=1), drawn)
            line.setData(np.asarray(run.batch_x), np.asarray(run.batch_y))
            entries.append((BATCH_NAME, grey, False))
        names = ["loss", *sorted({k.removeprefix("val_") for k in run.epochs} - {"loss"})]
        for key, values in run.epochs.items():
            if self._plot_of(key) != plot_name:
                continue
            base = key.removeprefix("val_")
            dashed = key.startswith("val_")
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            if full:
                color, name = line_color(names.index(base)), key
            elif base in ("loss", names[1] if len(names) > 1 else "loss"):
                color, name = line_color(run.number - 1), title
            else:
                continue
            plot = {LOSS: self.loss_plot, METRICS: self.metric_plot}.get(plot_name) or self._counts()
            item = self._line(run, key, plot, pg.mkPen(color, width=2, style=style), drawn)
            if getattr(item, "points", None) != len(values):  # once an epoch, not on every batch's refresh
                item.setData(np.arange(1, len(values) + 1, dtype=float), np.asarray(values))
                item.points = len(values)
            if full or not dashed:  # overlaid: one entry per run; its validation curve is the dashed twin
                entries.append((name, color, dashed and full))

    def _counts(self) -> pg.PlotItem:
        """The plot of confusion counts (numbers of samples), below the 0-1 metrics."""
        if self.count_box is None:
            self.count_box = LegendPlot("Counts")
            self.count_plot = self.count_box.plot
            self._prepare(self.count_plot)
            self._layout.addWidget(self.count_box, 1)
        return self.count_plot

    def _line(
        self, run: Run, key: str, plot: pg.PlotItem, pen, drawn: set[tuple[int, str]]
    ) -> pg.PlotDataItem:
        drawn.add((run.number, key))
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
        self._seen = {}  # the lines take the theme's colours at the next refresh
        self.refresh()
