"""Design -> the ordered layer calls that make its Keras model.

One form, shaped like Keras's own functional config, that both printers read:
:mod:`engine.keras.build` turns it into Keras objects and
:mod:`engine.keras.codegen` into a script, so the two cannot drift apart.  A
:class:`Call` says which layer object is called (created here, or one an
earlier call created: shared weights), which tensors go in (positionally or
by keyword, a list for merges) and which outputs come out, by name.

The design must be valid (see :func:`engine.design.validation.validate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from engine.design.graph import Design
from engine.design.structure_checks import port_slots
from engine.schema.catalog import LAYERS
from engine.schema.custom import by_keras, is_custom
from engine.schema.generic import is_generic


@dataclass(frozen=True)
class LayerObject:
    """One Keras layer (or ``keras.Input``) to construct: class, name and arguments.

    ``kwargs`` are the constructor arguments in Keras form and catalog order,
    only those that differ from Keras's defaults; a wrapped layer (Bidirectional's
    ``layer``) is itself a :class:`LayerObject`.
    """

    class_name: str
    name: str
    kwargs: dict[str, Any]
    # A generic layer (engine.schema.generic): ``kwargs`` is its Keras config, built with from_config.
    generic: bool = False
    # A custom layer's Python code (engine.schema.custom): built from it, its inputs by position.
    source: str | None = None

    @property
    def is_input(self) -> bool:
        return self.class_name == "Input"


@dataclass(frozen=True)
class TensorRef:
    """Output ``index`` (in the order the layer returns them) of node ``node``'s call."""

    node: str
    index: int = 0


# A call argument: one tensor, or a list of tensors (merge layers take a list).
Arg = TensorRef | tuple[TensorRef, ...]


@dataclass(frozen=True)
class Call:
    """One node: a layer object called on tensors (an Input node is a call with no inputs)."""

    node: str
    layer: LayerObject
    creates: bool  # False: the layer object was created by an earlier call (shared weights)
    args: tuple[Arg, ...] = ()
    kwargs: tuple[tuple[str, Arg], ...] = ()
    outputs: tuple[str, ...] = ("output",)
    # Plain (non-tensor) call arguments, e.g. (("return_attention_scores", True),).
    options: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Lowered:
    name: str
    calls: tuple[Call, ...]
    inputs: tuple[TensorRef, ...]
    outputs: tuple[TensorRef, ...]
    sequential: bool  # a plain chain, written as keras.Sequential


def model_name(design: Design) -> str:
    """A Keras-safe model name derived from the design's name."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", design.name)[:64] or "model"


def layer_object(node_type: str, name: str, params: dict[str, Any]) -> LayerObject:
    if is_generic(node_type) or is_custom(node_type):
        source = params.get("source", "") if is_custom(node_type) else None
        return LayerObject(params["class_name"], name, dict(params.get("config", {})), True, source)
    kwargs = LAYERS[node_type].keras_kwargs(params)
    inner = kwargs.get("layer")
    if isinstance(inner, dict):
        kwargs["layer"] = LayerObject(inner["type"], f"{name}_{inner['type'].lower()}", inner["params"])
    return LayerObject(node_type, name, kwargs)


def outputs_of(design: Design, nid: str) -> tuple[str, ...]:
    """The outputs node ``nid``'s call returns, in Keras's order."""
    node = design.nodes[design.layer_owner(nid)]
    if by_keras(node.type):
        return ("output",)
    spec = LAYERS[node.type]
    return spec.outputs_for(spec.check_params(node.params)[1])


def lower(design: Design) -> Lowered:
    order, _ = design.topological_order()
    inc = design.incoming()
    outputs = {nid: outputs_of(design, nid) for nid in order}

    def ref(src: str, out: str | None) -> TensorRef:
        return TensorRef(src, outputs[src].index(out) if out is not None else 0)

    calls = []
    created: set[str] = set()
    for nid in order:
        owner = design.layer_owner(nid)
        node = design.nodes[owner]
        obj = layer_object(node.type, owner, node.params)
        if obj.generic:  # its inputs go in by position: layer(x), layer(a, b)
            sources = tuple(ref(e.src, e.out) for e in inc[nid])
            if obj.source is not None and len(sources) > 1:  # a custom layer takes several as a list
                sources = (sources,)  # type: ignore[assignment]
            calls.append(Call(nid, obj, owner not in created, sources))
            created.add(owner)
            continue
        spec = LAYERS[node.type]
        if obj.is_input:
            calls.append(Call(nid, obj, True))
            continue
        creates = owner not in created
        created.add(owner)
        args: list[Arg] = []
        kwargs: list[tuple[str, Any]] = []
        if spec.ports:
            slots = port_slots(spec, inc[nid])
            lists: dict[str, list[TensorRef]] = {}
            for p in spec.ports:
                e = slots.get(p.name)
                if e is None:
                    continue
                if p.arg is None:
                    args.append(ref(e.src, e.out))
                elif p.slot is not None:
                    lists.setdefault(p.arg, []).append(ref(e.src, e.out))
                else:
                    kwargs.append((p.arg, ref(e.src, e.out)))
            kwargs += [(k, tuple(v)) for k, v in lists.items()]
        else:
            sources = tuple(ref(e.src, e.out) for e in inc[nid])
            args.append(sources if spec.is_merge else sources[0])
        calls.append(
            Call(
                nid,
                obj,
                creates,
                tuple(args),
                tuple(kwargs),
                outputs[nid],
                tuple(spec.call_kwargs(node.params).items()),
            )
        )
    return Lowered(
        name=model_name(design),
        calls=tuple(calls),
        inputs=tuple(TensorRef(n) for n in design.input_ids()),
        outputs=tuple(ref(o.node, o.out) for o in design.model_outputs()),
        sequential=design.is_chain(),
    )
