"""Backpropagation, live: each layer's gradient norm (or update/weight ratio) as it trains,
a heat strip of the latest values from input to output, the diagnosis in words, and a
histogram of one layer's weights at the last epoch end."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.style import status_color
from gui.training.plots import LegendPlot, Plot, line_color, ordered_colors
from gui.training.session import TrainingSession
from gui.wheel_guard import ComboBox

GRADIENT, RATIO = "Gradient norm per layer", "Update / weight ratio per layer"
TITLES = {GRADIENT: "Gradients", RATIO: "Update / weight ratios"}  # of the lines, by what is shown
ORDER = "numbered from the input layer (1, blue) to the output layer (magenta)"


class GradientsView(QWidget):
    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session
        self._shown: dict[str, tuple] = {}  # what each plot shows now, by part
        self._stats_shown: tuple[int, str] | None = None
        self.bars: pg.BarGraphItem | None = None  # the strip's bars, kept and given new heights
        self.strip_names: list[str] = []
        self.what = ComboBox()
        self.what.addItems([GRADIENT, RATIO])
        self.what.currentIndexChanged.connect(self._switch)
        self.layer = ComboBox()
        self.layer.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # layer names whole
        self.layer.setToolTip("The layer whose weight histogram is shown")
        self.layer.currentIndexChanged.connect(self._refresh_stats)
        self.hint = QLabel("Train with “Inspect layers” on to see the gradients of every layer.")
        self.hint.setWordWrap(True)
        self.diagnosis = QLabel()
        self.diagnosis.setWordWrap(True)
        self.lines_box = LegendPlot(TITLES[GRADIENT], ORDER)
        self.lines = self.lines_box.widget
        self.lines.setLogMode(y=True)
        self.lines.setLabel("bottom", "epoch")
        self.strip = Plot("Latest, layer by layer (log10)", steady=True)
        self.histogram = Plot("Weights (last epoch)", steady=True)
        self.histogram_item: pg.PlotDataItem | None = None  # kept, given each epoch's counts
        for small in (self.strip, self.histogram):  # small, but never squeezed below readable bars
            small.setMinimumHeight(120)
            small.setMaximumHeight(170)
        self.items: dict[str, pg.PlotDataItem] = {}
        top = QHBoxLayout()
        top.addWidget(self.what)
        top.addStretch()
        top.addWidget(QLabel("Histogram of"))
        top.addWidget(self.layer)
        bottom = QHBoxLayout()
        bottom.addWidget(self.strip, 3)
        bottom.addWidget(self.histogram, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.diagnosis)
        layout.addWidget(self.lines_box, 3)
        layout.addLayout(bottom, 2)
        session.cleared.connect(self._clear)
        session.started.connect(lambda _run: self._clear())

    def _switch(self) -> None:
        self.lines_box.legend.set_title(TITLES[self.what.currentText()], ORDER)
        self._clear()
        self.refresh()

    def _clear(self) -> None:
        self.lines.clear()
        self.lines.setRange(xRange=(0, 1), yRange=(-3, 0), padding=0.05)  # no other run's axes left over
        self.lines.enableAutoRange()
        self.lines_box.legend.set_entries([])
        self.items = {}
        self.strip.clear()
        self.bars, self.strip_names = None, []
        self.histogram.clear()
        self.histogram_item = None
        self.diagnosis.setText("")
        self.diagnosis.setStyleSheet("")
        self._shown = {}
        self._stats_shown = None

    def refresh(self) -> None:
        for part in self.refresh_parts():
            part()

    def refresh_parts(self) -> list[Callable[[], None]]:
        """The view's plots, each redrawn on its own: the workspace redraws one per tick, so no
        turn of the event loop repaints them all (benchmarks/ui_latency.py)."""
        return [self._refresh_lines, self._refresh_strip, self._refresh_stats]

    def _series(self, part: str) -> tuple[list[float], dict[str, list[float]]] | None:
        """The samples shown (x, one series per layer), or None when ``part`` shows them already."""
        run = self.session.run
        if run is None:
            return None
        xs, series = (
            (run.grad_x, run.grad_norm)
            if self.what.currentText() == GRADIENT
            else (run.ratio_x, run.update_ratio)
        )
        # a new sample comes a few times an epoch: the batches in between change nothing here
        seen = (run.number, self.what.currentText(), len(xs), run.finished)
        if self._shown.get(part) == seen:
            return None
        self._shown[part] = seen
        return xs, series

    def _refresh_lines(self) -> None:
        shown = self._series("lines")
        if shown is None:
            return
        xs, series = shown
        run = self.session.run
        self.lines_box.widget.set_x_end(run.x_end)
        # Not while a run's first samples are on their way: hiding it then relaid the tab out mid-run.
        coming = self.session.options.get("inspect", True) and not run.finished
        self.hint.setVisible(not run.grad_norm and not coming)
        names = list(series)
        colors = ordered_colors(len(names))
        x = np.asarray(xs, dtype=float)
        for i, name in enumerate(names):
            values = np.asarray(series[name], dtype=float)
            values = np.where(values > 0, values, np.nan)
            item = self.items.get(name)
            if item is None:
                item = self.lines.plot([], [], pen=pg.mkPen(colors[i], width=2))
                self.items[name] = item
            n = min(len(x), len(values))
            item.setData(x[:n], values[:n], connect="finite")
        self.lines_box.legend.set_entries(
            [(f"{i + 1} {name}", colors[i], False) for i, name in enumerate(names)]
        )

    def _refresh_strip(self) -> None:
        shown = self._series("strip")
        if shown is not None:
            _xs, series = shown
            self._draw_strip(list(series), series)

    def _refresh_stats(self) -> None:
        if self.session.run is not None:
            self._draw_stats(self.session.run)

    def _draw_strip(self, names: list[str], series: dict[str, list[float]]) -> None:
        latest = [series[n][-1] if series[n] else 0.0 for n in names]
        logs = [math.log10(v) if v > 0 else -12.0 for v in latest]
        if not logs:
            self.strip.clear()
            self.bars, self.strip_names = None, []
            return
        low = min(logs)
        bars = dict(x=np.arange(len(names)), height=np.asarray(logs) - low + 0.5, y0=low - 0.5, width=0.8)
        if self.bars is None or names != self.strip_names:
            self.strip.clear()
            self.bars = pg.BarGraphItem(**bars, brushes=ordered_colors(len(names)))
            self.strip.addItem(self.bars)
            self.strip.setXRange(-0.6, len(names) - 0.4, padding=0)  # fixed: only the heights move
            self.strip_names = list(names)
            # numbered from the input, so the ticks stay readable however many layers there are
            self.strip.getAxis("bottom").setTicks([[(i, str(i + 1)) for i in range(len(names))]])
            self.strip.setToolTip(
                "Layers from the input: " + ", ".join(f"{i + 1} {n}" for i, n in enumerate(names))
            )
        else:  # the same bars, new heights: cheaper than a new item on every refresh
            self.bars.setOpts(**bars)

    def _draw_stats(self, run) -> None:
        stats = run.epoch_stats
        if stats is None or self._stats_shown == (id(stats), self.layer.currentText()):
            return  # once an epoch: not redrawn (nor the label restyled) on every batch's refresh
        if [self.layer.itemText(i) for i in range(self.layer.count())] != list(stats.histograms):
            current = self.layer.currentText()
            self.layer.blockSignals(True)
            self.layer.clear()
            self.layer.addItems(list(stats.histograms))
            if current in stats.histograms:
                self.layer.setCurrentText(current)
            self.layer.blockSignals(False)
        self._stats_shown = (id(stats), self.layer.currentText())  # the run holds it: the id stays its own
        edges, counts = stats.histograms.get(self.layer.currentText(), ([], []))
        if not counts:
            self.histogram.clear()
            self.histogram_item = None
        elif self.histogram_item is None:
            fill = QColor(line_color(0))  # the theme's first line colour: reads on either background
            fill.setAlpha(150)
            self.histogram_item = self.histogram.plot(
                edges, counts, stepMode="center", fillLevel=0, brush=fill, pen=line_color(0)
            )
        else:  # the same item, new counts: a new item each epoch cost a relayout of the plot
            self.histogram_item.setData(edges, counts, stepMode="center")
        texts = [d["message"] for d in stats.diagnoses]
        self.diagnosis.setText(
            "\n".join(f"⚠ {t}" for t in texts) if texts else "No problem seen in the gradients."
        )
        colour, weight = (status_color("warning"), "bold") if texts else (status_color("ok"), "normal")
        style = f"color: {colour}; font-weight: {weight};"
        if self.diagnosis.styleSheet() != style:  # restyling re-polishes the label: only on a change
            self.diagnosis.setStyleSheet(style)

    def apply_theme(self) -> None:
        self.lines_box.apply_theme()
        for plot in (self.strip, self.histogram):
            plot.apply_theme()
        self._clear()  # the lines and bars take the theme's colours when redrawn
        self.refresh()
