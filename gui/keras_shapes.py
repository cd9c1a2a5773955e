"""Generic Keras layers' shapes in the window: asked of the training worker, shown when known.

Validation lists what only Keras can answer (``Report.requests``: a generic
layer's class, config and input shapes).  Each new request goes to the worker
thread, which builds the layer with Keras; the answer comes back as plain data,
is kept with the design (``Design.keras_answers``, which validation reads) and the design
is validated again, so the card shows the shape and the layers below it follow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from engine.design.validation import Report
from engine.schema.generic import KerasShape, Request
from gui.document import Document

if TYPE_CHECKING:  # built on first use, like the training workspace that owns it
    from gui.training.session import TrainingSession


class KerasShapes(QObject):
    def __init__(self, doc: Document, session: Callable[[], TrainingSession], parent: QObject | None = None):
        super().__init__(parent)
        self.doc = doc
        self._session = session
        self._connected: TrainingSession | None = None
        self.asked: set[Request] = set()
        doc.changed.connect(self.ask)

    def ask(self, report: Report) -> None:
        todo = [r for r in report.requests if r not in self.asked]
        if not todo:
            return
        self.asked.update(todo)
        session = self._session()
        if session is not self._connected:
            session.shapes_computed.connect(self._answered)
            self._connected = session
        session.compute_shapes(todo)

    def _answered(self, answers: list[tuple[Request, KerasShape]]) -> None:
        self.doc.design.keras_answers.update(answers)
        self.doc.revalidate()
