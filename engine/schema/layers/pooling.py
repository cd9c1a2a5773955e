"""Catalog entries: pooling."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import add
from engine.schema.layers.shared import padding, sizes
from engine.schema.params import (
    BOOL,
    INTS,
    Param,
)

for _rank in (1, 2, 3):
    for _kind, _what in (("Max", "largest"), ("Average", "average")):
        add(
            f"{_kind}Pooling{_rank}D",
            "Pooling",
            f"Keeps the {_what} value of each window, shrinking the {'sequence' if _rank == 1 else 'image'}.",
            R.pooling(_rank),
            sizes(
                "pool_size", _rank, 2, "Size of each window.", positional=True, required=_kind == "Average"
            ),
            Param(
                "strides",
                INTS,
                None,
                "Step between windows (default: pool_size).",
                min=1,
                length=_rank,
                nullable=True,
            ),
            padding(),
        )
    for _kind, _what in (("Max", "largest"), ("Average", "average")):
        add(
            f"Global{_kind}Pooling{_rank}D",
            "Pooling",
            f"Reduces each channel to its {_what} value over all positions.",
            R.global_pooling(_rank),
            Param("keepdims", BOOL, False, "Keep the spatial axes with size 1."),
        )
