"""Design | Train: two views of one design that take the window's centre in turn.

Train gives the training workspace the centre and all the room: the docks hide
(and come back as they were on Design, where the optimizer and learning rate are
set), so the plots stay large even at 1024×700.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QStackedWidget, QToolBar, QWidget

HIDDEN_IN_TRAIN = ("dock_palette", "dock_properties", "dock_bottom")


class ModeSwitch(QObject):
    def __init__(
        self, window: QMainWindow, stack: QStackedWidget, canvas: QWidget, workspace: Callable[[], QWidget]
    ) -> None:
        """``workspace`` makes (or returns) the training workspace: it is built when first shown."""
        super().__init__(window)
        self.window, self.stack, self.canvas, self._make_workspace = window, stack, canvas, workspace
        self.workspace: QWidget | None = None
        self._docks_before: dict[str, bool] = {}
        group = QActionGroup(self)
        self.design_action = QAction("Design", self, checkable=True, checked=True)
        self.design_action.setShortcut(QKeySequence("Ctrl+1"))
        self.design_action.setStatusTip("Edit the design on the canvas")
        self.train_action = QAction("Train", self, checkable=True)
        self.train_action.setShortcut(QKeySequence("Ctrl+2"))
        self.train_action.setStatusTip("Train the design and look inside it while it learns")
        for action in (self.design_action, self.train_action):
            group.addAction(action)
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
        return {d.objectName(): d for d in self.window.findChildren(QDockWidget)}

    @property
    def training(self) -> bool:
        return self.workspace is not None and self.stack.currentWidget() is self.workspace

    def show_train(self) -> None:
        if self.workspace is None:
            self.workspace = self._make_workspace()
        if not self.training:
            docks = self._docks()
            self._docks_before = {name: docks[name].isVisible() for name in HIDDEN_IN_TRAIN if name in docks}
            for name in self._docks_before:
                docks[name].hide()
            self.stack.setCurrentWidget(self.workspace)
        self.train_action.setChecked(True)

    def show_design(self) -> None:
        if self.training:
            docks = self._docks()
            for name, visible in self._docks_before.items():
                docks[name].setVisible(visible)
        if self.training or self.stack.currentWidget() is self.canvas:
            self.stack.setCurrentWidget(self.canvas)
        self.design_action.setChecked(True)
