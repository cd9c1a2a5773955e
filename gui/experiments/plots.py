"""The sweep's three pictures: score against cost with the Pareto front, parallel coordinates
(one line per trial across the swept settings and the score), and the selected trials' curves.

Each takes the finished trials as the plain dicts the worker sent; what is on the front
and which trial is best are the engine's answers (``pareto`` and ``best``), drawn here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from gui.training.plots import Plot, theme_colors

FRONT = "#E4572E"
OTHERS = "#7A869A"


def _score(trial: dict[str, Any], objective: str) -> float | None:
    value = (trial.get("metrics") or {}).get(objective)
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def score_colors(scores: list[float]) -> list[QColor]:
    """Blue for the lowest score to red for the highest (the colour of each trial's line)."""
    low, high = min(scores), max(scores)
    span = (high - low) or 1.0
    return [QColor.fromHslF(0.62 * (1 - (s - low) / span), 0.8, 0.45) for s in scores]


class TradeoffPlot(Plot):
    """Validation error (the objective) against FLOPs; the front's trials joined and ringed."""

    def __init__(self) -> None:
        super().__init__()
        self.setLabel("bottom", "FLOPs per sample")
        for side in ("left", "bottom"):
            self.getPlotItem().getAxis(side).enableAutoSIPrefix(False)  # "val_loss (x0.001)" reads badly
        self.scatter = pg.ScatterPlotItem(size=9, pen=pg.mkPen(None))
        self.front_line = pg.PlotDataItem(pen=pg.mkPen(FRONT, width=2))
        self.chosen = pg.ScatterPlotItem(
            size=16, brush=pg.mkBrush(None), pen=pg.mkPen(theme_colors()[1], width=2)
        )
        for item in (self.front_line, self.scatter, self.chosen):
            self.addItem(item)
        self.points: list[tuple[int, float, float]] = []  # (trial position, FLOPs, score)
        self.log_x = False

    def show_trials(self, trials: list[dict[str, Any]], objective: str) -> None:
        self.setLabel("left", objective)
        self.points = [
            (i, float(t["flops"]), s)
            for i, t in enumerate(trials)
            if (s := _score(t, objective)) is not None and t.get("flops") is not None
        ]
        costs = [x for _, x, _ in self.points]
        # Costs over a decade or more (units swept 4 to 256) on a log axis.  The scatter cannot take
        # pyqtgraph's log mode, so every item gets log10 values and the axis labels them as powers.
        self.log_x = bool(costs) and min(costs) > 0 and max(costs) >= 10 * min(costs)
        self.getPlotItem().getAxis("bottom").setLogMode(self.log_x, False)
        front = sorted((self.x_of(x), y) for i, x, y in self.points if trials[i]["pareto"])
        self.scatter.setData(
            x=[self.x_of(x) for _, x, _ in self.points],
            y=[y for _, _, y in self.points],
            brush=[pg.mkBrush(FRONT if trials[i]["pareto"] else OTHERS) for i, _, _ in self.points],
            size=[13 if trials[i]["pareto"] else 9 for i, _, _ in self.points],
            data=[i for i, _, _ in self.points],
        )
        self.front_line.setData([x for x, _ in front], [y for _, y in front], stepMode=None)
        self.select([])

    def x_of(self, flops: float) -> float:
        """Where a cost sits on the plot's x axis."""
        return math.log10(flops) if self.log_x else flops

    def select(self, positions: list[int]) -> None:
        chosen = [(self.x_of(x), y) for i, x, y in self.points if i in positions]
        self.chosen.setData([x for x, _ in chosen], [y for _, y in chosen])


class ParallelPlot(Plot):
    """One line per finished trial across the swept settings and the score, coloured by the score.

    Each axis is scaled to its own range (numbers by value, other values by their order),
    so the lines show which settings the good trials share.
    """

    def __init__(self) -> None:
        super().__init__()
        self.getPlotItem().hideAxis("left")
        self.lines: list[pg.PlotDataItem] = []
        self.labels: list[pg.TextItem] = []

    def show_trials(self, trials: list[dict[str, Any]], paths: list[str], objective: str) -> None:
        for item in self.lines + self.labels:
            self.removeItem(item)
        self.lines, self.labels = [], []
        done = [t for t in trials if _score(t, objective) is not None]
        columns = [*paths, objective]
        if not done:
            return
        values = [[t["settings"][p] for p in paths] + [_score(t, objective)] for t in done]
        scaled = np.array([_scaled([row[c] for row in values]) for c in range(len(columns))]).T
        colors = score_colors([row[-1] for row in values])
        xs = list(range(len(columns)))
        for row, color in zip(scaled, colors, strict=True):
            line = pg.PlotDataItem(xs, row, pen=pg.mkPen(color, width=2), symbol="o", symbolSize=5,
                                   symbolBrush=color, symbolPen=None)  # fmt: skip
            self.addItem(line)
            self.lines.append(line)
        foreground = theme_colors()[1]
        for x, name in enumerate(columns):
            label = pg.TextItem(_short(name), color=foreground, anchor=(0.5, 0))
            label.setPos(x, -0.05)
            self.addItem(label)
            self.labels.append(label)
        self.getPlotItem().getAxis("bottom").setTicks([[(x, "") for x in xs]])
        self.setXRange(-0.3, len(columns) - 0.7)
        self.setYRange(-0.2, 1.05)


def _short(path: str) -> str:
    """``nodes[hidden1].params.units`` -> ``hidden1.units``; ``compile.optimizer.learning_rate`` ->
    ``learning_rate``: the axis labels must fit side by side."""
    if path.startswith("nodes["):
        node, _, rest = path[len("nodes[") :].partition("]")
        return f"{node}.{rest.rsplit('.', 1)[-1]}"
    return path.rsplit(".", 1)[-1]


def _scaled(column: list[Any]) -> list[float]:
    """A column on 0..1: numbers by value (a log scale when they span a decade or more), others by order."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in column):
        numbers = [float(v) for v in column]
        if min(numbers) > 0 and max(numbers) / min(numbers) >= 10:
            numbers = [math.log10(v) for v in numbers]
    else:
        order = {k: i for i, k in enumerate(dict.fromkeys(repr(v) for v in column))}
        numbers = [float(order[repr(v)]) for v in column]
    low, high = min(numbers), max(numbers)
    return [0.5 if high == low else (v - low) / (high - low) for v in numbers]


class TrialCurves(Plot):
    """The selected trials' loss and validation loss per epoch, one colour per trial."""

    def __init__(self) -> None:
        super().__init__()
        self.setLabel("bottom", "epoch")
        self.setLabel("left", "loss")
        self.legend = self.addLegend(offset=(-10, 10))

    def show_histories(self, shown: list[tuple[str, dict[str, list[float]], QColor]]) -> None:
        self.clear()
        self.legend.clear()
        for label, history, color in shown:
            for key, style in (
                ("loss", pg.QtCore.Qt.PenStyle.DashLine),
                ("val_loss", pg.QtCore.Qt.PenStyle.SolidLine),
            ):
                values = history.get(key)
                if values:
                    name = f"{label} {'val ' if key == 'val_loss' else ''}loss"
                    self.plot(
                        range(1, len(values) + 1),
                        values,
                        pen=pg.mkPen(color, width=2, style=style),
                        name=name,
                    )


class RatePlot(Plot):
    """The range test: smoothed loss against the learning rate (log axis), the suggestion marked."""

    def __init__(self) -> None:
        super().__init__()
        self.setLabel("bottom", "learning rate")
        self.setLabel("left", "loss (smoothed)")
        self.getPlotItem().getAxis("bottom").setLogMode(True, False)
        self.curve = self.plot([], [], pen=pg.mkPen(theme_colors()[1], width=2))
        self.mark = pg.InfiniteLine(angle=90, pen=pg.mkPen(FRONT, width=2))
        self.mark.hide()
        self.addItem(self.mark)

    def show_result(self, result: dict[str, Any]) -> None:
        pairs = [(math.log10(r), s) for r, s in zip(result["rates"], result["smoothed"], strict=True)]
        finite = [(x, y) for x, y in pairs if math.isfinite(y)]
        low = min((y for _, y in finite), default=0.0)
        shown = [(x, y) for x, y in finite if y <= 4 * low] if low > 0 else finite  # not the blow-up
        self.curve.setData([x for x, _ in shown], [y for _, y in shown])
        if result["suggested"] is not None:
            self.mark.setValue(math.log10(result["suggested"]))
            self.mark.show()
        else:
            self.mark.hide()
