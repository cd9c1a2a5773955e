"""The layer property editor, generated from the catalog for the selected node."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine.design.report import pending_text
from engine.experiments.paths import SettingPath
from engine.schema.catalog import LAYERS
from engine.schema.custom import CUSTOM_HELP, is_custom
from engine.schema.generic import GENERIC_HELP, is_generic, shown_type
from engine.schema.layer_rules import fmt_shape
from gui.accessibility import order_fields
from gui.config_editor import ConfigEditor
from gui.custom_code import code_rows
from gui.document import Document
from gui.param_fields import field_for
from gui.wheel_guard import ComboBox


class PropertiesPanel(QScrollArea):
    """Shows one node: its name, every catalogued parameter, its shape and problems."""

    sweep_requested = Signal(str)  # a setting path (nodes[ID].params.NAME): "Sweep this…" on a field

    def __init__(self, doc: Document) -> None:
        super().__init__()
        self.doc = doc
        self.node_id: str | None = None
        self.fields: dict = {}
        self.setWidgetResizable(True)
        self.doc.changed.connect(self._design_changed)
        self.doc.node_renamed.connect(self._renamed)
        self.show_node(None)

    def show_node(self, node_id: str | None) -> None:
        """Rebuild the form for a node (None: a hint instead)."""
        self.node_id = node_id
        self.fields = {}
        page = QWidget()
        outer = QVBoxLayout(page)
        node = self.doc.design.nodes.get(node_id) if node_id else None
        if node is None:
            self.node_id = None
            hint = QLabel(
                "Select a layer on the canvas to edit it.\n\nDrag layers from the palette; "
                "drag from a layer's bottom port to another layer to connect them."
            )
            hint.setWordWrap(True)
            hint.setAlignment(Qt.AlignmentFlag.AlignTop)
            outer.addWidget(hint)
            outer.addStretch()
            self.setWidget(page)
            return
        spec = LAYERS.get(node.type)
        title = QLabel(f"<b style='font-size:15px'>{shown_type(node.type, node.params)}</b>")
        outer.addWidget(title)
        if spec is not None or is_generic(node.type) or is_custom(node.type):
            help_label = QLabel(
                spec.help if spec is not None else CUSTOM_HELP if is_custom(node.type) else GENERIC_HELP
            )
            help_label.setWordWrap(True)
            outer.addWidget(help_label)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit(node.id)
        self.name_error = QLabel()
        self.name_error.setStyleSheet("color: #D32F2F;")
        self.name_error.setWordWrap(True)
        self.name_error.hide()
        self.name_edit.editingFinished.connect(self._rename)
        form.addRow("name", self.name_edit)
        form.addRow("", self.name_error)
        self.shares_box: QComboBox | None = None
        if spec is not None and not spec.is_input:
            self.shares_box = ComboBox()
            self.shares_box.setToolTip(
                "Call another layer of this type again instead of having weights of its own "
                "(siamese towers, shared embeddings); its settings are then that layer's."
            )
            self.shares_box.activated.connect(self._shares_chosen)
            form.addRow("shares weights with", self.shares_box)
        for p in spec.params if spec else ():
            field = field_for(p, node.params.get(p.name, p.default))
            field.edited.connect(self._edited)
            label = QLabel(p.name)
            label.setToolTip(p.help)
            form.addRow(label, field)
            self.fields[p.name] = field
            for widget in (label, getattr(field, "editor", None)):  # a wrapped layer's field has none
                if widget is not None:
                    self._offer_sweep(widget, SettingPath("nodes", (node.id, p.name)).text)
        self.config_editor: ConfigEditor | None = None
        self.code_editor = (
            code_rows(self, self.doc, node.id, form) if is_custom(node.type) and not node.shares else None
        )
        if (is_generic(node.type) or is_custom(node.type)) and node.shares is None:
            self.config_editor = ConfigEditor(_config(node.params))
            self.config_editor.applied.connect(self._config_applied)
            form.addRow("config", self.config_editor)
        outer.addLayout(form)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.status)
        outer.addStretch()
        self.setWidget(page)
        order_fields(self)  # Tab goes through the fields from the panel, top to bottom
        self.refresh()

    def _offer_sweep(self, widget: QWidget, path: str) -> None:
        """Right-click: "Sweep this…" (after a text field's own edit actions)."""
        widget.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        def show(pos) -> None:
            menu = widget.createStandardContextMenu() if isinstance(widget, QLineEdit) else QMenu(widget)
            menu.addAction("Sweep this…", lambda: self.sweep_requested.emit(path))
            menu.exec(widget.mapToGlobal(pos))

        widget.customContextMenuRequested.connect(show)

    def refresh(self) -> None:
        """Follow the design (undo, rename, edits elsewhere) without rebuilding."""
        if self.node_id is None:
            return
        node = self.doc.design.nodes.get(self.node_id)
        if node is None:
            self.show_node(None)
            return
        spec = LAYERS.get(node.type)
        if self.shares_box is not None:
            choices = ["", *self.doc.share_candidates(node.id)]
            if node.shares and node.shares not in choices:
                choices.append(node.shares)
            self.shares_box.blockSignals(True)
            self.shares_box.clear()
            for c in choices:
                self.shares_box.addItem(c or "(its own weights)", c)
            self.shares_box.setCurrentIndex(choices.index(node.shares or ""))
            self.shares_box.blockSignals(False)
        for name, field in self.fields.items():
            field.set_value(node.params.get(name, spec.param(name).default))
        if self.config_editor is not None:
            self.config_editor.set_config(_config(node.params))
        if self.code_editor is not None:
            self.code_editor.set_source(str(node.params.get("source", "")))
        info = self.doc.report.nodes.get(self.node_id)
        lines = []
        if info is not None and info.output_shape is not None:
            lines.append(
                f"Output shape <code>{fmt_shape(info.output_shape)}</code> · {info.params:,} parameters"
                + (f" ({info.trainable:,} trainable)" if info.trainable != info.params else "")
            )
        elif pending_text(info):
            lines.append(f"Output {pending_text(info)}")
        lines += [f"<span style='color:#D32F2F'>✖ {m}</span>" for m in (info.errors if info else [])]
        lines += [f"<span style='color:#B07800'>⚠ {m}</span>" for m in (info.warnings if info else [])]
        self.status.setText("<br>".join(lines))

    def _edited(self, name: str, value: object) -> None:
        if self.node_id is not None:
            self.doc.set_param(self.node_id, name, value)

    def _config_applied(self, config: dict) -> None:
        if self.node_id is not None:
            self.doc.set_generic_config(self.node_id, config)

    def _shares_chosen(self, index: int) -> None:
        if self.node_id is not None and self.shares_box is not None:
            self.doc.set_shares(self.node_id, self.shares_box.itemData(index) or None)

    def _rename(self) -> None:
        if self.node_id is None:
            return
        reason = self.doc.rename(self.node_id, self.name_edit.text().strip())
        self.name_error.setText(reason)
        self.name_error.setVisible(bool(reason))

    def _renamed(self, old: str, new: str) -> None:
        if self.node_id == old:
            self.node_id = new
            self.name_edit.setText(new)

    def _design_changed(self, _report: object) -> None:
        self.refresh()


def _config(params: dict) -> dict:
    config = params.get("config")
    return config if isinstance(config, dict) else {}
