"""The model summary: each layer's type, output shape and parameters, with totals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from engine.design.graph import Design
from engine.design.validation import Report
from engine.spec.layer_rules import fmt_shape


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
        self._shown: list[tuple[str, str, str, str]] = []  # what each row displays now
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.totals)

    def show_report(self, design: Design, report: Report) -> None:
        """Write only the rows that changed: one edit on a big design touches a few rows."""
        order, cyclic = design.topological_order()
        rows = []
        for nid in order + cyclic:
            info = report.nodes[nid]
            shape = fmt_shape(info.output_shape) if info.output_shape else "—"
            rows.append((nid, design.nodes[nid].type, shape, f"{info.params:,}"))
        self.table.setUpdatesEnabled(False)
        if len(rows) != self.table.rowCount():
            self.table.setRowCount(len(rows))
            self._shown = self._shown[: len(rows)]
        for r, row in enumerate(rows):
            if r < len(self._shown) and self._shown[r] == row:
                continue
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
            if r < len(self._shown):
                self._shown[r] = row
            else:
                self._shown.append(row)
        self.table.setUpdatesEnabled(True)
        total, trainable = report.total_params, report.trainable_params
        self.totals.setText(
            f"<b>Total params: {total:,}</b> · trainable {trainable:,} · non-trainable {total - trainable:,}"
        )
