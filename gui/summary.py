"""The model summary: each layer's type, output shape and parameters, with totals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from engine.graph import Design
from engine.layer_rules import fmt_shape
from engine.validation import Report


class SummaryTable(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Layer", "Type", "Output shape", "Params"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.totals = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.totals)

    def show_report(self, design: Design, report: Report) -> None:
        order, cyclic = design.topological_order()
        rows = order + cyclic
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(rows))
        for r, nid in enumerate(rows):
            info = report.nodes[nid]
            shape = fmt_shape(info.output_shape) if info.output_shape else "—"
            cells = [nid, design.nodes[nid].type, shape, f"{info.params:,}"]
            for c, text in enumerate(cells):
                item = self.table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(r, c, item)
                item.setText(text)
                if c == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setUpdatesEnabled(True)
        total, trainable = report.total_params, report.trainable_params
        self.totals.setText(
            f"<b>Total params: {total:,}</b> · trainable {trainable:,} · non-trainable {total - trainable:,}"
        )
