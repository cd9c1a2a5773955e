"""Start page | Design | Train: three views of the window's centre, one at a time.

Only Design shows the docks (palette, properties, details).  The start page and the
Train view hide them and give the centre all the room; every way back to Design
(its action, Ctrl+1, Fit, opening a file or template) brings them back as they were
when Design was left, so a detour through Train to the start page cannot lose them
and the window state is never saved with them hidden.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStackedWidget, QToolBar, QWidget

DESIGN, TRAIN, START = "design", "train", "start"


class ModeSwitch(QObject):
    design_shown = Signal()  # the canvas and its docks are back

    def __init__(
        self,
        window: QMainWindow,
        stack: QStackedWidget,
        canvas: QWidget,
        workspace: Callable[[], QWidget],
        start_page: QWidget | None = None,
    ) -> None:
        """``workspace`` makes (or returns) the training workspace: it is built when first shown."""
        super().__init__(window)
        self.window, self.stack, self.canvas, self._make_workspace = window, stack, canvas, workspace
        self.start_page = start_page
        self.workspace: QWidget | None = None
        self.page = DESIGN
        self._docks_before: dict[str, bool] = {}
        self.group = QActionGroup(self)
        # neither is checked on the start page
        self.group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        self.design_action = QAction("Design", self, checkable=True, checked=True)
        self.design_action.setShortcut(QKeySequence("Ctrl+1"))
        self.design_action.setStatusTip("Edit the design on the canvas")
        self.train_action = QAction("Train", self, checkable=True)
        self.train_action.setShortcut(QKeySequence("Ctrl+2"))
        self.train_action.setStatusTip("Train the design and look inside it while it learns")
        for action in (self.design_action, self.train_action):
            self.group.addAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            window.addAction(action)
        self.design_action.triggered.connect(self.show_design)
        self.train_action.triggered.connect(self.show_train)
        self.toolbar = QToolBar("Mode")
        self.toolbar.setObjectName("toolbar_mode")
        self.toolbar.setMovable(False)
        self.toolbar.addAction(self.design_action)
        self.toolbar.addAction(self.train_action)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _docks(self) -> dict[str, QDockWidget]:
        return {d.objectName(): d for d in self.window.findChildren(QDockWidget) if d.parent() is self.window}

    @property
    def training(self) -> bool:
        return self.page == TRAIN

    def _leave_design(self) -> None:
        """Remember which docks Design showed, and hide them."""
        if self.page != DESIGN:
            return
        docks = self._docks()  # every dock, a panel added later (Backpropagation) too
        self._docks_before = {name: dock.isVisibleTo(self.window) for name, dock in docks.items()}
        for name in self._docks_before:
            docks[name].hide()

    def show_train(self) -> None:
        if self.workspace is None:
            self.workspace = self._make_workspace()
        self._leave_design()
        self.page = TRAIN
        self.stack.setCurrentWidget(self.workspace)
        self.train_action.setChecked(True)

    def show_start(self) -> None:
        """The start page takes the whole centre: squeezing the docks beside it would cut their labels."""
        self._leave_design()
        self.page = START
        if self.start_page is not None:
            self.stack.setCurrentWidget(self.start_page)
        for action in (self.design_action, self.train_action):
            action.setChecked(False)

    def show_design(self) -> None:
        if self.page != DESIGN:
            docks = self._docks()
            for name, visible in self._docks_before.items():
                if name in docks:
                    docks[name].setVisible(visible)
            self.page = DESIGN
        self.stack.setCurrentWidget(self.canvas)
        self.design_action.setChecked(True)
        self.design_shown.emit()
