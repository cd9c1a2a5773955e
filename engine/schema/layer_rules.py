"""Shape and parameter-count rules for each family of layers, in pure Python.

Every rule mirrors what Keras 3 computes in ``compute_output_shape`` / ``build``
(see ``keras/src/ops/operation_utils.py``), so the GUI can show exact shapes on
every edit without importing TensorFlow.  The agreement test in
``tests/engine/test_keras_agreement.py`` holds these rules to Keras itself.

A rule is called as ``rule(ctx, input_shapes, params)`` and returns an
:class:`Inferred`; it raises :class:`ShapeError` with a sentence a person can
act on when the layer cannot accept its inputs.  ``params`` holds every
catalogued parameter, already validated and normalised (tuples for sizes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Shape = tuple[int | None, ...]
Params = dict[str, Any]


class ShapeError(ValueError):
    """A layer cannot accept the shapes it receives; the message says why."""


@dataclass(frozen=True)
class Inferred:
    """What a layer produces: its output shape and its weights."""

    shape: Shape
    params: int = 0
    trainable: int | None = None  # None: every weight is trainable
    more: tuple[Shape, ...] = ()  # further outputs' shapes (states, attention scores), in order

    @property
    def trainable_params(self) -> int:
        return self.params if self.trainable is None else self.trainable


@dataclass(frozen=True)
class Ctx:
    """Who is being inferred, for messages: e.g. ``Conv2D 'c1'``."""

    label: str


Rule = Callable[[Ctx, list[Shape], Params], Inferred]

SPATIAL_NAMES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def fmt_shape(shape: Shape) -> str:
    """Render a shape as Keras prints it: ``(None, 16)``."""
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def need_rank(ctx: Ctx, shape: Shape, rank: int, axes: Sequence[str]) -> None:
    """Refuse an input whose rank differs, naming the axes the layer expects."""
    if len(shape) != rank:
        raise ShapeError(
            f"{ctx.label} needs a {rank}-D input ({', '.join(axes)}) but receives {fmt_shape(shape)}"
        )


def need_min_rank(ctx: Ctx, shape: Shape, rank: int, axes: str) -> None:
    if len(shape) < rank:
        raise ShapeError(
            f"{ctx.label} needs an input of at least {rank} dimensions ({axes}) "
            f"but receives {fmt_shape(shape)}"
        )


def need_known_last(ctx: Ctx, shape: Shape, what: str = "last (feature) axis") -> int:
    last = shape[-1]
    if last is None:
        raise ShapeError(f"{ctx.label} needs a known size on its {what} but receives {fmt_shape(shape)}")
    return last


def spatial_axes(rank: int) -> tuple[str, ...]:
    return ("batch", *SPATIAL_NAMES[rank], "channels")


def single(shapes: list[Shape]) -> Shape:
    return shapes[0]


# ---------------------------------------------------------------- core


def identity(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    """Layers that keep their input's shape and hold no weights."""
    return Inferred(single(shapes))


def input_layer(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    return Inferred((None, *p["shape"]))


def dense(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    need_min_rank(ctx, shape, 2, "batch, ..., features")
    n_in = need_known_last(ctx, shape)
    units = p["units"]
    return Inferred((*shape[:-1], units), n_in * units + (units if p["use_bias"] else 0))


def flatten(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    rest = shape[1:]
    size = None if any(d is None for d in rest) else math.prod(rest)
    return Inferred((shape[0], size))


def reshape(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    target = tuple(p["target_shape"])
    rest = shape[1:]
    if None in rest:
        return Inferred((shape[0], *(None if d == -1 else d for d in target)))
    size = math.prod(rest)
    if -1 not in target:
        if math.prod(target) != size:
            raise ShapeError(
                f"{ctx.label} cannot reshape {fmt_shape(shape)} ({size} values per sample) "
                f"into {fmt_shape(target)} ({math.prod(target)} values)"
            )
        return Inferred((shape[0], *target))
    known = math.prod(d for d in target if d != -1)
    if known == 0 or size % known:
        raise ShapeError(
            f"{ctx.label} cannot reshape {fmt_shape(shape)} ({size} values per sample) "
            f"into {fmt_shape(target)}: {size} is not divisible by {known}"
        )
    return Inferred((shape[0], *(size // known if d == -1 else d for d in target)))


def permute(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    dims = tuple(p["dims"])
    if len(dims) != len(shape) - 1:
        raise ShapeError(
            f"{ctx.label} permutes {len(dims)} axes but its input {fmt_shape(shape)} "
            f"has {len(shape) - 1} axes besides the batch"
        )
    return Inferred((shape[0], *(shape[d] for d in dims)))


def repeat_vector(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    need_rank(ctx, shape, 2, ("batch", "features"))
    return Inferred((shape[0], p["n"], shape[1]))


def embedding(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    return Inferred((*shape, p["output_dim"]), p["input_dim"] * p["output_dim"])


# ---------------------------------------------------------------- convolution


def _conv_length(size: int | None, k: int, stride: int, dilation: int, padding: str):
    if size is None:
        return None
    if padding == "valid":
        return (size - dilation * (k - 1) - 1) // stride + 1
    return (size - 1) // stride + 1


def _shrunk(ctx: Ctx, shape: Shape, out: Sequence[int | None], what: str) -> None:
    if any(d is not None and d <= 0 for d in out):
        raise ShapeError(
            f"{ctx.label} shrinks its input {fmt_shape(shape)} to nothing: "
            f"the {what} is larger than the input (use padding='same' or a smaller {what})"
        )


def _conv_spatial(ctx: Ctx, shape: Shape, rank: int, p: Params) -> list[int | None]:
    need_rank(ctx, shape, rank + 2, spatial_axes(rank))
    out = [
        _conv_length(d, k, s, r, p["padding"])
        for d, k, s, r in zip(shape[1:-1], p["kernel_size"], p["strides"], p["dilation_rate"], strict=True)
    ]
    _shrunk(ctx, shape, out, "kernel")
    return out


def _conv_common_checks(ctx: Ctx, p: Params) -> None:
    """Keras's Conv and ConvTranspose refuse this pair (Separable/Depthwise allow it)."""
    if max(p["strides"]) > 1 and max(p["dilation_rate"]) > 1:
        raise ShapeError(f"{ctx.label} cannot use strides > 1 together with dilation_rate > 1")


def conv(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        _conv_common_checks(ctx, p)
        out = _conv_spatial(ctx, shape, rank, p)
        channels = need_known_last(ctx, shape, "channels axis")
        groups, filters = p["groups"], p["filters"]
        if filters % groups:
            raise ShapeError(f"{ctx.label}: filters ({filters}) must be divisible by groups ({groups})")
        if channels % groups:
            raise ShapeError(
                f"{ctx.label}: its input's {channels} channels must be divisible by groups ({groups})"
            )
        weights = math.prod(p["kernel_size"]) * (channels // groups) * filters
        return Inferred((shape[0], *out, filters), weights + (filters if p["use_bias"] else 0))

    return rule


def separable_conv(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        out = _conv_spatial(ctx, shape, rank, p)
        channels = need_known_last(ctx, shape, "channels axis")
        dm, filters = p["depth_multiplier"], p["filters"]
        weights = math.prod(p["kernel_size"]) * channels * dm + channels * dm * filters
        return Inferred((shape[0], *out, filters), weights + (filters if p["use_bias"] else 0))

    return rule


def depthwise_conv(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        out = _conv_spatial(ctx, shape, rank, p)
        channels = need_known_last(ctx, shape, "channels axis")
        n_out = channels * p["depth_multiplier"]
        weights = math.prod(p["kernel_size"]) * n_out
        return Inferred((shape[0], *out, n_out), weights + (n_out if p["use_bias"] else 0))

    return rule


def _transposed_length(size, k, stride, dilation, padding):
    if size is None:
        return None
    k = k + (k - 1) * (dilation - 1)
    if padding == "valid":
        return size * stride + max(k - stride, 0)
    return size * stride


def conv_transpose(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        _conv_common_checks(ctx, p)
        need_rank(ctx, shape, rank + 2, spatial_axes(rank))
        channels = need_known_last(ctx, shape, "channels axis")
        out = [
            _transposed_length(d, k, s, r, p["padding"])
            for d, k, s, r in zip(
                shape[1:-1], p["kernel_size"], p["strides"], p["dilation_rate"], strict=True
            )
        ]
        filters = p["filters"]
        weights = math.prod(p["kernel_size"]) * channels * filters
        return Inferred((shape[0], *out, filters), weights + (filters if p["use_bias"] else 0))

    return rule


# ---------------------------------------------------------------- pooling


def pooling(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        need_rank(ctx, shape, rank + 2, spatial_axes(rank))
        strides = p["strides"] if p["strides"] is not None else p["pool_size"]
        out = [
            _conv_length(d, k, s, 1, p["padding"])
            for d, k, s in zip(shape[1:-1], p["pool_size"], strides, strict=True)
        ]
        _shrunk(ctx, shape, out, "pool_size")
        return Inferred((shape[0], *out, shape[-1]))

    return rule


def global_pooling(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        need_rank(ctx, shape, rank + 2, spatial_axes(rank))
        if p["keepdims"]:
            return Inferred((shape[0], *([1] * rank), shape[-1]))
        return Inferred((shape[0], shape[-1]))

    return rule


# ---------------------------------------------------------------- padding, cropping, up-sampling


def _pairs(value: Any, rank: int) -> list[tuple[int, int]]:
    """Expand Keras's int / (a, b) / ((a, b), (c, d)) padding forms to one pair per axis."""
    if isinstance(value, int):
        return [(value, value)] * rank
    if rank == 1:
        return [tuple(value)]
    return [(v, v) if isinstance(v, int) else tuple(v) for v in value]


def zero_padding(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        need_rank(ctx, shape, rank + 2, spatial_axes(rank))
        pads = _pairs(p["padding"], rank)
        out = [None if d is None else d + a + b for d, (a, b) in zip(shape[1:-1], pads, strict=True)]
        return Inferred((shape[0], *out, shape[-1]))

    return rule


def cropping(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        need_rank(ctx, shape, rank + 2, spatial_axes(rank))
        crops = _pairs(p["cropping"], rank)
        out = [None if d is None else d - a - b for d, (a, b) in zip(shape[1:-1], crops, strict=True)]
        if any(d is not None and d <= 0 for d in out):
            raise ShapeError(
                f"{ctx.label} crops away everything: its input {fmt_shape(shape)} "
                f"is not larger than the cropping {p['cropping']}"
            )
        return Inferred((shape[0], *out, shape[-1]))

    return rule


def up_sampling(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        need_rank(ctx, shape, rank + 2, spatial_axes(rank))
        sizes = (p["size"],) if rank == 1 else p["size"]
        out = [None if d is None else d * s for d, s in zip(shape[1:-1], sizes, strict=True)]
        return Inferred((shape[0], *out, shape[-1]))

    return rule


# ---------------------------------------------------------------- recurrent

RNN_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def recurrent(ctx: Ctx, shapes: list[Shape], p: Params, kind: str) -> Inferred:
    shape = single(shapes)
    need_rank(ctx, shape, 3, ("batch", "timesteps", "features"))
    n_in = need_known_last(ctx, shape, "features axis")
    units, gates = p["units"], RNN_GATES[kind]
    for state in shapes[1:]:  # initial states: one vector of ``units`` per sample
        if len(state) != 2 or state[-1] != units:
            raise ShapeError(
                f"{ctx.label} has {units} units, so an initial state must be (batch, {units}) "
                f"but it receives {fmt_shape(state)}"
            )
    bias = 0
    if p["use_bias"]:
        bias = 2 * gates * units if kind == "GRU" and p.get("reset_after") else gates * units
    count = gates * units * (n_in + units) + bias
    out = (shape[0], shape[1], units) if p["return_sequences"] else (shape[0], units)
    n_states = (2 if kind == "LSTM" else 1) if p.get("return_state") else 0
    return Inferred(out, count, more=((shape[0], units),) * n_states)


def rnn(kind: str) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        return recurrent(ctx, shapes, p, kind)

    return rule


def bidirectional(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    """Both directions' outputs merged; with return_state, each direction's final states
    follow, forward first (an LSTM's h and c each way), as Keras returns them."""
    inner = p["layer"]
    one = recurrent(ctx, shapes, inner["params"], inner["type"])
    mode = p["merge_mode"]
    out = one.shape
    if mode == "concat":
        out = (*out[:-1], out[-1] * 2)
    return Inferred(out, 2 * one.params, more=one.more * 2)


def conv_lstm(rank: int) -> Rule:
    """ConvLSTM1D/2D: a convolution per gate on each step of (batch, time, *space, channels)."""

    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        need_rank(ctx, shape, rank + 3, ("batch", "timesteps", *SPATIAL_NAMES[rank], "channels"))
        _conv_common_checks(ctx, p)
        if any(d is None for d in shape[2:]):
            raise ShapeError(
                f"{ctx.label} needs known sizes on every axis after the time steps "
                f"but receives {fmt_shape(shape)}"
            )
        out = _conv_spatial(ctx, (shape[0], *shape[2:]), rank, p)
        channels, filters = shape[-1], p["filters"]
        window = math.prod(p["kernel_size"])
        count = 4 * filters * (window * channels + window * filters) + (4 * filters if p["use_bias"] else 0)
        steps = (shape[1],) if p["return_sequences"] else ()
        return Inferred((shape[0], *steps, *out, filters), count)

    return rule


def time_distributed(rule_of: Callable[[str], Rule]) -> Rule:
    """The wrapped layer's rule on one step (batch, *rest) of (batch, time, *rest)."""

    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        need_min_rank(ctx, shape, 3, "batch, timesteps, ...")
        inner = p["layer"]
        one = rule_of(inner["type"])(
            Ctx(f"{ctx.label} (its {inner['type']} on each step)"), [(shape[0], *shape[2:])], inner["params"]
        )
        trainable = 0 if inner["params"].get("trainable") is False else one.trainable
        return Inferred((shape[0], shape[1], *one.shape[1:]), one.params, trainable)

    return rule


# ---------------------------------------------------------------- normalisation and activations


def _axis_size(ctx: Ctx, shape: Shape, axis: int) -> int:
    if not -len(shape) <= axis < len(shape):
        raise ShapeError(f"{ctx.label}: axis {axis} is out of range for its input {fmt_shape(shape)}")
    size = shape[axis]
    if size is None:
        raise ShapeError(f"{ctx.label} needs a known size on axis {axis} but receives {fmt_shape(shape)}")
    return size


def batch_norm(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    c = _axis_size(ctx, shape, p["axis"])
    trainable = c * (int(p["center"]) + int(p["scale"]))
    return Inferred(shape, trainable + 2 * c, trainable)


def layer_norm(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    if not (p["center"] or p["scale"]):  # no weights, so the axis size may be unknown
        return axis_in_range(ctx, shapes, p)
    c = _axis_size(ctx, shape, p["axis"])
    return Inferred(shape, c * (int(p["center"]) + int(p["scale"])))


def group_norm(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    c = _axis_size(ctx, shape, p["axis"])
    groups = p["groups"]
    if c < groups or c % groups:
        raise ShapeError(
            f"{ctx.label}: the {c} channels on axis {p['axis']} must divide evenly into {groups} groups"
        )
    return Inferred(shape, c * (int(p["center"]) + int(p["scale"])))


def normalization(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    c = _axis_size(ctx, shape, p["axis"])
    return Inferred(shape, 2 * c + 1, 0)


def prelu(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    if any(d is None for d in shape[1:]):
        raise ShapeError(f"{ctx.label} needs every non-batch axis known but receives {fmt_shape(shape)}")
    return Inferred(shape, math.prod(shape[1:]))


def axis_in_range(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    if not -len(shape) <= p["axis"] < len(shape):
        raise ShapeError(f"{ctx.label}: axis {p['axis']} is out of range for its input {fmt_shape(shape)}")
    return Inferred(shape)


def spatial_dropout(rank: int) -> Rule:
    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        shape = single(shapes)
        need_rank(ctx, shape, rank + 2, spatial_axes(rank))
        return Inferred(shape)

    return rule


# ---------------------------------------------------------------- merging


def _broadcast(ctx: Ctx, a: Shape | None, b: Shape, shapes: list[Shape]) -> Shape:
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return a
    out = list(a[: len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b) :], b, strict=True):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1:
            out.append(j if i == 1 else i)
        elif i != j:
            raise ShapeError(
                f"{ctx.label} combines inputs element by element, so their shapes must match, "
                f"but it receives {', '.join(fmt_shape(s) for s in shapes)}"
            )
        else:
            out.append(i)
    return tuple(out)


def elementwise(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    out = shapes[0][1:]
    for s in shapes[1:]:
        out = _broadcast(ctx, out, s[1:], shapes)
    return Inferred((None, *out))


def concatenate(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    axis = p["axis"]
    ranks = {len(s) for s in shapes}
    mismatch = ShapeError(
        f"{ctx.label} joins inputs along axis {axis}, so all other axes must match, "
        f"but it receives {', '.join(fmt_shape(s) for s in shapes)}"
    )
    if len(ranks) != 1:
        raise mismatch
    (rank,) = ranks
    if not -rank <= axis < rank:
        raise ShapeError(f"{ctx.label}: axis {axis} is out of range for inputs of rank {rank}")
    pos = axis % rank
    for i in range(rank):
        if i == pos:
            continue
        if len({s[i] for s in shapes} - {None}) > 1:
            raise mismatch
    out = list(shapes[0])
    for s in shapes[1:]:
        if out[pos] is None or s[pos] is None:
            out[pos] = None
            break
        out[pos] += s[pos]
    return Inferred(tuple(out))


def dot(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    """Keras's ``Dot``/``batch_dot``: sum over one axis of each input, keep the batch."""
    a, b = shapes
    for shape, ax in zip(shapes, p["axes"], strict=True):
        if not -len(shape) <= ax < len(shape):
            raise ShapeError(f"{ctx.label}: axis {ax} is out of range for its input {fmt_shape(shape)}")
    ia, ib = p["axes"][0] % len(a), p["axes"][1] % len(b)
    if 0 in (ia, ib):
        raise ShapeError(f"{ctx.label} cannot take the dot product over the batch axis (axis 0)")
    if a[ia] != b[ib]:
        raise ShapeError(
            f"{ctx.label} multiplies axis {ia} of {fmt_shape(a)} with axis {ib} of {fmt_shape(b)}, "
            "so their sizes must be equal and known"
        )
    out = [*a[:ia], *a[ia + 1 :], *b[1:ib], *b[ib + 1 :]]
    return Inferred(tuple(out) if len(out) > 1 else (*out, 1))


def _match(x: int | None, y: int | None, broadcast: bool) -> bool:
    return x is None or y is None or x == y or (broadcast and 1 in (x, y))


def attention(additive: bool) -> Rule:
    """Attention/AdditiveAttention on ``[query, value]`` or ``[query, value, key]``.

    Keras documents 3-D inputs (batch, steps, features).  Its symbolic call accepts
    any rank, but on 2-D inputs the scores mix the samples of a batch, so we refuse them.
    """

    def rule(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
        for name, shape in zip(("query", "value", "key"), shapes, strict=False):
            if len(shape) != 3:
                raise ShapeError(
                    f"{ctx.label} needs a 3-D {name} (batch, steps, features) but receives {fmt_shape(shape)}"
                )
        q, v = shapes[0], shapes[1]
        k = shapes[2] if len(shapes) > 2 else v
        summed = additive or p["score_mode"] == "concat"  # query + key broadcast; dot needs equal
        if not _match(q[-1], k[-1], broadcast=summed):
            raise ShapeError(
                f"{ctx.label}: the query {fmt_shape(q)} and the key {fmt_shape(k)} "
                "must have the same number of features"
            )
        if not _match(k[1], v[1], broadcast=False):
            raise ShapeError(
                f"{ctx.label}: the key {fmt_shape(k)} and the value {fmt_shape(v)} "
                "must have the same number of steps"
            )
        if additive:
            weights = need_known_last(ctx, q, "query's features axis") if p["use_scale"] else 0
        else:
            weights = int(p["use_scale"]) + int(p["score_mode"] == "concat")
        return Inferred((q[0], q[1], v[-1]), weights)

    return rule


# ---------------------------------------------------------------- preprocessing of categories and numbers


def _one_hot(shape: Shape, depth: int) -> Shape:
    """Keras's one-hot output: a last axis of size 1 is replaced, any other is kept."""
    return (*shape[:-1], depth) if shape[-1] == 1 else (*shape, depth)


def category_encoding(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    if p["output_mode"] == "one_hot":
        return Inferred(_one_hot(shape, p["num_tokens"]))
    return Inferred((*shape[:-1], p["num_tokens"]))


def discretization(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = single(shapes)
    if p["output_mode"] == "int":
        return Inferred(shape)
    return Inferred(_one_hot(shape, len(p["bin_boundaries"]) + 1))


# ---------------------------------------------------------------- images (preprocessing, augmentation)

IMAGE_AXES = spatial_axes(2)


def _image(ctx: Ctx, shapes: list[Shape]) -> Shape:
    """Keras's image layers take (batch, height, width, channels).

    They also accept a 3-D tensor, but read it as one image without a batch
    axis, so in a model the batch would become the height: refused here.
    """
    shape = single(shapes)
    need_rank(ctx, shape, 4, IMAGE_AXES)
    return shape


def image_same_size(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    return Inferred(_image(ctx, shapes))


def image_to_size(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    shape = _image(ctx, shapes)
    if p.get("crop_to_aspect_ratio") and p.get("pad_to_aspect_ratio"):
        raise ShapeError(f"{ctx.label} can crop or pad to the aspect ratio, not both")
    return Inferred((shape[0], p["height"], p["width"], shape[-1]))


# ---------------------------------------------------------------- attention


def _attention_mask(ctx: Ctx, mask: Shape, wanted: Shape) -> None:
    """An attention mask says, per sample, which value steps each query step sees: it must
    be (batch, query steps..., value steps...), each size the steps' own (unknown only where
    those are unknown) or 1, which is broadcast."""
    if len(mask) != len(wanted) or not all(m in (w, 1) for m, w in zip(mask[1:], wanted[1:], strict=True)):
        raise ShapeError(
            f"{ctx.label}: the attention_mask must be (batch, query steps, value steps) = "
            f"{fmt_shape(wanted)} but it is {fmt_shape(mask)}"
        )


def multi_head_attention(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    """Keras's MultiHeadAttention: query (B, T..., dq), value (B, S..., dv), key like value.

    Attention runs over every axis between the batch and the features.  The scores'
    shape is (B, heads, T..., S...), what Keras computes at run time; Keras's symbolic
    shape says (B, heads, T, T) (``compute_output_spec`` uses the query's length twice),
    which is wrong whenever the value is longer or shorter than the query.
    """
    query, value = shapes[0], shapes[1]
    key = shapes[2] if len(shapes) > 2 and shapes[2] is not None else value
    if len(query) < 3:
        raise ShapeError(
            f"{ctx.label} needs a sequence as query (batch, timesteps, features) "
            f"but receives {fmt_shape(query)}"
        )
    if p.get("use_causal_mask") and len(query) != 3:
        raise ShapeError(
            f"{ctx.label}: a causal mask orders one time axis, so the query must be (batch, timesteps, "
            f"features), not {fmt_shape(query)}"
        )
    for name, shape in (("value", value), ("key", key)):
        if len(shape) != len(query):
            raise ShapeError(
                f"{ctx.label}: the {name} must have as many axes as the query {fmt_shape(query)} "
                f"but it is {fmt_shape(shape)}"
            )
    if len(query) > 5:  # the scores would have more than 8 axes, which TensorFlow cannot broadcast
        raise ShapeError(
            f"{ctx.label} attends over at most 3 axes (a query of at most 5 dimensions) "
            f"but the query is {fmt_shape(query)}"
        )
    if p["use_causal_mask"] and len(query) != 3:
        raise ShapeError(
            f"{ctx.label}: use_causal_mask needs sequences with one time axis (batch, timesteps, "
            f"features) but the query is {fmt_shape(query)}"
        )
    if len(shapes) > 3 and shapes[3] is not None:
        _attention_mask(ctx, shapes[3], (query[0], *query[1:-1], *value[1:-1]))
    if key[1:-1] != value[1:-1]:
        raise ShapeError(
            f"{ctx.label}: the key {fmt_shape(key)} and the value {fmt_shape(value)} must have "
            "the same sizes on every axis but the last"
        )
    dq, dv, dk = (
        need_known_last(ctx, s, f"{n}'s features axis")
        for n, s in zip(("query", "value", "key"), (query, value, key), strict=True)
    )
    heads, key_dim = p["num_heads"], p["key_dim"]
    value_dim = p["value_dim"] or key_dim
    out_dim = p["output_shape"] or dq
    bias = int(p["use_bias"])
    count = (dq + bias) * heads * key_dim + (dk + bias) * heads * key_dim
    count += (dv + bias) * heads * value_dim + heads * value_dim * out_dim + bias * out_dim
    scores = (query[0], heads, *query[1:-1], *value[1:-1])
    return Inferred((*query[:-1], out_dim), count, more=(scores,) if p["return_attention_scores"] else ())


def lookup(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    """StringLookup / IntegerLookup with a fixed vocabulary (Keras's ``compute_output_shape``).

    In 'int' mode ids count the mask id (with a mask_token), then ``num_oov_indices`` ids,
    then the vocabulary; the encodings have no slot for the mask."""
    shape = single(shapes)
    vocabulary, mask = p["vocabulary"], p["mask_token"]
    # Keras drops the special ids (the mask only in 'int' mode) from the vocabulary's start
    # when they are all there, in order.
    oov = "[UNK]" if vocabulary and isinstance(vocabulary[0], str) else -1
    special = ([mask] if mask is not None and p["output_mode"] == "int" else []) + [oov] * p[
        "num_oov_indices"
    ]
    if special and vocabulary[: len(special)] == special:
        vocabulary = vocabulary[len(special) :]
    if mask is not None and mask in vocabulary:
        raise ShapeError(
            f"{ctx.label}: the mask_token {p['mask_token']!r} is also in the vocabulary; "
            "Keras keeps id 0 for it, so leave it out of the vocabulary"
        )
    depth = len(vocabulary) + p["num_oov_indices"]
    mode = p["output_mode"]
    if mode == "int":
        return Inferred(shape)
    if mode == "one_hot":
        return Inferred(_one_hot(shape, depth) if len(shape) > 1 else (*shape, depth))
    return Inferred((*shape[:-1], depth))


# ---------------------------------------------------------------- EinsumDense

_EINSUM_FORMS = (  # Keras's three forms, after '...' is written as '0'
    (r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", ""),
    (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", "left"),
    (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", "right"),
)


def einsum_dense(ctx: Ctx, shapes: list[Shape], p: Params) -> Inferred:
    """EinsumDense, following Keras's ``_analyze_einsum_string`` step by step: the equation
    names the input's, the kernel's and the output's axes; the kernel takes its sizes from
    the input and from ``output_shape``.

    Two departures, both towards what a run computes: an equation without '...' needs an
    input of exactly its rank (Keras's analysis accepts a longer one and promises a shape
    the einsum then refuses), and an output axis taken from the input gets the input's
    size even where ``output_shape`` leaves it null (Keras's symbolic shape says None).
    """
    shape = single(shapes)
    equation = p["equation"].replace("...", "0")
    found = next(
        ((m, form) for pattern, form in _EINSUM_FORMS if (m := re.fullmatch(pattern, equation))), None
    )
    if found is None:
        raise ShapeError(
            f"{ctx.label}: the equation '{p['equation']}' must look like 'ab,bc->ac', "
            "'...b,bc->...c' or 'ab...,bc->ac...'"
        )
    match, form = found
    in_spec, w_spec, out_spec = match.groups()
    if len(set(in_spec)) < len(in_spec) or len(set(out_spec)) < len(out_spec):
        raise ShapeError(f"{ctx.label}: the equation '{p['equation']}' names an axis twice on one side")
    if (len(shape) != len(in_spec)) if not form else len(shape) < len(in_spec):
        raise ShapeError(
            f"{ctx.label}: the equation '{p['equation']}' names {len(in_spec)} input axes "
            f"(batch included) but its input {fmt_shape(shape)} has {len(shape)}"
        )
    try:
        kernel, bias, out = _einsum_shapes(
            ctx, in_spec, w_spec, out_spec, form, shape, tuple(p["output_shape"]), p["bias_axes"]
        )
    except IndexError:
        raise ShapeError(
            f"{ctx.label}: output_shape {list(p['output_shape'])} does not fit the equation "
            f"'{p['equation']}' on its input {fmt_shape(shape)} (give one size per output axis "
            "after the batch, and none for the axes '...' stands for)"
        ) from None
    if any(d is None for d in kernel) or (bias is not None and any(d is None for d in bias)):
        raise ShapeError(
            f"{ctx.label} cannot size its kernel {fmt_shape(tuple(kernel))}: give output_shape "
            "the sizes of the axes that come from the kernel, and the input known sizes on the "
            "axes it sums over"
        )
    count = math.prod(kernel) + (math.prod(bias) if bias is not None else 0)
    return Inferred(tuple(out), count)


def _einsum_shapes(
    ctx: Ctx,
    in_spec: str,
    w_spec: str,
    out_spec: str,
    form: str,
    shape: Shape,
    given: Shape,
    bias_axes: str | None,
) -> tuple[list[int | None], list[int | None] | None, list[int | None]]:
    """Kernel, bias and output shapes, as Keras's ``_analyze_split_string`` computes them."""
    elided = len(shape) - len(in_spec)
    # Entries of output_shape past the equation's output axes are ignored when the layer runs.
    before = elided if form == "left" and elided > 0 else 1  # axes ahead of output_shape's
    wanted = len(out_spec) + (elided if form == "left" else 0) - before
    if len(given) < wanted:
        raise IndexError  # output_shape names fewer axes than the equation's output
    out: list[int | None] = [shape[0], *given[:wanted]]
    if elided > 0 and form == "left":
        # Keras's analysis inserts these one by one at position 1, so its symbolic shape
        # lists them reversed; a run keeps their order, as here.
        out[1:1] = shape[1:elided]
    elif elided > 0:
        out += shape[len(shape) - elided :]
    if form == "left":
        in_map = {d: i + elided - len(shape) for i, d in enumerate(in_spec)}
        out_map = {d: i + elided for i, d in enumerate(out_spec)}
    else:
        in_map = {d: i for i, d in enumerate(in_spec)}
        out_map = {d: i for i, d in enumerate(out_spec)}
    for d in in_spec:
        if d in out_map:
            size, wanted = shape[in_map[d]], out[out_map[d]]
            if wanted is not None and size is not None and wanted != size:
                raise ShapeError(
                    f"{ctx.label}: axis '{d}' is {size} in the input but {wanted} in output_shape"
                )
            out[out_map[d]] = size if wanted is None else wanted
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            raise ShapeError(f"{ctx.label}: output axis '{d}' is neither in the input nor in the kernel")
    kernel: list[int | None] = []
    for d in w_spec:
        if d in out_map:
            kernel.append(out[out_map[d]])
        elif d in in_map:
            kernel.append(shape[in_map[d]])
        else:
            raise ShapeError(f"{ctx.label}: kernel axis '{d}' is neither in the input nor in the output")
    return kernel, _einsum_bias(ctx, out_spec, out, elided if form == "left" else 0, bias_axes), out


def _einsum_bias(
    ctx: Ctx, out_spec: str, out: list[int | None], offset: int, bias_axes: str | None
) -> list[int | None] | None:
    """The bias covers the output from its first bias axis on, size 1 on the others."""
    if bias_axes is None:
        return None
    missing = [c for c in bias_axes if c not in out_spec]
    if missing:
        raise ShapeError(f"{ctx.label}: bias axis '{missing[0]}' is not an axis of the output '{out_spec}'")
    sizes = {c: out[i + offset] for i, c in enumerate(out_spec)}
    first = min(out_spec.find(c) for c in bias_axes)
    return [sizes[c] if c in bias_axes else 1 for c in out_spec[first:]]
