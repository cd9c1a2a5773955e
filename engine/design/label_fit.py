"""Does the model's output have the shape of the labels the loss will compare it with?

The classic trap: Input(8, 8, 1) -> Conv2D -> Dense(10, softmax) is legal Keras
(Dense acts on the last axis, once per pixel), so every shape rule accepts it,
but its output is (None, 6, 6, 10) while digits has one class id per sample,
and ``fit`` fails ten seconds later with "Argument `output` must have rank...".
Labels are one value (or one row) per sample, so a trainable output has
exactly two axes: the batch and the units.  This module says so before
training, names the fix, and describes it as an insertion the window can
make in one click.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.schema.catalog import LAYERS
from engine.schema.compile_catalog import BINARY, CATEGORICAL, REGRESSION, SPARSE
from engine.schema.datasets import CLASSIFICATION
from engine.schema.layer_rules import Shape, fmt_shape

# Layers that work on the last axis only, so a layer inserted before them changes their output's rank.
LAST_AXIS_LAYERS = frozenset({"Dense", "EinsumDense"})


@dataclass(frozen=True)
class Fix:
    """An edit that resolves a problem: insert ``layer_type`` just before node ``before``."""

    text: str  # e.g. "Add Flatten before 'digit'"
    layer_type: str
    before: str


@dataclass(frozen=True)
class LabelProblem:
    """An output that does not suit its labels.  ``blocking``: training would fail or learn
    something else (the app refuses to start); otherwise a poor choice, a warning.
    ``units``: the units that would fix it; ``key``: the setting to change instead, and
    ``loss``: the loss to set there when that alone is the remedy."""

    message: str
    blocking: bool = True
    units: int | None = None
    key: str | None = None
    loss: str | None = None


def label_problems(
    data_name: str,
    data_task: str,
    classes: int,
    loss_name: str,
    loss_task: str,
    who: str,
    units: int | None,
    target_width: int | None = None,
) -> list[LabelProblem]:
    """The output-versus-labels rules, one set for validation (a built-in dataset, known from
    its description) and for preparing the data (any dataset, known from its arrays).

    ``classes``: the labels' classes (classification); ``units``: the output's last axis
    (None: not known yet); ``target_width``: numbers per sample of a regression target
    (None: not known).  ``who`` names the output node (see ``validation.label``).
    """
    if data_task != CLASSIFICATION:
        if loss_task != REGRESSION:
            return [
                LabelProblem(
                    f"{data_name} is regression (numbers to predict) but {loss_name} is for classes: "
                    "use mse with a linear output",
                    key="compile.loss",
                    loss="mse",
                )
            ]
        if units is not None and target_width is not None and units != target_width:
            message = f"{data_name} has {target_width} target value(s) per sample but output {who} has"
            return [LabelProblem(f"{message} {units} unit(s)", units=target_width)]
        return []
    k = classes
    if loss_task in (SPARSE, CATEGORICAL) and units is not None and units != k:
        return [
            LabelProblem(
                f"{data_name} has {k} classes but output {who} has {units} unit(s): "
                f"set units to {k} with a softmax activation",
                units=k,
            )
        ]
    if loss_task == BINARY and (k > 2 or (units is not None and units != 1)):
        return [
            LabelProblem(
                f"{loss_name} is for two classes with one sigmoid output unit, but {data_name} has "
                f"{k} classes and {who} has {units} units: use sparse_categorical_crossentropy "
                f"with {k} softmax units",
                key="compile.loss",
            )
        ]
    if loss_task == REGRESSION:  # MSE on one-hot rows: trains only with one output unit per class
        return [
            LabelProblem(
                f"{data_name} is classification ({k} classes) but {loss_name} is a regression loss: "
                f"use sparse_categorical_crossentropy with {k} softmax units",
                blocking=units is not None and units != k,
            )
        ]
    return []


@dataclass(frozen=True)
class SetParam:
    """An edit that resolves a problem: set node ``node``'s parameter ``param`` to ``value``
    (e.g. the Input's shape to the data's, or an output's units to the number of classes)."""

    text: str  # e.g. "Set the shape of Input 'x' to (10,)"
    node: str
    param: str
    value: Any


@dataclass(frozen=True)
class SetLoss:
    """An edit that resolves a problem: set the design's loss (one loss for the model)."""

    text: str  # e.g. "Set the loss to mse"
    loss: str


def set_param_fixes(node_type: str, node_id: str, param: str, value: Any, text: str) -> tuple[SetParam, ...]:
    """The one-click fix that sets ``param``, when the layer has that parameter (else none)."""
    spec = LAYERS.get(node_type)
    if spec is None or all(p.name != param for p in spec.params):
        return ()
    return (SetParam(text, node_id, param, value),)


def label_form(loss_task: str | None, data_task: str | None, target_width: int = 1) -> str:
    """How the labels look per sample, in words."""
    if loss_task == CATEGORICAL:
        return "one one-hot row per sample"
    if loss_task == BINARY:
        return "one 0/1 label per sample"
    if loss_task == SPARSE or (data_task == "classification" and loss_task != REGRESSION):
        return "one class id per sample"
    return "one number per sample" if target_width == 1 else f"{target_width} numbers per sample"


def output_rank_problem(
    node_id: str,
    node_type: str,
    output_shape: Shape,
    input_shape: Shape | None,
    labels: str,
    target_shape: tuple | None = None,
) -> tuple[str, tuple[Fix, ...]] | None:
    """(message, fixes) when an output has more than batch and units axes (and the targets
    are not shaped like it, as an autoencoder's images are), else None."""
    if len(output_shape) <= 2 or (
        target_shape is not None and tuple(output_shape[1:]) == tuple(target_shape)
    ):
        return None
    if target_shape is not None and len(output_shape) == len(target_shape) + 1:  # same rank, other sizes
        shapes = f"{fmt_shape(output_shape)} but the labels are {fmt_shape((None, *target_shape))}"
        return f"'{node_id}' outputs {shapes}: make their sizes agree", ()
    fixes: tuple[Fix, ...] = ()
    remedy = "reduce it to (batch, units), e.g. with Flatten before the layer that makes it"
    if node_type in LAST_AXIS_LAYERS and input_shape is not None and len(input_shape) > 2:
        pool = f"GlobalAveragePooling{len(input_shape) - 2}D"
        options = ["Flatten"] + ([pool] if pool in LAYERS else [])
        fixes = tuple(Fix(f"Add {t} before '{node_id}'", t, node_id) for t in options)
        remedy = f"add {' or '.join(options)} before it"
    message = f"'{node_id}' outputs {fmt_shape(output_shape)} but the labels are {labels}: {remedy}"
    return message, fixes
