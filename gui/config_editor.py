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
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Check the JSON and apply it (Ctrl+Return)")
        self.apply_button.clicked.connect(self.apply)
        QShortcut(QKeySequence("Ctrl+Return"), self.text, activated=self.apply)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #D32F2F;")
        self.error.hide()
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
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
        self.error.setText(f"Not applied: {why}" if why else "")
        self.error.setVisible(bool(why))
        if config is not None and config != self.shown:
            self.applied.emit(config)
