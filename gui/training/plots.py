"""Plot widgets that behave inside a page (the wheel scrolls the page unless Ctrl is held),
live plots whose axes move in round steps instead of on every new value, and legends that sit
outside the plot, where they never cover a curve's end."""

from __future__ import annotations

import html
import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.style import current_theme

COLORS = ["#2F6FD6", "#E4572E", "#17A398", "#F3A712", "#8E6C8A", "#4C4C4C", "#C03A7B", "#5B8C2A"]
DARK_COLORS = ["#6FA0F0", "#F07850", "#2CC7B8", "#F3B53A", "#C29BC0", "#B8BCC2", "#E86AA6", "#8CC152"]


def theme_colors() -> tuple[str, str]:
    """Background and foreground of plots in the current theme."""
    return ("#1B1C1F", "#D0D0D0") if current_theme() == "dark" else ("#FFFFFF", "#303030")


def line_color(i: int) -> str:
    """The i-th of the categorical line colours, chosen to read on the theme's plot background."""
    colors = DARK_COLORS if current_theme() == "dark" else COLORS
    return colors[i % len(colors)]


def ordered_colors(n: int) -> list[str]:
    """n colours in order (first to last: blue, green, yellow, orange, red, magenta) that can be
    told apart at a glance and read on the theme's background: one hue each, same lightness."""
    light = 0.62 if current_theme() == "dark" else 0.42
    hues = [(0.60 - 0.78 * i / max(1, n - 1)) % 1.0 for i in range(n)]
    return [QColor.fromHslF(h, 0.85, light).name() for h in hues]


def style_plot(plot: pg.PlotItem) -> None:
    _, foreground = theme_colors()
    for side in ("left", "bottom"):
        plot.getAxis(side).setPen(foreground)
        plot.getAxis(side).setTextPen(foreground)
    plot.titleLabel.setText(plot.titleLabel.text, color=foreground)


class WheelPassingMixin:
    """A chart in a scrolling page must not steal the wheel: it zooms only with Ctrl held;
    otherwise the event goes on to the page, which scrolls."""

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(event)
        else:
            event.ignore()


OVERSHOOT = 0.02  # of a step: past a round bound by less is on it (see nice_bounds)
LABEL_ROOM = 9  # pixels beyond a steady plot's round bound: half a tick label, not cut by the edge


def nice_bounds(low: float, high: float, steps: int = 8) -> tuple[float, float]:
    """[low, high] widened outward to whole multiples of a round step (1, 2 or 5 × 10^k, about
    1/steps of the span).  A curve that grows a little keeps the same bounds until it crosses a
    step, so its plot is not rescaled on every refresh.

    A value past a multiple by less than ``OVERSHOOT`` of a step counts as on it: pyqtgraph pads
    a line's bounds by its pen's pixels, and 10 epochs must not make an axis run to 12.  The
    view's own padding (at least 2% of the range) still shows that sliver."""
    span = high - low
    if not (math.isfinite(low) and math.isfinite(high)) or span <= 0:
        return low, high
    raw = span / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step + OVERSHOOT) * step, math.ceil(high / step - OVERSHOOT) * step


class SteadyViewBox(pg.ViewBox):
    """Auto-range in round steps (:func:`nice_bounds`), and along x from 0 to at least ``x_end``
    (the epochs of the run shown: the curve of a run in progress fills a fixed axis).

    While training, each rescale of a plot cost more than drawing its lines: every axis is laid
    out again and every line re-clipped (benchmarks/ui_latency.py).  With steady bounds a plot
    rescales a few times a run.  Zooming and the "A" button work as in any pyqtgraph plot."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.x_end: float | None = None

    def set_x_end(self, x_end: float | None) -> None:
        if x_end != self.x_end:
            self.x_end = x_end
            self.updateAutoRange()

    def suggestPadding(self, axis: int) -> float:  # noqa: N802 - pyqtgraph's
        """pyqtgraph's padding, and at least half a tick label's height: a label on a round bound
        (0.85, 40) is not cut by the plot's edge."""
        padding = super().suggestPadding(axis)
        pixels = self.width() if axis == 0 else self.height()
        return max(padding, LABEL_ROOM / pixels) if pixels > 0 else padding

    def childrenBounds(self, frac=None, orthoRange=(None, None), items=None):  # noqa: N802 - pyqtgraph's
        bounds = super().childrenBounds(frac=frac, orthoRange=orthoRange, items=items)
        shown = [i for i in (self.addedItems if items is None else items) if i.isVisible()]
        pen = max((i.pixelPadding() for i in shown if hasattr(i, "pixelPadding")), default=0)
        steady = []
        for axis, (r, pixels) in enumerate(zip(bounds, (self.width(), self.height()), strict=True)):
            if r is None:
                steady.append(None)
                continue
            low, high = r
            if pen and pixels > 0 and high - low > 0:  # pyqtgraph widened the data by the pens'
                margin = pen * (high - low) / pixels  # pixels: round the data's own bounds
                if high - low > 2 * margin:
                    low, high = low + margin, high - margin
            if axis == 0 and self.x_end is not None:
                low, high = min(low, 0.0), max(high, self.x_end)
            steady.append(list(nice_bounds(low, high)))
        return steady


class Plot(WheelPassingMixin, pg.PlotWidget):
    """A themed plot; ``steady=True`` for one redrawn while it grows (:class:`SteadyViewBox`)."""

    def __init__(self, title: str = "", steady: bool = False, **kwargs) -> None:
        if steady:
            kwargs["viewBox"] = SteadyViewBox()
        super().__init__(title=title or None, **kwargs)
        self.apply_theme()

    def set_x_end(self, x_end: float | None) -> None:
        """Let a steady plot's x axis reach ``x_end`` (None: as far as the data)."""
        box = self.getPlotItem().getViewBox()
        if isinstance(box, SteadyViewBox):
            box.set_x_end(x_end)

    def apply_theme(self) -> None:
        self.setBackground(theme_colors()[0])
        style_plot(self.getPlotItem())


class Legend(QLabel):
    """A plot's title and what each line is, above the plot in the window's own font and text
    colour: it wraps in a narrow window and never hides the curves' latest values."""

    def __init__(self, title: str, note: str = "") -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.title, self.note = title, note
        self.entries: list[tuple[str, str, bool]] = []  # (name, colour, dashed)
        self._render()

    def set_title(self, title: str, note: str = "") -> None:
        self.title, self.note = title, note
        self._render()

    def set_entries(self, entries: list[tuple[str, str, bool]]) -> None:
        if entries != self.entries:
            self.entries = list(entries)
            self._render()

    def names(self) -> list[str]:
        return [name for name, _colour, _dashed in self.entries]

    def _render(self) -> None:
        parts = [f"<b>{html.escape(self.title)}</b>"]
        for name, colour, dashed in self.entries:
            sample = "╍╍" if dashed else "━━"
            parts.append(
                f"<span style='white-space:nowrap'><span style='color:{colour}'>{sample}</span>"
                f"&nbsp;{html.escape(name)}</span>"
            )
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()  # no palette() in rich text
        note = f" <span style='color:{muted}'>{html.escape(self.note)}</span>"
        self.setText("&nbsp;&nbsp; ".join(parts) + (note if self.note else ""))


class LegendPlot(QWidget):
    """A live (steady) plot with its :class:`Legend` above it."""

    def __init__(self, title: str, note: str = "") -> None:
        super().__init__()
        self.legend = Legend(title, note)
        self.widget = Plot(steady=True)
        self.plot: pg.PlotItem = self.widget.getPlotItem()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend)
        layout.addWidget(self.widget, 1)

    def apply_theme(self) -> None:
        self.widget.apply_theme()
        self.legend.set_title(self.legend.title, self.legend.note)  # re-rendered in the theme's colours
