"""The design's data section: a built-in dataset or a file, and how it is prepared.

Every change replaces ``design.data`` through one undoable command.  Which
source a chosen file becomes, its stored (relative) path and the preparation
defaults are the engine's answer (:mod:`engine.data.sources`); this panel asks
and shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from engine.data import sources
from engine.schema.datasets import BUILTIN
from gui.document import Document
from gui.wheel_guard import ComboBox, DoubleSpinBox, SpinBox

FILE_ITEM = "__file__"


class DataSettings(QGroupBox):
    def __init__(self, doc: Document) -> None:
        super().__init__("Data")
        self.doc = doc
        form = QFormLayout(self)
        self.source = ComboBox()
        self.source.addItem("(none)", None)
        for ds in BUILTIN.values():
            self.source.addItem(ds.name, ds.name)
            self.source.setItemData(self.source.count() - 1, ds.help, Qt.ItemDataRole.ToolTipRole)
        self.source.addItem("file", FILE_ITEM)
        self.browse = QPushButton("From file…")
        self.browse.setToolTip(
            "A CSV file (features and a target column) or a NumPy .npz with arrays x and y"
        )
        self.browse.clicked.connect(self.choose_file)
        self.browse_folder = QPushButton("Folder…")
        self.browse_folder.setToolTip("An image folder: one sub-folder of images per class")
        self.browse_folder.clicked.connect(self.choose_folder)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.browse)
        buttons.addWidget(self.browse_folder)
        holder = QWidget()
        holder.setLayout(buttons)
        form.addRow("dataset", self.source)
        form.addRow("", holder)
        self.help = QLabel()
        self.help.setWordWrap(True)
        form.addRow("", self.help)
        self.target = QLineEdit()
        self.target.setPlaceholderText("last column")
        self.target.setToolTip(
            "The CSV column to predict, by name (or number from 0); empty: the last column"
        )
        self.drop_invalid = QCheckBox("drop invalid rows")
        self.drop_invalid.setToolTip(
            "Skip CSV rows with missing or non-numeric values (or unreadable images) "
            "instead of stopping at the first one"
        )
        self.grayscale = QCheckBox("grayscale")
        self.grayscale.setToolTip("Read images as one grey channel instead of RGB")
        form.addRow("target column", self.target)
        form.addRow("", self.drop_invalid)
        form.addRow("", self.grayscale)
        self.seed = SpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("Rows are shuffled with this seed before any split, so runs repeat exactly")
        self.test_split = DoubleSpinBox()
        self.test_split.setRange(0.0, 0.9)
        self.test_split.setSingleStep(0.05)
        self.test_split.setToolTip("Fraction of rows held out for the final test (never used in training)")
        self.standardize = QCheckBox("standardise features")
        self.standardize.setToolTip("Scale features to mean 0 and variance 1, using the training rows only")
        form.addRow("shuffle seed", self.seed)
        form.addRow("test split", self.test_split)
        form.addRow("", self.standardize)
        self.source.currentIndexChanged.connect(self._source_edited)
        self.target.editingFinished.connect(self._options_edited)
        for w in (self.drop_invalid, self.standardize, self.grayscale):
            w.toggled.connect(self._options_edited)
        for spin in (self.seed, self.test_split):
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._options_edited)
        self.widgets = (
            self.source,
            self.target,
            self.drop_invalid,
            self.grayscale,
            self.seed,
            self.test_split,
            self.standardize,
        )

    def refresh(self) -> None:
        data = self.doc.design.data or {}
        for w in self.widgets:
            w.blockSignals(True)
        try:
            source = data.get("source")
            if source == "builtin":
                self.source.setCurrentIndex(max(0, self.source.findData(data.get("name"))))
                ds = BUILTIN.get(data.get("name"))
                inputs = ", ".join(f"{k} {list(v)}" for k, v in ds.input_shapes.items()) if ds else ""
                self.help.setText(
                    f"{ds.help} Input{'s' if ds.inputs else ''} {inputs.strip()}; labels: {ds.label_form}."
                    if ds
                    else ""
                )
            elif source in ("csv", "numpy", "images"):
                self.source.setCurrentIndex(self.source.findData(FILE_ITEM))
                kind = {"csv": "CSV file", "numpy": "NumPy file", "images": "Image folder"}[source]
                self.help.setText(f"{kind}: {data.get('path')}")
            else:
                self.source.setCurrentIndex(0)
                self.help.setText("")
            self.target.setEnabled(source == "csv")
            self.drop_invalid.setEnabled(source in ("csv", "images"))
            self.grayscale.setEnabled(source == "images")
            self.grayscale.setChecked(bool(data.get("grayscale", False)))
            for w in (self.seed, self.test_split, self.standardize):
                w.setEnabled(bool(data))
            target = data.get("target")
            self.target.setText("" if target is None else str(target))
            self.drop_invalid.setChecked(bool(data.get("drop_invalid", False)))
            typed = self.doc.design.data_settings
            self.seed.setValue(typed.seed if isinstance(typed.seed, int) else 0)
            split = typed.test_split
            self.test_split.setValue(float(split) if isinstance(split, (int, float)) else 0.0)
            self.standardize.setChecked(bool(typed.standardize))
        finally:
            for w in self.widgets:
                w.blockSignals(False)

    def _set(self, data: dict[str, Any] | None, text: str) -> None:
        self.doc.set_settings("data", data, text)

    def _base(self) -> Path:
        return self.doc.path.parent if self.doc.path else Path.cwd()

    def _source_edited(self) -> None:
        name = self.source.currentData()
        if name == FILE_ITEM:
            self.choose_file()
            return
        data = sources.spec_for_builtin(name, self.doc.design.data) if name else None
        self._set(data, f"Dataset {name or 'none'}")

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Training data", str(self._base()), sources.FILE_FILTER)
        if not path:
            self.refresh()
            return
        self.use_file(Path(path))

    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self, "Image folder (one sub-folder per class)", str(self._base())
        )
        if path:
            self.use_folder(Path(path))

    def use_folder(self, path: Path) -> None:
        self._set(sources.spec_for_folder(path, self._base(), self.doc.design.data), f"Dataset {path.name}/")

    def use_file(self, path: Path) -> None:
        """Use a data file; the engine says which source it is, or why it cannot be used."""
        from engine.data.prepare import DataError

        try:
            spec = sources.spec_for_path(path, self._base(), self.doc.design.data)
        except DataError as exc:
            QMessageBox.warning(self, "Training data", str(exc))
            self.refresh()
            return
        self._set(spec, f"Dataset {path.name}")

    def _options_edited(self) -> None:
        data = self.doc.design.data
        if not data:
            return
        updated = sources.with_options(
            data,
            seed=self.seed.value(),
            test_split=self.test_split.value(),
            standardize=self.standardize.isChecked(),
            drop_invalid=self.drop_invalid.isChecked(),
            grayscale=self.grayscale.isChecked(),
            target=self.target.text(),
        )
        self._set(updated, "Change data options")
