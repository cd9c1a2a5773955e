"""Catalog entries: merging."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import ANY, SAME, add
from engine.schema.layers.shared import axis
from engine.schema.params import (
    BOOL,
    INTS,
    Param,
)

_MERGE_HELP = {
    "Add": "Adds its inputs element by element (e.g. residual connections).",
    "Subtract": "Subtracts its second input from its first.",
    "Multiply": "Multiplies its inputs element by element.",
    "Average": "Averages its inputs element by element.",
    "Maximum": "Takes the element-wise maximum of its inputs.",
    "Minimum": "Takes the element-wise minimum of its inputs.",
}
for _name, _help in _MERGE_HELP.items():
    add(
        _name,
        "Merging",
        _help,
        R.elementwise,
        min_inputs=2 if _name == "Subtract" else 1,
        max_inputs=2 if _name == "Subtract" else None,
    )
add(
    "Concatenate",
    "Merging",
    "Joins its inputs along an axis (all other axes must match).",
    R.concatenate,
    axis(help_="Axis to join along (-1: the features)."),
    min_inputs=1,
    max_inputs=None,
    input_dtype=ANY,
    output_dtype=SAME,
)

add(
    "Dot",
    "Merging",
    "Dot product of two inputs along the given axes (e.g. similarity of two vectors).",
    R.dot,
    Param(
        "axes",
        INTS,
        -1,
        "Axis summed over: one for both inputs, or [axis of input 0, axis of input 1].",
        length=2,
        required=True,
        positional=True,
    ),
    Param("normalize", BOOL, False, "Scale both inputs to length 1 first, giving the cosine similarity."),
    min_inputs=2,
    max_inputs=2,
)
