"""Guards the Qt binding the app is pinned to.

PySide6 6.12.0 drops a reference to None each time a call returns None (an
empty table cell, a null QVariant), which aborts the process after a few
thousand calls ("deallocating None").  Views call these all the time.
"""

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QTableWidget, QTreeWidgetItem


def test_calls_that_return_none_keep_none_alive(qtbot):
    table = QTableWidget(2, 2)
    qtbot.addWidget(table)
    combo = QComboBox()
    qtbot.addWidget(combo)
    combo.addItem("(none)", None)
    item = QTreeWidgetItem(["x"])
    before = sys.getrefcount(None)
    for _ in range(500):
        table.item(0, 0)
        combo.itemData(0)
        combo.currentData()
        item.data(0, Qt.ItemDataRole.UserRole)
    assert sys.getrefcount(None) - before > -50
