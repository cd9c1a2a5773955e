"""Parameter specifications: what a value may be, and its Keras form.

A :class:`Param` describes one constructor argument of a Keras class (a layer
or an optimizer) under its Keras name.  ``check`` turns a value read from a
design file or typed in the property editor into the form Keras takes
(tuples for sizes), or explains in one sentence why it cannot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

INT = "int"
FLOAT = "float"
BOOL = "bool"
CHOICE = "choice"  # one of ``choices`` (strings; None when nullable)
INTS = "ints"  # an int, or a list of ``length`` ints (kernel_size, strides, ...)
PAIRS = "pairs"  # padding/cropping: int, list of ``length`` ints, or of ``length`` pairs
SHAPE = "shape"  # a list of ints (Input shape, Reshape target_shape, Permute dims)
FLOATS = "floats"  # a list of numbers (Discretization's bin_boundaries); one number is a list of one
LAYER = "layer"  # a wrapped layer: {"type": ..., "params": {...}} (Bidirectional)
VALUES = "values"  # a list of distinct words or whole numbers (a vocabulary); extra["item"]: "str" or "int"
TEXT = "text"  # a string read as data, never as code (EinsumDense's equation); extra["chars"], "allow_empty"

ACTIVATIONS = (
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "elu",
    "selu",
    "gelu",
    "swish",
    "silu",
    "softplus",
    "softsign",
    "exponential",
    "hard_sigmoid",
    "hard_silu",
    "leaky_relu",
    "relu6",
    "mish",
    "log_softmax",
)

INITIALIZERS = (
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "zeros",
    "ones",
)

# Biases are vectors: initializers that need a matrix (orthogonal) do not apply.
BIAS_INITIALIZERS = ("zeros", "ones", "random_normal", "random_uniform", "truncated_normal")

REGULARIZERS = ("l1", "l2")


class ParamError(ValueError):
    """A value does not fit its parameter; the message is a full sentence.

    ``param`` names the parameter (set by :meth:`Param.check`), so callers point
    at the field without reading its name back out of the message.
    """

    param: str = ""


@dataclass(frozen=True)
class ParamProblem:
    """One parameter problem: the parameter's name and a sentence about it."""

    param: str
    message: str

    def __str__(self) -> str:
        return self.message


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v: Any) -> bool:
    """A finite int or float, not a bool (JSON's true is no number of units or rate)."""
    return _is_int(v) or (isinstance(v, float) and math.isfinite(v))  # an int is finite, however large


@dataclass(frozen=True)
class Param:
    """One constructor argument, named and valued exactly as Keras names it.

    ``default`` is Keras's own default; ``required`` marks arguments Keras has
    no default for (then ``default`` is only the value a new node starts with).
    ``positional`` arguments come first, unnamed, in generated code, the way a
    Keras user writes ``Dense(10, activation="relu")``.
    """

    name: str
    kind: str
    default: Any
    help: str
    choices: tuple[Any, ...] = ()
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    nullable: bool = False
    length: int | None = None
    required: bool = False
    positional: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def check(self, value: Any) -> Any:
        """Return ``value`` in Keras form, or raise :class:`ParamError`."""
        try:
            if value is None:
                if self.nullable:
                    return None
                raise ParamError(f"'{self.name}' needs a value")
            return _CHECKERS[self.kind](self, value)
        except ParamError as exc:
            exc.param = self.name
            raise

    def range_text(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"{'>' if self.min_exclusive else '>='} {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts)

    def _check_range(self, v: float) -> None:
        low_bad = self.min is not None and (v <= self.min if self.min_exclusive else v < self.min)
        high_bad = self.max is not None and v > self.max
        if low_bad or high_bad:
            raise ParamError(f"'{self.name}' must be {self.range_text()}, not {v!r}")


def _check_int(p: Param, v: Any) -> int:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if not _is_int(v):
        raise ParamError(f"'{p.name}' must be a whole number, not {v!r}")
    p._check_range(v)
    return v


def _check_float(p: Param, v: Any) -> float:
    if not is_number(v):
        raise ParamError(f"'{p.name}' must be a number, not {v!r}")
    p._check_range(v)
    return float(v)


def _check_bool(p: Param, v: Any) -> bool:
    if not isinstance(v, bool):
        raise ParamError(f"'{p.name}' must be true or false, not {v!r}")
    return v


def _check_choice(p: Param, v: Any) -> Any:
    if v not in p.choices:
        shown = ", ".join(repr(c) for c in p.choices if c is not None)
        raise ParamError(f"'{p.name}' must be one of {shown}, not {v!r}")
    return v


def _int_list(p: Param, v: Any, n: int | None) -> tuple[int, ...]:
    if not isinstance(v, (list, tuple)) or (n is not None and len(v) != n):
        size = f"{n} " if n is not None else ""
        raise ParamError(f"'{p.name}' must be a whole number or a list of {size}whole numbers, not {v!r}")
    return tuple(_check_int(p, x) for x in v)


def _check_ints(p: Param, v: Any) -> tuple[int, ...]:
    if _is_int(v) or (isinstance(v, float) and v.is_integer()):
        return (_check_int(p, v),) * (p.length or 1)
    return _int_list(p, v, p.length)


def _check_pairs(p: Param, v: Any) -> Any:
    """Padding/cropping in Keras's forms: an int; for 1-D (before, after); for
    n-D one int per axis or one (before, after) pair per axis."""
    if _is_int(v):
        return _check_int(p, v)
    if isinstance(v, (list, tuple)) and len(v) == p.length:
        if all(_is_int(x) for x in v):
            return tuple(_check_int(p, x) for x in v)
        if p.extra.get("rank", 1) > 1:
            return tuple(_int_list(p, x, 2) for x in v)
    if p.extra.get("rank", 1) == 1:
        raise ParamError(f"'{p.name}' must be a whole number or a list of 2 (before, after), not {v!r}")
    raise ParamError(
        f"'{p.name}' must be a whole number, a list of {p.length}, or a list of {p.length} pairs, not {v!r}"
    )


def _check_shape(p: Param, v: Any) -> tuple[int | None, ...]:
    if not isinstance(v, (list, tuple)):
        raise ParamError(f"'{p.name}' must be a list of whole numbers, not {v!r}")
    allow_none = p.extra.get("allow_none", False)
    out = []
    for x in v:
        if x is None and allow_none:
            out.append(None)
            continue
        if not _is_int(x):
            raise ParamError(f"'{p.name}' must be a list of whole numbers, not {v!r}")
        out.append(x)
    validate = p.extra.get("validate")
    if validate is not None:
        message = validate(tuple(out))
        if message:
            raise ParamError(f"'{p.name}' {message}")
    return tuple(out)


def _check_floats(p: Param, v: Any) -> tuple[float, ...]:
    if is_number(v):
        v = [v]
    if not isinstance(v, (list, tuple)) or not v or not all(is_number(x) for x in v):
        raise ParamError(f"'{p.name}' must be a number or a list of numbers, not {v!r}")
    out = tuple(float(x) for x in v)
    validate = p.extra.get("validate")
    message = validate(out) if validate is not None else ""
    if message:
        raise ParamError(f"'{p.name}' {message}")
    return out


_ITEMS = {"str": "words", "int": "whole numbers"}


def _check_values(p: Param, v: Any) -> list[Any]:
    """A vocabulary: at least one item, each of the item kind, none repeated
    (Keras refuses a vocabulary with repeated terms)."""
    item = p.extra.get("item", "str")
    fits = _is_int if item == "int" else (lambda x: isinstance(x, str))
    if not isinstance(v, (list, tuple)) or not v or not all(fits(x) for x in v):
        raise ParamError(f"'{p.name}' must be a list of {_ITEMS[item]}, not {v!r}")
    out = list(v)
    if len(set(out)) != len(out):
        raise ParamError(f"'{p.name}' must not repeat a value")
    validate = p.extra.get("validate")
    message = validate(out) if validate is not None else ""
    if message:
        raise ParamError(f"'{p.name}' {message}")
    return out


def _check_text(p: Param, v: Any) -> str:
    chars = p.extra.get("chars")
    if not isinstance(v, str) or not (v or p.extra.get("allow_empty")) or (chars and set(v) - set(chars)):
        allowed = f" made of {p.extra['chars_text']}" if chars else ""
        raise ParamError(f"'{p.name}' must be a text{allowed}, not {v!r}")
    return v


def _check_layer(p: Param, v: Any) -> dict[str, Any]:
    """A wrapped layer: its type must be allowed and its params valid."""
    from engine.schema.catalog import LAYERS  # the catalog defines the wrapped layer's params

    if not isinstance(v, dict) or set(v) - {"type", "params"} or "type" not in v:
        raise ParamError(f'\'{p.name}\' must be an object like {{"type": "LSTM", "params": {{...}}}}')
    kind = v["type"]
    if kind not in p.choices:
        raise ParamError(f"'{p.name}' must wrap one of {', '.join(p.choices)}, not {kind!r}")
    params = v.get("params", {})
    if not isinstance(params, dict):
        raise ParamError(f"'{p.name}.params' must be an object")
    spec = LAYERS[kind]
    problems, values = spec.check_params(params)
    if problems:
        raise ParamError(f"'{p.name}' ({kind}): " + "; ".join(x.message for x in problems))
    return {"type": kind, "params": values}


_CHECKERS = {
    INT: _check_int,
    FLOAT: _check_float,
    BOOL: _check_bool,
    CHOICE: _check_choice,
    INTS: _check_ints,
    PAIRS: _check_pairs,
    SHAPE: _check_shape,
    FLOATS: _check_floats,
    LAYER: _check_layer,
    VALUES: _check_values,
    TEXT: _check_text,
}


def check_params(
    specs: tuple[Param, ...], given: dict[str, Any]
) -> tuple[list[ParamProblem], dict[str, Any]]:
    """Validate ``given`` against ``specs``.

    Returns the problems (each names its parameter) and every parameter's value in
    Keras form, defaults filled in, so rules can read any parameter.
    """
    by_name = {p.name: p for p in specs}
    problems = [
        ParamProblem(name, f"unknown parameter '{name}' (known: {', '.join(by_name) or 'none'})")
        for name in given
        if name not in by_name
    ]
    values: dict[str, Any] = {}
    for p in specs:
        raw = given.get(p.name, p.default)
        try:
            values[p.name] = p.check(raw)
        except ParamError as exc:
            problems.append(ParamProblem(p.name, str(exc)))
            values[p.name] = None
    return problems, values


def changed_values(
    params: tuple[Param, ...], given: dict[str, Any], keep_required: bool = False
) -> dict[str, Any]:
    """The checked values that differ from the defaults (and, if asked, the required ones), lists
    for tuples: what a Keras call needs written, and what "the same setting" compares."""
    _, values = check_params(params, given)
    return {
        p.name: list(values[p.name]) if isinstance(values[p.name], tuple) else values[p.name]
        for p in params
        if (keep_required and p.required) or values[p.name] != p.default
    }
