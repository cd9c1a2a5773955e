"""The problems list: every error and warning; clicking one selects its layer.

A problem the engine knows how to fix (e.g. "add Flatten before 'digit'")
gets one line per fix under it; clicking that line makes the edit through the
document, as one undoable step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

from engine.design.report import ERROR, Report

NODE_ROLE = Qt.ItemDataRole.UserRole
FIX_ROLE = Qt.ItemDataRole.UserRole + 1


class ProblemsList(QListWidget):
    node_clicked = Signal(str)
    fix_requested = Signal(object)  # an engine.design.label_fit.Fix

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def show_report(self, report: Report, empty: bool = False) -> None:
        """``empty``: the design has no layer yet, which is a start, not an error to show in red."""
        self.clear()
        if empty:
            self.addItem(
                QListWidgetItem(
                    self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation),
                    "Nothing to check yet: drag an Input from the Layers palette to start the design.",
                )
            )
            return
        icons = {
            ERROR: self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
            "warning": self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
        }
        fix_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowRight)
        for p in sorted(report.problems, key=lambda p: p.severity != ERROR):
            item = QListWidgetItem(icons[p.severity], p.message)
            item.setData(NODE_ROLE, p.node)
            self.addItem(item)
            for fix in p.fixes:
                line = QListWidgetItem(fix_icon, f"    Fix: {fix.text}")
                line.setData(FIX_ROLE, fix)
                line.setToolTip("Click to make this change (Ctrl+Z undoes it)")
                line.setForeground(QBrush(self.palette().link()))
                font = QFont(line.font())
                font.setUnderline(True)
                line.setFont(font)
                self.addItem(line)
        if not report.problems:
            item = QListWidgetItem(
                self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
                "No problems: the design is valid.",
            )
            self.addItem(item)

    def fix_items(self) -> list[QListWidgetItem]:
        return [self.item(i) for i in range(self.count()) if self.item(i).data(FIX_ROLE) is not None]

    def _clicked(self, item: QListWidgetItem) -> None:
        fix = item.data(FIX_ROLE)
        if fix is not None:
            self.fix_requested.emit(fix)
            return
        node = item.data(NODE_ROLE)
        if node:
            self.node_clicked.emit(node)
