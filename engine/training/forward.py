"""Forward propagation for one sample: what every layer outputs, as small arrays to draw.

Runs on the training thread with the trained model (or the design built fresh,
untrained).  Each layer's output for the sample is trimmed to what a card can
show: a vector to at most 64 values, an image-shaped output to its first 8
feature maps, a sequence to a (steps x features) grid.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_VALUES = 64
MAX_MAPS = 8


def trim(a: np.ndarray) -> np.ndarray:
    """One sample's output, shaped for a card: (n,) bars, (h, w, maps) or (steps, features)."""
    a = np.nan_to_num(np.asarray(a, dtype=np.float32))
    if a.ndim <= 1:
        return a.reshape(-1)[:MAX_VALUES]
    if a.ndim == 2:
        return a[:MAX_VALUES, :MAX_VALUES]
    if a.ndim == 3:
        return a[:, :, :MAX_MAPS]
    return a.reshape(-1)[:MAX_VALUES]


def layer_outputs(model: Any, x: np.ndarray | dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each layer's output for the sample ``x`` (no batch axis; a dict keyed by input name
    for a model with several inputs), keyed by node id."""
    import keras

    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    probe = keras.Model(model.inputs, [layer.output for layer in layers])
    batch = {k: v[None, ...] for k, v in x.items()} if isinstance(x, dict) else [x[None, ...]]
    outputs = probe(batch, training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    shown = {layer.name: trim(np.asarray(out)[0]) for layer, out in zip(layers, outputs, strict=True)}
    for tensor in model.inputs:
        name = tensor._keras_history.operation.name
        shown.setdefault(name, trim(x[name] if isinstance(x, dict) else x))
    return shown
