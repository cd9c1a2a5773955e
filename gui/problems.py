"""The problems list: every error and warning; clicking one selects its layer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

from engine.design.validation import ERROR, Report

NODE_ROLE = Qt.ItemDataRole.UserRole


class ProblemsList(QListWidget):
    node_clicked = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def show_report(self, report: Report) -> None:
        self.clear()
        icons = {
            ERROR: self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
            "warning": self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
        }
        for p in sorted(report.problems, key=lambda p: p.severity != ERROR):
            item = QListWidgetItem(icons[p.severity], p.message)
            item.setData(NODE_ROLE, p.node)
            self.addItem(item)
        if not report.problems:
            item = QListWidgetItem(
                self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
                "No problems: the design is valid.",
            )
            self.addItem(item)

    def _clicked(self, item: QListWidgetItem) -> None:
        node = item.data(NODE_ROLE)
        if node:
            self.node_clicked.emit(node)
