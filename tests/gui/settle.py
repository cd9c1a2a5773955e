"""Waiting for a window's layout to settle: a condition, not a fixed delay."""

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QWidget


def _geometry(widget: QWidget) -> list[QRect]:
    return [widget.geometry()] + [w.geometry() for w in widget.findChildren(QWidget) if w.isVisible()]


def settle(qtbot, widget: QWidget, timeout: int = 5000) -> None:
    """Wait until one more round of events moves no visible widget under ``widget``.

    Qt lays widgets out from posted events (and the canvas re-fits itself from a
    zero-time timer), so a resize or a new page is on screen only once they have run.
    """
    last: list[list[QRect]] = [[]]

    def still() -> bool:
        QApplication.processEvents()
        now = _geometry(widget)
        steady, last[0] = now == last[0], now
        return steady

    qtbot.waitUntil(still, timeout=timeout)
