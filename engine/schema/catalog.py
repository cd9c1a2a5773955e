"""The layer catalog: the single source of truth for every layer type, as a table of contents.

The palette, the property editor, validation, the cost model, the Keras build,
the code generator, the script reader and the importer all read these entries.
A layer is one entry (:class:`engine.schema.layer_spec.LayerSpec`): its ``add(...)``
call in its family's module under :mod:`engine.schema.layers` (Keras class name,
category, help, parameters with Keras's names and defaults, the shape rule from
:mod:`engine.schema.layer_rules`, ports and dtypes), its line in the Keras
argument-order table below, and its FLOPs rule in :mod:`engine.schema.flops`.
The families are imported here in palette order.
"""

from __future__ import annotations

import importlib
from dataclasses import replace

from engine.schema.flops import FLOPS
from engine.schema.layer_spec import CATEGORIES, CATEGORY_COLORS, LAYERS, LayerSpec

# The families in palette order: importing one adds its entries to LAYERS (the palette and every
# listing follow this order).
FAMILIES = (
    "core",
    "convolution",
    "pooling",
    "reshaping",
    "recurrent",
    "normalization",
    "regularization",
    "activations",
    "merging",
    "attention",
    "preprocessing",
    "augmentation",
)
for _family in FAMILIES:
    importlib.import_module(f"engine.schema.layers.{_family}")

__all__ = ["ALIASES", "CATEGORIES", "CATEGORY_COLORS", "LAYERS", "LayerSpec", "layer_types_by_category"]


# Each entry's constructor arguments in the Keras class's own order (its signature up to the
# keyword-only ones), so a script's positional arguments are read as Keras reads them.  It
# includes arguments the entry does not hold (data_format, groups, lora_rank, ...): a reader
# names them rightly and then decides what to do.  tests/engine/keras/test_script_styles.py checks
# every entry against inspect.signature of Keras 3.
_KERAS_ARGUMENT_ORDER = {
    "Input": "shape batch_size dtype sparse ragged batch_shape name tensor optional",
    "Dense": (
        "units activation use_bias kernel_initializer bias_initializer kernel_regularizer"
        " bias_regularizer activity_regularizer kernel_constraint bias_constraint lora_rank lora_alpha"
        " quantization_config"
    ),
    "Activation": "activation",
    "Dropout": "rate noise_shape seed",
    "Identity": "",
    "Masking": "mask_value",
    "Flatten": "data_format",
    "Reshape": "target_shape",
    "Permute": "dims",
    "RepeatVector": "n",
    "Embedding": (
        "input_dim output_dim embeddings_initializer embeddings_regularizer embeddings_constraint"
        " mask_zero weights lora_rank lora_alpha quantization_config"
    ),
    "EinsumDense": (
        "equation output_shape activation bias_axes kernel_initializer bias_initializer"
        " kernel_regularizer bias_regularizer kernel_constraint bias_constraint lora_rank lora_alpha"
        " gptq_unpacked_column_size quantization_config"
    ),
    "Conv1D": (
        "filters kernel_size strides padding data_format dilation_rate groups activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv2D": (
        "filters kernel_size strides padding data_format dilation_rate groups activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv3D": (
        "filters kernel_size strides padding data_format dilation_rate groups activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv1DTranspose": (
        "filters kernel_size strides padding output_padding data_format dilation_rate activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv2DTranspose": (
        "filters kernel_size strides padding output_padding data_format dilation_rate activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "Conv3DTranspose": (
        "filters kernel_size strides padding data_format output_padding dilation_rate activation use_bias"
        " kernel_initializer bias_initializer kernel_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint bias_constraint"
    ),
    "SeparableConv1D": (
        "filters kernel_size strides padding data_format dilation_rate depth_multiplier activation"
        " use_bias depthwise_initializer pointwise_initializer bias_initializer depthwise_regularizer"
        " pointwise_regularizer bias_regularizer activity_regularizer depthwise_constraint"
        " pointwise_constraint bias_constraint"
    ),
    "DepthwiseConv1D": (
        "kernel_size strides padding depth_multiplier data_format dilation_rate activation use_bias"
        " depthwise_initializer bias_initializer depthwise_regularizer bias_regularizer"
        " activity_regularizer depthwise_constraint bias_constraint"
    ),
    "SeparableConv2D": (
        "filters kernel_size strides padding data_format dilation_rate depth_multiplier activation"
        " use_bias depthwise_initializer pointwise_initializer bias_initializer depthwise_regularizer"
        " pointwise_regularizer bias_regularizer activity_regularizer depthwise_constraint"
        " pointwise_constraint bias_constraint"
    ),
    "DepthwiseConv2D": (
        "kernel_size strides padding depth_multiplier data_format dilation_rate activation use_bias"
        " depthwise_initializer bias_initializer depthwise_regularizer bias_regularizer"
        " activity_regularizer depthwise_constraint bias_constraint"
    ),
    "MaxPooling1D": "pool_size strides padding data_format name",
    "AveragePooling1D": "pool_size strides padding data_format name",
    "GlobalMaxPooling1D": "data_format keepdims",
    "GlobalAveragePooling1D": "data_format keepdims",
    "MaxPooling2D": "pool_size strides padding data_format name",
    "AveragePooling2D": "pool_size strides padding data_format name",
    "GlobalMaxPooling2D": "data_format keepdims",
    "GlobalAveragePooling2D": "data_format keepdims",
    "MaxPooling3D": "pool_size strides padding data_format name",
    "AveragePooling3D": "pool_size strides padding data_format name",
    "GlobalMaxPooling3D": "data_format keepdims",
    "GlobalAveragePooling3D": "data_format keepdims",
    "ZeroPadding1D": "padding data_format",
    "Cropping1D": "cropping",
    "UpSampling1D": "size",
    "ZeroPadding2D": "padding data_format",
    "Cropping2D": "cropping data_format",
    "UpSampling2D": "size data_format interpolation",
    "ZeroPadding3D": "padding data_format",
    "Cropping3D": "cropping data_format",
    "UpSampling3D": "size data_format",
    "SimpleRNN": (
        "units activation use_bias kernel_initializer recurrent_initializer bias_initializer"
        " kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer kernel_constraint"
        " recurrent_constraint bias_constraint dropout recurrent_dropout return_sequences return_state"
        " go_backwards stateful unroll seed"
    ),
    "LSTM": (
        "units activation recurrent_activation use_bias kernel_initializer recurrent_initializer"
        " bias_initializer unit_forget_bias kernel_regularizer recurrent_regularizer bias_regularizer"
        " activity_regularizer kernel_constraint recurrent_constraint bias_constraint dropout"
        " recurrent_dropout seed return_sequences return_state go_backwards stateful unroll use_cudnn"
    ),
    "GRU": (
        "units activation recurrent_activation use_bias kernel_initializer recurrent_initializer"
        " bias_initializer kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer"
        " kernel_constraint recurrent_constraint bias_constraint dropout recurrent_dropout seed"
        " return_sequences return_state go_backwards stateful unroll reset_after use_cudnn"
    ),
    "ConvLSTM1D": (
        "filters kernel_size strides padding data_format dilation_rate activation recurrent_activation"
        " use_bias kernel_initializer recurrent_initializer bias_initializer unit_forget_bias"
        " kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer kernel_constraint"
        " recurrent_constraint bias_constraint dropout recurrent_dropout seed return_sequences"
        " return_state go_backwards stateful"
    ),
    "ConvLSTM2D": (
        "filters kernel_size strides padding data_format dilation_rate activation recurrent_activation"
        " use_bias kernel_initializer recurrent_initializer bias_initializer unit_forget_bias"
        " kernel_regularizer recurrent_regularizer bias_regularizer activity_regularizer kernel_constraint"
        " recurrent_constraint bias_constraint dropout recurrent_dropout seed return_sequences"
        " return_state go_backwards stateful"
    ),
    "Bidirectional": "layer merge_mode weights backward_layer",
    "TimeDistributed": "layer",
    "BatchNormalization": (
        "axis momentum epsilon center scale beta_initializer gamma_initializer moving_mean_initializer"
        " moving_variance_initializer beta_regularizer gamma_regularizer beta_constraint gamma_constraint"
        " renorm renorm_clipping renorm_momentum synchronized"
    ),
    "LayerNormalization": (
        "axis epsilon center scale beta_initializer gamma_initializer beta_regularizer gamma_regularizer"
        " beta_constraint gamma_constraint"
    ),
    "GroupNormalization": (
        "groups axis epsilon center scale beta_initializer gamma_initializer beta_regularizer"
        " gamma_regularizer beta_constraint gamma_constraint"
    ),
    "UnitNormalization": "axis",
    "SpatialDropout1D": "rate seed name dtype",
    "SpatialDropout2D": "rate data_format seed name dtype",
    "SpatialDropout3D": "rate data_format seed name dtype",
    "GaussianNoise": "stddev seed",
    "GaussianDropout": "rate seed",
    "AlphaDropout": "rate noise_shape seed",
    "ActivityRegularization": "l1 l2",
    "ReLU": "max_value negative_slope threshold",
    "LeakyReLU": "negative_slope",
    "PReLU": "alpha_initializer alpha_regularizer alpha_constraint shared_axes",
    "ELU": "alpha",
    "Softmax": "axis",
    "Add": "",
    "Subtract": "",
    "Multiply": "",
    "Average": "",
    "Maximum": "",
    "Minimum": "",
    "Concatenate": "axis",
    "Dot": "axes normalize",
    "Attention": "use_scale score_mode dropout seed",
    "AdditiveAttention": "use_scale dropout",
    "MultiHeadAttention": (
        "num_heads key_dim value_dim dropout use_bias output_shape attention_axes sliding_window"
        " flash_attention kernel_initializer bias_initializer kernel_regularizer bias_regularizer"
        " activity_regularizer kernel_constraint bias_constraint use_gate seed"
    ),
    "Rescaling": "scale offset",
    "Normalization": "axis mean variance invert",
    "CategoryEncoding": "num_tokens output_mode sparse",
    "Hashing": "num_bins mask_value salt output_mode sparse",
    "StringLookup": (
        "max_tokens num_oov_indices mask_token oov_token vocabulary idf_weights invert output_mode"
        " pad_to_max_tokens sparse encoding name salt"
    ),
    "IntegerLookup": (
        "max_tokens num_oov_indices mask_token oov_token vocabulary vocabulary_dtype idf_weights invert"
        " output_mode sparse pad_to_max_tokens oov_method salt name"
    ),
    "Discretization": "bin_boundaries num_bins epsilon output_mode sparse dtype name",
    "Resizing": (
        "height width interpolation crop_to_aspect_ratio pad_to_aspect_ratio fill_mode fill_value"
        " antialias data_format"
    ),
    "CenterCrop": "height width data_format",
    "RandomCrop": "height width seed data_format name",
    "RandomFlip": "mode seed data_format",
    "RandomRotation": "factor fill_mode interpolation seed fill_value data_format",
    "RandomZoom": "height_factor width_factor fill_mode interpolation seed fill_value data_format",
    "RandomTranslation": "height_factor width_factor fill_mode interpolation seed fill_value data_format",
    "RandomContrast": "factor value_range seed",
}
for _type, _names in _KERAS_ARGUMENT_ORDER.items():
    LAYERS[_type] = replace(LAYERS[_type], keras_args=tuple(_names.split()))
for _type, _rule in FLOPS.items():
    LAYERS[_type] = replace(LAYERS[_type], flops=_rule)


def layer_types_by_category() -> dict[str, list[str]]:
    """Catalog entries grouped for the palette, in catalog order."""
    groups: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    for spec in LAYERS.values():
        groups[spec.category].append(spec.type)
    return groups


def _aliases() -> dict[str, str]:
    """Keras's second spellings of catalog classes (MaxPool2D is MaxPooling2D, ...).

    Derived from the catalog by Keras's own naming patterns; a test checks that
    each alias names the very same Keras class as its target.
    """
    out: dict[str, str] = {}
    for name in LAYERS:
        if "Pooling" in name:
            out[name.replace("AveragePooling", "AvgPool").replace("MaxPooling", "MaxPool")] = name
        elif name.startswith(("Conv", "SeparableConv")) and not name.startswith("ConvLSTM"):
            out[name.replace("Conv", "Convolution", 1)] = name
    return out


# Alias -> catalog type, for reading scripts and saved models that use the other spelling.
ALIASES: dict[str, str] = _aliases()
