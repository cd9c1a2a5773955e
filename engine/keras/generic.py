"""Keras's side of generic layers: build one from its config, and ask it for shapes.

A generic node (:mod:`engine.schema.generic`) names a ``keras.layers`` class and
its config.  It is built as Keras itself loads a saved layer,
``keras.layers.<Class>.from_config(config)``, after the config has passed
:func:`engine.schema.generic.config_problems` and the class has been found to be
a real ``keras.layers`` Layer.  Shapes and weight counts come from calling the
layer on symbolic inputs: the pure-Python engine cannot know them.

Imports Keras only when called.  The GUI runs :func:`compute` on its training
worker thread; the command line runs :func:`resolve` in-process.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from engine.design.graph import Design
from engine.design.validation import Report, validate
from engine.schema.generic import (
    GENERIC_CLASSES,
    KERAS_PRIVATE_LAYERS,
    KerasShape,
    Request,
    class_problem,
    config_problems,
)
from engine.trust import holds_code, is_trusted


class GenericLayerError(ValueError):
    """A generic layer's class or config is refused; the message says why."""


def make_generic(keras: Any, class_name: str, config: dict[str, Any]) -> Any:
    """The Keras layer a generic node describes, built from its (checked) config."""
    why = class_problem(class_name) or ("; ".join(config_problems(config)))
    if why:
        raise GenericLayerError(why)
    if class_name in KERAS_PRIVATE_LAYERS:  # Keras's own code, from a fixed module of Keras
        cls = getattr(importlib.import_module(KERAS_PRIVATE_LAYERS[class_name]), class_name, None)
    else:
        cls = getattr(keras.layers, class_name, None)
    real = isinstance(cls, type) and issubclass(cls, keras.layers.Layer)
    if class_name not in GENERIC_CLASSES or not real:
        raise GenericLayerError(f"'{class_name}' is not a layer class of keras.layers")
    return cls.from_config(dict(config))


def compute(request: Request) -> KerasShape:
    """What Keras makes of a request: the output shape and weights, or why it refuses."""
    import keras

    try:
        layer = make_generic(keras, request.class_name, json.loads(request.config))
        inputs = [keras.Input(batch_shape=shape) for shape in request.inputs]
        result = layer(*inputs)
    except Exception as exc:  # noqa: BLE001 - Keras's refusal, whatever its type, is the answer
        return KerasShape(error=_sentence(exc))
    return layer_answer(layer, result, "a generic layer")


def layer_answer(layer: Any, result: Any, kind: str) -> KerasShape:
    """The shape and weight counts of ``layer`` called once, or why its result is no one tensor.

    Shared by generic layers and custom ones (:mod:`engine.keras.custom_layers`): ``kind``
    names which in the sentence.
    """
    if isinstance(result, (list, tuple)):
        if len(result) != 1:
            return KerasShape(error=f"it returns {len(result)} tensors; {kind} passes on one")
        result = result[0]
    if not hasattr(result, "shape"):
        return KerasShape(error=f"it returns {type(result).__name__}, not a tensor")
    trainable = sum(int(_size(w.shape)) for w in layer.trainable_weights)
    return KerasShape(shape=tuple(result.shape), params=int(layer.count_params()), trainable=trainable)


def resolve(design: Design) -> Report:
    """Validate ``design`` with every generic layer's shape computed by Keras (in this thread).

    Each round answers the requests whose inputs are known; a generic layer fed
    by another is answered in a later round.  Keras is imported only when a
    design has generic layers.  A design whose code its user trusts has it run in a child
    process with a time limit (:mod:`engine.keras.custom_layers`); untrusted code is never run,
    and its nodes' shapes stay unknown.
    """
    if holds_code(design) and is_trusted(design):
        from engine.keras.custom_layers import resolve_code

        return resolve_code(design)
    report = validate(design)
    for _ in range(len(design.nodes) + 1):
        todo = [r for r in report.requests if r not in design.keras_answers]
        if not todo:
            break
        for request in todo:
            design.keras_answers[request] = compute(request)
        report = validate(design)
    return report


def _size(shape: Any) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


def _sentence(exc: BaseException) -> str:
    """Keras's message, first lines only, without the config it sometimes echoes."""
    text = " ".join(str(exc).split("\n")[:3]).strip() or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
