"""Saving a trained model where it is used: Keras, weights, SavedModel, TFLite, ONNX.

The format follows the path: ``.keras`` (architecture, weights, optimizer),
``.weights.h5`` (weights only), ``.tflite`` (LiteRT, for phones and
microcontrollers), ``.onnx`` (ONNX Runtime and others) and ``.savedmodel``, a
TensorFlow SavedModel folder (TF Serving, TF.js converters); any other name
gets ``.keras`` added.  The last three
go through Keras's own ``model.export``; ONNX needs tf2onnx and onnx
installed (pinned in requirements.txt).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

from engine.atomic import atomic_path

FORMATS = {
    "keras": "Keras model (*.keras)",
    "weights": "Weights only (*.weights.h5)",
    "saved_model": "TensorFlow SavedModel folder (*.savedmodel)",
    "tflite": "TensorFlow Lite / LiteRT (*.tflite)",
    "onnx": "ONNX (*.onnx)",
}


class ExportError(ValueError):
    """The model cannot be written in that format; the message says why."""


SUFFIXES = {".keras": "keras", ".tflite": "tflite", ".onnx": "onnx", ".savedmodel": "saved_model"}


def format_for(path: str | Path) -> str:
    """The format a path names; ``keras`` for a name without a known suffix."""
    if Path(path).name.endswith(".weights.h5"):
        return "weights"
    return SUFFIXES.get(Path(path).suffix, "keras")


def path_for(path: str | Path, kind: str) -> Path:
    """``path`` with the suffix of format ``kind`` added when its name names no format
    (a file dialog's chosen filter and a typed name without a suffix)."""
    path = Path(path)
    named = path.name.endswith(".weights.h5") or path.suffix in SUFFIXES
    if named:
        return path
    suffix = ".weights.h5" if kind == "weights" else {v: k for k, v in SUFFIXES.items()}[kind]
    return path.with_name(path.name + suffix)


def onnx_unavailable() -> str | None:
    """Why ONNX export cannot run here, or None when it can."""
    missing = [m for m in ("tf2onnx", "onnx") if importlib.util.find_spec(m) is None]
    if missing:
        return (
            f"ONNX export needs {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
            "not installed "
            "(pip install -r requirements.txt installs the pinned versions)"
        )
    return None


def _call_once(model: Any) -> None:
    """ONNX conversion needs a model that has run; predict one sample of zeros."""
    inputs = [np.zeros((1, *(d or 1 for d in t.shape[1:])), "float32") for t in model.inputs]
    model.predict(inputs[0] if len(inputs) == 1 else inputs, verbose=0)


def export_model(model: Any, path: str | Path) -> Path:
    """Write the model in the format its path names; returns the path written.

    Files are written atomically (a temporary file beside the target, then renamed),
    so a kill during the save leaves the previous file whole.
    """
    path = Path(path)
    kind = format_for(path)
    if kind == "keras" and path.suffix != ".keras":
        path = path.with_name(path.name + ".keras")
    if kind == "saved_model":  # a folder, which TensorFlow writes itself
        model.export(str(path), format="tf_saved_model", verbose=False)
        return path
    if kind == "onnx":
        reason = onnx_unavailable()
        if reason:
            raise ExportError(reason)
        _call_once(model)
    with atomic_path(path) as tmp:
        if kind == "weights":
            model.save_weights(tmp)
        elif kind == "keras":
            model.save(tmp)
        else:
            model.export(str(tmp), format="litert" if kind == "tflite" else "onnx", verbose=False)
    return path
