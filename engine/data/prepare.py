"""Datasets for training: built-in ones, CSV files and NumPy arrays.

``load(spec, base_dir)`` reads the design's ``data`` section into a
:class:`Dataset`; every problem with the file is a :class:`DataError` that
says what and where (row and column for CSV).  ``check_fit`` compares data
and design before any TensorFlow is loaded, and ``prepare`` shuffles (with a
seed, always before splitting), holds out a test set, standardises and shapes
the labels for the loss -- all plain NumPy, so the GUI thread can run it.

A dataset for a model with several Inputs holds x as a dict of arrays keyed by
input name (``Arrays``); the steps keep the rows of every array aligned, and
``prepare`` keys them by the design's Input ids (``match_inputs`` says which
array feeds which Input), which are the Keras model's input names.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from engine.data import loaders, steps
from engine.design.cost import fits_warning
from engine.design.graph import Design
from engine.design.label_fit import label_form, label_problems, output_rank_problem
from engine.design.report import label
from engine.design.validation import validate
from engine.schema.compile_catalog import REGRESSION, loss_spec
from engine.schema.data_settings import data_problems
from engine.schema.datasets import BUILTIN, CLASSIFICATION, inputs_text, match_inputs
from engine.schema.layer_rules import fmt_shape


class DataError(ValueError):
    """The data cannot be used; the message says what and where."""


# One array, or a dict of arrays with the same number of rows keyed by input name.
Arrays = np.ndarray | dict[str, np.ndarray]


def rows(a: Arrays) -> int:
    return loaders.rows(a)


def take(a: Arrays, index: Any) -> Arrays:
    return loaders.take(a, index)


def arrays(a: Arrays) -> dict[str, np.ndarray]:
    """The arrays by name; a single array is named ""."""
    return dict(a) if isinstance(a, dict) else {"": a}


@dataclass
class Dataset:
    x: Arrays
    y: Arrays  # a dict keyed by output name for a model with several outputs
    task: str  # CLASSIFICATION or REGRESSION
    name: str
    class_names: list[str] = field(default_factory=list)
    feature_names: list[str] = field(default_factory=list)
    dropped_rows: list[int | str] = field(default_factory=list)
    output_classes: dict[str, list[str]] = field(default_factory=dict)  # several outputs: class names of each

    @property
    def output_names(self) -> list[str]:
        """The names of y's arrays, one per model output; [""] for a single target."""
        return list(arrays(self.y))

    def target(self, key: str) -> Dataset:
        """The dataset as one output sees it: that output's labels and class names."""
        if not isinstance(self.y, dict):
            return self
        return replace(self, y=self.y[key], class_names=self.output_classes[key], name=f"{self.name} ({key})")

    @property
    def classes(self) -> int:
        return len(self.class_names)

    @property
    def input_names(self) -> list[str]:
        """The names of x's arrays, one per model input; [""] for a single array."""
        return list(arrays(self.x))

    @property
    def rows(self) -> int:
        return rows(self.x)

    def class_balance(self) -> dict[str, int]:
        """Samples per class (of the first output's labels when there are several)."""
        if isinstance(self.y, dict):
            return self.target(self.output_names[0]).class_balance()
        if self.task != CLASSIFICATION:
            return {}
        counts = np.bincount(self.y.astype(int).ravel(), minlength=self.classes)
        return {name: int(c) for name, c in zip(self.class_names, counts, strict=True)}


# ---------------------------------------------------------------- loading


def load(spec: dict[str, Any] | None, base_dir: Path | None = None) -> Dataset:
    """The dataset the design's data section names.  Raises only :class:`DataError`.

    The section's values are checked first (:mod:`engine.schema.data_settings`),
    the files by the loaders' guards; running out of memory regardless is a
    DataError too, so no caller (the window's preview thread included) sees
    anything else.
    """
    if not spec:
        raise DataError("The design has no dataset: pick one in the Model settings (data section)")
    problems = data_problems(spec)
    if problems:
        raise DataError("; ".join(message for _, message in problems))
    try:
        return _load(spec, base_dir)
    except MemoryError:
        raise DataError(
            "Not enough memory to load the data: use a smaller file, fewer features or smaller images"
        ) from None
    except RecursionError:
        raise DataError("The data is nested too deeply to read") from None


def _load(spec: dict[str, Any], base_dir: Path | None) -> Dataset:
    source = spec.get("source")
    if source == "builtin":
        return load_builtin(spec.get("name"))
    path = spec["path"]
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
        y_path = spec.get("y_path")
        return load_numpy(full, (base_dir or Path.cwd()) / y_path if isinstance(y_path, str) else None)
    if source == "images":
        return load_images(
            full,
            spec.get("image_size"),
            bool(spec.get("grayscale", False)),
            bool(spec.get("drop_invalid", False)),
        )
    raise DataError(f"Unknown data source '{source}' (known: builtin, csv, numpy, images)")


def sibling_labels(x_path: Path) -> Path | None:
    """The y file beside an x .npy: x.npy -> y.npy, digits_x.npy -> digits_y.npy."""
    stem = x_path.stem
    if stem.lower() == "x" or stem.lower().endswith("_x"):
        candidate = x_path.with_name(stem[:-1] + ("Y" if stem[-1] == "X" else "y") + x_path.suffix)
        return candidate if candidate.exists() else None
    return None


def load_builtin(name: Any) -> Dataset:
    info = BUILTIN.get(name)
    if info is None:
        raise DataError(f"Unknown built-in dataset '{name}' (known: {', '.join(BUILTIN)})")
    x, y = getattr(loaders, info.loader)()
    classes = list(info.class_names) or [str(i) for i in range(info.classes)]
    by_output = {name: list(names) for name, names in info.outputs}
    return Dataset(x, y, info.task, info.name, classes, output_classes=by_output)


def load_csv(
    path: Path,
    target: str | int | None = None,
    features: list[str | int] | None = None,
    header: bool | str = "auto",
    drop_invalid: bool = False,
) -> Dataset:
    """A CSV file (see :func:`engine.data.loaders.read_csv`, which exported scripts share)."""
    try:
        x, y, classes, feature_names, dropped = loaders.read_csv(path, target, features, header, drop_invalid)
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path.name} is not a readable CSV text file ({exc})") from None
    except ValueError as exc:
        raise DataError(str(exc)) from None
    task = CLASSIFICATION if classes else REGRESSION
    return Dataset(x, y, task, path.name, classes, feature_names, dropped)


def load_images(path: Path, size: Any = None, grayscale: bool = False, drop_invalid: bool = False) -> Dataset:
    """A folder with one sub-folder of images per class."""
    if not path.is_dir():
        raise DataError(
            f"{path} is not a folder (an image dataset is a folder with one sub-folder per class)"
        )
    try:
        x, y, classes, dropped = loaders.read_image_folder(path, size, grayscale, drop_invalid)
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DataError(str(exc)) from None
    return Dataset(x, y, CLASSIFICATION, path.name, classes, dropped_rows=dropped)


def load_numpy(path: Path, y_path: Path | None = None) -> Dataset:
    """An .npz holding arrays ``x`` and ``y``, or x and y as two .npy files.

    Integer labels of one dimension mean classes; anything else is regression.
    """
    try:
        x, y = loaders.read_npz(path, y_path)
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise DataError(f"{path.name}: {exc}" if path.name not in str(exc) else str(exc)) from None
    classes = steps.label_classes(y)  # integer labels, checked by the loader: 0..k-1 with k bounded
    if classes:
        return Dataset(x, y, CLASSIFICATION, path.name, [str(i) for i in range(classes)])
    return Dataset(x, y, REGRESSION, path.name)


# ---------------------------------------------------------------- data vs design


def check_fit(design: Design, data: Dataset) -> list[str]:
    """Why this data cannot train this design (empty when it can), before TensorFlow loads."""
    report = validate(design)
    if not report.valid:
        return [p.message for p in report.errors]
    problems = []
    inputs, outputs = design.input_ids(), design.output_ids()
    feeds = match_inputs(data.input_names, inputs)
    if feeds is None:
        return [
            f"{data.name} feeds {inputs_text(data.input_names)} but the design has {len(inputs)} Input(s)"
            + (f": {', '.join(inputs)}" if inputs else "")
        ]
    targets = match_inputs(data.output_names, outputs)
    if targets is None:
        return [
            f"{data.name} has {inputs_text(data.output_names, 'target')} per sample but the design has "
            f"{len(outputs)} outputs ({', '.join(outputs)}): give it one output per target"
        ]
    too_big = fits_warning(design, report)  # the one memory rule, which training applies too
    if too_big:
        return [too_big]
    problems += _input_shape_problems(report, data, feeds)
    for out, key in targets.items():
        problems += _output_problems(design, report, data.target(key), out)
    return problems


def output_loss(design: Design, out: str) -> Any:
    """The loss (a :class:`~engine.schema.compile_catalog.LossSpec`) output ``out`` trains with:
    the design's one loss, or its loss for that output when the loss is given per output."""
    return loss_spec(design.compile_settings.loss_for(out))


def _output_problems(design: Design, report: Any, data: Dataset, out: str) -> list[str]:
    """Why these labels cannot train output node ``out`` (empty when they can): the rank rule and
    the output-versus-labels rules of engine/design/label_fit.py, as validation applies them."""
    units = report.nodes[out].output_shape[-1]
    who = label(design.nodes[out].type, out)
    loss = output_loss(design, out)
    labels = label_form(loss.task, data.task, int(np.prod(data.y.shape[1:], dtype=int)))
    src = [e.src for e in design.incoming()[out]]
    before = report.nodes[src[0]].output_shape if len(src) == 1 else None
    target = data.y.shape[1:]
    if data.task == CLASSIFICATION and data.y.ndim > 1:
        target = (*target, data.classes)  # a class label per step: one probability row per step
    rank = output_rank_problem(
        out, design.nodes[out].type, report.nodes[out].output_shape, before, labels, target
    )
    if rank:
        return [rank[0]]
    if data.task == CLASSIFICATION:
        present = np.unique(data.y)
        if len(present) < 2:
            name = data.class_names[int(present[0])] if len(present) else "none"
            return [f"Every sample of {data.name} is of one class ({name}): a classifier needs two or more"]
    width = data.y.shape[-1] if data.y.ndim > 1 else 1
    found = label_problems(data.name, data.task, data.classes, loss.name, loss.task, who, units, width)
    return [p.message for p in found if p.blocking]


def _input_shape_problems(report: Any, data: Dataset, feeds: dict[str, str]) -> list[str]:
    """Each Input whose shape is not that of the array that feeds it."""
    given, problems = arrays(data.x), []
    for nid, key in feeds.items():
        want = report.nodes[nid].output_shape[1:]
        got = given[key].shape[1:]
        if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got, strict=False)):
            what = f"The data's input '{key}'" if key else "The data"
            problems.append(
                f"{what} has samples of shape {fmt_shape(got)} but Input '{nid}' expects "
                f"{fmt_shape(want)}: set its shape to {list(got)}"
            )
    return problems


# ---------------------------------------------------------------- preparing arrays


@dataclass
class Prepared:
    """Arrays ready for ``fit``: train (validation is split off by Keras, as in the script) and test."""

    x: Arrays  # a dict keyed by the design's Input ids when the model has several inputs
    y: Arrays  # a dict keyed by the design's output node ids when the model has several outputs
    x_test: Arrays
    y_test: Arrays
    validation_split: float
    mean: Arrays | None = None
    std: Arrays | None = None

    @property
    def rows(self) -> int:
        return rows(self.x)

    @property
    def test_rows(self) -> int:
        return rows(self.x_test)


def prepare(design: Design, data: Dataset) -> Prepared:
    """Shuffle (seeded), hold out the test split, standardise, and shape labels for the loss:
    :func:`engine.data.steps.prepare_arrays`, which the exported script carries, so a run and
    its script see the same arrays."""
    spec = design.data_settings
    seed, test_split = int(spec.seed), float(spec.test_split)
    feeds = match_inputs(data.input_names, design.input_ids())
    targets = match_inputs(data.output_names, design.output_ids())
    if feeds is None or targets is None:
        raise DataError(
            f"{data.name} feeds {inputs_text(data.input_names)} and has "
            f"{inputs_text(data.output_names, 'target')}, but the design has "
            f"{len(design.input_ids())} Input(s) and {len(design.output_ids())} output(s)"
        )
    try:
        (x, y), (x_test, y_test), (mean, std) = steps.prepare_arrays(
            data.x,
            data.y,
            seed,
            test_split,
            bool(spec.standardize),
            label_plan(design, data, targets),
            feeds if isinstance(data.x, dict) else None,
        )
    except ValueError as exc:
        raise DataError(f"{data.name}: {exc}") from None
    split = float(design.training_settings.validation_split)
    n = rows(x)
    n_val = n - int(math.floor(n * (1.0 - split)))
    if split and (n_val == 0 or n_val == n):
        raise DataError(
            f"A validation split of {split} leaves no rows for training or for validation with {n} samples"
        )
    return Prepared(x, y, x_test, y_test, split, mean, std)


def label_plan(design: Design, data: Dataset, targets: dict[str, str]) -> Any:
    """The ``labels`` argument of :func:`engine.data.steps.prepare_arrays` for this design and
    data: each target's loss kind and its number of classes (0 for numbers)."""

    def plan(out: str, target: Dataset) -> tuple[str | None, int]:
        loss = output_loss(design, out)
        classes = target.classes if target.task == CLASSIFICATION else 0
        return (loss.task if loss is not None else None), classes

    if not isinstance(data.y, dict):
        return plan(design.output_ids()[0], data)
    return {out: (key, *plan(out, data.target(key))) for out, key in targets.items()}
