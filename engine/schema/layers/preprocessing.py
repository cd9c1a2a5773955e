"""Catalog entries: preprocessing."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import ANY, IDS, IDS_OR_FLOATS, INTS_DT, WORDS, add
from engine.schema.layers.shared import axis, height_width
from engine.schema.params import (
    BOOL,
    CHOICE,
    FLOAT,
    FLOATS,
    INT,
    TEXT,
    VALUES,
    Param,
)

add(
    "Rescaling",
    "Preprocessing",
    "Multiplies inputs by 'scale' and adds 'offset' (e.g. 1/255 for pixels).",
    R.identity,
    Param("scale", FLOAT, 1 / 255, "Factor to multiply by.", required=True, positional=True),
    Param("offset", FLOAT, 0.0, "Value to add after scaling."),
)
add(
    "Normalization",
    "Preprocessing",
    "Standardises features to mean 0 and variance 1 with statistics learned from the data (adapt).",
    R.normalization,
    axis(),
)

add(
    "CategoryEncoding",
    "Preprocessing",
    "Turns integer category ids (0 to num_tokens - 1) into one-hot, multi-hot or count vectors.",
    R.category_encoding,
    Param(
        "num_tokens", INT, 10, "Number of categories: largest id + 1.", min=1, required=True, positional=True
    ),
    Param(
        "output_mode",
        CHOICE,
        "multi_hot",
        "'one_hot': a vector per id; 'multi_hot': one vector marking every id of a sample; "
        "'count': how often each id occurs.",
        choices=("one_hot", "multi_hot", "count"),
    ),
    input_dtype=IDS,
)
add(
    "Hashing",
    "Preprocessing",
    "Maps values (ids, strings) to num_bins integer buckets by hashing, e.g. before Embedding.",
    R.identity,
    Param("num_bins", INT, 10, "Number of buckets.", min=1, required=True, positional=True),
    Param("salt", INT, None, "Changes the hash function (none: Keras's standard one).", min=0, nullable=True),
    input_dtype=ANY,
    output_dtype=INTS_DT,
)


_LOOKUP_MODES = (
    "'int': each value becomes its id; 'one_hot': a 0/1 vector per value; 'multi_hot' / 'count': "
    "one vector per sample marking (counting) its values."
)


def _no_unk(words: list) -> str:
    return "must not hold '[UNK]', Keras's own out-of-vocabulary word" if "[UNK]" in words else ""


def _not_negative(values: list) -> str:
    return "must hold whole numbers of 0 or more (-1 stands for out of vocabulary)" if min(values) < 0 else ""


def _lookup_params(item: str, default: list, example: str) -> tuple[Param, ...]:
    words = item == "str"
    return (
        Param(
            "vocabulary",
            VALUES,
            default,
            f"The known {'words' if words else 'values'}, e.g. {example}; others are out of vocabulary.",
            required=True,
            extra={"item": item, "validate": _no_unk if words else _not_negative},
        ),
        Param(
            "num_oov_indices",
            INT,
            1,
            "Ids kept for values outside the vocabulary (they come first, after the mask id); "
            "0: an unknown value is an error when the model runs.",
            min=0,
        ),
        Param(
            "mask_token",
            TEXT if words else INT,
            None,
            "A padding value that gets id 0 (none: no padding id).",
            nullable=True,
            **({"extra": {"allow_empty": True}} if words else {"min": 0}),
        ),
        Param(
            "output_mode",
            CHOICE,
            "int",
            _LOOKUP_MODES,
            choices=("int", "one_hot", "multi_hot", "count"),
        ),
    )


# A fixed vocabulary: Netwright does not run adapt(), which would learn one from the data.
add(
    "StringLookup",
    "Preprocessing",
    "Maps words (an Input of dtype string) to integer ids with a fixed vocabulary, e.g. before Embedding.",
    R.lookup,
    *_lookup_params("str", ["red", "green", "blue"], "red, green, blue"),
    input_dtype=WORDS,
    output_dtype=IDS_OR_FLOATS,
)
add(
    "IntegerLookup",
    "Preprocessing",
    "Maps arbitrary whole numbers (codes, years) to consecutive ids with a fixed vocabulary.",
    R.lookup,
    *_lookup_params("int", [12, 47, 1999], "12, 47, 1999"),
    input_dtype=IDS,
    output_dtype=IDS_OR_FLOATS,
)


def _ascending(values: tuple) -> str:
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        return "must be in increasing order, e.g. [0.0, 1.0, 2.5]"
    return ""


# Discretization without bin_boundaries learns them with adapt(), which Netwright does not run.
add(
    "Discretization",
    "Preprocessing",
    "Puts numbers into bins between the given boundaries: each value becomes its bin's index.",
    R.discretization,
    Param(
        "bin_boundaries",
        FLOATS,
        [0.0, 1.0],
        "Boundaries between bins, increasing; n boundaries make n + 1 bins.",
        required=True,
        extra={"validate": _ascending},
    ),
    Param(
        "output_mode",
        CHOICE,
        "int",
        "'int': the bin index; 'one_hot': a vector marking the bin.",
        choices=("int", "one_hot"),
    ),
    output_dtype=IDS_OR_FLOATS,
)


_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5", "area")
add(
    "Resizing",
    "Preprocessing",
    "Resizes each image to height x width (e.g. to the size a pretrained model expects).",
    R.image_to_size,
    *height_width("output image"),
    Param("interpolation", CHOICE, "bilinear", "How new pixels are computed.", choices=_INTERPOLATIONS),
    Param("crop_to_aspect_ratio", BOOL, False, "Crop first so the image is not stretched."),
    Param("pad_to_aspect_ratio", BOOL, False, "Pad first so the image is not stretched."),
)
add(
    "CenterCrop",
    "Preprocessing",
    "Cuts the central height x width area out of each image (resizing up if it is smaller).",
    R.image_to_size,
    *height_width("cropped area"),
)
