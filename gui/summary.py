"""The model summary: each layer's type, output shape, parameters and cost, with totals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from engine.design.cost import CostSummary, human_bytes, human_count, summarize
from engine.design.graph import Design
from engine.design.report import Report, pending_text
from engine.schema.generic import shown_type
from engine.schema.layer_rules import fmt_shape


class SummaryTable(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            ["Layer", "Type", "Output shape", "Params", "FLOPs", "Activations"]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.totals = QLabel()
        self.totals.setWordWrap(True)  # else its longest line sets the window's least width
        self._shown: list[tuple[str, str, str, str]] = []  # what each row displays now
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.totals)

    def show_report(self, design: Design, report: Report) -> None:
        """Write only the rows that changed: one edit on a big design touches a few rows."""
        order, cyclic = design.topological_order()
        summary = summarize(design, report)
        cost = summary.cost
        rows = []
        for nid in order + cyclic:
            info = report.nodes[nid]
            shape = fmt_shape(info.output_shape) if info.output_shape else pending_text(info) or "—"
            c = cost.nodes.get(nid)
            flops = f"{c.flops:,}" if c and c.flops is not None else "—"
            act = human_bytes(c.activation_bytes) if c and c.activation_bytes is not None else "—"
            kind = shown_type(design.nodes[nid].type, design.nodes[nid].params)
            rows.append((nid, kind, shape, f"{info.params:,}", flops, act))
        self.table.setUpdatesEnabled(False)
        if len(rows) != self.table.rowCount():
            self.table.setRowCount(len(rows))
            self._shown = self._shown[: len(rows)]
        for r, row in enumerate(rows):
            if r < len(self._shown) and self._shown[r] == row:
                continue
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c >= 3:
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
            + (cost_line(summary) if report.valid else "")
        )


def cost_line(summary: CostSummary) -> str:
    """FLOPs, training memory at the design's batch size and the largest batch that fits."""
    parts = [f"<br><b>{human_count(summary.cost.total_flops or 0, 'FLOPs')}</b> a sample (forward)"]
    memory = summary.memory
    if memory is not None:
        parts.append(
            f"training memory at batch {summary.batch}: {human_bytes(memory.total)} (weights "
            f"{human_bytes(memory.weights)}, gradients {human_bytes(memory.gradients)}, optimizer "
            f"{human_bytes(memory.optimizer_slots)}, activations {human_bytes(memory.activations)})"
        )
    if summary.largest_batch is not None:
        parts.append(f"largest batch that fits in free memory: {summary.largest_batch:,}")
    if summary.warning:
        parts.append(f"<span style='color:#D32F2F'>{summary.warning}</span>")
    return " · ".join(parts)
