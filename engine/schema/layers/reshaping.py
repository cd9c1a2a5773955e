"""Catalog entries: reshaping (padding, cropping, up-sampling)."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import ANY, SAME, add
from engine.schema.layers.shared import sizes
from engine.schema.params import (
    INT,
    PAIRS,
    Param,
)

# Keras's own defaults, in Keras's own forms.
_KERAS_PAD_DEFAULT = {1: 1, 2: [1, 1], 3: [[1, 1], [1, 1], [1, 1]]}
_KERAS_CROP_DEFAULT = {1: [1, 1], 2: [[0, 0], [0, 0]], 3: [[1, 1], [1, 1], [1, 1]]}
for _rank in (1, 2, 3):
    add(
        f"ZeroPadding{_rank}D",
        "Reshaping",
        "Adds rows/columns of zeros around each sample.",
        R.zero_padding(_rank),
        Param(
            "padding",
            PAIRS,
            _KERAS_PAD_DEFAULT[_rank],
            "Zeros to add: one number, one per axis, or (before, after) per axis.",
            min=0,
            length=_rank if _rank > 1 else 2,
            positional=True,
            extra={"rank": _rank},
        ),
        input_dtype=ANY,
        output_dtype=SAME,
    )
    add(
        f"Cropping{_rank}D",
        "Reshaping",
        "Cuts rows/columns off the edges of each sample.",
        R.cropping(_rank),
        Param(
            "cropping",
            PAIRS,
            _KERAS_CROP_DEFAULT[_rank],
            "Amount to cut: one number, one per axis, or (before, after) per axis.",
            min=0,
            length=_rank if _rank > 1 else 2,
            positional=True,
            extra={"rank": _rank},
        ),
        keeps_values=True,
        input_dtype=ANY,
    )
    add(
        f"UpSampling{_rank}D",
        "Reshaping",
        "Repeats rows/columns to enlarge each sample.",
        R.up_sampling(_rank),
        Param("size", INT, 2, "Up-sampling factor.", min=1, positional=True)
        if _rank == 1
        else sizes("size", _rank, 2, "Up-sampling factor per axis.", positional=True),
        keeps_values=True,
        input_dtype=ANY,
    )
