"""The main window: palette, canvas, properties, problems/summary/code, menus and files.

It wires views to the document and owns file handling: open/save with
prompts for unsaved changes, recent files, autosave to a recovery file and
restore after a crash, templates and the start page.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QPoint, QRect, QSettings, QSize, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QStyle,
    QTabWidget,
)

from engine.atomic import write_text_atomic
from engine.design import file_format, fragment, recovery
from engine.design.file_format import DesignFileError
from engine.design.graph import Design
from engine.design.label_fit import SetLoss, SetParam
from engine.design.rules import free_position
from engine.schema.catalog import LAYERS
from gui import accessibility, gui_thread_gc, wheel_guard
from gui.canvas.scene import DesignScene
from gui.canvas.view import CanvasView
from gui.code_view import CodeView
from gui.commands import count_phrase
from gui.custom_code import CodeShapes, add_code_actions
from gui.document import Document
from gui.export_dialog import EXPORT_FILTERS, JobDialog, job_kind
from gui.keras_shapes import KerasShapes
from gui.model_import import Imported, ModelImport
from gui.palette import Palette
from gui.problems import ProblemsList
from gui.properties import PropertiesPanel
from gui.settings_panel import SettingsPanel
from gui.start_page import TEMPLATES, StartPage, template_path
from gui.style import THEMES, apply_theme, canvas_colors, current_theme, glyph_icon, narrow_fields
from gui.summary import SummaryTable
from gui.training.mode import ModeSwitch

if TYPE_CHECKING:
    from gui.training_panel import TrainingPanel

MAX_RECENT = 8
TOOLBAR_GLYPHS = {
    "start_page": "⌂",
    "undo": "↶",
    "redo": "↷",
    "fit": "⤢",
    "layout": "⊞",
    "train": "▶",
    "stop": "■",
}
AUTOSAVE_MS = 4000
DEFAULT_SIZE = QSize(1400, 860)  # the first window, where the screen has room for it
FILE_FILTER = (
    "Designs, Keras models and scripts (*.json *.keras *.h5 *.hdf5 *.py);;Netwright designs (*.json);;"
    "Keras models (*.keras *.h5 *.hdf5 *.json);;Keras model scripts (*.py);;All files (*)"
)


def recovery_path() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "recovery.json"


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        wheel_guard.install(QApplication.instance())
        gui_thread_gc.install(QApplication.instance())  # Qt objects are never freed on the worker
        self.settings = QSettings()
        self._dock_sizes_pending = False
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
        self.properties.sweep_requested.connect(self.sweep_setting)
        self.model_settings = SettingsPanel(self.doc)
        self.problems = ProblemsList()
        self.summary = SummaryTable()
        self.code = CodeView(self.doc)
        # The training workspace (pyqtgraph, NumPy) is built the first time it is needed, not at start-up.
        self._training: TrainingPanel | None = None
        self._overlay_shown = False  # layer outputs beside the cards (the first forward pass shows them)
        self.right_tabs = QTabWidget()
        self.right_tabs.addTab(self.properties, "Layer")
        self.right_tabs.addTab(self.model_settings, "Model")
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(self.problems, "Problems")
        self.bottom_tabs.addTab(self.summary, "Summary")
        self.bottom_tabs.addTab(self.code, "Code")
        for tab in (self.problems, self.summary, self.code):  # Details can be a few lines tall
            tab.setMinimumHeight(40)
        self._dock("Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea, "palette")
        self._dock("Properties", self.right_tabs, Qt.DockWidgetArea.RightDockWidgetArea, "properties")
        self._dock("Details", self.bottom_tabs, Qt.DockWidgetArea.BottomDockWidgetArea, "bottom")

        self.params_label = QLabel()
        self.statusBar().addPermanentWidget(self.params_label)
        self._build_actions()
        self.mode = ModeSwitch(self, self.stack, self.view, lambda: self.training, self.start_page)
        self.stack.setCurrentWidget(self.view)  # Design until start() says otherwise
        self._build_menus()
        self._build_toolbar()
        self.empty_hint = QLabel(
            "Drag a layer from the palette on the left (start with Input),\n"
            "or double-click one to add it. Templates: View → Start Page.",
            self.view.viewport(),
        )
        self.empty_hint.setObjectName("empty_hint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.empty_hint.setStyleSheet("color: palette(placeholder-text); font-size: 15px;")
        self.view.viewport().installEventFilter(self)
        self.doc.changed.connect(self._clear_activations)

        self.doc.changed.connect(self._on_changed)
        narrow_fields(self.right_tabs)  # after each panel rebuilt its fields (connected before this)
        self.doc.changed.connect(lambda _report: narrow_fields(self.right_tabs))
        self.keras_shapes = KerasShapes(self.doc, lambda: self.training.session, self)
        self.code_shapes = CodeShapes(self.doc, self)  # custom layers' shapes, once their code is trusted
        self.model_import = ModelImport(self)  # a large model is read off the GUI thread
        self.model_import.finished.connect(self._imported)
        self.model_import.failed.connect(self._import_failed)
        self.doc.path_changed.connect(self._update_title)
        self.doc.dirty_changed.connect(self._update_title)
        self.doc.undo_stack.indexChanged.connect(self._schedule_autosave)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.message.connect(self._show_message)
        self.palette.activated.connect(self.add_from_palette)
        self.problems.node_clicked.connect(self.reveal_node)
        self.problems.fix_requested.connect(self.apply_fix)
        self.code.export_requested.connect(self.export_code)
        self.start_page.new_requested.connect(self.new_design)
        self.start_page.open_requested.connect(self.open_dialog)
        self.start_page.file_requested.connect(self.open_path)
        self.start_page.template_requested.connect(lambda p: self.open_template(Path(p)))

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)

        # A first start (no saved geometry) on a small screen must not put the properties
        # and the status bar off screen: the default size is bounded by the screen's.
        screen = self.screen() or QGuiApplication.primaryScreen()
        self.resize(DEFAULT_SIZE.boundedTo(screen.availableGeometry().size()) if screen else DEFAULT_SIZE)
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
            self._unhide_lost_docks()
        else:  # first run: give the canvas the room (dock sizes only hold once the docks are up)
            self._dock_sizes_pending = True
            self.mode.design_shown.connect(self._default_dock_sizes_once)
            QTimer.singleShot(0, self._default_dock_sizes_once)
        self._on_changed(self.doc.report)
        self._update_title()
        self._refresh_recent()
        accessibility.install(self)  # names for screen readers, once every widget is built

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
        a["diagram"] = self._action("Export &Diagram (SVG, PNG)…", self.export_diagram)
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
        a["find_layer"] = self._action(
            "&Find Layer…", self.find_layer, K.Find, "Search the layers; Enter adds one after the selected"
        )
        a["connect_next"] = self._action(
            "Co&nnect to Next Layer",
            self.connect_to_next,
            "Ctrl+J",
            "Connect the selected layer to the nearest one below it (or two selected layers)",
        )
        a["collapse"] = self._action(
            "Co&llapse Into One Card",
            self.collapse_selection,
            "Ctrl+G",
            "Show the selected layers as one card",
        )
        a["expand"] = self._action(
            "E&xpand Group", self.expand_selection, "Ctrl+Shift+G", "Show a collapsed card's layers again"
        )
        a["zoom_in"] = self._action("Zoom &In", lambda: self.view.zoom_by(1.25), K.ZoomIn)
        a["zoom_out"] = self._action("Zoom &Out", lambda: self.view.zoom_by(0.8), K.ZoomOut)
        a["fit"] = self._action("&Fit to Window", self.fit, "Ctrl+0")
        a["layout"] = self._action("&Auto-layout", self.auto_layout, "Ctrl+L")
        a["start_page"] = self._action(
            "&Start Page", self.show_start_page, None, "Templates and recent files"
        )
        # "Start Training", not "Train": the Design | Train switch beside it already says "Train"
        a["train"] = self._action("&Start Training", self.train, "F5", "Train the design on its dataset")
        a["pause"] = self._action("&Pause / Resume", lambda: self.training.toggle_pause(), "F6")
        a["stop"] = self._action("&Stop", self._stop_training, "Shift+F5")
        a["fresh_weights"] = self._action(
            "Start From &Fresh Weights",
            lambda: self.doc.set_settings("weights", None, "Start from fresh weights"),
            tip="Forget the imported model's pretrained weights: training starts from new random weights",
        )
        a["backprop"] = self._action(
            "&Backpropagation Step by Step…",
            self.show_backprop,
            tip="One sample, one training step: every layer's values, gradients and weight updates",
        )
        for action in a.values():
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        for key in ("pause", "stop"):  # nothing to pause or stop until a run starts
            a[key].setEnabled(False)
        stock = {
            "new": QStyle.StandardPixmap.SP_FileIcon,
            "open": QStyle.StandardPixmap.SP_DirOpenIcon,
            "save": QStyle.StandardPixmap.SP_DialogSaveButton,
        }
        for key, icon in stock.items():
            a[key].setIcon(self.style().standardIcon(icon))
        self._glyph_icons()

    def _glyph_icons(self) -> None:
        """Icons drawn in the theme's text colour (redrawn when the theme changes)."""
        colour = QApplication.palette().color(QPalette.ColorRole.ButtonText)
        for key, glyph in TOOLBAR_GLYPHS.items():
            self.actions_by_name[key].setIcon(glyph_icon(glyph, colour))

    def _build_toolbar(self) -> None:
        """The actions a newcomer looks for, one click away (and named, not only drawn)."""
        bar = self.addToolBar("Main")
        bar.setObjectName("toolbar_main")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for key in ("start_page", None, "new", "open", "save", None, "undo", "redo", None, "fit", "layout"):
            bar.addSeparator() if key is None else bar.addAction(self.actions_by_name[key])
        bar.addSeparator()
        for key in ("train", "stop"):
            bar.addAction(self.actions_by_name[key])
        for key in ("undo", "redo"):  # their text names the edit ("Undo Add Dense"): too long for a bar
            button = bar.widgetForAction(self.actions_by_name[key])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.toolbar = bar

    def _build_menus(self) -> None:
        a = self.actions_by_name
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(a["new"])
        self.templates_menu = file_menu.addMenu("New from &Template")
        for stem, (title, blurb) in TEMPLATES.items():
            action = self.templates_menu.addAction(title)
            action.setStatusTip(blurb)
            action.triggered.connect(lambda _=False, s=stem: self.open_template(template_path(s)))
        file_menu.addAction(a["open"])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        file_menu.addSeparator()
        for key in ("save", "save_as", "export", "diagram"):
            file_menu.addAction(a[key])
        file_menu.addSeparator()
        file_menu.addAction(a["quit"])
        edit = bar.addMenu("&Edit")
        for key in (
            *("undo", "redo", None, "cut", "copy", "paste", "duplicate", "delete", None, "select_all"),
            *(None, "find_layer", "connect_next", None, "collapse", "expand"),
        ):
            edit.addSeparator() if key is None else edit.addAction(a[key])
        add_code_actions(self, edit)  # a layer written in Python: runs only once trusted
        view = bar.addMenu("&View")
        for key in ("zoom_in", "zoom_out", "fit", None, "layout"):
            view.addSeparator() if key is None else view.addAction(a[key])
        view.addSeparator()
        theme_menu = view.addMenu("&Theme")
        self.theme_actions = QActionGroup(self)
        for theme in THEMES:
            action = theme_menu.addAction(theme.capitalize())
            action.setCheckable(True)
            action.setData(theme)
            action.setChecked(theme == current_theme())
            self.theme_actions.addAction(action)
            action.triggered.connect(lambda _=False, t=theme: self.set_theme(t))
        view.addAction(a["start_page"])
        for dock in self.findChildren(QDockWidget):
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        view.addAction(self.mode.design_action)
        view.addAction(self.mode.train_action)
        run = bar.addMenu("&Run")
        for key in ("train", "pause", "stop", None, "fresh_weights", None, "backprop"):
            run.addSeparator() if key is None else run.addAction(a[key])
        help_menu = bar.addMenu("&Help")
        help_menu.addAction("&Activation Functions…").triggered.connect(self.show_activation_functions)
        help_menu.addAction("&About Netwright").triggered.connect(self.about)

    def _unhide_lost_docks(self) -> None:
        """A state saved with Layers, Properties and Details all hidden is the one the start page
        used to leave behind (Train, Start Page, a template): show them again."""
        main = [self.findChild(QDockWidget, f"dock_{n}") for n in ("palette", "properties", "bottom")]
        if all(dock.isHidden() for dock in main):
            for dock in main:
                dock.show()

    def _default_dock_sizes_once(self) -> None:
        """The first time the docks are on screen (the start page hides them), size them once."""
        if self._dock_sizes_pending and self.mode.page == "design" and self.isVisible():
            self._dock_sizes_pending = False
            QTimer.singleShot(0, self._default_dock_sizes)

    def _default_dock_sizes(self) -> None:
        docks = {d.objectName(): d for d in self.findChildren(QDockWidget)}
        width = self.width()  # a small window keeps more of itself for the canvas
        self.resizeDocks(
            [docks["dock_palette"], docks["dock_properties"]],
            # the palette's longest name (GlobalAveragePooling2D) needs ~210, the layer forms ~300
            [min(230, max(210, int(width * 0.18))), min(340, max(300, int(width * 0.26)))],
            Qt.Orientation.Horizontal,
        )
        # Details: a few lines of problems, not a quarter of the window for one "valid"
        self.resizeDocks([docks["dock_bottom"]], [max(110, self.height() // 7)], Qt.Orientation.Vertical)
        if self.stack.currentWidget() is self.view:
            QTimer.singleShot(0, self.view.fit_or_start_at_inputs)

    # ------------------------------------------------------------ document -> window

    def _on_changed(self, report) -> None:
        self.actions_by_name["fresh_weights"].setEnabled(self.doc.design.weights is not None)
        empty = not self.doc.design.nodes  # a start, not an error: nothing red before the first edit
        self.problems.show_report(report, empty)
        self.summary.show_report(self.doc.design, report)
        errors, warnings = (0, 0) if empty else (len(report.errors), len(report.warnings))
        state = "empty" if empty else "valid" if not errors else f"{errors} error{'s' * (errors != 1)}"
        if warnings:
            state += f", {warnings} warning{'s' * (warnings != 1)}"
        self.params_label.setText(
            f"{count_phrase(len(self.doc.design.nodes), 'layer')} · {report.total_params:,} params "
            f"({report.trainable_params:,} trainable) · {state}"
        )
        self.bottom_tabs.setTabText(0, f"Problems ({errors + warnings})" if errors + warnings else "Problems")
        self._place_empty_hint()

    def _place_empty_hint(self) -> None:
        self.empty_hint.setVisible(not self.doc.design.nodes)
        self.empty_hint.setGeometry(self.view.viewport().rect())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        """The canvas was resized: keep the hint centred, and keep a design that was wholly in
        view wholly in view (shrinking re-fits; growing back restores the zoom)."""
        if obj is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._place_empty_hint()
            old = event.oldSize()
            if old.isValid() and old.width() > 0 and self.doc.design.nodes:
                shown = self.view.mapToScene(QRect(QPoint(0, 0), old)).boundingRect()
                if shown.contains(self.scene.itemsBoundingRect()):
                    QTimer.singleShot(0, self.view.fit)
        return super().eventFilter(obj, event)

    def report_internal_error(self, exc_type, exc, tb) -> None:
        """An unexpected exception in the window: a sentence in the status bar, the traceback in
        the log file (installed as sys.excepthook by gui.app), never a traceback on screen."""
        from engine.training.errors import explain  # first needed on the first error, not at start-up

        explained = explain(exc.with_traceback(tb) if exc is not None else exc_type(), None)
        where = f" (details: {explained.log_path})" if explained.log_path else ""
        first = explained.message.removeprefix("Training failed").lstrip(": ")
        self.statusBar().showMessage(f"Something went wrong: {first}{where}", 15000)

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
        narrow_fields(self.properties)
        accessibility.describe_selection(self)
        if len(ids) == 1:
            self.right_tabs.setCurrentWidget(self.properties)

    def show_canvas(self) -> None:
        self.mode.show_design()
        self.stack.setCurrentWidget(self.view)

    def show_start_page(self) -> None:
        """The start page again (templates, recent files); the open design stays as it is, and
        Design (Ctrl+1), Fit or any file or template brings it and its docks back."""
        self.mode.show_start()

    def fit(self) -> None:
        """Fit the design to the window, from any page (the canvas comes forward)."""
        self.show_canvas()
        self.view.fit()

    def reveal_node(self, node_id: str) -> None:
        self.scene.expand_containing(node_id)  # a problem's layer may be folded into a card
        if node_id in self.scene.nodes:
            self.scene.select_nodes([node_id])
            self.view.centerOn(self.scene.nodes[node_id])

    # ------------------------------------------------------------ editing

    def add_from_palette(self, layer_type: str) -> None:
        """Double-click: insert after the selected layer (between it and its children), on a free
        spot; with nothing selected, at the view's centre."""
        self.show_canvas()
        selected = self.scene.selected_node_ids()
        if len(selected) == 1:
            nid = self.doc.add_layer(layer_type, (0.0, 0.0), after=selected[0])
        else:
            centre = self.view.mapToScene(self.view.viewport().rect().center())
            pos = free_position(self.doc.design, (round(centre.x() - 100), round(centre.y() - 40)))
            nid = self.doc.add_layer(layer_type, pos)
        self.scene.select_nodes([nid])
        if nid in self.scene.nodes:
            self.view.ensureVisible(self.scene.nodes[nid])
        self.view.setFocus()  # from the palette's search, the arrow keys and Delete act on the new card

    def find_layer(self) -> None:
        """Ctrl+F: the palette's search box, ready for typing (its dock shown if it was hidden)."""
        self.show_canvas()
        dock = self.palette.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None:
            dock.show()
            dock.raise_()
        self.palette.search.setFocus()
        self.palette.search.selectAll()

    def connect_to_next(self) -> None:
        self.show_canvas()
        self.statusBar().showMessage(self.scene.connect_to_next(), 8000)

    @property
    def training(self) -> TrainingPanel:
        """The training workspace, built on first use: start-up does not wait for pyqtgraph."""
        if self._training is None:
            from gui.training_panel import TrainingPanel

            panel = TrainingPanel(self.doc)
            self.stack.addWidget(panel)
            # Full garbage collections wait until training is over (gui/gui_thread_gc.py).
            gui_thread_gc.install(QApplication.instance()).busy_while(lambda: panel.session.running, panel)
            panel.session.forwarded.connect(self.show_forward_pass)
            for signal in (panel.session.started, panel.session.finished, panel.session.failed):
                signal.connect(self._update_run_actions)
            self._training = panel
        return self._training

    def _update_run_actions(self, *_args) -> None:
        running = self._training is not None and self._training.running
        for key in ("pause", "stop"):
            self.actions_by_name[key].setEnabled(running)

    def _stop_training(self) -> None:
        if self._training is not None:
            self._training.stop()

    def apply_fix(self, fix) -> None:
        """A one-click fix from the Problems list: insert the layer it names, or set the
        parameter it names (the Input's shape to the data's), undoably."""
        if isinstance(fix, SetLoss):
            self.doc.set_compile(self.doc.design.compile_settings.with_loss(fix.loss), fix.text)
            self.statusBar().showMessage(f"{fix.text}: done (Ctrl+Z undoes it)", 5000)
            return
        if isinstance(fix, SetParam):
            if fix.node in self.doc.design.nodes:
                self.doc.set_param(fix.node, fix.param, fix.value)
                self.scene.select_nodes([fix.node])
                self.statusBar().showMessage(f"{fix.text}: done (Ctrl+Z undoes it)", 5000)
            return
        if fix.before not in self.doc.design.nodes or fix.layer_type not in LAYERS:
            return
        try:
            nid = self.doc.insert_before(fix.before, fix.layer_type)
        except ValueError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return
        self.scene.select_nodes([nid])
        self.statusBar().showMessage(f"{fix.text}: done (Ctrl+Z undoes it)", 5000)

    def show_backprop(self) -> None:
        """The step-by-step backpropagation panel (gui/backprop), docked below the canvas beside Details."""
        if getattr(self, "backprop", None) is None:
            from gui.backprop.step_view import BackpropPanel

            panel = self.training  # the session and its worker thread live there
            self.backprop = BackpropPanel(panel.session, self.scene, lambda: self.doc.design, panel._base_dir)
            self.doc.changed.connect(lambda _report=None: self.backprop.forget())
            below = Qt.DockWidgetArea.BottomDockWidgetArea
            dock = self._dock("Backpropagation", self.backprop, below, "backprop")
            self.tabifyDockWidget(self.findChild(QDockWidget, "dock_bottom"), dock)  # a tab beside Details
        self.mode.show_design()
        dock = self.findChild(QDockWidget, "dock_backprop")
        dock.show()
        dock.raise_()

    def show_activation_functions(self) -> None:
        from gui.training.activation_curves import ActivationsView  # pyqtgraph: on first use

        ActivationsView(self).exec()

    def _clear_activations(self, _report=None) -> None:
        """An edit makes the layer outputs shown beside the cards stale.  The overlay (and NumPy)
        is imported by the first forward pass; until then there is nothing to clear."""
        if self._overlay_shown:
            from gui.canvas.activation_overlay import clear_activations

            clear_activations(self.scene)

    def show_forward_pass(self, result: dict) -> None:
        """One sample's output of every layer, beside the cards on the canvas."""
        from gui.canvas.activation_overlay import show_activations  # NumPy: not before the first frame
        from gui.training.sample_pad import forward_text

        self.mode.show_design()
        outputs = self.doc.design.output_ids()
        names = {outputs[0]: result.get("class_names") or []} if outputs else {}
        show_activations(self.scene, result["outputs"], names)
        self._overlay_shown = True
        self._show_message(forward_text(result))

    def train(self) -> None:
        self.mode.show_train()
        self.training.start()

    def sweep_setting(self, path: str) -> None:
        """From "Sweep this…" on a field: the Experiments view, with that setting added."""
        self.mode.show_train()
        self.training.tabs.setCurrentWidget(self.training.experiments)
        self.training.experiments.add_axis(path)

    def select_all(self) -> None:
        for item in self.scene.items():
            item.setSelected(True)

    def collapse_selection(self) -> None:
        """Fold the selected layers into one card: a view only, the design is unchanged."""
        self.scene.collapse(self.scene.selected_node_ids())

    def expand_selection(self) -> None:
        for gid in self.scene.selected_groups():
            self.scene.expand(gid)

    def auto_layout(self) -> None:
        self.doc.auto_layout()
        self.view.fit()

    def copy(self) -> None:
        text = fragment.to_text(self.doc.design, self.scene.selected_node_ids())
        if text:
            QGuiApplication.clipboard().setText(text)

    def paste(self) -> None:
        """Paste layers copied from Netwright (a design file's text, so it also travels through
        editors); the engine's file loader refuses anything malformed, with the reason."""
        try:
            layers = fragment.from_text(QGuiApplication.clipboard().text())
        except DesignFileError as exc:
            reasons = "; ".join(exc.problems[:3]) + ("; …" if len(exc.problems) > 3 else "")
            self.statusBar().showMessage(f"Cannot paste: {reasons}", 8000)
            return
        self.show_canvas()
        self.scene.select_nodes(self.doc.paste(layers, (48.0, 48.0)))

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
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a design, Keras model or script", start, FILE_FILTER
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
            self.doc.load(Path(path))
        except DesignFileError as exc:
            self._file_error("Cannot open the design", exc)
            return False
        self._add_recent(Path(path))
        self.show_canvas()
        self.view.fit()
        self.statusBar().showMessage(f"Opened {path}", 5000)
        return True

    def import_model(self, path: Path) -> bool:
        """A Keras model or model script opens as a new, unsaved design; what was lost is listed.

        The file is read on another thread (see gui/model_import.py): the window keeps
        painting, and the design appears when the import is done."""
        if not self.model_import.start(path):
            self.statusBar().showMessage(f"Still importing {self.model_import.path.name}…", 5000)
            return False
        self._edits_before_import = self.doc.undo_stack.index()
        self.statusBar().showMessage(f"Importing {path.name}…")
        return True

    def _imported(self, imported: Imported) -> None:
        path, result = imported.path, imported.result
        # Edits made while the file was read are not dropped without asking.
        if self.doc.undo_stack.index() != self._edits_before_import and not self.maybe_save():
            self.statusBar().showMessage(f"Import of {path.name} set aside: your design is unchanged", 8000)
            return
        self.doc.replace(result.design, None, imported.report)
        self.doc.undo_stack.resetClean()  # imported, not saved: closing asks first
        self._add_recent(path)
        self.show_canvas()
        self.view.fit_or_start_at_inputs()
        layers = len(result.design.nodes)
        kinds = len(result.notes)
        simplified = f" ({kinds} kind{'s' if kinds != 1 else ''} of detail simplified)" if kinds else ""
        self.statusBar().showMessage(f"Imported {path.name}: {layers} layers{simplified}", 8000)
        if result.problems:
            self._import_report(path, result.problems, result.notes)

    def _import_failed(self, path: Path, message: str) -> None:
        self.statusBar().clearMessage()
        self._file_error("Cannot import the model", DesignFileError(str(path), [message]))

    def _import_report(self, path: Path, problems: list[str], notes: list[str]) -> None:
        shown = "\n".join(f"• {p}" for p in problems[:12])
        more = f"\n… and {len(problems) - 12} more" if len(problems) > 12 else ""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Imported with problems",
            f"{path.name} was imported, but parts of it could not be carried over:\n\n{shown}{more}",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("import_report")
        if notes:
            box.setDetailedText("Simplified:\n" + "\n".join(f"• {n}" for n in notes))
        box.open()
        self.last_error = box

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
        except (OSError, ValueError) as exc:  # ValueError: a value JSON cannot hold
            reason = getattr(exc, "strerror", None) or exc
            QMessageBox.warning(self, "Cannot save", f"{path} could not be written: {reason}")
            return False
        self._add_recent(path)
        self.clear_recovery()
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def export_code(self) -> None:
        from engine.keras.codegen import CodegenError, generate

        try:
            source = generate(self.doc.design)
        except CodegenError as exc:
            if not self.doc.report.valid:
                QMessageBox.information(
                    self, "Export Keras code", "Fix the problems listed below before exporting."
                )
                self.bottom_tabs.setCurrentWidget(self.problems)
            else:  # a value no literal can hold, or a script that would not compile
                QMessageBox.warning(self, "Export Keras code", f"The design cannot be exported: {exc}")
            return
        stem = self.doc.path.stem if self.doc.path else self.doc.design.name
        folder = self.doc.path.parent if self.doc.path else Path.home()
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export Keras script", str(folder / f"{stem}.py"), ";;".join(EXPORT_FILTERS)
        )
        if path and job_kind(chosen) != "none":  # for several machines: a job file beside it
            self.job_dialog = JobDialog(self, Path(path), source, job_kind(chosen))
            self.job_dialog.written.connect(
                lambda paths: self.statusBar().showMessage("Exported " + ", ".join(map(str, paths)), 5000)
            )
            self.job_dialog.failed.connect(lambda text: QMessageBox.warning(self, "Cannot export", text))
            self.job_dialog.open()
        elif path:
            try:
                write_text_atomic(path, source)
            except OSError as exc:  # the script itself was checked by generate()
                QMessageBox.warning(
                    self, "Cannot export", f"{path} could not be written: {exc.strerror or exc}"
                )
                return
            self.statusBar().showMessage(f"Exported {path}", 5000)

    def export_diagram(self, path: str | None = None) -> None:
        """The design as a picture (engine/design/diagram.py, the same as ``main.py render``)."""
        from engine.design.diagram import render as render_diagram  # XML, layout: on first use

        if path is None:
            stem = self.doc.path.stem if self.doc.path else self.doc.design.name
            path, _ = QFileDialog.getSaveFileName(
                self, "Export diagram", f"{stem}.svg", "SVG image (*.svg);;PNG image (*.png)"
            )
        if path:
            try:
                written = render_diagram(self.doc.design, path)
            except (OSError, ValueError) as exc:
                QMessageBox.warning(self, "Cannot export the diagram", str(exc))
                return
            self.statusBar().showMessage(f"Exported {written}", 5000)

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
        try:
            write_text_atomic(recovery_path(), recovery.dumps(self.doc.design, self.doc.path))
        except (OSError, ValueError) as exc:
            self.statusBar().showMessage(f"Autosave failed: {getattr(exc, 'strerror', None) or exc}", 8000)

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
            self.statusBar().showMessage(f"The autosaved work could not be restored: {exc}", 10000)
            return False
        what = f"the changes to {found.path.name}" if found.path else f"the new design '{found.design.name}'"
        answer = QMessageBox.question(
            self,
            "Restore unsaved work?",
            f"Netwright closed without saving {what} (autosaved {found.saved_text()}). "
            "Restore it? (No discards it.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.clear_recovery()
            return False
        self.doc.replace(found.design, found.path)
        self.doc.undo_stack.resetClean()  # restored work is unsaved work
        self._update_title()
        self.show_canvas()
        self.view.fit()
        return True

    # ------------------------------------------------------------ start-up and close

    def start(self, path: str | None = None) -> None:
        """Offer to restore after a crash (also when a file is given: declining discards that
        work, so it must be asked); else open the file given on the command line; else the
        last design; else show the start page."""
        if self.offer_recovery():
            if path:
                self.statusBar().showMessage(f"Restored unsaved work; {path} was not opened", 10000)
            return
        if path:
            self.open_path(path, ask=False)
            return
        last = self.settings.value("files/last")
        if isinstance(last, str) and Path(last).exists() and self.open_path(last, ask=False):
            return
        self.show_start_page()

    def set_theme(self, theme: str) -> None:
        apply_theme(QApplication.instance(), theme)
        self.settings.setValue("ui/theme", theme)
        self.scene.setBackgroundBrush(canvas_colors()["background"])
        for item in self.scene.items():
            item.update()  # cards cache their pixels: drop the cache so they repaint in the new colours
        self.view.viewport().update()
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == theme)
        self._glyph_icons()
        self.code.apply_theme()
        if self._training is not None:
            self._training.apply_theme()

    def about(self) -> None:
        QMessageBox.about(
            self, "About Netwright", "<b>Netwright</b><br>Design, check and export Keras models visually."
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.maybe_save():
            event.ignore()
            return
        if self._training is not None:
            self._training.shutdown()
        self.mode.show_design()  # the Train view's hidden docks must not be saved as hidden
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.clear_recovery()
        event.accept()
