"""Catalog entries: convolution."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import add
from engine.schema.layers.shared import (
    activation,
    conv_params,
    initializer,
    padding,
    regularizer,
    sizes,
    use_bias,
)
from engine.schema.params import (
    INT,
    Param,
)

_WHAT = {1: "a sequence", 2: "an image", 3: "a volume"}

for _rank in (1, 2, 3):
    add(
        f"Conv{_rank}D",
        "Convolution",
        f"Slides learned filters over {_WHAT[_rank]} to detect local patterns.",
        R.conv(_rank),
        *conv_params(_rank, "Number of filters (output channels).", causal=_rank == 1),
        Param("groups", INT, 1, "Split channels into groups convolved separately.", min=1),
        activation(),
        use_bias(),
        initializer("kernel_initializer", "glorot_uniform"),
        initializer("bias_initializer", "zeros"),
        regularizer("kernel_regularizer"),
    )

for _rank in (1, 2, 3):
    add(
        f"Conv{_rank}DTranspose",
        "Convolution",
        "Transposed ('de-') convolution: learns to up-sample, e.g. in decoders.",
        R.conv_transpose(_rank),
        *conv_params(_rank, "Number of filters (output channels)."),
        activation(),
        use_bias(),
        initializer("kernel_initializer", "glorot_uniform"),
        initializer("bias_initializer", "zeros"),
    )

for _rank in (1, 2):
    add(
        f"SeparableConv{_rank}D",
        "Convolution",
        "Depthwise then pointwise convolution: like Conv but with far fewer weights.",
        R.separable_conv(_rank),
        *conv_params(_rank, "Number of output channels."),
        Param("depth_multiplier", INT, 1, "Depthwise outputs per input channel.", min=1),
        activation(),
        use_bias(),
    )
    add(
        f"DepthwiseConv{_rank}D",
        "Convolution",
        "Convolves each input channel with its own filter (no mixing of channels).",
        R.depthwise_conv(_rank),
        sizes("kernel_size", _rank, 3, "Size of the sliding window.", required=True, positional=True),
        sizes("strides", _rank, 1, "Step of the window; 2 halves the size."),
        padding(),
        Param("depth_multiplier", INT, 1, "Outputs per input channel.", min=1),
        sizes("dilation_rate", _rank, 1, "Gaps between kernel taps."),
        activation(),
        use_bias(),
    )
