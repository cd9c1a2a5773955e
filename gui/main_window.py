"""The main window: palette, canvas, properties, problems/summary/code, menus and files.

It wires views to the document and owns file handling: open/save with
prompts for unsaved changes, recent files, autosave to a recovery file and
restore after a crash, templates and the start page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QPoint, QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QStyle,
    QTabWidget,
)

from engine.design import fragment
from engine.design.file_format import DesignFileError
from engine.design.graph import Node
from engine.design.label_fit import SetLoss, SetParam
from engine.design.rules import plan_insert
from engine.schema.catalog import LAYERS
from engine.schema.generic import shown_type
from gui import accessibility, gui_thread_gc
from gui.canvas.scene import AT_ONCE, DesignScene
from gui.canvas.view import CanvasView
from gui.code_view import CodeView
from gui.commands import count_phrase
from gui.custom_code import CodeShapes, add_code_actions
from gui.document import Document
from gui.file_actions import FileActions
from gui.keras_shapes import KerasShapes
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


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.files = FileActions(self)  # open, import, save, export, recent files, recovery
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
        self._summary_stale = False  # a big design's summary waits until it is shown (_show_summary)
        self.summary.installEventFilter(self)
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
        self.doc.path_changed.connect(self._update_title)
        self.doc.dirty_changed.connect(self._update_title)
        self.doc.undo_stack.indexChanged.connect(self.files._schedule_autosave)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.message.connect(self._show_message)
        self.palette.activated.connect(self.add_from_palette)
        self.problems.node_clicked.connect(self.reveal_node)
        self.problems.fix_requested.connect(self.apply_fix)
        self.code.export_requested.connect(self.files.export_code)
        self.start_page.new_requested.connect(self.files.new_design)
        self.start_page.open_requested.connect(self.files.open_dialog)
        self.start_page.file_requested.connect(self.files.open_path)
        self.start_page.template_requested.connect(lambda p: self.files.open_template(Path(p)))

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.files.autosave)

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
        self.files._refresh_recent()
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
        a["new"] = self._action("&New", self.files.new_design, K.New)
        a["open"] = self._action("&Open…", self.files.open_dialog, K.Open)
        a["save"] = self._action("&Save", self.files.save, K.Save)
        a["save_as"] = self._action("Save &As…", self.files.save_as, K.SaveAs)
        a["export"] = self._action("&Export Keras Code…", self.files.export_code, "Ctrl+E")
        a["diagram"] = self._action("Export &Diagram (SVG, PNG)…", self.files.export_diagram)
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
        a["select_all"] = self._action("Select &All", self.scene.select_all, K.SelectAll)
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
            action.triggered.connect(lambda _=False, s=stem: self.files.open_template(template_path(s)))
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
        self._show_summary()
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

    def _show_summary(self) -> None:
        """Write the summary table; a big design's only while it is shown (771 rows took 30-80 ms
        of opening NASNetMobile, and as long again on each edit, with the table out of sight)."""
        self._summary_stale = not self.summary.isVisible() and len(self.doc.design.nodes) > AT_ONCE
        if not self._summary_stale:
            self.summary.show_report(self.doc.design, self.doc.report)

    def _place_empty_hint(self) -> None:
        self.empty_hint.setVisible(not self.doc.design.nodes)
        self.empty_hint.setGeometry(self.view.viewport().rect())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        """The canvas was resized: keep the hint centred, and keep a design that was wholly in
        view wholly in view (shrinking re-fits; growing back restores the zoom).  The summary
        was shown: write it if it waited (_show_summary)."""
        if obj is self.summary and event.type() == QEvent.Type.Show and self._summary_stale:
            self._show_summary()
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

    def add_from_palette(self, layer: str | Node) -> None:
        """Double-click: insert after the selected layer (between it and its children), on a free
        spot; with nothing selected, at the view's centre.  ``layer`` is a catalog type, or a node
        made for the palette (a custom layer with its starter code), inserted the same way."""
        self.show_canvas()
        selected = self.scene.selected_node_ids()
        after = selected[0] if len(selected) == 1 else None
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        pos = None if after else (round(centre.x() - 100), round(centre.y() - 40))
        name = layer if isinstance(layer, str) else shown_type(layer.type, layer.params)
        nid = self.doc.insert(plan_insert(self.doc.design, layer, after=after, pos=pos), f"Add {name}")
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

    # ------------------------------------------------------------ recent files

    # ------------------------------------------------------------ autosave and recovery

    # ------------------------------------------------------------ start-up and close

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
        if not self.files.maybe_save():
            event.ignore()
            return
        if self._training is not None:
            self._training.shutdown()
        self.mode.show_design()  # the Train view's hidden docks must not be saved as hidden
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.files.clear_recovery()
        event.accept()
