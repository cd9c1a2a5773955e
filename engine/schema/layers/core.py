"""Catalog entries: core."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import ANY, IDS, add
from engine.schema.layers.shared import activation, initializer, rate, regularizer, units, use_bias
from engine.schema.params import (
    ACTIVATIONS,
    BOOL,
    CHOICE,
    FLOAT,
    INT,
    SHAPE,
    TEXT,
    Param,
)


def _input_shape_ok(shape: tuple) -> str:
    if any(d is not None and d < 1 for d in shape):
        return "must hold sizes of at least 1 (or null for a variable length)"
    return ""


add(
    "Input",
    "Core",
    "Where data enters the model; 'shape' is one sample's shape, without the batch.",
    R.input_layer,
    Param(
        "shape",
        SHAPE,
        [8],
        "Shape of one sample, e.g. [8] for 8 features or [28, 28, 1] for an image.",
        required=True,
        extra={"allow_none": True, "validate": _input_shape_ok},
    ),
    Param(
        "dtype",
        CHOICE,
        "float32",
        "What the data holds: numbers (float32), whole numbers such as token ids (int32, int64), "
        "or text (string, for StringLookup or Hashing). The Input's name is its node id.",
        choices=("float32", "int32", "int64", "string"),
        extra={"keras_default": None},  # Keras's None means float32
    ),
    min_inputs=0,
    max_inputs=0,
)
add(
    "Dense",
    "Core",
    "Fully connected layer: every output is a weighted sum of all inputs.",
    R.dense,
    units(32, "Number of neurons (outputs)."),
    activation(),
    use_bias(),
    initializer("kernel_initializer", "glorot_uniform"),
    initializer("bias_initializer", "zeros"),
    regularizer("kernel_regularizer"),
    freezable=True,
)
add(
    "Activation",
    "Core",
    "Applies an activation function to its input.",
    R.identity,
    Param(
        "activation",
        CHOICE,
        "relu",
        "The function to apply.",
        choices=ACTIVATIONS,
        required=True,
        positional=True,
    ),
)
add(
    "Dropout",
    "Core",
    "Randomly zeroes a fraction of inputs while training, to reduce overfitting.",
    R.identity,
    rate("Fraction of inputs to drop (0 to 1)."),
    keeps_values=True,
)
add(
    "Identity",
    "Core",
    "Passes its input on unchanged (a named placeholder, e.g. to switch a block off).",
    R.identity,
    keeps_values=True,
    input_dtype=ANY,
)
add(
    "Masking",
    "Core",
    "Marks time steps whose features all equal 'mask_value' as padding, so later layers skip them.",
    R.identity,
    Param("mask_value", FLOAT, 0.0, "Steps where every feature has this value are skipped."),
    keeps_values=True,
)
add(
    "Flatten",
    "Core",
    "Flattens each sample to one long vector, e.g. before Dense.",
    R.flatten,
    keeps_values=True,
    input_dtype=ANY,
)


def _target_ok(shape: tuple) -> str:
    if not shape:
        return "must list at least one size"
    if shape.count(-1) > 1:
        return "may use -1 only once"
    if any(d == 0 or d < -1 for d in shape):
        return "must hold positive sizes (or one -1 to infer a size)"
    return ""


def _dims_ok(dims: tuple) -> str:
    if sorted(dims) != list(range(1, len(dims) + 1)):
        return "must be a permutation of 1..n (axis 0 is the batch), e.g. [2, 1]"
    return ""


add(
    "Reshape",
    "Core",
    "Rearranges each sample into a new shape with the same number of values.",
    R.reshape,
    Param(
        "target_shape",
        SHAPE,
        [-1],
        "New shape without the batch; one -1 is inferred.",
        required=True,
        positional=True,
        extra={"validate": _target_ok},
    ),
    keeps_values=True,
    input_dtype=ANY,
)
add(
    "Permute",
    "Core",
    "Reorders the axes of each sample (axes numbered from 1).",
    R.permute,
    Param(
        "dims",
        SHAPE,
        [2, 1],
        "New order of the axes, e.g. [2, 1] swaps two axes.",
        required=True,
        positional=True,
        extra={"validate": _dims_ok},
    ),
    keeps_values=True,
    input_dtype=ANY,
)
add(
    "RepeatVector",
    "Core",
    "Repeats a vector n times, making a sequence.",
    R.repeat_vector,
    Param("n", INT, 3, "How many times to repeat.", min=1, required=True, positional=True),
    keeps_values=True,
    input_dtype=ANY,
)
add(
    "Embedding",
    "Core",
    "Turns integer ids (words, categories) into learned dense vectors.",
    R.embedding,
    Param("input_dim", INT, 1000, "Vocabulary size: largest id + 1.", min=1, required=True, positional=True),
    Param("output_dim", INT, 16, "Length of each learned vector.", min=1, required=True, positional=True),
    Param("mask_zero", BOOL, False, "Treat id 0 as padding to be ignored by later layers."),
    freezable=True,
    input_dtype=IDS,
)

_EINSUM_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,->."
add(
    "EinsumDense",
    "Core",
    "A Dense layer over any axes, written as an einsum equation (input,kernel->output), "
    "e.g. the projections inside attention.",
    R.einsum_dense,
    Param(
        "equation",
        TEXT,
        "ab,bc->ac",
        "Axes of input, kernel and output, e.g. 'abc,cd->abd'; '...' stands for the leading axes.",
        required=True,
        positional=True,
        extra={"chars": _EINSUM_CHARS, "chars_text": "letters, ',', '->' and '...'"},
    ),
    Param(
        "output_shape",
        SHAPE,
        [16],
        "Output shape without the batch; null where it follows the input.",
        required=True,
        positional=True,
        extra={"allow_none": True, "validate": _input_shape_ok},
    ),
    activation(),
    Param(
        "bias_axes",
        TEXT,
        None,
        "Output axes (letters) that get a learned bias, e.g. 'c'; none for no bias.",
        nullable=True,
        extra={"chars": _EINSUM_CHARS[:52], "chars_text": "letters"},
    ),
    initializer("kernel_initializer", "glorot_uniform"),
    initializer("bias_initializer", "zeros"),
    regularizer("kernel_regularizer"),
    freezable=True,
)
