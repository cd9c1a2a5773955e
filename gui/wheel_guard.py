"""Value fields that the mouse wheel changes only when they have focus; otherwise it scrolls the page.

Qt lets a spin box or dropdown take every wheel event that passes over it, so
scrolling the Model tab flicked the optimizer from Adam to AdamW to RMSprop
(each an undoable edit).  Every value field in the window is one of these:
such fields take focus only from a click or Tab, and an unfocused field passes
the wheel on to the page behind it.  (An application-wide event filter did this
before; it ran Python for every event of the window, each waiting for the
interpreter lock while a model trained or a file was read.)
``tests/gui/test_wheel_guard.py`` checks that gui/ builds no other kind.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QComboBox, QDoubleSpinBox, QSpinBox, QWidget


class WheelGuarded:
    """Mixin for a value field: the wheel edits it only once it has focus."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel no longer gives focus

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            _scroll_page(self, event)


class ComboBox(WheelGuarded, QComboBox):
    pass


class SpinBox(WheelGuarded, QSpinBox):
    pass


class DoubleSpinBox(WheelGuarded, QDoubleSpinBox):
    pass


def _scroll_page(field: QWidget, event: QWheelEvent) -> None:
    """Hand the wheel to the scrolling page around ``field`` (if any), as if it were not there."""
    area = field.parentWidget()
    while area is not None and not isinstance(area, QAbstractScrollArea):
        area = area.parentWidget()
    if area is None:
        event.ignore()
        return
    target = area.viewport()
    pos = target.mapFromGlobal(event.globalPosition().toPoint())
    forwarded = QWheelEvent(
        pos.toPointF(),
        event.globalPosition(),
        event.pixelDelta(),
        event.angleDelta(),
        event.buttons(),
        event.modifiers(),
        event.phase(),
        event.inverted(),
    )
    QApplication.sendEvent(target, forwarded)
    event.accept()
