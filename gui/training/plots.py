"""Plot widgets that behave inside a page: the wheel scrolls the page unless Ctrl is held."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui.style import current_theme

COLORS = ["#2F6FD6", "#E4572E", "#17A398", "#F3A712", "#8E6C8A", "#4C4C4C", "#C03A7B", "#5B8C2A"]


def theme_colors() -> tuple[str, str]:
    """Background and foreground of plots in the current theme."""
    return ("#1B1C1F", "#D0D0D0") if current_theme() == "dark" else ("#FFFFFF", "#303030")


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


class Plot(WheelPassingMixin, pg.PlotWidget):
    def __init__(self, title: str = "", **kwargs) -> None:
        super().__init__(title=title, **kwargs)
        self.apply_theme()

    def apply_theme(self) -> None:
        self.setBackground(theme_colors()[0])
        style_plot(self.getPlotItem())


class PlotGrid(WheelPassingMixin, pg.GraphicsLayoutWidget):
    def apply_theme(self) -> None:
        self.setBackground(theme_colors()[0])
        for item in self.ci.items:
            if isinstance(item, pg.PlotItem):
                style_plot(item)
