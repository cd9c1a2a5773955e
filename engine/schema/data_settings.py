"""What a design's ``data`` section may hold: every key, its type and its range.

One checker for the section, used where the section enters: design validation
(so the window, ``check`` and ``export`` show the problem on its key) and the
data loader (so nothing unchecked reaches NumPy, Pillow or the exported script's
``load_data``).  Pure Python: it only reads the values.
"""

from __future__ import annotations

from typing import Any

from engine.schema.datasets import BUILTIN
from engine.schema.params import is_number
from engine.schema.settings import DataSettings

SOURCES = ("builtin", "csv", "numpy", "images")
MAX_SEED = 2**32 - 1  # NumPy seeds are unsigned; the window's spin box stays within this
MAX_IMAGE_SIDE = 4096  # pixels: a larger image_size is one huge tensor per sample
MAX_PATH_CHARS = 4096
MAX_FEATURES = 100_000


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)



def _is_column(v: Any) -> bool:
    """A column is named by its header text or its (possibly negative) index."""
    return (isinstance(v, str) and 0 < len(v) <= MAX_PATH_CHARS and "\0" not in v) or (
        _is_int(v) and abs(v) <= MAX_FEATURES
    )


def _path_problem(key: str, value: Any, what: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"data.{key} must name the {what}"
    if "\0" in value or len(value) > MAX_PATH_CHARS:
        return f"data.{key} is not a usable file path (a NUL character, or longer than {MAX_PATH_CHARS})"
    return None


def data_problems(data: dict[str, Any] | None) -> list[tuple[str, str]]:  # noqa: C901 - one flat list of rules
    """(key, message) for every value of the data section that cannot be used; empty when all can."""
    if not data:
        return []
    out: list[tuple[str, str]] = []

    def need(ok: bool, key: str, message: str) -> None:
        if not ok:
            out.append((f"data.{key}", message))

    source = data.get("source")
    if source not in SOURCES:
        return [("data.source", f"Unknown data source {source!r} (known: {', '.join(SOURCES)})")]
    if source == "builtin":
        name = data.get("name")
        need(
            isinstance(name, str) and name in BUILTIN,
            "name",
            f"Unknown built-in dataset {name!r} (known: {', '.join(BUILTIN)})",
        )
        dataset = BUILTIN.get(name) if isinstance(name, str) else None
        need(
            dataset is None or dataset.standardizable or not data.get("standardize"),
            "standardize",
            f"{name} holds one-hot tokens, which standardising would turn into other numbers: "
            "switch standardise off",
        )
    else:
        what = {"csv": "CSV file", "numpy": "NumPy file", "images": "image folder"}[source]
        problem = _path_problem("path", data.get("path"), what)
        need(problem is None, "path", problem or "")
    if "y_path" in data:
        problem = _path_problem("y_path", data["y_path"], "labels' .npy file")
        need(problem is None, "y_path", problem or "")
    target = data.get("target")
    need(
        target is None or _is_column(target),
        "target",
        f"data.target must be a column name or index, not {target!r:.60}",
    )
    features = data.get("features")
    need(
        features is None
        or (isinstance(features, list) and len(features) <= MAX_FEATURES and all(map(_is_column, features))),
        "features",
        "data.features must be a list of column names or indexes",
    )
    header = data.get("header", "auto")
    need(header == "auto" or isinstance(header, bool), "header", 'data.header must be true, false or "auto"')
    for key in ("drop_invalid", "grayscale", "standardize"):
        need(isinstance(data.get(key, False), bool), key, f"data.{key} must be true or false")
    size = data.get("image_size")
    need(
        size is None
        or (
            isinstance(size, list)
            and len(size) == 2
            and all(_is_int(v) and 1 <= v <= MAX_IMAGE_SIDE for v in size)
        ),
        "image_size",
        f"data.image_size must be [height, width], each a whole number from 1 to {MAX_IMAGE_SIDE}, "
        f"not {size!r:.60}",
    )
    typed = DataSettings.of(data)
    seed = typed.seed
    need(
        _is_int(seed) and 0 <= seed <= MAX_SEED,
        "seed",
        f"data.seed must be a whole number from 0 to {MAX_SEED}, not {seed!r:.60}",
    )
    test = typed.test_split
    need(
        is_number(test) and 0 <= test < 1,
        "test_split",
        f"data.test_split must be at least 0 and below 1, not {test!r:.60}",
    )
    return out
