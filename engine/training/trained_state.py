"""A trained model's weights and optimizer state, read back from its ``.keras`` file.

``explain-step --weights`` explains a step from where a run ended: the layers'
weights come in through :func:`engine.keras.weights.load_pretrained` (arrays
only, nothing in the file runs), and the optimizer's slots (Adam's m and v,
momentum, iteration count) from the file's ``optimizer/vars`` group, which Keras
writes in the order of ``optimizer.variables``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from engine.keras.weights import WeightsError, _open_h5, load_pretrained


class TrainedStateError(ValueError):
    """The file does not hold this model's weights; the message says why."""


def load_trained(model: Any, path: str | Path) -> list[str]:
    """Give ``model`` (built from the design, compiled) the file's weights and optimizer state;
    returns notes on what could not be taken (the optimizer's state, when missing)."""
    names = [layer.name for layer in model.layers if layer.weights]
    loaded, problems = load_pretrained(model, {"file": str(path), "layers": {n: n for n in names}})
    missing = [n for n in names if n not in loaded]
    if problems or missing:
        why = "; ".join(problems) or f"no weights for {', '.join(missing)}"
        raise TrainedStateError(f"{path} does not hold this design's weights: {why}")
    try:
        with _open_h5(path) as opened:
            group = opened.file.get("optimizer/vars") if opened.kind == "keras" else None
            saved = [np.array(group[str(i)]) for i in range(len(group))] if group is not None else []
    except WeightsError as exc:
        raise TrainedStateError(str(exc)) from None
    if not saved:
        return [f"{path} holds no optimizer state: the step starts from a fresh optimizer"]
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    ours = optimizer.variables
    if len(saved) != len(ours) or any(
        tuple(a.shape) != tuple(v.shape) for a, v in zip(saved, ours, strict=True)
    ):
        return [f"the optimizer state in {path} does not fit the design's optimizer: it starts fresh"]
    for value, var in zip(saved, ours, strict=True):
        var.assign(value)
    return []
