"""What the window does with files: open, import, save, export, recent files and crash recovery.

Split from the main window so that it holds only the window (docks, menus,
pages).  The window's actions and the start page call these; each dialog is
parented to the window, and every change to the design still goes through its
document.  A Keras model is read on another thread (:mod:`gui.model_import`).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engine.atomic import write_text_atomic
from engine.design import file_format, recovery
from engine.design.file_format import DesignFileError
from engine.design.graph import Design
from gui.export_dialog import EXPORT_FILTERS, JobDialog, job_kind
from gui.model_import import Imported, ModelImport

if TYPE_CHECKING:
    from gui.main_window import MainWindow

MAX_RECENT = 8
FILE_FILTER = (
    "Designs, Keras models and scripts (*.json *.keras *.h5 *.hdf5 *.py);;Netwright designs (*.json);;"
    "Keras models (*.keras *.h5 *.hdf5 *.json);;Keras model scripts (*.py);;All files (*)"
)


def recovery_path() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "recovery.json"


class FileActions(QObject):
    """The window's file commands; ``window`` is the main window they act for."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.model_import = ModelImport(self)  # a large model is read off the GUI thread
        self.model_import.finished.connect(self._imported)
        self.model_import.failed.connect(self._import_failed)
        self._edits_before_import = 0
        self.job_dialog: JobDialog | None = None

    def maybe_save(self) -> bool:
        """Ask before unsaved changes would be lost; False means the user cancelled."""
        if not self.window.doc.dirty:
            return True
        answer = QMessageBox.question(
            self.window,
            "Unsaved changes",
            f"Save the changes to {self.window.doc.display_name()}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_design(self) -> None:
        if self.maybe_save():
            design = Design(name="untitled")
            self.window.doc.replace(design, None)
            self.window.show_canvas()

    def open_template(self, path: Path) -> None:
        if not self.maybe_save():
            return
        try:
            design = file_format.load(path)
        except DesignFileError as exc:
            self._file_error("Cannot open the template", exc)
            return
        self.window.doc.replace(design, None)
        self.window.show_canvas()
        self.window.view.fit_or_start_at_inputs()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.window.doc.path.parent) if self.window.doc.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open a design, Keras model or script", start, FILE_FILTER
        )
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a design file.  A file that fails to load leaves the current design untouched."""
        if ask and not self.maybe_save():
            return False
        from engine.keras.importer import is_import_source  # not needed for the first frame

        if is_import_source(path):
            return self.import_model(Path(path))
        try:
            self.window.doc.load(Path(path))
        except DesignFileError as exc:
            self._file_error("Cannot open the design", exc)
            return False
        self._add_recent(Path(path))
        self.window.show_canvas()
        self.window.view.fit_or_start_at_inputs()  # a deep design opens readable, as an import does
        self.window.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def import_model(self, path: Path) -> bool:
        """A Keras model or model script opens as a new, unsaved design; what was lost is listed.

        The file is read on another thread (see gui/model_import.py): the window keeps
        painting, and the design appears when the import is done."""
        if not self.model_import.start(path):
            self.window.statusBar().showMessage(f"Still importing {self.model_import.path.name}…", 5000)
            return False
        self._edits_before_import = self.window.doc.undo_stack.index()
        self.window.statusBar().showMessage(f"Importing {path.name}…")
        return True

    def _imported(self, imported: Imported) -> None:
        path, result = imported.path, imported.result
        # Edits made while the file was read are not dropped without asking.
        if self.window.doc.undo_stack.index() != self._edits_before_import and not self.maybe_save():
            self.window.statusBar().showMessage(
                f"Import of {path.name} set aside: your design is unchanged", 8000
            )
            return
        self.window.doc.replace(result.design, None, imported.report)
        self.window.doc.undo_stack.resetClean()  # imported, not saved: closing asks first
        self._add_recent(path)
        self.window.show_canvas()
        self.window.view.fit_or_start_at_inputs()
        layers = len(result.design.nodes)
        kinds = len(result.notes)
        simplified = f" ({kinds} kind{'s' if kinds != 1 else ''} of detail simplified)" if kinds else ""
        self.window.statusBar().showMessage(f"Imported {path.name}: {layers} layers{simplified}", 8000)
        if result.problems:
            self._import_report(path, result.problems, result.notes)

    def _import_failed(self, path: Path, message: str) -> None:
        self.window.statusBar().clearMessage()
        self._file_error("Cannot import the model", DesignFileError(str(path), [message]))

    def _import_report(self, path: Path, problems: list[str], notes: list[str]) -> None:
        shown = "\n".join(f"• {p}" for p in problems[:12])
        more = f"\n… and {len(problems) - 12} more" if len(problems) > 12 else ""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Imported with problems",
            f"{path.name} was imported, but parts of it could not be carried over:\n\n{shown}{more}",
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setObjectName("import_report")
        if notes:
            box.setDetailedText("Simplified:\n" + "\n".join(f"• {n}" for n in notes))
        box.open()
        self.window.last_error = box

    def _file_error(self, title: str, exc: DesignFileError) -> None:
        details = "\n".join(f"• {p}" for p in exc.problems[:20])
        more = f"\n… and {len(exc.problems) - 20} more" if len(exc.problems) > 20 else ""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            f"{exc.source} could not be opened:\n\n{details}{more}",
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setObjectName("file_error")
        box.open()
        self.window.last_error = box

    def save(self) -> bool:
        if self.window.doc.path is None:
            return self.save_as()
        return self._save_to(self.window.doc.path)

    def save_as(self) -> bool:
        start = str(self.window.doc.path or Path.home() / f"{self.window.doc.design.name}.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save design", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".json"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.window.doc.save(path)
        except (OSError, ValueError) as exc:  # ValueError: a value JSON cannot hold
            reason = getattr(exc, "strerror", None) or exc
            QMessageBox.warning(self.window, "Cannot save", f"{path} could not be written: {reason}")
            return False
        self._add_recent(path)
        self.clear_recovery()
        self.window.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def export_code(self) -> None:
        from engine.keras.codegen import CodegenError, generate

        try:
            source = generate(self.window.doc.design)
        except CodegenError as exc:
            if not self.window.doc.report.valid:
                QMessageBox.information(
                    self.window, "Export Keras code", "Fix the problems listed below before exporting."
                )
                self.window.bottom_tabs.setCurrentWidget(self.window.problems)
            else:  # a value no literal can hold, or a script that would not compile
                QMessageBox.warning(self.window, "Export Keras code", f"The design cannot be exported: {exc}")
            return
        stem = self.window.doc.path.stem if self.window.doc.path else self.window.doc.design.name
        folder = self.window.doc.path.parent if self.window.doc.path else Path.home()
        path, chosen = QFileDialog.getSaveFileName(
            self.window, "Export Keras script", str(folder / f"{stem}.py"), ";;".join(EXPORT_FILTERS)
        )
        if path and job_kind(chosen) != "none":  # for several machines: a job file beside it
            self.job_dialog = JobDialog(self.window, Path(path), source, job_kind(chosen))
            self.job_dialog.written.connect(
                lambda paths: self.window.statusBar().showMessage(
                    "Exported " + ", ".join(map(str, paths)), 5000
                )
            )
            self.job_dialog.failed.connect(
                lambda text: QMessageBox.warning(self.window, "Cannot export", text)
            )
            self.job_dialog.open()
        elif path:
            try:
                write_text_atomic(path, source)
            except OSError as exc:  # the script itself was checked by generate()
                QMessageBox.warning(
                    self.window, "Cannot export", f"{path} could not be written: {exc.strerror or exc}"
                )
                return
            self.window.statusBar().showMessage(f"Exported {path}", 5000)

    def export_diagram(self, path: str | None = None) -> None:
        """The design as a picture (engine/design/diagram.py, the same as ``main.py render``)."""
        from engine.design.diagram import render as render_diagram  # XML, layout: on first use

        if path is None:
            stem = self.window.doc.path.stem if self.window.doc.path else self.window.doc.design.name
            path, _ = QFileDialog.getSaveFileName(
                self.window, "Export diagram", f"{stem}.svg", "SVG image (*.svg);;PNG image (*.png)"
            )
        if path:
            try:
                written = render_diagram(self.window.doc.design, path)
            except (OSError, ValueError) as exc:
                QMessageBox.warning(self.window, "Cannot export the diagram", str(exc))
                return
            self.window.statusBar().showMessage(f"Exported {written}", 5000)

    def recent_files(self) -> list[str]:
        value = self.window.settings.value("files/recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _add_recent(self, path: Path) -> None:
        text = str(Path(path).resolve())
        recent = [text] + [p for p in self.recent_files() if p != text]
        self.window.settings.setValue("files/recent", recent[:MAX_RECENT])
        self.window.settings.setValue("files/last", text)
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.window.recent_menu.clear()
        recent = self.recent_files()
        for path in recent:
            self.window.recent_menu.addAction(path).triggered.connect(
                lambda _=False, p=path: self.open_path(p)
            )
        self.window.recent_menu.setEnabled(bool(recent))
        self.window.start_page.set_recent(recent)

    def _schedule_autosave(self, _index: int = 0) -> None:
        if self.window.doc.dirty:
            self.window.autosave_timer.start()

    def autosave(self) -> None:
        """Write the unsaved design to the recovery file (never over the user's file)."""
        if not self.window.doc.dirty:
            return
        try:
            write_text_atomic(recovery_path(), recovery.dumps(self.window.doc.design, self.window.doc.path))
        except (OSError, ValueError) as exc:
            self.window.statusBar().showMessage(
                f"Autosave failed: {getattr(exc, 'strerror', None) or exc}", 8000
            )

    def clear_recovery(self) -> None:
        with contextlib.suppress(OSError):  # an unwritable app-data folder must not break Save or Quit
            recovery_path().unlink(missing_ok=True)

    def offer_recovery(self) -> bool:
        """After a crash, offer the autosaved design; True if it was restored.

        The recovery file goes only when its work is restored (and later saved or
        discarded) or the user declines it; one that cannot be read is kept aside.
        """
        path = recovery_path()
        if not path.exists():
            return False
        try:
            found = recovery.load(path)
        except recovery.RecoveryError as exc:
            aside = path.with_name(f"{path.stem}-unreadable-{int(time.time())}.json")
            with contextlib.suppress(OSError):
                path.replace(aside)  # kept for whoever wants to dig, never offered again
            self.window.statusBar().showMessage(f"The autosaved work could not be restored: {exc}", 10000)
            return False
        what = f"the changes to {found.path.name}" if found.path else f"the new design '{found.design.name}'"
        answer = QMessageBox.question(
            self.window,
            "Restore unsaved work?",
            f"Netwright closed without saving {what} (autosaved {found.saved_text()}). "
            "Restore it? (No discards it.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.clear_recovery()
            return False
        self.window.doc.replace(found.design, found.path)
        self.window.doc.undo_stack.resetClean()  # restored work is unsaved work
        self.window._update_title()
        self.window.show_canvas()
        self.window.view.fit_or_start_at_inputs()
        return True

    def start(self, path: str | None = None) -> None:
        """Offer to restore after a crash (also when a file is given: declining discards that
        work, so it must be asked); else open the file given on the command line; else the
        last design; else show the start page."""
        if self.offer_recovery():
            if path:
                self.window.statusBar().showMessage(f"Restored unsaved work; {path} was not opened", 10000)
            return
        if path:
            self.open_path(path, ask=False)
            return
        last = self.window.settings.value("files/last")
        if isinstance(last, str) and Path(last).exists() and self.open_path(last, ask=False):
            return
        self.window.show_start_page()
