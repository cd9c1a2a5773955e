"""Per-output compile settings: one row per model output with its loss, loss weight and metrics.

Shown in Model settings when the design has several outputs.  Rows are keyed by
the output's node id, as the design file keys ``loss``, ``loss_weights`` and
``metrics``; every change writes the whole compile section through one
undoable ``SetSettings`` command (validation judges the values).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHeaderView,
    QMenu,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
)

from engine.schema.compile_catalog import LOSSES, METRICS, loss_spec, metric_name
from gui.document import Document
from gui.wheel_guard import ComboBox, DoubleSpinBox

LOSS, WEIGHT, METRICS_COLUMN = 1, 2, 3


class OutputTable(QTableWidget):
    def __init__(self, doc: Document) -> None:
        super().__init__(0, 4)
        self.doc = doc
        self.setHorizontalHeaderLabels(["output", "loss", "weight", "metrics"])
        self.verticalHeader().hide()
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(LOSS, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(METRICS_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # As wide as the panel gives, never wider: the dropdowns shrink instead.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setToolTip("Each output's loss, its weight in the total loss, and the metrics reported for it")
        self.outputs: list[str] = []

    # ------------------------------------------------------------ design -> rows

    def refresh(self) -> None:
        d = self.doc.design
        outputs = d.output_ids()
        if outputs != self.outputs:
            self._make_rows(outputs)
        comp = d.compile_settings
        for row, nid in enumerate(outputs):
            combo: QComboBox = self.cellWidget(row, LOSS)
            spec = loss_spec(comp.loss_for(nid))
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(spec.name if spec else None)))
            combo.setToolTip(combo.currentText())  # the cell shows only the start of a long name
            combo.blockSignals(False)
            spin: QDoubleSpinBox = self.cellWidget(row, WEIGHT)
            weight = comp.weight_for(nid)
            spin.blockSignals(True)
            spin.setValue(float(weight) if isinstance(weight, (int, float)) else 1.0)
            spin.blockSignals(False)
            button: QToolButton = self.cellWidget(row, METRICS_COLUMN)
            chosen = {metric_name(m) for m in comp.metrics_for(nid)}
            for action in button.menu().actions():
                action.blockSignals(True)
                action.setChecked(action.text() in chosen)
                action.blockSignals(False)
            button.setText(", ".join(sorted(chosen, key=list(METRICS).index)) if chosen else "none")
        self.setFixedHeight(
            self.horizontalHeader().height() + sum(map(self.rowHeight, range(len(outputs)))) + 4
        )

    def _make_rows(self, outputs: list[str]) -> None:
        self.outputs = list(outputs)
        self.setRowCount(len(outputs))
        for row, nid in enumerate(outputs):
            item = QTableWidgetItem(nid)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(row, 0, item)
            combo = ComboBox()
            # The panel is narrow: the loss names are long, so the dropdown shrinks and its list does not.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            for spec in LOSSES.values():
                combo.addItem(spec.name, spec.name)
                combo.setItemData(combo.count() - 1, spec.help, Qt.ItemDataRole.ToolTipRole)
            combo.currentIndexChanged.connect(
                lambda _i, n=nid, c=combo: self._loss_edited(n, c.currentData())
            )
            self.setCellWidget(row, LOSS, combo)
            spin = DoubleSpinBox()
            spin.setRange(0.0, 1000.0)
            spin.setDecimals(3)
            spin.setSingleStep(0.1)
            spin.setKeyboardTracking(False)
            spin.setToolTip("How much this output's loss counts in the total that training lowers")
            spin.valueChanged.connect(lambda v, n=nid: self._weight_edited(n, v))
            self.setCellWidget(row, WEIGHT, spin)
            button = QToolButton()
            button.setMinimumWidth(40)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            menu = QMenu(button)
            for name, help_ in METRICS.items():
                action = menu.addAction(name)
                action.setCheckable(True)
                action.setToolTip(help_)
                action.toggled.connect(lambda on, n=nid, m=name: self._metric_toggled(n, m, on))
            menu.setToolTipsVisible(True)
            button.setMenu(menu)
            self.setCellWidget(row, METRICS_COLUMN, button)

    # ------------------------------------------------------------ rows -> one undoable command

    def _loss_edited(self, nid: str, loss: str) -> None:
        settings = self.doc.design.compile_settings.with_output_loss(self.outputs, nid, loss)
        self.doc.set_compile(settings, f"Loss of {nid}: {loss}")

    def _weight_edited(self, nid: str, weight: float) -> None:
        settings = self.doc.design.compile_settings.with_output_weight(self.outputs, nid, weight)
        self.doc.set_compile(settings, f"Loss weight of {nid}")

    def _metric_toggled(self, nid: str, name: str, on: bool) -> None:
        settings = self.doc.design.compile_settings.with_output_metric(self.outputs, nid, name, on)
        self.doc.set_compile(settings, f"Metrics of {nid}")
