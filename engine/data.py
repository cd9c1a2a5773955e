"""Datasets for training: built-in ones, CSV files and NumPy arrays.

``load(spec, base_dir)`` reads the design's ``data`` section into a
:class:`Dataset`; every problem with the file is a :class:`DataError` that
says what and where (row and column for CSV).  ``check_fit`` compares data
and design before any TensorFlow is loaded, and ``prepare`` shuffles (with a
seed, always before splitting), holds out a test set, standardises and shapes
the labels for the loss -- all plain NumPy, so the GUI thread can run it.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine import dataset_loaders
from engine.compile_catalog import BINARY, CATEGORICAL, REGRESSION, SPARSE, loss_spec
from engine.datasets import BUILTIN, CLASSIFICATION
from engine.graph import Design
from engine.layer_rules import fmt_shape
from engine.validation import label, validate

MAX_CSV_BYTES = 500 * 1024 * 1024


class DataError(ValueError):
    """The data cannot be used; the message says what and where."""


@dataclass
class Dataset:
    x: np.ndarray
    y: np.ndarray
    task: str  # CLASSIFICATION or REGRESSION
    name: str
    class_names: list[str] = field(default_factory=list)
    feature_names: list[str] = field(default_factory=list)
    dropped_rows: list[int] = field(default_factory=list)

    @property
    def classes(self) -> int:
        return len(self.class_names)

    def class_balance(self) -> dict[str, int]:
        if self.task != CLASSIFICATION:
            return {}
        counts = np.bincount(self.y.astype(int).ravel(), minlength=self.classes)
        return {name: int(c) for name, c in zip(self.class_names, counts, strict=True)}


# ---------------------------------------------------------------- loading


def load(spec: dict[str, Any] | None, base_dir: Path | None = None) -> Dataset:
    if not spec:
        raise DataError("The design has no dataset: pick one in the Model settings (data section)")
    source = spec.get("source")
    if source == "builtin":
        return load_builtin(spec.get("name"))
    path = spec.get("path")
    if not isinstance(path, str) or not path:
        raise DataError(f"data.path must name a {source} file")
    full = (base_dir or Path.cwd()) / path
    if source == "csv":
        return load_csv(
            full,
            target=spec.get("target"),
            features=spec.get("features"),
            header=spec.get("header", "auto"),
            drop_invalid=bool(spec.get("drop_invalid", False)),
        )
    if source == "numpy":
        return load_numpy(full)
    raise DataError(f"Unknown data source '{source}' (known: builtin, csv, numpy)")


def load_builtin(name: Any) -> Dataset:
    info = BUILTIN.get(name)
    if info is None:
        raise DataError(f"Unknown built-in dataset '{name}' (known: {', '.join(BUILTIN)})")
    x, y = info.loader()
    classes = list(info.class_names) or [str(i) for i in range(info.classes)]
    return Dataset(x, y, info.task, info.name, classes)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def load_csv(
    path: Path,
    target: str | int | None = None,
    features: list[str | int] | None = None,
    header: bool | str = "auto",
    drop_invalid: bool = False,
) -> Dataset:
    """Read a CSV: numeric features, a numeric or categorical target (default: the last column).

    A first row that is not all numbers is taken as a header.  Missing or
    non-numeric feature values are reported by row and column, or dropped
    with ``drop_invalid``.  A target that is not numeric becomes integer class
    labels, with the names kept in ``class_names``.
    """
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise DataError(f"{path.name} is larger than 500 MB")
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if any(cell.strip() for cell in r)]
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path.name} is not a readable CSV text file ({exc})") from None
    if not rows:
        raise DataError(f"{path.name} is empty")
    has_header = (not all(_is_number(c) for c in rows[0])) if header == "auto" else bool(header)
    names = (
        [c.strip() or f"column {i + 1}" for i, c in enumerate(rows[0])]
        if has_header
        else [f"column {i + 1}" for i in range(len(rows[0]))]
    )
    body = rows[1:] if has_header else rows
    first_line = 2 if has_header else 1
    if len(names) < 2:
        raise DataError(f"{path.name} has a single column: it needs at least one feature column and a target")
    t = _column(names, target if target is not None else len(names) - 1, "target", path)
    fs = (
        [_column(names, f, "feature", path) for f in features]
        if features
        else [i for i in range(len(names)) if i != t]
    )
    if t in fs:
        raise DataError(f"Column '{names[t]}' cannot be both the target and a feature")

    x_rows, y_raw, dropped = [], [], []
    for n, row in enumerate(body):
        line = first_line + n
        if len(row) != len(names):
            problem = f"{path.name} line {line} has {len(row)} values but the header has {len(names)}"
        else:
            bad = next((i for i in fs if not _is_number(row[i])), None)
            if bad is None and row[t].strip() == "":
                bad = t
            problem = (
                ""
                if bad is None
                else (
                    f"{path.name} line {line}, column '{names[bad]}': "
                    + ("missing value" if not row[bad].strip() else f"'{row[bad]}' is not a number")
                )
            )
        if problem:
            if not drop_invalid:
                raise DataError(problem + " (fix the file, or choose to drop rows with invalid values)")
            dropped.append(line)
            continue
        x_rows.append([float(row[i]) for i in fs])
        y_raw.append(row[t].strip())
    if not x_rows:
        raise DataError(f"{path.name} has no usable rows")
    x = np.asarray(x_rows, dtype="float32")
    if all(_is_number(v) for v in y_raw):
        values = np.asarray([float(v) for v in y_raw])
        is_labels = np.all(values == np.round(values)) and len(np.unique(values)) <= max(
            20, len(values) // 20
        )
        if is_labels and values.min() >= 0:
            classes = [str(int(c)) for c in range(int(values.max()) + 1)]
            return Dataset(
                x, values.astype("int64"), CLASSIFICATION, path.name, classes, [names[i] for i in fs], dropped
            )
        return Dataset(
            x,
            values.astype("float32").reshape(-1, 1),
            REGRESSION,
            path.name,
            [],
            [names[i] for i in fs],
            dropped,
        )
    classes = sorted(set(y_raw))
    index = {c: i for i, c in enumerate(classes)}
    y = np.asarray([index[v] for v in y_raw], dtype="int64")
    return Dataset(x, y, CLASSIFICATION, path.name, classes, [names[i] for i in fs], dropped)


def _column(names: list[str], which: str | int, role: str, path: Path) -> int:
    if isinstance(which, int) and not isinstance(which, bool):
        if -len(names) <= which < len(names):
            return which % len(names)
    elif which in names:
        return names.index(which)
    raise DataError(f"{path.name} has no {role} column {which!r} (columns: {', '.join(names)})")


def load_numpy(path: Path) -> Dataset:
    """An .npz file holding arrays ``x`` and ``y``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            keys = set(data.files)
            if not {"x", "y"} <= keys:
                raise DataError(
                    f"{path.name} must hold arrays named 'x' and 'y' (it holds: {', '.join(sorted(keys))})"
                )
            x, y = np.asarray(data["x"]), np.asarray(data["y"])
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DataError(f"{path.name} is not a NumPy .npz file of plain arrays ({exc})") from None
    if len(x) != len(y):
        raise DataError(f"{path.name}: x has {len(x)} samples but y has {len(y)}")
    if not np.issubdtype(x.dtype, np.number) or not np.all(np.isfinite(x)):
        raise DataError(f"{path.name}: x must hold finite numbers")
    if np.issubdtype(y.dtype, np.integer) and y.ndim == 1:
        return Dataset(
            x.astype("float32"),
            y.astype("int64"),
            CLASSIFICATION,
            path.name,
            [str(i) for i in range(int(y.max()) + 1)],
        )
    return Dataset(x.astype("float32"), y.astype("float32").reshape(len(y), -1), REGRESSION, path.name)


# ---------------------------------------------------------------- data vs design


def check_fit(design: Design, data: Dataset) -> list[str]:
    """Why this data cannot train this design (empty when it can), before TensorFlow loads."""
    report = validate(design)
    if not report.valid:
        return [p.message for p in report.errors]
    problems = []
    inputs, outputs = design.input_ids(), design.output_ids()
    if len(inputs) != 1 or len(outputs) != 1:
        return [f"Training needs one Input and one output; the design has {len(inputs)} and {len(outputs)}"]
    want = report.nodes[inputs[0]].output_shape[1:]
    got = data.x.shape[1:]
    if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got, strict=False)):
        problems.append(
            f"The data has samples of shape {fmt_shape(got)} but Input '{inputs[0]}' expects "
            f"{fmt_shape(want)}: set its shape to {list(got)}"
        )
    out = outputs[0]
    units = report.nodes[out].output_shape[-1]
    who = label(design.nodes[out].type, out)
    loss = loss_spec(design.compile.get("loss", "mse"))
    if data.task == CLASSIFICATION:
        k = data.classes
        if loss.task in (SPARSE, CATEGORICAL) and units != k:
            problems.append(
                f"{data.name} has {k} classes but output {who} has {units} unit(s): "
                f"set units to {k} with a softmax activation"
            )
        elif loss.task == BINARY and (k > 2 or units != 1):
            problems.append(
                f"{loss.name} is for two classes with one sigmoid output unit, but {data.name} has "
                f"{k} classes and {who} has {units} units: use sparse_categorical_crossentropy "
                f"with {k} softmax units"
            )
        elif loss.task == REGRESSION:
            problems.append(
                f"{data.name} is classification ({k} classes) but {loss.name} is a regression loss: "
                f"use sparse_categorical_crossentropy with {k} softmax units"
            )
    else:
        if loss.task != REGRESSION:
            problems.append(
                f"{data.name} is regression (numbers to predict) but {loss.name} is for classes: "
                "use mse with a linear output"
            )
        elif units != data.y.shape[-1]:
            problems.append(
                f"{data.name} has {data.y.shape[-1]} target value(s) per sample but output {who} "
                f"has {units} unit(s)"
            )
    return problems


# ---------------------------------------------------------------- preparing arrays


@dataclass
class Prepared:
    """Arrays ready for ``fit``: train (validation is split off by Keras, as in the script) and test."""

    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    validation_split: float
    mean: np.ndarray | None = None
    std: np.ndarray | None = None


def prepare(design: Design, data: Dataset) -> Prepared:
    """Shuffle (seeded), hold out the test split, standardise, and shape labels for the loss.

    The exported script repeats these steps with the same functions, so a run
    and its script see the same rows in the same order.
    """
    spec = design.data or {}
    seed = int(spec.get("seed", 0))
    test_split = float(spec.get("test_split", 0.0))
    x, y = dataset_loaders.shuffle(data.x, data.y, seed)
    (x, y), (x_test, y_test) = dataset_loaders.hold_out(x, y, test_split)
    mean = std = None
    if spec.get("standardize"):
        x, x_test, mean, std = dataset_loaders.standardize(x, x_test)
    loss = loss_spec(design.compile.get("loss", "mse"))
    if data.task == CLASSIFICATION and loss is not None and loss.task == CATEGORICAL:
        y, y_test = np.eye(data.classes, dtype="float32")[y], np.eye(data.classes, dtype="float32")[y_test]
    elif data.task == CLASSIFICATION and loss is not None and loss.task == BINARY:
        y, y_test = y.astype("float32").reshape(-1, 1), y_test.astype("float32").reshape(-1, 1)
    split = float(design.training.get("validation_split", 0.0))
    n_val = len(x) - int(math.floor(len(x) * (1.0 - split)))
    if split and (n_val == 0 or n_val == len(x)):
        raise DataError(
            f"A validation split of {split} leaves no rows for training or for validation "
            f"with {len(x)} samples"
        )
    return Prepared(x, y, x_test, y_test, split, mean, std)
