"""What each tensor of a design holds -- floats, whole numbers or text -- and where a layer
receives something it cannot compute with.

Keras's symbolic call accepts nearly anything here (a Dense on text builds; its declared
output dtype is often not what a run gives), and the model fails only when it runs.  So
the flow is read from the catalog's table instead: each entry says what its inputs may hold
(``input_dtype``) and what its output holds (``output_dtype``); an Input holds its dtype.
The agreement test holds this table to what Keras does when it runs the layers.
"""

from __future__ import annotations

from typing import Any

from engine.schema.catalog import LAYERS
from engine.schema.layer_spec import (
    ANY,
    FLOATS_DT,
    IDS,
    IDS_OR_FLOATS,
    INTS_DT,
    SAME,
    TEXT_DT,
    WORDS,
    LayerSpec,
)

ERROR = "error"
WARNING = "warning"

_WHAT = {FLOATS_DT: "numbers", INTS_DT: "whole numbers", TEXT_DT: "text (dtype string)"}


def input_holds(dtype: str) -> str:
    """What an Input of this Keras dtype holds."""
    if dtype == "string":
        return TEXT_DT
    return INTS_DT if dtype.startswith("int") else FLOATS_DT


def _table(spec: LayerSpec, values: dict[str, Any]) -> tuple[str, str]:
    """(input_dtype, output_dtype); a wrapper (TimeDistributed) has its layer's."""
    inner = values.get("layer")
    if isinstance(inner, dict) and inner.get("type") in LAYERS:
        wrapped = LAYERS[inner["type"]]
        return wrapped.input_dtype, wrapped.output_dtype
    return spec.input_dtype, spec.output_dtype


def output_holds(spec: LayerSpec, values: dict[str, Any], inputs: list[str]) -> str:
    """What a call's outputs hold, given what its inputs hold (in port order)."""
    if spec.is_input:
        return input_holds(values.get("dtype") or "float32")
    out = _table(spec, values)[1]
    if out == SAME:
        return inputs[0] if inputs else FLOATS_DT
    if out == IDS_OR_FLOATS:
        return INTS_DT if values.get("output_mode", "int") == "int" else FLOATS_DT
    return out


def problems(
    spec: LayerSpec, who: str, values: dict[str, Any], inputs: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """(severity, message) for each input a layer cannot take; ``inputs`` are
    (source node, what it holds) in port order."""
    accepts = _table(spec, values)[0]
    out: list[tuple[str, str]] = []
    for src, holds in inputs:
        if holds == TEXT_DT and accepts not in (WORDS, ANY):
            out.append(
                (
                    ERROR,
                    f"{who} computes with numbers but its input from '{src}' holds text (dtype string): "
                    "turn words into ids first with a StringLookup or Hashing layer",
                )
            )
        elif holds != TEXT_DT and accepts == WORDS:
            out.append(
                (
                    ERROR,
                    f"{who} looks up words but its input from '{src}' holds {_WHAT[holds]}: give the Input "
                    "dtype string, or use IntegerLookup for whole numbers",
                )
            )
        elif holds == FLOATS_DT and accepts == IDS:
            out.append(
                (
                    WARNING,
                    f"{who} expects whole-number ids but its input from '{src}' holds floats, which Keras "
                    "cuts to whole numbers: give the Input dtype int32 if it holds ids",
                )
            )
    kinds = {holds for _, holds in inputs}
    if accepts == ANY and TEXT_DT in kinds and len(kinds) > 1:
        out.append((ERROR, f"{who} cannot combine text with numbers: all its inputs must hold the same kind"))
    return out
