"""Design -> compiled ``keras.Model``.

Imports Keras only when called, so nothing else in the engine pays for
TensorFlow.  It prints the lowered form (:mod:`engine.keras.lower`) as Keras
objects -- ``keras.Sequential`` for a plain chain, the functional API
otherwise -- exactly as the exported script writes it, so a model built here
and one built by the script have equal configs.
"""

from __future__ import annotations

from typing import Any

from engine.design.graph import Design
from engine.keras.custom_layers import make_custom, require_trust
from engine.keras.generic import make_generic, resolve
from engine.keras.lower import Arg, LayerObject, TensorRef, lower
from engine.keras.lower_compile import KerasObject, lower_compile


class BuildError(ValueError):
    """The design has errors; ``problems`` holds the validation messages."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the design has errors:\n  " + "\n  ".join(problems))


def make_object(keras: Any, value: Any) -> Any:
    """A plain value with every :class:`KerasObject` in it (also in dicts and lists) made."""
    if isinstance(value, KerasObject):
        module = keras
        for part in value.module.split("."):
            module = getattr(module, part)
        return getattr(module, value.class_name)(
            **{k: make_object(keras, v) for k, v in value.kwargs.items()}
        )
    if isinstance(value, dict):
        return {k: make_object(keras, v) for k, v in value.items()}
    if isinstance(value, list):
        return [make_object(keras, v) for v in value]
    return value


def make_layer(keras: Any, obj: LayerObject) -> Any:
    """The Keras object for a lowered layer (``keras.Input`` for an Input)."""
    if obj.is_input:
        return keras.Input(name=obj.name, **obj.kwargs)
    if obj.source is not None:  # the design's own code: build_model checked that it is trusted
        return make_custom(keras, obj.class_name, obj.source, obj.kwargs, obj.name)
    if obj.generic:
        return make_generic(keras, obj.class_name, {**obj.kwargs, "name": obj.name})
    kwargs = {k: make_layer(keras, v) if isinstance(v, LayerObject) else v for k, v in obj.kwargs.items()}
    return getattr(keras.layers, obj.class_name)(name=obj.name, **kwargs)


def build_model(design: Design, compile: bool = True) -> Any:
    require_trust(design)  # nothing read from a file runs unless its user trusts it
    report = resolve(design)  # generic layers' shapes from Keras, so every check runs
    if not report.valid:
        raise BuildError([p.message for p in report.errors])
    import keras

    low = lower(design)
    if low.sequential:
        model = keras.Sequential([make_layer(keras, c.layer) for c in low.calls], name=low.name)
    else:
        layers: dict[str, Any] = {}
        tensors: dict[str, tuple[Any, ...]] = {}

        def value(arg: Arg) -> Any:
            if isinstance(arg, TensorRef):
                return tensors[arg.node][arg.index]
            return [tensors[t.node][t.index] for t in arg]

        for c in low.calls:
            if c.layer.is_input:
                tensors[c.node] = (make_layer(keras, c.layer),)
                continue
            if c.creates:
                layers[c.layer.name] = make_layer(keras, c.layer)
            kwargs = {k: value(v) for k, v in c.kwargs} | dict(c.options)
            result = layers[c.layer.name](*map(value, c.args), **kwargs)
            tensors[c.node] = tuple(result) if len(c.outputs) > 1 else (result,)
        ins = [value(t) for t in low.inputs]
        outs = [value(t) for t in low.outputs]
        model = keras.Model(
            inputs=ins[0] if len(ins) == 1 else ins,
            outputs=outs[0] if len(outs) == 1 else outs,
            name=low.name,
        )
    if compile:
        comp = lower_compile(design)
        model.compile(optimizer=make_object(keras, comp.optimizer), **make_object(keras, comp.kwargs))
    return model
