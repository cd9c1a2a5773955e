"""Design -> compiled ``keras.Model``.

Imports Keras only when called, so nothing else in the engine pays for
TensorFlow.  A single chain becomes ``keras.Sequential`` and anything else
the functional API, exactly as the exported script writes it, so a model
built here and one built by the script have equal configs.
"""

from __future__ import annotations

import re
from typing import Any

from engine.design.graph import Design
from engine.design.validation import validate
from engine.spec.catalog import LAYERS
from engine.spec.compile_catalog import OPTIMIZERS, loss_spec
from engine.spec.params import check_params


class BuildError(ValueError):
    """The design has errors; ``problems`` holds the validation messages."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the design has errors:\n  " + "\n  ".join(problems))


def model_name(design: Design) -> str:
    """A Keras-safe model name derived from the design's name."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", design.name)[:64] or "model"


def optimizer_kwargs(design: Design) -> tuple[str, dict[str, Any]]:
    """The optimizer class name and the arguments that differ from Keras's defaults."""
    opt = dict(design.compile.get("optimizer", {"type": "Adam"}))
    spec = OPTIMIZERS[opt.pop("type")]
    _, values = check_params(spec.params, opt)
    return spec.type, {p.name: values[p.name] for p in spec.params if values[p.name] != p.default}


def compile_args(design: Design) -> dict[str, Any]:
    loss = design.compile.get("loss", "mse")
    return {
        "loss": loss_spec(loss).name if loss_spec(loss) else loss,
        "metrics": list(design.compile.get("metrics", [])),
    }


def make_layer(keras: Any, node_type: str, name: str, kwargs: dict[str, Any]) -> Any:
    if node_type in ("Bidirectional", "TimeDistributed"):  # wrappers: the wrapped layer first
        inner = kwargs["layer"]
        layer = getattr(keras.layers, inner["type"])(
            name=f"{name}_{inner['type'].lower()}", **inner["params"]
        )
        return getattr(keras.layers, node_type)(
            layer, name=name, **{k: v for k, v in kwargs.items() if k != "layer"}
        )
    return getattr(keras.layers, node_type)(name=name, **kwargs)


def build_model(design: Design, compile: bool = True) -> Any:
    report = validate(design)
    if not report.valid:
        raise BuildError([p.message for p in report.errors])
    import keras

    order, _ = design.topological_order()
    kwargs = {nid: LAYERS[design.nodes[nid].type].keras_kwargs(design.nodes[nid].params) for nid in order}
    if design.is_chain():
        first, *rest = order
        model = keras.Sequential(
            [keras.Input(name=first, **kwargs[first])]
            + [make_layer(keras, design.nodes[n].type, n, kwargs[n]) for n in rest],
            name=model_name(design),
        )
    else:
        tensors: dict[str, Any] = {}
        inc = design.incoming()
        for nid in order:
            node = design.nodes[nid]
            if node.type == "Input":
                tensors[nid] = keras.Input(name=nid, **kwargs[nid])
                continue
            layer = make_layer(keras, node.type, nid, kwargs[nid])
            args = [tensors[e.src] for e in inc[nid]]
            tensors[nid] = layer(args if LAYERS[node.type].is_merge else args[0])
        ins = [tensors[n] for n in design.input_ids()]
        outs = [tensors[n] for n in design.output_ids()]
        model = keras.Model(
            inputs=ins[0] if len(ins) == 1 else ins,
            outputs=outs[0] if len(outs) == 1 else outs,
            name=model_name(design),
        )
    if compile:
        opt_type, opt_kwargs = optimizer_kwargs(design)
        model.compile(optimizer=getattr(keras.optimizers, opt_type)(**opt_kwargs), **compile_args(design))
    return model
