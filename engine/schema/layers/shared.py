"""Parameters many catalog entries share (activation, initializers, sizes, padding, ...)."""

from __future__ import annotations

from typing import Any

from engine.schema.params import (
    ACTIVATIONS,
    BIAS_INITIALIZERS,
    BOOL,
    CHOICE,
    FLOAT,
    INITIALIZERS,
    INT,
    INTS,
    REGULARIZERS,
    Param,
)


def activation(default: str | None = None, help_: str = "Function applied to the output.") -> Param:
    return Param("activation", CHOICE, default, help_, choices=(None, *ACTIVATIONS), nullable=True)


def use_bias() -> Param:
    return Param("use_bias", BOOL, True, "Add a learned bias to each output.")


def initializer(name: str, default: str) -> Param:
    choices = BIAS_INITIALIZERS if name == "bias_initializer" else INITIALIZERS
    return Param(name, CHOICE, default, "How the weights start before training.", choices=choices)


def regularizer(name: str) -> Param:
    return Param(
        name,
        CHOICE,
        None,
        "Penalty on the weights added to the loss (l2 keeps weights small).",
        choices=(None, *REGULARIZERS),
        nullable=True,
    )


def units(default: int, help_: str) -> Param:
    return Param("units", INT, default, help_, min=1, required=True, positional=True)


def rate(help_: str, default: float = 0.5, positional: bool = True) -> Param:
    return Param(
        "rate",
        FLOAT,
        default,
        help_,
        min=0,
        max=1,
        min_exclusive=False,
        positional=positional,
        required=positional,
    )


def sizes(name: str, rank: int, default: int | None, help_: str, **kw: Any) -> Param:
    return Param(name, INTS, default, help_, min=1, length=rank, **kw)


def padding(choices: tuple[str, ...] = ("valid", "same")) -> Param:
    return Param(
        "padding",
        CHOICE,
        "valid",
        "'valid' shrinks the output; 'same' keeps its size (for stride 1).",
        choices=choices,
    )


def axis(default: int = -1, help_: str = "The axis the layer works along (-1 is the last).") -> Param:
    return Param("axis", INT, default, help_)


def conv_params(rank: int, filters_help: str, *, causal: bool = False) -> list[Param]:
    return [
        Param("filters", INT, 32, filters_help, min=1, required=True, positional=True),
        sizes("kernel_size", rank, 3, "Size of the sliding window.", required=True, positional=True),
        sizes("strides", rank, 1, "Step of the window; 2 halves the size."),
        padding(("valid", "same", "causal") if causal else ("valid", "same")),
        sizes("dilation_rate", rank, 1, "Gaps between kernel taps; widens the view without weights."),
    ]


def height_width(what: str) -> tuple[Param, Param]:
    return (
        Param("height", INT, 24, f"Height of the {what}, in pixels.", min=1, required=True, positional=True),
        Param("width", INT, 24, f"Width of the {what}, in pixels.", min=1, required=True, positional=True),
    )
