"""The generated Keras script, live; with Copy and Export buttons."""

from __future__ import annotations

import contextlib
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from engine.log_file import write_log
from gui.code_highlight import PythonHighlighter, spans_of
from gui.document import Document
from gui.style import current_theme

DEBOUNCE_MS = 250


@dataclass(frozen=True)
class Script:
    source: str
    ok: bool  # False: the design has errors, and ``source`` says which
    spans: list[tuple[int, int, str]]  # its colours (gui.code_highlight.spans_of)


def write_script(design) -> Script:
    """The exported script of ``design`` and its colours: plain Python, for any thread."""
    from engine.keras.codegen import CodegenError, generate  # NumPy and the loaders: not at start-up

    try:
        source, ok = generate(design), True
    except CodegenError as exc:
        source = "# The design has errors; fix them to see the code.\n#\n" + "".join(
            f"# {line}\n" for line in str(exc).splitlines()[1:]
        )
        ok = False
    return Script(source, ok, spans_of(source))


class CodeView(QWidget):
    """The script of the design shown, written on a worker thread after a pause in editing:
    generating and colouring an 800-layer design's script took 250 ms of the GUI thread."""

    export_requested = Signal()
    written = Signal(object)  # (request number, Script), from the worker thread

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
        self.timer.timeout.connect(self.refresh)
        self.highlighter: PythonHighlighter | None = None
        self.requests = 0  # the newest request's number: an older answer is not shown
        self.shown = 0  # the number of the request whose script is shown
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netwright-code")
        self.written.connect(self._written)
        doc.changed.connect(self._design_changed)
        self.stale = True  # generated when first shown: start-up need not wait for it

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def apply_theme(self) -> None:
        if self.highlighter is not None:
            self.highlighter.set_dark(current_theme() == "dark")

    def refresh(self) -> None:
        """Write the script of the design as it is now on the worker thread; shown when done."""
        self.stale = False
        self.requests += 1
        self._writer.submit(self._write, self.requests, self.doc.design.copy())  # a snapshot

    def regenerate(self) -> None:
        """Write and show the script now, on this thread (export, tests)."""
        self.stale = False
        self.requests += 1
        self._show(write_script(self.doc.design))
        self.shown = self.requests

    def _write(self, number: int, design) -> None:  # on the worker thread
        try:
            script = write_script(design)
        except Exception as exc:  # noqa: BLE001 - a bug here must not vanish with the thread
            path = write_log(traceback.format_exc())
            text = f"# The script could not be written ({type(exc).__name__}: {exc}).\n# Details: {path}\n"
            script = Script(text, False, spans_of(text))
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile
            self.written.emit((number, script))

    def _written(self, answer: tuple[int, Script]) -> None:
        number, script = answer
        if number == self.requests:  # not an answer overtaken by a later edit
            self._show(script)
            self.shown = number

    def _show(self, script: Script) -> None:
        if self.highlighter is None:
            self.highlighter = PythonHighlighter(self.text.document(), current_theme() == "dark")
        if script.source != self.text.toPlainText():
            bar = self.text.verticalScrollBar().value()
            self.highlighter.use_spans(script.spans)
            self.text.setPlainText(script.source)
            self.text.verticalScrollBar().setValue(bar)
        self.copy_button.setEnabled(script.ok)
        self.export_button.setEnabled(script.ok)

    def copy(self) -> None:
        if self.stale or self.timer.isActive() or self.shown != self.requests:
            self.regenerate()  # an edit a moment ago: copy its script, not the one shown before it
        QGuiApplication.clipboard().setText(self.text.toPlainText())

    def _design_changed(self, report) -> None:
        # Until the new script arrives, the buttons follow the design's validity (its errors are
        # what keep a script from being written), not the script shown before the edit.
        self.copy_button.setEnabled(report.valid)
        self.export_button.setEnabled(report.valid)
        if self.isVisible():
            self.timer.start()
        else:
            self.stale = True
