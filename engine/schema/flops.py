"""FLOPs per layer type: one forward pass for one sample, from shapes and parameters.

Each catalog entry carries its rule (``LayerSpec.flops``, attached in
:mod:`engine.schema.catalog`), so the cost model (:mod:`engine.design.cost`) asks
the entry instead of keeping a table of its own.  Conventions are those of
TensorFlow's profiler, which the tests use as the oracle: a multiply-add counts
as 2, a bias add as 1 per output element, softmax 5 per element, the other
activation functions inside a layer 0; standalone element-wise layers count
their arithmetic.  Shapes here have no batch axis.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from engine.schema.layer_rules import RNN_GATES
from engine.schema.params import check_params

Shape = tuple
# (input shapes without the batch axis, output shape without it, parameter values) -> FLOPs
Rule = Callable[[list[Shape], Shape, dict[str, Any]], int]


def _size(shape: Sequence[int | None]) -> int | None:
    if any(d is None for d in shape):
        return None
    return math.prod(shape)  # type: ignore[arg-type]


def _tuple(value: Any, rank: int) -> tuple[int, ...]:
    if isinstance(value, int):
        return (value,) * rank
    return tuple(value)


SOFTMAX_PER_ELEMENT = 5


def _activation(out: Shape, p: dict) -> int:
    return SOFTMAX_PER_ELEMENT * math.prod(out) if p.get("activation") == "softmax" else 0


def _dense(ins: list[Shape], out: Shape, p: dict) -> int:
    positions = math.prod(out[:-1])
    return positions * (2 * ins[0][-1] * p["units"] + (p["units"] if p.get("use_bias", True) else 0))


def _einsum_dense(ins: list[Shape], out: Shape, p: dict) -> int:
    """Each output value sums over the input axes the output drops (a Dense sums its features)."""
    in_spec, rest = p["equation"].replace("...", "0").split(",", 1)
    out_spec = rest.split("->", 1)[1]
    letters = in_spec.replace("0", "")
    full = (1, *ins[0])  # the batch axis back, so the letters line up
    sizes = full[len(full) - len(letters) :] if in_spec.startswith("0") else full[: len(letters)]
    summed = math.prod(s for c, s in zip(letters, sizes, strict=True) if c not in out_spec)
    return math.prod(out) * (2 * summed + (1 if p.get("bias_axes") else 0))


def _conv(ins: list[Shape], out: Shape, p: dict) -> int:
    rank = len(out) - 1
    kernel = math.prod(_tuple(p["kernel_size"], rank))
    groups = p.get("groups") or 1
    per_position = 2 * kernel * (ins[0][-1] // groups) * out[-1]
    bias = out[-1] if p.get("use_bias", True) else 0
    return math.prod(out[:-1]) * (per_position + bias)


def _conv_transpose(ins: list[Shape], out: Shape, p: dict) -> int:
    # Every input position scatters a kernel-sized patch into each output channel.
    rank = len(out) - 1
    kernel = math.prod(_tuple(p["kernel_size"], rank))
    macs = math.prod(ins[0][:-1]) * kernel * ins[0][-1] * out[-1]
    return 2 * macs + (_size(out) if p.get("use_bias", True) else 0)  # type: ignore[operator]


def _depthwise(ins: list[Shape], out: Shape, p: dict) -> int:
    rank = len(out) - 1
    kernel = math.prod(_tuple(p["kernel_size"], rank))
    positions = math.prod(out[:-1])
    return positions * (2 * kernel * out[-1] + (out[-1] if p.get("use_bias", True) else 0))


def _separable(ins: list[Shape], out: Shape, p: dict) -> int:
    rank = len(out) - 1
    kernel = math.prod(_tuple(p["kernel_size"], rank))
    mid = ins[0][-1] * (p.get("depth_multiplier") or 1)
    positions = math.prod(out[:-1])
    bias = out[-1] if p.get("use_bias", True) else 0
    return positions * (2 * kernel * mid + 2 * mid * out[-1] + bias)


def _pool(ins: list[Shape], out: Shape, p: dict) -> int:
    rank = len(out) - 1
    return math.prod(_tuple(p["pool_size"], rank)) * math.prod(out)


def _global_pool(ins: list[Shape], out: Shape, p: dict) -> int:
    return math.prod(ins[0])


def _per_element(n: int) -> Rule:
    return lambda ins, out, p: n * math.prod(out)


def _merge(ins: list[Shape], out: Shape, p: dict) -> int:
    return (len(ins) - 1) * math.prod(out)


def _recurrent(gates: int) -> Callable[[list[Shape], Shape, dict], int]:
    """Per time step: ``gates`` matmuls of the input and the state, plus biases."""

    def rule(ins: list[Shape], out: Shape, p: dict) -> int:
        steps, features = ins[0][0], ins[0][-1]
        units = p["units"]
        per_step = gates * (2 * features * units + 2 * units * units + units)
        if gates > 1:  # the element-wise gate arithmetic (LSTM's c and h, GRU's blend)
            per_step += 3 * units
        return steps * per_step

    return rule




def _bidirectional(ins: list[Shape], out: Shape, p: dict) -> int:
    inner = p["layer"]
    _, values = check_params(_spec(inner["type"]).params, inner.get("params", {}))
    one = _recurrent(RNN_GATES[inner["type"]])(ins, out, values)
    merge = math.prod(out) if p.get("merge_mode") in ("sum", "mul", "ave") else 0
    return 2 * one + merge


def _zero(ins: list[Shape], out: Shape, p: dict) -> int:
    return 0


def _with_activation(rule: Rule) -> Rule:
    return lambda ins, out, p: rule(ins, out, p) + _activation(out, p)


def _activation_layer(ins: list[Shape], out: Shape, p: dict) -> int:
    return _activation(out, p) or math.prod(out)


def _dot(ins: list[Shape], out: Shape, p: dict) -> int:
    """One multiply-add per output value and step of the summed axis (axes count the batch)."""
    a = ins[0]
    axis = p["axes"][0] % (len(a) + 1) - 1
    return 2 * math.prod(out) * a[axis] + (3 * math.prod(out) if p.get("normalize") else 0)


def _attention(additive: bool) -> Rule:
    """Scores query x key (Tq x Tv), a softmax over them, and the weighted sum of the values."""

    def rule(ins: list[Shape], out: Shape, p: dict) -> int:
        tq, d = ins[0][-2], ins[0][-1]
        tv, dv = ins[1][-2], ins[1][-1]
        pairs = tq * tv
        scores = (4 if additive else 2) * pairs * d
        return scores + SOFTMAX_PER_ELEMENT * pairs + 2 * pairs * dv

    return rule


def _multi_head_attention(ins: list[Shape], out: Shape, p: dict) -> int:
    """The four projections, the per-head scores and softmax, and the weighted sum."""
    query, value = ins[0], ins[1]
    key = ins[2] if len(ins) > 2 else value
    tq, tv = math.prod(query[:-1]), math.prod(value[:-1])
    heads, kd = p["num_heads"], p["key_dim"]
    vd = p.get("value_dim") or kd
    out_dim = out[-1]
    projections = 2 * heads * (tq * query[-1] * kd + tv * key[-1] * kd + tv * value[-1] * vd)
    attend = heads * tq * tv * (2 * kd + SOFTMAX_PER_ELEMENT + 2 * vd)
    return projections + attend + 2 * tq * heads * vd * out_dim


def _conv_lstm(ins: list[Shape], out: Shape, p: dict) -> int:
    """Per time step four gate convolutions of the input and of the state, as a ConvND would."""
    steps, cin = ins[0][0], ins[0][-1]
    spatial = out[1:-1] if p.get("return_sequences") else out[:-1]
    rank = len(spatial)
    kernel = math.prod(_tuple(p["kernel_size"], rank))
    filters = p["filters"]
    per_step = math.prod(spatial) * (4 * 2 * kernel * (cin + filters) * filters + 3 * filters)
    return steps * per_step


def _time_distributed(ins: list[Shape], out: Shape, p: dict) -> int:
    """The wrapped layer's cost on one step, once per step."""
    inner = p["layer"]
    rule = FLOPS.get(inner["type"])
    if rule is None:
        return 0
    _, values = check_params(_spec(inner["type"]).params, inner.get("params", {}))
    return ins[0][0] * int(rule([s[1:] for s in ins], out[1:], values))


FLOPS: dict[str, Rule] = {
    "Input": _zero,
    "Identity": _zero,
    "Masking": _per_element(1),  # one comparison per value
    "SpatialDropout3D": _zero,
    "GroupNormalization": _per_element(5),
    "Dot": _dot,
    "Attention": _attention(additive=False),
    "AdditiveAttention": _attention(additive=True),
    "MultiHeadAttention": _multi_head_attention,
    "ConvLSTM1D": _conv_lstm,
    "ConvLSTM2D": _conv_lstm,
    "TimeDistributed": _time_distributed,
    # Augmentation is off at inference; resizing interpolates four neighbours per value.
    **{f"Random{k}": _zero for k in ("Flip", "Rotation", "Zoom", "Translation", "Contrast", "Crop")},
    "Resizing": _per_element(8),
    "CenterCrop": _zero,
    # Look-ups and bucketing: integer work, no floating-point operations.
    "CategoryEncoding": _zero,
    "Hashing": _zero,
    "Discretization": _zero,
    "StringLookup": _zero,
    "IntegerLookup": _zero,
    "EinsumDense": _with_activation(_einsum_dense),
    "Dense": _with_activation(_dense),
    "Activation": _activation_layer,
    "Dropout": _zero,  # identity at inference
    "Flatten": _zero,
    "Reshape": _zero,
    "Permute": _zero,
    "RepeatVector": _zero,
    "Embedding": _zero,  # a table look-up
    "Conv1D": _with_activation(_conv),
    "Conv2D": _with_activation(_conv),
    "Conv3D": _with_activation(_conv),
    "Conv1DTranspose": _with_activation(_conv_transpose),
    "Conv2DTranspose": _with_activation(_conv_transpose),
    "Conv3DTranspose": _with_activation(_conv_transpose),
    "SeparableConv1D": _with_activation(_separable),
    "SeparableConv2D": _with_activation(_separable),
    "DepthwiseConv1D": _with_activation(_depthwise),
    "DepthwiseConv2D": _with_activation(_depthwise),
    **{f"{kind}Pooling{d}D": _pool for kind in ("Max", "Average") for d in (1, 2, 3)},
    **{f"Global{kind}Pooling{d}D": _global_pool for kind in ("Max", "Average") for d in (1, 2, 3)},
    **{f"{kind}{d}D": _zero for kind in ("ZeroPadding", "Cropping", "UpSampling") for d in (1, 2, 3)},
    **{kind: _recurrent(gates) for kind, gates in RNN_GATES.items()},
    "Bidirectional": _bidirectional,
    "BatchNormalization": _per_element(2),  # folded to a scale and a shift at inference
    "LayerNormalization": _per_element(5),  # mean, variance, normalise, scale, shift
    "UnitNormalization": _per_element(3),  # square, sum, divide
    "SpatialDropout1D": _zero,
    "SpatialDropout2D": _zero,
    "GaussianNoise": _zero,
    "GaussianDropout": _zero,
    "AlphaDropout": _zero,
    "ActivityRegularization": _zero,
    "ReLU": _per_element(1),
    "LeakyReLU": _per_element(1),
    "PReLU": _per_element(2),
    "ELU": _per_element(1),
    "Softmax": _per_element(SOFTMAX_PER_ELEMENT),
    "Add": _merge,
    "Subtract": _merge,
    "Multiply": _merge,
    "Average": lambda ins, out, p: len(ins) * math.prod(out),
    "Maximum": _merge,
    "Minimum": _merge,
    "Concatenate": _zero,
    "Rescaling": _per_element(2),
    "Normalization": _per_element(2),
}




def _spec(layer_type: str) -> Any:
    """A wrapped layer's catalog entry (imported here: the catalog imports this module)."""
    from engine.schema.catalog import LAYERS

    return LAYERS[layer_type]
