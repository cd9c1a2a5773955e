"""The mouse wheel scrolls the page; it changes a value only in the field that has focus.

Qt lets a spin box or dropdown take every wheel event that passes over it, so
scrolling the Model tab flicked the optimizer from Adam to AdamW to RMSprop
(each an undoable edit).  One application-wide filter fixes it everywhere,
including panels built later: such fields take focus only from a click or
Tab, and an unfocused field passes the wheel on to the page behind it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QWidget

VALUE_FIELDS = (QAbstractSpinBox, QComboBox)


class WheelGuard(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if isinstance(obj, VALUE_FIELDS) and not obj.hasFocus():
                _scroll_page(obj, event)
                return True
        elif kind == QEvent.Type.Polish and isinstance(obj, VALUE_FIELDS):
            obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel no longer gives focus
        return False


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


def install(app: QApplication) -> WheelGuard:
    """Install the guard once per application; returns it."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard
