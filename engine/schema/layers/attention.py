"""Catalog entries: attention."""

from __future__ import annotations

from engine.schema import layer_rules as R
from engine.schema.layer_spec import MAIN_OUTPUT, OutPort, Port, add
from engine.schema.layers.shared import initializer, regularizer, use_bias
from engine.schema.params import (
    BOOL,
    CHOICE,
    FLOAT,
    INT,
    Param,
)


def _causal_mask(help_: str) -> Param:
    return Param("use_causal_mask", BOOL, False, help_, extra={"call": True})


_ATTENTION_INPUTS = (
    " Inputs: 0 query (batch, Tq, features), 1 value (batch, Tv, features), 2 key (optional; default value)."
)
add(
    "Attention",
    "Attention",
    "Dot-product (Luong-style) attention: each query step takes a weighted mix of the value steps."
    + _ATTENTION_INPUTS,
    R.attention(additive=False),
    Param("use_scale", BOOL, False, "Learn one factor that scales the scores."),
    Param(
        "score_mode",
        CHOICE,
        "dot",
        "How query and key are compared: 'dot' product, or 'concat' (tanh of their sum).",
        choices=("dot", "concat"),
    ),
    Param("dropout", FLOAT, 0.0, "Fraction of attention scores dropped while training.", min=0, max=1),
    _causal_mask("Let each query step attend only to value steps up to its own (a decoder)."),
    min_inputs=2,
    max_inputs=3,
    freezable=True,
)
add(
    "AdditiveAttention",
    "Attention",
    "Additive (Bahdanau-style) attention: scores from tanh(query + key)." + _ATTENTION_INPUTS,
    R.attention(additive=True),
    Param("use_scale", BOOL, True, "Learn a factor per feature that scales the scores."),
    Param("dropout", FLOAT, 0.0, "Fraction of attention scores dropped while training.", min=0, max=1),
    _causal_mask("Let each query step attend only to value steps up to its own (a decoder)."),
    min_inputs=2,
    max_inputs=3,
    freezable=True,
)
add(
    "MultiHeadAttention",
    "Attention",
    "Each query position looks at every value position and mixes what it finds (transformers); "
    "query = value is self-attention.",
    R.multi_head_attention,
    Param("num_heads", INT, 2, "Number of attention heads.", min=1, required=True, positional=True),
    Param("key_dim", INT, 16, "Size of each head's query and key.", min=1, required=True, positional=True),
    Param("value_dim", INT, None, "Size of each head's value (none: key_dim).", min=1, nullable=True),
    Param("dropout", FLOAT, 0.0, "Fraction of attention weights dropped while training.", min=0, max=1),
    use_bias(),
    Param(
        "output_shape", INT, None, "Size of the output features (none: the query's).", min=1, nullable=True
    ),
    initializer("kernel_initializer", "glorot_uniform"),
    initializer("bias_initializer", "zeros"),
    regularizer("kernel_regularizer"),
    Param(
        "return_attention_scores",
        BOOL,
        False,
        "Also output the attention weights (batch, heads, query steps, value steps).",
        extra={"call": True},
    ),
    _causal_mask("Let each position attend only to earlier ones (a decoder's self-attention)."),
    freezable=True,
    ports=(
        Port("query", help="the sequence that asks (batch, timesteps, features)", arg="query"),
        Port(
            "value",
            help="the sequence attended to; connect the query here too for self-attention",
            arg="value",
        ),
        Port("key", False, "compared with the query (none: the value)", arg="key"),
        Port(
            "attention_mask",
            False,
            "which value steps each query step may see: (batch, query steps, value steps), "
            "non-zero where allowed",
            arg="attention_mask",
        ),
    ),
    outputs=(
        MAIN_OUTPUT,
        OutPort("attention_scores", "return_attention_scores", "the attention weights"),
    ),
)
