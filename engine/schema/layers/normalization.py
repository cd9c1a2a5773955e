"""Catalog entries: normalization."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import add
from engine.schema.layers.shared import axis
from engine.schema.params import (
    BOOL,
    FLOAT,
    INT,
    Param,
)

add(
    "BatchNormalization",
    "Normalization",
    "Normalises each feature over the batch; speeds up and stabilises training.",
    R.batch_norm,
    axis(),
    Param("momentum", FLOAT, 0.99, "How slowly the running statistics change.", min=0, max=1),
    Param("epsilon", FLOAT, 0.001, "Small number that avoids division by zero.", min=0, min_exclusive=True),
    Param("center", BOOL, True, "Learn an offset (beta)."),
    Param("scale", BOOL, True, "Learn a scale (gamma)."),
    same_rank_when_shared=True,
)
add(
    "LayerNormalization",
    "Normalization",
    "Normalises each sample over its features (common in transformers and RNNs).",
    R.layer_norm,
    axis(),
    Param("epsilon", FLOAT, 0.001, "Small number that avoids division by zero.", min=0, min_exclusive=True),
    Param("center", BOOL, True, "Learn an offset (beta)."),
    Param("scale", BOOL, True, "Learn a scale (gamma)."),
)
add(
    "GroupNormalization",
    "Normalization",
    "Normalises groups of channels within each sample; works with small batches (between Batch and Layer).",
    R.group_norm,
    Param("groups", INT, 32, "Number of channel groups; the channels must divide evenly into them.", min=1),
    axis(help_="The channels axis (-1 is the last)."),
    Param("epsilon", FLOAT, 0.001, "Small number that avoids division by zero.", min=0, min_exclusive=True),
    Param("center", BOOL, True, "Learn an offset (beta)."),
    Param("scale", BOOL, True, "Learn a scale (gamma)."),
)
add(
    "UnitNormalization",
    "Normalization",
    "Scales each sample to length 1 along an axis.",
    R.axis_in_range,
    axis(),
)
