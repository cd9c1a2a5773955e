"""Importing a Keras model or script off the GUI thread, so a large model never freezes the window.

Reading a ``.keras`` file, mapping hundreds of layers through the catalog,
laying them out and validating the result is pure Python and takes seconds
for a model like NASNetMobile; on the GUI thread the window would not repaint
meanwhile.  It runs on a short-lived plain Python thread instead (the
importer never touches TensorFlow, which must stay on the training worker),
and only the finished, plain-data result comes back through a queued signal.
Automatic garbage collection runs on the GUI thread only
(:mod:`gui.gui_thread_gc`), so this thread never frees Qt objects.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from engine.design.validation import Report, validate

if TYPE_CHECKING:  # the importer (and its layout library) loads on the first import, not at start-up
    from engine.keras.importer import ImportResult


@dataclass(frozen=True)
class Imported:
    """What one import gives the window: the file, the importer's result and the design's report."""

    path: Path
    result: ImportResult
    report: Report


class ModelImport(QObject):
    """One import at a time; ``finished`` or ``failed`` arrives on the GUI thread."""

    finished = Signal(object)  # Imported
    failed = Signal(object, str)  # path, why it cannot be imported

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None  # the file being imported, None when idle
        # Connected first, so the window's own slots already see it idle (and may start another).
        self.finished.connect(self._idle)
        self.failed.connect(self._idle)

    @property
    def busy(self) -> bool:
        return self.path is not None

    def start(self, path: Path) -> bool:
        """Begin importing ``path``; False (nothing started) while another import runs."""
        if self.busy:
            return False
        self.path = path
        threading.Thread(target=self._run, args=(path,), name="netwright-import", daemon=True).start()
        return True

    def _run(self, path: Path) -> None:
        from engine.keras.importer import ModelImportError, import_file

        try:
            result = import_file(path)
            imported = Imported(path, result, validate(result.design))
        except ModelImportError as exc:
            self.failed.emit(path, str(exc))
        except Exception as exc:  # noqa: BLE001 - a hostile file must never take the window down
            self.failed.emit(path, f"unexpected problem reading the model: {exc!r}")
        else:
            self.finished.emit(imported)

    def _idle(self, *_: object) -> None:
        self.path = None
