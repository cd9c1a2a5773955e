"""Which data source a chosen file or dataset becomes, with the preparation defaults.

The window's data picker asks here: ``spec_for_path`` maps a file's extension
to a ``data`` section (CSV, NumPy ``.npz``, or ``.npy`` with its labels file
beside it) and refuses other files with the reason; ``spec_for_builtin``
gives a built-in dataset with the defaults that suit it.  Paths are stored
relative to the design's folder when they can be, so a design and its data
move together.  It imports no NumPy until a file is chosen, so the window
starts without it.

Defaults: a test split is held out (results on training data flatter a
model), and features are standardised when their scale calls for it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from engine.schema.datasets import BUILTIN, DEFAULT_TEST_SPLIT

DEFAULT_SEED = 0
DATA_SUFFIXES = {".csv": "csv", ".npz": "numpy", ".npy": "numpy"}
FILE_FILTER = "Data files (*.csv *.npz *.npy);;CSV (*.csv);;NumPy (*.npz *.npy)"

# Built-in datasets whose features are far from mean 0, spread 1 (engine.data.advice.features_unscaled
# says so of their arrays; tests/engine/data/test_sources.py checks this list against it).
UNSCALED_BUILTIN = frozenset({"wine", "breast_cancer"})


def default_options(standardize: bool = False) -> dict[str, Any]:
    return {"seed": DEFAULT_SEED, "test_split": DEFAULT_TEST_SPLIT, "standardize": standardize}


def _options(previous: dict[str, Any] | None, standardize: bool = False) -> dict[str, Any]:
    """Preparation options: the defaults, then the seed and test split of the section being
    replaced (kept across a change of source); standardising stays on once chosen, and is
    switched on when the new data needs it."""
    previous = previous or {}
    kept = {k: previous[k] for k in ("seed", "test_split") if k in previous}
    return {**default_options(standardize or bool(previous.get("standardize"))), **kept}


def relative(path: Path, base: Path) -> str:
    """The path as stored: relative to the design's folder when possible."""
    try:
        return os.path.relpath(path, base)
    except ValueError:  # another drive
        return str(path)


def spec_for_builtin(name: str, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    options = _options(previous, standardize=name in UNSCALED_BUILTIN)
    if name in BUILTIN and not BUILTIN[name].standardizable:  # one-hot tokens stay as they are
        options["standardize"] = False
    return {"source": "builtin", "name": name, **options}


def spec_for_path(path: Path, base: Path, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The data section for a chosen file; DataError says why a file cannot be used."""
    from engine.data.prepare import DataError, sibling_labels  # NumPy: not needed to start the window

    path = Path(path)
    kind = DATA_SUFFIXES.get(path.suffix.lower())
    if path.is_dir():
        return spec_for_folder(path, base, previous)
    if kind is None:
        raise DataError(
            f"{path.name}: Netwright reads CSV (.csv) and NumPy (.npz, or .npy with its labels) files, "
            "or a folder of images with one sub-folder per class"
        )
    shown = relative(path, base)
    spec: dict[str, Any] = {"source": kind, "path": shown}
    if path.suffix.lower() == ".npy":
        labels = sibling_labels(path)
        if labels is None:
            raise DataError(
                f"{path.name} holds the inputs; put the labels beside it as y.npy (or NAME_y.npy for "
                "NAME_x.npy), or use one .npz holding x and y."
            )
        spec["y_path"] = os.path.join(os.path.dirname(shown), labels.name)
    return {**spec, **_options(previous)}


def spec_for_folder(path: Path, base: Path, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"source": "images", "path": relative(Path(path), base), **_options(previous)}


def with_options(
    data: dict[str, Any],
    *,
    seed: int,
    test_split: float,
    standardize: bool,
    drop_invalid: bool = False,
    grayscale: bool = False,
    target: str = "",
) -> dict[str, Any]:
    """The data section with the preparation options as edited; each source keeps only the
    options it reads (a CSV target column is a name, or a number counted from 0)."""
    out = {
        **data,
        "seed": int(seed),
        "test_split": round(float(test_split), 4),
        "standardize": bool(standardize),
    }
    source = data.get("source")
    if source in ("csv", "images"):
        out["drop_invalid"] = bool(drop_invalid)
    if source == "images":
        out["grayscale"] = bool(grayscale)
    if source == "csv":
        text = target.strip()
        if text:
            out["target"] = int(text) if text.lstrip("-").isdigit() else text
        else:
            out.pop("target", None)
    return out
