"""Forward propagation for one sample: what every layer outputs, as small arrays to draw.

Runs on the training thread with the trained model (or the design built fresh,
untrained).  Each layer's output for the sample is trimmed to what a card can
show: a vector to at most 64 values, an image-shaped output to its first 8
feature maps, a sequence to a (steps x features) grid.

The sample is one of the dataset's, or one the learner makes: a point placed on
the plane of 2-D data, or an 8x8 picture drawn for 8x8 image data (digits).
:func:`drawable` says which a design's input allows, :func:`drawn_sample` turns
what was drawn into a sample as the network sees its data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_VALUES = 64
MAX_MAPS = 8
POINT, PICTURE = "point", "picture"  # the kinds of sample a learner can make
PICTURE_SIDE = 8


def drawable(sample_shape: tuple | list | None) -> str | None:
    """What a learner can draw for samples of this shape: a point on the plane for 2-D
    data, an 8x8 picture for 8x8 images (as (8, 8), (8, 8, 1) or 64 flat pixels)."""
    shape = tuple(int(d) for d in sample_shape or () if d is not None)
    if shape == (2,):
        return POINT
    if shape in ((8, 8), (8, 8, 1), (64,)):
        return PICTURE
    return None


def design_drawable(design: Any) -> str | None:
    """What a learner can draw for this design: by the shape of its one Input (else nothing)."""
    inputs = design.input_ids()
    if len(inputs) != 1:
        return None
    return drawable(design.nodes[inputs[0]].params.get("shape"))


def drawn_sample(kind: str, values: np.ndarray, x: np.ndarray, mean=None, std=None) -> np.ndarray:
    """A made sample as the network sees the data ``x`` (prepared: standardised when ``mean``
    and ``std`` are given).

    A point is already in the plane's coordinates (those of the prepared data).
    A picture is ink from 0 (blank) to 1 (full): it is scaled to the pixel range
    of the unstandardised data, shaped as one sample, then standardised as the data was.
    """
    values = np.asarray(values, dtype=np.float32)
    if kind == POINT:
        return values.reshape(x.shape[1:])
    raw = x if mean is None else x * std + mean
    low, high = float(np.min(raw)), float(np.max(raw))
    sample = (low + np.clip(values, 0, 1) * (high - low)).reshape(x.shape[1:])
    if mean is not None:
        sample = (sample - mean) / std
    return sample.astype(np.float32)


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


def as_picture(sample: np.ndarray, low: float | None = None, high: float | None = None) -> np.ndarray | None:
    """An image-shaped sample (h x w, or h x w with 1 or 3 channels, both sides at least 4) as
    a picture of values 0..1: grey (h, w) or colour (h, w, 3); anything else is not one (None).
    ``low`` and ``high`` are the data's range (by default the sample's own)."""
    a = np.asarray(sample, dtype=np.float32)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[:, :, 0]
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] == 3)) or min(a.shape[:2]) < 4:
        return None
    low = float(np.nanmin(a)) if low is None else low
    high = float(np.nanmax(a)) if high is None else high
    return np.clip(np.nan_to_num((a - low) / (high - low) if high > low else np.zeros_like(a)), 0, 1)


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
