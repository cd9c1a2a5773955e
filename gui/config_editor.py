"""The JSON editor of a generic Keras layer's config (see :mod:`engine.schema.generic`).

The text is checked by the engine (:func:`engine.schema.generic.parse_config_text`)
when the user applies it -- the Apply button or Ctrl+Return.  A refused text
stays in the editor with the reason and where it is, and the design is not
touched; an accepted one is emitted for the document to apply as one undoable
step.  Text being typed survives design changes made elsewhere (a shape that
Keras has just computed); only a change of the config itself replaces it.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from engine.schema.generic import config_text, parse_config_text


def lay_out_editor(
    owner: QWidget, text: QPlainTextEdit, apply, apply_tip: str, extra: tuple[QWidget, ...] = ()
) -> tuple[QPushButton, QLabel]:
    """A node's text editor as every one is laid out: the text, ``extra`` buttons on the left and
    Apply (also Ctrl+Return) on the right, and below them a red line for why a text was refused.
    Returns (the Apply button, the hidden error line)."""
    apply_button = QPushButton("Apply")
    apply_button.setToolTip(apply_tip)
    apply_button.clicked.connect(apply)
    QShortcut(QKeySequence("Ctrl+Return"), text, activated=apply)
    error = QLabel()
    error.setWordWrap(True)
    error.setStyleSheet("color: #D32F2F;")
    error.hide()
    buttons = QHBoxLayout()
    for button in extra:
        buttons.addWidget(button)
    buttons.addStretch()
    buttons.addWidget(apply_button)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(text)
    layout.addLayout(buttons)
    layout.addWidget(error)
    return apply_button, error


def show_refusal(error: QLabel, why: str) -> None:
    """The error line says why the text was not applied, or hides when it was."""
    error.setText(f"Not applied: {why}" if why else "")
    error.setVisible(bool(why))


class ConfigEditor(QWidget):
    applied = Signal(dict)  # the accepted config

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self.text = QPlainTextEdit()
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setToolTip(
            "The layer's Keras config as JSON, passed to from_config() as it is. "
            "Ctrl+Return or Apply checks and applies it."
        )
        self.text.setMinimumHeight(140)
        self.apply_button, self.error = lay_out_editor(
            self, self.text, self.apply, "Check the JSON and apply it (Ctrl+Return)"
        )
        self.shown: dict[str, Any] | None = None
        self.set_config(config)

    def set_config(self, config: dict[str, Any]) -> None:
        """Show the node's config, unless it is the one already shown (keep what is typed)."""
        if config == self.shown:
            return
        self.shown = copy.deepcopy(config)
        self.text.setPlainText(config_text(config))
        self.error.hide()

    def apply(self) -> None:
        config, why = parse_config_text(self.text.toPlainText())
        show_refusal(self.error, why)
        if config is not None and config != self.shown:
            self.applied.emit(config)
