"""The generated Keras script, live; with Copy and Export buttons."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from gui.code_highlight import PythonHighlighter
from gui.document import Document
from gui.style import current_theme

DEBOUNCE_MS = 250


class CodeView(QWidget):
    export_requested = Signal()

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(font)
        self.copy_button = QPushButton("Copy")
        self.export_button = QPushButton("Export…")
        self.copy_button.clicked.connect(self.copy)
        self.export_button.clicked.connect(self.export_requested)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.text)
        # Regenerating (and formatting) on every keystroke is wasted work: wait for a pause.
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.regenerate)
        self.highlighter: PythonHighlighter | None = None
        doc.changed.connect(self._design_changed)
        self.stale = True  # generated when first shown: start-up need not wait for it

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.stale:
            self.regenerate()

    def apply_theme(self) -> None:
        if self.highlighter is not None:
            self.highlighter.set_dark(current_theme() == "dark")

    def regenerate(self) -> None:
        from engine.keras.codegen import CodegenError, generate  # NumPy and the loaders: not at start-up

        self.stale = False
        if self.highlighter is None:
            self.highlighter = PythonHighlighter(self.text.document(), current_theme() == "dark")
        try:
            source = generate(self.doc.design)
            ok = True
        except CodegenError as exc:
            source = "# The design has errors; fix them to see the code.\n#\n" + "".join(
                f"# {line}\n" for line in str(exc).splitlines()[1:]
            )
            ok = False
        if source != self.text.toPlainText():
            bar = self.text.verticalScrollBar().value()
            self.highlighter.prepare(source)
            self.text.setPlainText(source)
            self.text.verticalScrollBar().setValue(bar)
        self.copy_button.setEnabled(ok)
        self.export_button.setEnabled(ok)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())

    def _design_changed(self, _report: object) -> None:
        if self.isVisible():
            self.timer.start()
        else:
            self.stale = True
