"""The window's side of custom layers: their code edited with colours, trust asked once, shapes
computed off the GUI thread.

The engine owns every rule (:mod:`engine.schema.custom` reads code, :mod:`engine.trust`
keeps the marks, :mod:`engine.keras.custom_layers` runs code in a child process); this
module shows and asks.  Opening, checking and drawing a design never runs its code: the
first time something needs it -- shapes from Keras (the node's "Run its code" button),
Train -- :func:`ask_trust` shows all of it and asks, and the mark is kept per hash of the
code, so moving a card does not ask again and changing the code does.
"""

from __future__ import annotations

import copy
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine import trust
from engine.design.graph import Design, Node
from engine.design.validation import Report
from engine.schema.custom import CUSTOM, class_of, code_nodes, only_class, source_of, source_problem, starter
from gui.code_highlight import PythonHighlighter
from gui.config_editor import lay_out_editor, show_refusal
from gui.document import Document


class CodeEditor(QWidget):
    """A custom node's source, with Python colours; Apply (Ctrl+Return) checks it by parsing only."""

    applied = Signal(str)  # the accepted source

    def __init__(self, class_name: str, source: str) -> None:
        super().__init__()
        self.class_name = class_name
        self.text = QPlainTextEdit()
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setMinimumHeight(220)
        self.text.setToolTip("The layer's Python code. It runs only once you trust this design.")
        self.highlighter = PythonHighlighter(self.text.document())
        self.text.textChanged.connect(self._recolour)
        self.from_file = QPushButton("Take from .py…")
        self.from_file.setToolTip(f"Read class {class_name} from the Python file that defines it")
        self.from_file.clicked.connect(self._take_from_file)
        self.from_file.setVisible(class_name != "Lambda")
        self.apply_button, self.error = lay_out_editor(
            self,
            self.text,
            self.apply,
            "Check the code (it is parsed, not run) and apply it (Ctrl+Return)",
            (self.from_file,),
        )
        self.shown: str | None = None
        self._colouring = False
        self.set_source(source)

    def set_source(self, source: str) -> None:
        """Show the node's code, unless it is what is shown already (keep what is typed)."""
        if source == self.shown:
            return
        self.shown = source
        self.highlighter.prepare(source)
        self.text.setPlainText(source)
        self.error.hide()

    def _recolour(self) -> None:
        if self._colouring:
            return
        self._colouring = True
        try:
            self.highlighter.prepare(self.text.toPlainText())
            self.highlighter.rehighlight()
        finally:
            self._colouring = False

    def apply(self) -> None:
        source = self.text.toPlainText()
        renamed = only_class(source) if self.class_name != "Lambda" else ""
        why = source_problem(renamed or self.class_name, source)
        show_refusal(self.error, why)
        if not why and source != self.shown:
            self.applied.emit(source)

    def _take_from_file(self) -> None:
        title = f"The file that defines {self.class_name}"
        path, _ = QFileDialog.getOpenFileName(self, title, "", "Python (*.py)")
        if path:
            self.take_from(path)

    def take_from(self, path: str | Path) -> None:
        """Put class ``class_name`` as ``path`` defines it in the editor, and apply it."""
        from engine.keras.custom_script import class_source  # reads by ast; nothing is run

        try:
            source = class_source(path, self.class_name)
        except (OSError, ValueError) as exc:
            self.error.setText(f"Not taken: {exc}")
            self.error.show()
            return
        self.text.setPlainText(source)
        self.apply()


class TrustDialog(QDialog):
    """All the design's code, read-only and coloured, and the question: run it?"""

    def __init__(self, design: Design, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Run this design's code?")
        nodes = code_nodes(design.nodes)
        names = ", ".join(f"{n} ({class_of(design.nodes[n].params)})" for n in nodes)
        intro = QLabel(
            f"<b>This design holds Python code</b> in {names}.<br>Keras runs it to compute shapes and to "
            "train. Code can do anything your account can do: run it only if you trust where the "
            "design came from. Netwright remembers your answer for exactly this code; if the code "
            "changes, it asks again."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.code = QPlainTextEdit()
        self.code.setReadOnly(True)
        self.code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.code.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        parts = [f"# {class_of(design.nodes[n].params)}\n{source_of(design.nodes[n].params)}" for n in nodes]
        text = "\n\n".join(dict.fromkeys(parts))
        self.highlighter = PythonHighlighter(self.code.document())
        self.highlighter.prepare(text)
        self.code.setPlainText(text)
        self.buttons = QDialogButtonBox()
        self.trust_button = self.buttons.addButton("Trust and run", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Don't run", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.code)
        layout.addWidget(self.buttons)
        self.resize(720, 520)


def ask_trust(parent: QWidget | None, design: Design) -> bool:
    """True when the design's code may run: it has none, it is trusted, or the user says so now."""
    if trust.is_trusted(design):
        return True
    dialog = TrustDialog(design, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    trust.trust(design)
    return True


class CodeShapes(QObject):
    """Custom layers' shapes for a trusted design: computed by a child process (with its time
    limit) that a Python thread waits for, so the window keeps painting; answers come back as
    plain data and the design is validated again."""

    answered = Signal(list, list)  # [(CodeRequest, KerasShape)], the requests asked

    def __init__(self, doc: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.asked: set = set()
        self.running = False
        self.answered.connect(self._answered)
        doc.changed.connect(self.ask)

    def ask(self, report: Report) -> None:
        """Compute what the design's code must answer, when it is trusted (never otherwise)."""
        todo = [r for r in report.code_requests if r not in self.asked]
        if not todo or self.running or not trust.is_trusted(self.doc.design):
            return
        self.asked.update(todo)
        self.running = True
        design = copy.deepcopy(self.doc.design)
        worker = threading.Thread(target=self._compute, args=(design, todo), name="code-shapes", daemon=True)
        worker.start()

    def _compute(self, design: Design, todo: list) -> None:
        from engine.keras.custom_layers import UntrustedCode, shapes_in_child

        try:
            answers = shapes_in_child(design)
        except (UntrustedCode, OSError) as exc:  # trust withdrawn meanwhile, or no process could start
            from engine.schema.generic import KerasShape

            answers = [(r, KerasShape(error=str(exc))) for r in todo]
        self.answered.emit(answers, todo)  # queued to the GUI thread

    def _answered(self, answers: list, todo: list) -> None:
        self.running = False
        self.doc.design.keras_answers.update(answers)
        if answers:  # what a stopped child left unanswered (after a loop) is asked again; never in a circle
            self.asked -= set(todo) - {request for request, _ in answers}
        self.doc.revalidate()


def code_rows(panel: QWidget, doc: Document, node_id: str, form: QFormLayout) -> CodeEditor:
    """The property panel's rows for a custom node: its code, and "Run its code…" until trusted."""
    node = doc.design.nodes[node_id]
    editor = CodeEditor(class_of(node.params), source_of(node.params))
    editor.applied.connect(lambda source: apply_code(doc, panel.node_id, editor, source))  # type: ignore[attr-defined]
    form.addRow("code", editor)
    if not trust.is_trusted(doc.design):
        run = QPushButton("Run its code…")
        run.setToolTip("Shows all of the design's code and asks before Keras runs it to compute shapes")
        run.clicked.connect(lambda: ask_trust(panel, doc.design) and doc.revalidate())
        form.addRow("", run)
    return editor


def apply_code(doc: Document, node_id: str, editor: CodeEditor, source: str) -> None:
    """The node's new code as one undo step; renaming its one class renames the node's class."""
    renamed = only_class(source) if editor.class_name != "Lambda" else ""
    if not renamed or renamed == editor.class_name:
        doc.set_param(node_id, "source", source)
        return
    doc.undo_stack.beginMacro(f"Change {node_id}'s code")
    doc.set_param(node_id, "class_name", renamed)
    doc.set_param(node_id, "source", source)
    doc.undo_stack.endMacro()
    editor.class_name = renamed


def add_code_actions(window: Any, menu: QMenu) -> None:
    """Edit → Add Custom Layer / Add Lambda: a new node holding code to change, inserted after
    the selected layer as a palette layer is, shown in the property panel.  The palette's "Custom
    layer…" and "Lambda…" entries trigger these same actions."""
    menu.addSeparator()
    actions = {}
    for kind, text in (("class", "Add Cust&om Layer (Python)"), ("lambda", "Add La&mbda (Python)")):
        action = actions[kind] = menu.addAction(text)
        action.setToolTip("A layer written in Python; its code runs only once you trust the design")
        action.triggered.connect(lambda _=False, k=kind: _add_shown(window, k))
    window.palette.code_requested.connect(lambda kind: actions[kind].trigger())


def _add_shown(window: Any, kind: str) -> None:
    """The new node inserted as a palette layer is: after the selected card, in its chain (the
    cards below move down), or at the view's centre with nothing selected; then shown, selected."""
    params = starter(kind)
    window.add_from_palette(Node(window.doc.design.unique_id(params["class_name"]), CUSTOM, params))
