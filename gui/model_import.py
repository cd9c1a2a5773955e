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
    # From the import thread: one queued call, so that ``busy`` turns false in the same turn of the
    # event loop as the window's slots run (two queued slots could run turns apart).
    _done = Signal(object, object, str)  # path, Imported or None, why not

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None  # the file being imported, None when idle
        self._done.connect(self._deliver)

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
            self._done.emit(path, None, str(exc))
        except Exception as exc:  # noqa: BLE001 - a hostile file must never take the window down
            self._done.emit(path, None, f"unexpected problem reading the model: {exc!r}")
        else:
            self._done.emit(path, imported, "")

    def _deliver(self, path: Path, imported: Imported | None, why: str) -> None:
        """On the GUI thread: idle first (the window's slots may start another import), then tell."""
        self.path = None
        if imported is None:
            self.failed.emit(path, why)
        else:
            self.finished.emit(imported)
