"""Catalog entries: activation layers."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import add
from engine.schema.layers.shared import axis
from engine.schema.params import (
    FLOAT,
    Param,
)

add(
    "ReLU",
    "Activation",
    "Rectified linear unit: max(x, 0).",
    R.identity,
    Param("max_value", FLOAT, None, "Upper limit of the output (none by default).", min=0, nullable=True),
    Param("negative_slope", FLOAT, 0.0, "Slope for negative inputs.", min=0),
    Param("threshold", FLOAT, 0.0, "Inputs below this become zero (or sloped).", min=0),
)
add(
    "LeakyReLU",
    "Activation",
    "Like ReLU but lets a little of negative inputs through.",
    R.identity,
    Param("negative_slope", FLOAT, 0.3, "Slope for negative inputs.", min=0),
)
add(
    "PReLU",
    "Activation",
    "Leaky ReLU whose negative slope is learned per unit.",
    R.prelu,
    freezable=True,
    same_rank_when_shared=True,
)
add(
    "ELU",
    "Activation",
    "Exponential linear unit: smooth for negative inputs.",
    R.identity,
    Param("alpha", FLOAT, 1.0, "Size of the negative saturation."),
)
add(
    "Softmax",
    "Activation",
    "Turns scores into probabilities that sum to 1 along an axis.",
    R.axis_in_range,
    axis(),
)
