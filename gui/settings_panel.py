"""Model settings: name, data, loss, optimizer (with its hyperparameters and learning-rate
schedule), metrics, training (with class weights and ReduceLROnPlateau).

Built from the compile catalog like the layer editor is built from the layer
catalog; every change is one undoable ``SetSettings`` command.  A design with
several outputs gets one row per output (loss, weight, metrics) instead of the
single loss and metrics list.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.schema.compile_catalog import (
    LOSSES,
    METRIC_CLASSES,
    METRICS,
    OPTIMIZERS,
    REDUCE_LR_PARAMS,
    SCHEDULES,
    loss_spec,
    metric_name,
)
from engine.schema.settings import BALANCED, PER_CLASS, shown_threshold, takes_threshold
from engine.training.distribution import DISTRIBUTION_HELP, DISTRIBUTIONS, SEVERAL_MACHINES
from gui.data_settings import DataSettings
from gui.document import Document
from gui.output_settings import OutputTable
from gui.param_fields import ParamField
from gui.wheel_guard import ComboBox, DoubleSpinBox, SpinBox

NO_SCHEDULE = "constant"
THRESHOLD = METRIC_CLASSES["precision"].params[0]  # the one argument the confusion metrics share: a field


CLASS_WEIGHTS = {"none": None, "balanced": BALANCED, "per class": PER_CLASS}


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
        self.loss = ComboBox()
        for spec in LOSSES.values():
            self.loss.addItem(spec.name, spec.name)
            self.loss.setItemData(self.loss.count() - 1, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.loss.currentIndexChanged.connect(self._loss_edited)
        form.addRow("loss", self.loss)
        self.outputs = OutputTable(doc)
        form.addRow(self.outputs)
        self.from_logits = QCheckBox("from_logits")
        self.from_logits.setToolTip(
            "The outputs are raw scores (no softmax or sigmoid); the cross-entropy loss applies it "
            "itself, which is more exact."
        )
        self.from_logits.toggled.connect(self._from_logits_edited)
        form.addRow("", self.from_logits)
        self.optimizer = ComboBox()
        for spec in OPTIMIZERS.values():
            self.optimizer.addItem(spec.type, spec.type)
            self.optimizer.setItemData(self.optimizer.count() - 1, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.optimizer.currentIndexChanged.connect(self._optimizer_edited)
        form.addRow("optimizer", self.optimizer)
        self.optimizer_form = QFormLayout()
        holder = QWidget()
        holder.setLayout(self.optimizer_form)
        form.addRow(holder)
        self.schedule = ComboBox()
        self.schedule.addItem(NO_SCHEDULE, None)
        self.schedule.setItemData(0, "The optimizer's learning_rate, unchanged.", Qt.ItemDataRole.ToolTipRole)
        for spec in SCHEDULES.values():
            self.schedule.addItem(spec.type, spec.type)
            self.schedule.setItemData(self.schedule.count() - 1, spec.help, Qt.ItemDataRole.ToolTipRole)
        self.schedule.currentIndexChanged.connect(self._schedule_edited)
        form.addRow("learning rate", self.schedule)
        self.schedule_form = QFormLayout()
        holder = QWidget()
        holder.setLayout(self.schedule_form)
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
        self.threshold = ParamField(THRESHOLD, None)
        self.threshold.edited.connect(self._threshold_edited)
        form.addRow("threshold", self.threshold)
        layout.addWidget(compile_box)

        train_box = QGroupBox("Training")
        form = QFormLayout(train_box)
        self.epochs = SpinBox()
        self.epochs.setRange(1, 100_000)
        self.batch_size = SpinBox()
        self.batch_size.setRange(1, 1_000_000)
        self.split = DoubleSpinBox()
        self.split.setRange(0.0, 0.95)
        self.split.setSingleStep(0.05)
        self.split.setDecimals(2)
        for spin in (self.epochs, self.batch_size, self.split):
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._training_edited)
        form.addRow("epochs", self.epochs)
        form.addRow("batch size", self.batch_size)
        form.addRow("validation split", self.split)
        self.distribution = ComboBox()  # what each choice is for: its tooltip (engine's words)
        for i, name in enumerate(DISTRIBUTIONS):
            self.distribution.addItem(name, name)
            self.distribution.setItemData(i, DISTRIBUTION_HELP[name], Qt.ItemDataRole.ToolTipRole)
        self.distribution.currentIndexChanged.connect(self._distribution_edited)
        form.addRow("distribution", self.distribution)
        self.class_weight = ComboBox()
        for text, value in CLASS_WEIGHTS.items():
            self.class_weight.addItem(text, value)
        self.class_weight.setToolTip(
            "Weigh rare classes more: balanced computes the weights from the training labels; "
            "per class takes them as written (class: weight, ...)"
        )
        self.class_weight.currentIndexChanged.connect(self._class_weight_edited)
        form.addRow("class weight", self.class_weight)
        self.class_weights = QLineEdit()
        self.class_weights.setPlaceholderText("e.g. 0: 1, 1: 5")
        self.class_weights.editingFinished.connect(self._class_weights_typed)
        form.addRow("", self.class_weights)
        self.reduce_lr = QCheckBox("ReduceLROnPlateau")
        self.reduce_lr.setToolTip("Lower the learning rate when the loss stops improving")
        self.reduce_lr.toggled.connect(self._reduce_lr_edited)
        form.addRow("", self.reduce_lr)
        self.reduce_lr_form = QFormLayout()
        self.reduce_lr_fields: dict[str, ParamField] = {}
        for p in REDUCE_LR_PARAMS:
            field = ParamField(p, p.default)
            field.edited.connect(self._reduce_lr_param_edited)
            self.reduce_lr_form.addRow(p.name, field)
            self.reduce_lr_fields[p.name] = field
        self.reduce_lr_box = QWidget()
        self.reduce_lr_box.setLayout(self.reduce_lr_form)
        form.addRow(self.reduce_lr_box)
        self.train_form = form
        layout.addWidget(train_box)
        layout.addStretch()
        self.setWidget(page)
        self.compile_form = compile_box.layout()
        self.optimizer_fields: dict[str, ParamField] = {}
        self._shown_optimizer: str | None = None
        self.schedule_fields: dict[str, ParamField] = {}
        self._shown_schedule: str | None = None
        doc.changed.connect(self._design_changed)
        self.refresh()

    # ------------------------------------------------------------ design -> widgets

    def refresh(self) -> None:
        d = self.doc.design
        widgets = (
            self.name,
            self.loss,
            self.from_logits,
            self.optimizer,
            self.schedule,
            self.metrics,
            self.epochs,
            self.batch_size,
            self.split,
            self.distribution,
            self.class_weight,
            self.reduce_lr,
        )
        for w in widgets:
            w.blockSignals(True)
        try:
            self.name.setText(d.name)
            comp, train = d.compile_settings, d.training_settings
            outputs = d.output_ids()
            several = len(outputs) > 1
            loss = loss_spec(comp.loss_for(outputs[0]) if outputs else comp.loss)
            self.loss.setCurrentIndex(max(0, self.loss.findData(loss.name if loss else None)))
            self.from_logits.setChecked(comp.from_logits is True)
            self.optimizer.setCurrentIndex(max(0, self.optimizer.findData(comp.optimizer)))
            schedule = comp.learning_rate_schedule
            kind = schedule.get("type") if isinstance(schedule, dict) else None
            self.schedule.setCurrentIndex(max(0, self.schedule.findData(kind)))
            chosen = {metric_name(m) for m in comp.metrics_for(outputs[0])} if outputs else set()
            for i in range(self.metrics.count()):
                item = self.metrics.item(i)
                item.setCheckState(
                    Qt.CheckState.Checked if item.text() in chosen else Qt.CheckState.Unchecked
                )
            self.epochs.setValue(int(train.epochs))
            self.batch_size.setValue(int(train.batch_size))
            self.split.setValue(float(train.validation_split))
            self.distribution.setCurrentIndex(max(0, self.distribution.findData(train.distribution)))
            self.distribution.setToolTip(
                f"{DISTRIBUTION_HELP.get(train.distribution, '')}\n\n{SEVERAL_MACHINES}".strip()
            )
            weights = train.class_weight
            shown = "per class" if isinstance(weights, dict) else weights
            self.class_weight.setCurrentIndex(max(0, self.class_weight.findData(shown)))
            self.reduce_lr.setChecked(isinstance(train.reduce_lr_on_plateau, dict))
        finally:
            for w in widgets:
                w.blockSignals(False)
        metrics = comp.metrics_for(outputs[0]) if outputs else []
        thresholded = not several and any(takes_threshold(metric_name(m)) for m in metrics)
        self.threshold.set_value(shown_threshold(list(metrics)))
        rows = ((self.loss, not several), (self.metrics, not several), (self.outputs, several))
        for row, shown in (*rows, (self.threshold, thresholded)):
            self.compile_form.setRowVisible(row, shown)
        if several:
            self.outputs.refresh()
        self._show_class_weights(weights)
        self._show_reduce_lr(train.reduce_lr_on_plateau)
        self._show_optimizer_params()
        self._show_schedule(schedule if kind in SCHEDULES else None)
        self.data_settings.refresh()

    def _show_optimizer_params(self) -> None:
        comp = self.doc.design.compile_settings
        opt = comp.optimizer_params
        spec = OPTIMIZERS.get(comp.optimizer)
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
        scheduled = comp.learning_rate_schedule is not None
        rate = self.optimizer_fields.get("learning_rate")
        if rate is not None:
            rate.setEnabled(not scheduled)
            rate.setToolTip("Set by the learning-rate schedule below" if scheduled else "")

    def _show_schedule(self, schedule: dict | None) -> None:
        """The chosen schedule's arguments as fields (none for a constant rate)."""
        kind = schedule["type"] if schedule else None
        if self._shown_schedule != kind:
            while self.schedule_form.rowCount():
                self.schedule_form.removeRow(0)
            self.schedule_fields = {}
            for p in SCHEDULES[kind].params if kind else ():
                field = ParamField(p, p.default)
                field.edited.connect(self._schedule_param_edited)
                self.schedule_form.addRow(p.name, field)
                self.schedule_fields[p.name] = field
            self._shown_schedule = kind
        for p in SCHEDULES[kind].params if kind else ():
            self.schedule_fields[p.name].set_value(schedule.get(p.name, p.default))

    def _show_class_weights(self, weights: object) -> None:
        per_class = isinstance(weights, dict)
        self.train_form.setRowVisible(self.class_weights, per_class)
        if per_class and not self.class_weights.hasFocus():
            self.class_weights.setText(
                ", ".join(
                    f"{k}: {v:g}" if isinstance(v, (int, float)) else f"{k}: {v}" for k, v in weights.items()
                )
            )
            self.class_weights.setStyleSheet("")

    def _show_reduce_lr(self, plateau: object) -> None:
        on = isinstance(plateau, dict)
        self.train_form.setRowVisible(self.reduce_lr_box, on)
        for p in REDUCE_LR_PARAMS:
            self.reduce_lr_fields[p.name].set_value(plateau.get(p.name, p.default) if on else p.default)

    # ------------------------------------------------------------ widgets -> commands

    # Each edit is the typed settings' own method (engine/schema/settings.py), applied as one command.

    def _name_edited(self) -> None:
        name = self.name.text().strip() or "untitled"
        self.doc.set_settings("name", name, "Rename model")

    @property
    def _compile(self):
        return self.doc.design.compile_settings

    @property
    def _training(self):
        return self.doc.design.training_settings

    def _loss_edited(self) -> None:
        loss = self.loss.currentData()
        self.doc.set_compile(self._compile.with_loss(loss), f"Loss {loss}")

    def _from_logits_edited(self, on: bool) -> None:
        self.doc.set_compile(self._compile.with_from_logits(on), "from_logits " + ("on" if on else "off"))

    def _schedule_edited(self) -> None:
        kind = self.schedule.currentData()
        self.doc.set_compile(self._compile.with_schedule(kind), f"Learning rate {kind or NO_SCHEDULE}")

    def _schedule_param_edited(self, name: str, value: object) -> None:
        self.doc.set_compile(self._compile.with_schedule_param(name, value), f"Change {name}")

    def _optimizer_edited(self) -> None:
        kind = self.optimizer.currentData()
        self.doc.set_compile(self._compile.with_optimizer(kind), f"Optimizer {kind}")

    def _optimizer_param_edited(self, name: str, value: object) -> None:
        self.doc.set_compile(self._compile.with_optimizer_param(name, value), f"Change {name}")

    def _shared_metrics(self) -> list:
        outputs = self.doc.design.output_ids()
        return self._compile.metrics_for(outputs[0]) if outputs else []

    def _metrics_edited(self) -> None:
        """The checked metrics; one newly checked that takes a threshold gets the one shown."""
        names = [
            self.metrics.item(i).text()
            for i in range(self.metrics.count())
            if self.metrics.item(i).checkState() == Qt.CheckState.Checked
        ]
        threshold = shown_threshold(self._shared_metrics())
        self.doc.set_compile(self._compile.with_metrics(names, threshold), "Change metrics")

    def _threshold_edited(self, _name: str, value: object) -> None:
        self.doc.set_compile(self._compile.with_threshold(value), "Change threshold")

    def _distribution_edited(self) -> None:
        chosen = replace(self._training, distribution=self.distribution.currentData())
        self.doc.set_training(chosen, "Change distribution")

    def _class_weight_edited(self) -> None:
        choice = self.class_weight.currentData()
        self.doc.set_training(self._training.with_class_weight(choice), "Change class weight")

    def _class_weights_typed(self) -> None:
        """``0: 1, 2: 3.5``; text that does not read so is flagged, not applied."""
        try:
            training = self._training.with_class_weights_text(self.class_weights.text())
        except ValueError as exc:
            self.class_weights.setStyleSheet("border: 1.5px solid #D32F2F;")
            self.class_weights.setToolTip(str(exc))
            return
        self.class_weights.setStyleSheet("")
        self.doc.set_training(training, "Change class weights")

    def _reduce_lr_edited(self, on: bool) -> None:
        text = "ReduceLROnPlateau " + ("on" if on else "off")
        self.doc.set_training(self._training.with_reduce_lr(on), text)

    def _reduce_lr_param_edited(self, name: str, value: object) -> None:
        self.doc.set_training(self._training.with_reduce_lr_param(name, value), f"Change {name}")

    def _training_edited(self) -> None:
        training = self._training.with_run(self.epochs.value(), self.batch_size.value(), self.split.value())
        self.doc.set_training(training, "Change training settings")

    def _design_changed(self, _report: object) -> None:
        self.refresh()
