"""Model settings: name, data, loss, optimizer (with its hyperparameters), metrics, training.

Built from the compile catalog like the layer editor is built from the layer
catalog; every change is one undoable ``SetSettings`` command.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.spec.compile_catalog import LOSSES, METRICS, OPTIMIZERS, loss_spec
from gui.data_settings import DataSettings
from gui.document import Document
from gui.param_fields import ParamField


class SettingsPanel(QScrollArea):
    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.setWidgetResizable(True)
        page = QWidget()
        layout = QVBoxLayout(page)

        model_box = QGroupBox("Model")
        form = QFormLayout(model_box)
        self.name = QLineEdit()
        self.name.editingFinished.connect(self._name_edited)
        form.addRow("name", self.name)
        layout.addWidget(model_box)
        self.data_settings = DataSettings(doc)
        layout.addWidget(self.data_settings)

        compile_box = QGroupBox("Compile")
        form = QFormLayout(compile_box)
        self.loss = QComboBox()
        for spec in LOSSES.values():
            self.loss.addItem(spec.name, spec.name)
            self.loss.setItemData(self.loss.count() - 1, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.loss.currentIndexChanged.connect(self._loss_edited)
        form.addRow("loss", self.loss)
        self.optimizer = QComboBox()
        for spec in OPTIMIZERS.values():
            self.optimizer.addItem(spec.type, spec.type)
            self.optimizer.setItemData(self.optimizer.count() - 1, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.optimizer.currentIndexChanged.connect(self._optimizer_edited)
        form.addRow("optimizer", self.optimizer)
        self.optimizer_form = QFormLayout()
        holder = QWidget()
        holder.setLayout(self.optimizer_form)
        form.addRow(holder)
        self.metrics = QListWidget()
        for name, help_ in METRICS.items():
            item = QListWidgetItem(name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(help_)
            self.metrics.addItem(item)
        self.metrics.setMaximumHeight(130)
        self.metrics.itemChanged.connect(self._metrics_edited)
        form.addRow("metrics", self.metrics)
        layout.addWidget(compile_box)

        train_box = QGroupBox("Training")
        form = QFormLayout(train_box)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100_000)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 1_000_000)
        self.split = QDoubleSpinBox()
        self.split.setRange(0.0, 0.95)
        self.split.setSingleStep(0.05)
        self.split.setDecimals(2)
        for spin in (self.epochs, self.batch_size, self.split):
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._training_edited)
        form.addRow("epochs", self.epochs)
        form.addRow("batch size", self.batch_size)
        form.addRow("validation split", self.split)
        layout.addWidget(train_box)
        layout.addStretch()
        self.setWidget(page)
        self.optimizer_fields: dict[str, ParamField] = {}
        self._shown_optimizer: str | None = None
        doc.changed.connect(self._design_changed)
        self.refresh()

    # ------------------------------------------------------------ design -> widgets

    def refresh(self) -> None:
        d = self.doc.design
        widgets = (
            self.name,
            self.loss,
            self.optimizer,
            self.metrics,
            self.epochs,
            self.batch_size,
            self.split,
        )
        for w in widgets:
            w.blockSignals(True)
        try:
            self.name.setText(d.name)
            loss = loss_spec(d.compile.get("loss", "mse"))
            self.loss.setCurrentIndex(max(0, self.loss.findData(loss.name if loss else None)))
            opt = d.compile.get("optimizer", {"type": "Adam"})
            self.optimizer.setCurrentIndex(max(0, self.optimizer.findData(opt.get("type"))))
            chosen = set(d.compile.get("metrics", []))
            for i in range(self.metrics.count()):
                item = self.metrics.item(i)
                item.setCheckState(
                    Qt.CheckState.Checked if item.text() in chosen else Qt.CheckState.Unchecked
                )
            self.epochs.setValue(int(d.training.get("epochs", 10)))
            self.batch_size.setValue(int(d.training.get("batch_size", 32)))
            self.split.setValue(float(d.training.get("validation_split", 0.0)))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._show_optimizer_params()
        self.data_settings.refresh()

    def _show_optimizer_params(self) -> None:
        opt = self.doc.design.compile.get("optimizer", {"type": "Adam"})
        spec = OPTIMIZERS.get(opt.get("type"))
        if spec is None:
            return
        if self._shown_optimizer != spec.type:
            while self.optimizer_form.rowCount():
                self.optimizer_form.removeRow(0)
            self.optimizer_fields = {}
            for p in spec.params:
                field = ParamField(p, opt.get(p.name, p.default))
                field.edited.connect(self._optimizer_param_edited)
                self.optimizer_form.addRow(p.name, field)
                self.optimizer_fields[p.name] = field
            self._shown_optimizer = spec.type
        for p in spec.params:
            self.optimizer_fields[p.name].set_value(opt.get(p.name, p.default))

    # ------------------------------------------------------------ widgets -> commands

    def _compile_with(self, **changes: object) -> dict:
        comp = copy.deepcopy(self.doc.design.compile)
        comp.update(changes)
        return comp

    def _name_edited(self) -> None:
        name = self.name.text().strip() or "untitled"
        self.doc.set_settings("name", name, "Rename model")

    def _loss_edited(self) -> None:
        loss = self.loss.currentData()
        self.doc.set_settings("compile", self._compile_with(loss=loss), f"Loss {loss}")

    def _optimizer_edited(self) -> None:
        opt_type = self.optimizer.currentData()
        old = self.doc.design.compile.get("optimizer", {})
        new = {"type": opt_type}
        if "learning_rate" in old:  # keep the learning rate across optimizers
            new["learning_rate"] = old["learning_rate"]
        self.doc.set_settings("compile", self._compile_with(optimizer=new), f"Optimizer {opt_type}")

    def _optimizer_param_edited(self, name: str, value: object) -> None:
        opt = dict(self.doc.design.compile.get("optimizer", {"type": "Adam"}))
        opt[name] = value
        self.doc.set_settings("compile", self._compile_with(optimizer=opt), f"Change {name}")

    def _metrics_edited(self) -> None:
        chosen = [
            self.metrics.item(i).text()
            for i in range(self.metrics.count())
            if self.metrics.item(i).checkState() == Qt.CheckState.Checked
        ]
        self.doc.set_settings("compile", self._compile_with(metrics=chosen), "Change metrics")

    def _training_edited(self) -> None:
        training = {
            **self.doc.design.training,
            "epochs": self.epochs.value(),
            "batch_size": self.batch_size.value(),
            "validation_split": round(self.split.value(), 4),
        }
        self.doc.set_settings("training", training, "Change training settings")

    def _design_changed(self, _report: object) -> None:
        self.refresh()
