"""One editor per catalogued parameter, generated from its :class:`~engine.schema.params.Param`.

Whole numbers get spin boxes with the catalog's limits, choices get
dropdowns, flags get check boxes, sizes and shapes get a text field that
takes ``3`` or ``3, 5``.  A value the catalog refuses is not applied: the
field turns red and says why, in place.  Valid values are emitted in the
design file's form (lists, not tuples).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.schema.catalog import LAYERS
from engine.schema.params import BOOL, CHOICE, FLOAT, INT, LAYER, SHAPE, TEXT, VALUES, Param, ParamError
from gui.wheel_guard import ComboBox, SpinBox

INT_LIMIT = 2_000_000_000
TYPING_PAUSE_MS = 700  # a value typed and left alone this long is applied (one undo step per field)
NONE_TEXT = "(none)"


def to_text(value: Any) -> str:
    """Show a value the way a person types it: 3, 5  /  (1, 2), (3, 4)  /  8, 8, 1."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(f"({to_text(v)})" if isinstance(v, (list, tuple)) else to_text(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_text(p: Param, text: str) -> Any:
    """Read what was typed into the JSON form the design file stores."""
    text = text.strip()
    if not text:
        return None
    if p.kind == LAYER:
        return json.loads(text)
    if p.kind == TEXT:
        return text
    if p.kind == VALUES and p.extra.get("item", "str") == "str":
        return [word.strip() for word in text.split(",")]  # words, unquoted: red, green, blue
    if p.kind == FLOAT:
        return float(text)
    body = text.replace("(", "[").replace(")", "]")
    body = body.replace("None", "null").replace("?", "null")
    value = json.loads(f"[{body}]")
    if len(value) == 1 and p.kind not in (SHAPE, VALUES) and not isinstance(value[0], list):
        return value[0]
    return value


class ParamField(QWidget):
    """An editor for one parameter plus a line that explains a refused value."""

    edited = Signal(str, object)  # parameter name, new value (file form)

    def __init__(self, param: Param, value: Any) -> None:
        super().__init__()
        self.param = param
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #D32F2F;")
        self.error.hide()
        self.editor = self._make_editor()
        self.editor.setToolTip(self._tooltip())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.editor)
        layout.addWidget(self.error)
        self.set_value(value)
        self._connect()

    def _tooltip(self) -> str:
        p = self.param
        extra = [f"Keras argument: {p.name}"]
        if p.range_text():
            extra.append(f"Allowed: {p.range_text()}")
        if p.default is not None and not p.required:
            extra.append(f"Default: {to_text(p.default)}")
        return f"{p.help}<br><small>{'<br>'.join(extra)}</small>"

    def _make_editor(self) -> QWidget:
        p = self.param
        if p.kind == INT:
            spin = SpinBox()
            low = -INT_LIMIT if p.min is None else int(p.min) + (1 if p.min_exclusive else 0)
            spin.setRange(low, INT_LIMIT if p.max is None else int(p.max))
            spin.setKeyboardTracking(False)
            spin.setAccelerated(True)
            return spin
        if p.kind == BOOL:
            return QCheckBox()
        if p.kind == CHOICE:
            combo = ComboBox()
            for choice in p.choices:
                combo.addItem(NONE_TEXT if choice is None else str(choice), choice)
            if p.name == "activation":
                from gui.training.activation_curves import add_activation_pictures  # pyqtgraph: on first use

                add_activation_pictures(combo)
            return combo
        line = QLineEdit()
        if p.kind == VALUES:
            line.setPlaceholderText(
                "e.g. red, green, blue" if p.extra.get("item") == "str" else "e.g. 12, 47, 1999"
            )
        elif p.kind not in (FLOAT, LAYER, TEXT):
            line.setPlaceholderText("e.g. 3  or  3, 5")
        return line

    def _connect(self) -> None:
        """Values apply on Enter, on leaving the field, and after a pause in typing: a value
        typed and then left (a click on the canvas) is never lost."""
        e = self.editor
        self.pause = QTimer(self)
        self.pause.setSingleShot(True)
        self.pause.setInterval(TYPING_PAUSE_MS)
        if isinstance(e, QSpinBox):
            e.valueChanged.connect(lambda v: self._submit(v))
            e.lineEdit().textEdited.connect(self.pause.start)
            self.pause.timeout.connect(e.interpretText)
        elif isinstance(e, QCheckBox):
            e.toggled.connect(lambda v: self._submit(v))
        elif isinstance(e, QComboBox):
            e.currentIndexChanged.connect(lambda i: self._submit(e.itemData(i)))
        else:
            e.editingFinished.connect(self._submit_text)
            e.textEdited.connect(self.pause.start)
            self.pause.timeout.connect(lambda: self._submit_text(quiet=True))

    def _submit_text(self, quiet: bool = False) -> None:
        """Apply the typed text; ``quiet`` (a pause mid-typing) leaves a half-typed value alone."""
        self.pause.stop()
        try:
            value = parse_text(self.param, self.editor.text())
        except (ValueError, json.JSONDecodeError):
            if not quiet:
                self.show_error(f"'{self.editor.text()}' is not a value {self.param.name} can take")
            return
        self._submit(value)

    def _submit(self, value: Any) -> None:
        try:
            self.param.check(value)
        except ParamError as exc:
            self.show_error(str(exc))
            return
        self.show_error("")
        self.edited.emit(self.param.name, value)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.editor.setStyleSheet("border: 1.5px solid #D32F2F;" if message else "")

    def _shows(self, value: Any) -> bool:
        """True when the text field already reads as ``value``."""
        try:
            return parse_text(self.param, self.editor.text()) == value
        except (ValueError, json.JSONDecodeError):
            return False

    def set_value(self, value: Any) -> None:
        """Show ``value`` without emitting (the design changed elsewhere, e.g. undo).

        A stored value the catalog refuses (from a hand-edited file) is flagged in place.
        """
        try:
            self.param.check(value)
            self.show_error("")
        except ParamError as exc:
            self.show_error(str(exc))
        e = self.editor
        e.blockSignals(True)
        try:
            if isinstance(e, QSpinBox):
                e.setValue(int(value) if isinstance(value, (int, float)) else 0)
            elif isinstance(e, QCheckBox):
                e.setChecked(bool(value))
            elif isinstance(e, QComboBox):
                index = e.findData(value)
                if index < 0 and value is not None:
                    e.addItem(f"{value} (invalid)", value)
                    index = e.count() - 1
                e.setCurrentIndex(max(index, 0))
            elif not (e.hasFocus() and self._shows(value)):  # never rewrite what is being typed
                e.setText(to_text(value))
        finally:
            e.blockSignals(False)


class LayerField(QWidget):
    """A wrapped layer (Bidirectional's, TimeDistributed's ``layer``): its type, then its own fields."""

    edited = Signal(str, object)

    def __init__(self, param: Param, value: Any) -> None:
        super().__init__()
        self.param = param
        self.value: dict[str, Any] = {}
        self.type = ComboBox()
        self.type.addItems(list(param.choices))
        self.type.setToolTip(param.help)
        self.form = QFormLayout()
        self.form.setContentsMargins(12, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.type)
        layout.addLayout(self.form)
        self.fields: dict[str, ParamField] = {}
        self.set_value(value)
        self.type.currentTextChanged.connect(self._type_edited)

    def _shows(self, value: Any) -> bool:
        """True when the text field already reads as ``value``."""
        try:
            return parse_text(self.param, self.editor.text()) == value
        except (ValueError, json.JSONDecodeError):
            return False

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {"type": self.param.choices[0], "params": {}}
        self.value = {"type": value.get("type"), "params": dict(value.get("params") or {})}
        self.type.blockSignals(True)
        self.type.setCurrentText(str(self.value["type"]))
        self.type.blockSignals(False)
        spec = LAYERS.get(self.value["type"])
        if spec is None:
            return
        if set(self.fields) != {p.name for p in spec.params}:
            while self.form.rowCount():
                self.form.removeRow(0)
            self.fields = {}
            for p in spec.params:
                field = ParamField(p, p.default)
                field.edited.connect(self._inner_edited)
                self.form.addRow(p.name, field)
                self.fields[p.name] = field
        for p in spec.params:
            self.fields[p.name].set_value(self.value["params"].get(p.name, p.default))

    def _type_edited(self, layer_type: str) -> None:
        # Keep the settings the new type also has (units from LSTM to GRU); drop the rest.
        names = {p.name for p in LAYERS[layer_type].params}
        params = {k: v for k, v in self.value["params"].items() if k in names}
        self.edited.emit(self.param.name, {"type": layer_type, "params": params})

    def _inner_edited(self, name: str, value: Any) -> None:
        self.edited.emit(
            self.param.name, {"type": self.value["type"], "params": {**self.value["params"], name: value}}
        )


def field_for(param: Param, value: Any) -> ParamField | LayerField:
    return LayerField(param, value) if param.kind == LAYER else ParamField(param, value)
