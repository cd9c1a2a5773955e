"""The main window: palette, canvas, properties, problems/summary/code, menus and files.

It wires views to the document and owns file handling: open/save with
prompts for unsaved changes, recent files, autosave to a recovery file and
restore after a crash, templates and the start page.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
)

from engine.atomic import write_text_atomic
from engine.design import file_format
from engine.design.file_format import DesignFileError
from engine.design.graph import Design, Edge, Node
from engine.keras.codegen import CodegenError, generate
from gui.canvas.activation_overlay import clear_activations, show_activations
from gui.canvas.items import HEIGHT
from gui.canvas.scene import DesignScene
from gui.canvas.view import CanvasView
from gui.code_view import CodeView
from gui.document import Document
from gui.palette import Palette
from gui.problems import ProblemsList
from gui.properties import PropertiesPanel
from gui.settings_panel import SettingsPanel
from gui.start_page import TEMPLATES, TEMPLATES_DIR, StartPage
from gui.style import THEMES, apply_theme
from gui.summary import SummaryTable
from gui.training.activation_curves import ActivationsView
from gui.training.mode import ModeSwitch
from gui.training_panel import TrainingPanel

CLIP_FORMAT = "netwright-layers"
MAX_RECENT = 8
AUTOSAVE_MS = 4000
FILE_FILTER = "Netwright designs (*.json);;All files (*)"


def recovery_path() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "recovery.json"


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.settings = QSettings()
        self.doc = Document(parent=self)
        self.scene = DesignScene(self.doc, self)
        self.view = CanvasView(self.scene)
        self.start_page = StartPage()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self.view)
        self.setCentralWidget(self.stack)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        self.palette = Palette()
        self.properties = PropertiesPanel(self.doc)
        self.model_settings = SettingsPanel(self.doc)
        self.problems = ProblemsList()
        self.summary = SummaryTable()
        self.code = CodeView(self.doc)
        self.training = TrainingPanel(self.doc)
        self.right_tabs = QTabWidget()
        self.right_tabs.addTab(self.properties, "Layer")
        self.right_tabs.addTab(self.model_settings, "Model")
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(self.problems, "Problems")
        self.bottom_tabs.addTab(self.summary, "Summary")
        self.bottom_tabs.addTab(self.code, "Code")
        self.stack.addWidget(self.training)
        self._dock("Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea, "palette")
        self._dock("Properties", self.right_tabs, Qt.DockWidgetArea.RightDockWidgetArea, "properties")
        self._dock("Details", self.bottom_tabs, Qt.DockWidgetArea.BottomDockWidgetArea, "bottom")

        self.params_label = QLabel()
        self.statusBar().addPermanentWidget(self.params_label)
        self._build_actions()
        self.mode = ModeSwitch(self, self.stack, self.view, self.training)
        self._build_menus()
        self.training.session.forwarded.connect(self.show_forward_pass)
        self.doc.changed.connect(lambda _report: clear_activations(self.scene))

        self.doc.changed.connect(self._on_changed)
        self.doc.path_changed.connect(self._update_title)
        self.doc.dirty_changed.connect(self._update_title)
        self.doc.undo_stack.indexChanged.connect(self._schedule_autosave)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.message.connect(self._show_message)
        self.palette.activated.connect(self.add_from_palette)
        self.problems.node_clicked.connect(self.reveal_node)
        self.code.export_requested.connect(self.export_code)
        self.start_page.new_requested.connect(self.new_design)
        self.start_page.open_requested.connect(self.open_dialog)
        self.start_page.file_requested.connect(self.open_path)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)

        self.resize(1400, 860)
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        else:  # first run: give the canvas the room (dock sizes only hold once the window is up)
            QTimer.singleShot(0, self._default_dock_sizes)
        self._on_changed(self.doc.report)
        self._update_title()
        self._refresh_recent()

    # ------------------------------------------------------------ construction

    def _dock(self, title: str, widget, area: Qt.DockWidgetArea, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey  # noqa: N806 - Qt's enum
        a = self.actions_by_name = {}
        a["new"] = self._action("&New", self.new_design, K.New)
        a["open"] = self._action("&Open…", self.open_dialog, K.Open)
        a["save"] = self._action("&Save", self.save, K.Save)
        a["save_as"] = self._action("Save &As…", self.save_as, K.SaveAs)
        a["export"] = self._action("&Export Keras Code…", self.export_code, "Ctrl+E")
        a["quit"] = self._action("&Quit", self.close, K.Quit)
        a["undo"] = self.doc.undo_stack.createUndoAction(self, "&Undo")
        a["undo"].setShortcut(K.Undo)
        a["redo"] = self.doc.undo_stack.createRedoAction(self, "&Redo")
        a["redo"].setShortcut(K.Redo)
        a["cut"] = self._action("Cu&t", self.cut, K.Cut)
        a["copy"] = self._action("&Copy", self.copy, K.Copy)
        a["paste"] = self._action("&Paste", self.paste, K.Paste)
        a["duplicate"] = self._action("D&uplicate", self.duplicate, "Ctrl+D")
        a["delete"] = self._action("&Delete", self.scene.delete_selection, K.Delete)
        a["select_all"] = self._action("Select &All", self.select_all, K.SelectAll)
        a["zoom_in"] = self._action("Zoom &In", lambda: self.view.zoom_by(1.25), K.ZoomIn)
        a["zoom_out"] = self._action("Zoom &Out", lambda: self.view.zoom_by(0.8), K.ZoomOut)
        a["fit"] = self._action("&Fit to Window", self.view.fit, "Ctrl+0")
        a["layout"] = self._action("&Auto-layout", self.auto_layout, "Ctrl+L")
        a["train"] = self._action("&Train", self.train, "F5", "Train the design on its dataset")
        a["pause"] = self._action("&Pause / Resume", self.training.toggle_pause, "F6")
        a["stop"] = self._action("&Stop", self.training.stop, "Shift+F5")
        for action in a.values():
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)

    def _build_menus(self) -> None:
        a = self.actions_by_name
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(a["new"])
        self.templates_menu = file_menu.addMenu("New from &Template")
        for stem, (title, blurb) in TEMPLATES.items():
            action = self.templates_menu.addAction(title)
            action.setStatusTip(blurb)
            action.triggered.connect(lambda _=False, p=TEMPLATES_DIR / f"{stem}.json": self.open_template(p))
        file_menu.addAction(a["open"])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        file_menu.addSeparator()
        for key in ("save", "save_as", "export"):
            file_menu.addAction(a[key])
        file_menu.addSeparator()
        file_menu.addAction(a["quit"])
        edit = bar.addMenu("&Edit")
        for key in ("undo", "redo", None, "cut", "copy", "paste", "duplicate", "delete", None, "select_all"):
            edit.addSeparator() if key is None else edit.addAction(a[key])
        view = bar.addMenu("&View")
        for key in ("zoom_in", "zoom_out", "fit", None, "layout"):
            view.addSeparator() if key is None else view.addAction(a[key])
        view.addSeparator()
        theme_menu = view.addMenu("&Theme")
        for theme in THEMES:
            theme_menu.addAction(theme.capitalize()).triggered.connect(
                lambda _=False, t=theme: self.set_theme(t)
            )
        for dock in self.findChildren(QDockWidget):
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        view.addAction(self.mode.design_action)
        view.addAction(self.mode.train_action)
        run = bar.addMenu("&Run")
        for key in ("train", "pause", "stop"):
            run.addAction(a[key])
        help_menu = bar.addMenu("&Help")
        help_menu.addAction("&Activation Functions…").triggered.connect(lambda: ActivationsView(self).exec())
        help_menu.addAction("&About Netwright").triggered.connect(self.about)

    def _default_dock_sizes(self) -> None:
        docks = {d.objectName(): d for d in self.findChildren(QDockWidget)}
        self.resizeDocks(
            [docks["dock_palette"], docks["dock_properties"]], [230, 340], Qt.Orientation.Horizontal
        )
        self.resizeDocks([docks["dock_bottom"]], [max(200, self.height() // 4)], Qt.Orientation.Vertical)
        if self.stack.currentWidget() is self.view:
            QTimer.singleShot(0, self.view.fit)

    # ------------------------------------------------------------ document -> window

    def _on_changed(self, report) -> None:
        self.problems.show_report(report)
        self.summary.show_report(self.doc.design, report)
        errors, warnings = len(report.errors), len(report.warnings)
        state = "valid" if not errors else f"{errors} error{'s' * (errors != 1)}"
        if warnings:
            state += f", {warnings} warning{'s' * (warnings != 1)}"
        self.params_label.setText(
            f"{len(self.doc.design.nodes)} layers · {report.total_params:,} params "
            f"({report.trainable_params:,} trainable) · {state}"
        )
        self.bottom_tabs.setTabText(0, f"Problems ({errors + warnings})" if errors + warnings else "Problems")

    def _show_message(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text, 8000)
        else:
            self.statusBar().clearMessage()

    def _update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self.doc.display_name()}[*] — Netwright")
        self.setWindowModified(self.doc.dirty)

    def _selection_changed(self) -> None:
        ids = self.scene.selected_node_ids()
        self.properties.show_node(ids[0] if len(ids) == 1 else None)
        if len(ids) == 1:
            self.right_tabs.setCurrentWidget(self.properties)

    def show_canvas(self) -> None:
        self.mode.show_design()
        self.stack.setCurrentWidget(self.view)

    def reveal_node(self, node_id: str) -> None:
        if node_id in self.scene.nodes:
            self.scene.select_nodes([node_id])
            self.view.centerOn(self.scene.nodes[node_id])

    # ------------------------------------------------------------ editing

    def add_from_palette(self, layer_type: str) -> None:
        """Double-click: add after the selected layer and wire it; otherwise at the view's centre."""
        self.show_canvas()
        selected = self.scene.selected_node_ids()
        after = selected[0] if len(selected) == 1 else None
        if after is not None:
            x, y = self.doc.design.nodes[after].pos
            pos = (x, y + HEIGHT + 44)
        else:
            centre = self.view.mapToScene(self.view.viewport().rect().center())
            pos = (round(centre.x() - 100), round(centre.y() - 40))
        nid = self.doc.add_layer(layer_type, (float(pos[0]), float(pos[1])), after=after)
        self.scene.select_nodes([nid])

    def show_forward_pass(self, result: dict) -> None:
        """One sample's output of every layer, beside the cards on the canvas."""
        self.mode.show_design()
        show_activations(self.scene, result["outputs"])
        state = "trained" if result["trained"] else "untrained (nothing trained yet)"
        self._show_message(
            f"Sample #{result['index']} through the {state} network: each card shows its output"
        )

    def train(self) -> None:
        self.mode.show_train()
        self.training.start()

    def select_all(self) -> None:
        for item in self.scene.items():
            item.setSelected(True)

    def auto_layout(self) -> None:
        self.doc.auto_layout()
        self.view.fit()

    def copy(self) -> None:
        ids = self.scene.selected_node_ids()
        if not ids:
            return
        d = self.doc.design
        chosen = set(ids)
        payload = {
            "format": CLIP_FORMAT,
            "nodes": [
                {"id": n, "type": d.nodes[n].type, "params": d.nodes[n].params, "pos": list(d.nodes[n].pos)}
                for n in d.nodes
                if n in chosen
            ],
            "edges": [
                {"src": e.src, "dst": e.dst, "port": e.port}
                for e in d.edges
                if e.src in chosen and e.dst in chosen
            ],
        }
        QGuiApplication.clipboard().setText(json.dumps(payload))

    def paste(self) -> None:
        """Paste layers copied from Netwright (JSON text, so it also travels through editors)."""
        try:
            payload = json.loads(QGuiApplication.clipboard().text())
            if not isinstance(payload, dict) or payload.get("format") != CLIP_FORMAT:
                raise ValueError("not Netwright layers")
            nodes = [Node(n["id"], n["type"], n["params"], tuple(n["pos"])) for n in payload["nodes"]]
            edges = [Edge(e["src"], e["dst"], e.get("port")) for e in payload["edges"]]
        except (ValueError, KeyError, TypeError):
            self.statusBar().showMessage("The clipboard does not hold Netwright layers.", 5000)
            return
        self.show_canvas()
        self.scene.select_nodes(self.doc.paste(nodes, edges, (48.0, 48.0)))

    def cut(self) -> None:
        self.copy()
        self.scene.delete_selection()

    def duplicate(self) -> None:
        self.copy()
        self.paste()

    # ------------------------------------------------------------ files

    def maybe_save(self) -> bool:
        """Ask before unsaved changes would be lost; False means the user cancelled."""
        if not self.doc.dirty:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.doc.display_name()}?",
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
            self.doc.replace(design, None)
            self.show_canvas()

    def open_template(self, path: Path) -> None:
        if not self.maybe_save():
            return
        try:
            design = file_format.load(path)
        except DesignFileError as exc:
            self._file_error("Cannot open the template", exc)
            return
        self.doc.replace(design, None)
        self.show_canvas()
        self.view.fit()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.doc.path.parent) if self.doc.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open design", start, FILE_FILTER)
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a design file.  A file that fails to load leaves the current design untouched."""
        if ask and not self.maybe_save():
            return False
        try:
            self.doc.load(Path(path))
        except DesignFileError as exc:
            self._file_error("Cannot open the design", exc)
            return False
        self._add_recent(Path(path))
        self.show_canvas()
        self.view.fit()
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def _file_error(self, title: str, exc: DesignFileError) -> None:
        details = "\n".join(f"• {p}" for p in exc.problems[:20])
        more = f"\n… and {len(exc.problems) - 20} more" if len(exc.problems) > 20 else ""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            f"{exc.source} could not be opened:\n\n{details}{more}",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("file_error")
        box.open()
        self.last_error = box

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._save_to(self.doc.path)

    def save_as(self) -> bool:
        start = str(self.doc.path or Path.home() / f"{self.doc.design.name}.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save design", start, FILE_FILTER)
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".json"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.doc.save(path)
        except OSError as exc:
            QMessageBox.warning(self, "Cannot save", f"{path} could not be written: {exc.strerror or exc}")
            return False
        self._add_recent(path)
        self.clear_recovery()
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def export_code(self) -> None:
        try:
            source = generate(self.doc.design)
        except CodegenError:
            QMessageBox.information(
                self, "Export Keras code", "Fix the problems listed below before exporting."
            )
            self.bottom_tabs.setCurrentWidget(self.problems)
            return
        stem = self.doc.path.stem if self.doc.path else self.doc.design.name
        path, _ = QFileDialog.getSaveFileName(self, "Export Keras script", f"{stem}.py", "Python (*.py)")
        if path:
            try:
                write_text_atomic(path, source)
            except OSError as exc:
                QMessageBox.warning(
                    self, "Cannot export", f"{path} could not be written: {exc.strerror or exc}"
                )
                return
            self.statusBar().showMessage(f"Exported {path}", 5000)

    # ------------------------------------------------------------ recent files

    def recent_files(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _add_recent(self, path: Path) -> None:
        text = str(Path(path).resolve())
        recent = [text] + [p for p in self.recent_files() if p != text]
        self.settings.setValue("files/recent", recent[:MAX_RECENT])
        self.settings.setValue("files/last", text)
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for path in recent:
            self.recent_menu.addAction(path).triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))
        self.start_page.set_recent(recent)

    # ------------------------------------------------------------ autosave and recovery

    def _schedule_autosave(self, _index: int = 0) -> None:
        if self.doc.dirty:
            self.autosave_timer.start()

    def autosave(self) -> None:
        """Write the unsaved design to the recovery file (never over the user's file)."""
        if not self.doc.dirty:
            return
        payload = {
            "path": str(self.doc.path) if self.doc.path else None,
            "saved_at": time.time(),
            "design": file_format.to_dict(self.doc.design),
        }
        try:
            write_text_atomic(recovery_path(), json.dumps(payload))
        except OSError as exc:
            self.statusBar().showMessage(f"Autosave failed: {exc.strerror or exc}", 8000)

    def clear_recovery(self) -> None:
        recovery_path().unlink(missing_ok=True)

    def offer_recovery(self) -> bool:
        """After a crash, offer the autosaved design; True if it was restored."""
        path = recovery_path()
        if not path.exists():
            return False
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            design = file_format.from_dict(payload["design"], "recovery file")
        except (OSError, ValueError, KeyError, TypeError):
            self.clear_recovery()
            return False
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(payload.get("saved_at", 0)))
        answer = QMessageBox.question(
            self,
            "Restore unsaved work?",
            f"Netwright closed without saving '{design.name}' (autosaved {when}). Restore it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.clear_recovery()
            return False
        original = Path(payload["path"]) if payload.get("path") else None
        self.doc.replace(design, original)
        self.doc.undo_stack.resetClean()  # restored work is unsaved work
        self._update_title()
        self.show_canvas()
        self.view.fit()
        return True

    # ------------------------------------------------------------ start-up and close

    def start(self, path: str | None = None) -> None:
        """Open the file given on the command line; else restore after a crash; else the last
        design; else show the start page."""
        if path:
            self.open_path(path, ask=False)
            return
        if self.offer_recovery():
            return
        last = self.settings.value("files/last")
        if isinstance(last, str) and Path(last).exists() and self.open_path(last, ask=False):
            return
        self.stack.setCurrentWidget(self.start_page)

    def set_theme(self, theme: str) -> None:
        apply_theme(QApplication.instance(), theme)
        self.settings.setValue("ui/theme", theme)
        self.scene.update()
        self.view.viewport().update()
        self.training.apply_theme()

    def about(self) -> None:
        QMessageBox.about(
            self, "About Netwright", "<b>Netwright</b><br>Design, check and export Keras models visually."
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.maybe_save():
            event.ignore()
            return
        self.training.shutdown()
        self.mode.show_design()  # the Train view's hidden docks must not be saved as hidden
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.clear_recovery()
        event.accept()
