"""The mouse wheel scrolls the page; it changes a value only in the field that has focus.

Qt lets a spin box or dropdown take every wheel event that passes over it, so
scrolling the Model tab flicked the optimizer from Adam to AdamW to RMSprop
(each an undoable edit).  One application-wide filter fixes it everywhere,
including panels built later: such fields take focus only from a click or
Tab, and an unfocused field passes the wheel on to the page behind it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox

VALUE_FIELDS = (QAbstractSpinBox, QComboBox)


class WheelGuard(QObject):
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QEvent.Type.Wheel:
            if isinstance(obj, VALUE_FIELDS) and not obj.hasFocus():
                event.ignore()  # ignored and filtered: Qt offers the wheel to the parent instead
                return True
        elif kind == QEvent.Type.Polish and isinstance(obj, VALUE_FIELDS):
            obj.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel no longer gives focus
        return False


def install(app: QApplication) -> WheelGuard:
    """Install the guard once per application; returns it."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard
