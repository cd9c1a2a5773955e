"""A Keras model config -> a design: the one mapping behind every kind of import.

Model files (:mod:`engine.keras.model_files`) and scripts
(:mod:`engine.keras.script_parser`) both arrive here as a config shaped like
Keras's own ``get_config()`` output, so a ``.keras`` file, an ``.h5`` file,
``model.to_json()`` and a hand-written script are read by the same code.

Each layer's constructor arguments are read through the layer catalog: a
catalogued parameter takes the config's value in its own form
(:mod:`engine.keras.import_values`: an initializer object becomes its name), the
compile settings are read by :mod:`engine.keras.import_compile`, an argument the catalog does not know
is reported when it differs from what Keras would do without it.  A layer
the catalog does not describe (a custom class, a Lambda) becomes a node of
that type with a message naming it; the rest of the model still imports.
Nothing in the config is executed.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.design.graph import NODE_ID, Design, Edge, Node, OutputRef
from engine.design.layout import layered_positions
from engine.keras.custom_script import custom_layer, layer_params, missing_code
from engine.keras.import_compile import loss_from_outputs, read_compile
from engine.keras.import_values import SKIP, from_keras, is_keras_default, is_quiet, tidy_float
from engine.keras.model_files import ModelFileError, read_model_file
from engine.keras.script_parser import MAX_SCRIPT_BYTES, ScriptError, parse_script
from engine.keras.weights import WeightsError, weight_layers
from engine.schema.catalog import LAYERS
from engine.schema.custom import CUSTOM
from engine.schema.generic import (
    GENERIC,
    GENERIC_CLASSES,
    KERAS_PRIVATE_LAYERS,
    config_problems,
    generic_params,
)
from engine.schema.keras_config import config_of, is_tensor_ref, short_repr, snake_case, tensor_refs
from engine.schema.settings import TrainingSettings

MODEL_CLASSES = ("Functional", "Model", "Sequential")

# Config keys every layer has that carry no design information.
_IGNORED_KEYS = {
    "name",
    "trainable",
    "dtype",
    "build_config",
    "compile_config",
    "batch_input_shape",
    "input_shape",
    "input_dim",
    "autocast",
    "registered_name",
    "vocabulary_size",  # a lookup's, derived from its vocabulary
}

# Keras's defaults for arguments the catalog leaves out, when they are "off": a
# config holding exactly these needs no message.


@dataclass
class ImportResult:
    """The design, and what could not be carried over (each a sentence naming the layer)."""

    design: Design
    problems: list[str] = field(default_factory=list)  # parts of the model left out or replaced
    notes: list[str] = field(default_factory=list)  # details simplified (initializer arguments, ...)
    origins: dict[str, str] = field(default_factory=dict)  # node id -> the Keras layer it came from

    @property
    def complete(self) -> bool:
        return not self.problems


def import_config(
    config: dict[str, Any],
    compile_config: dict[str, Any] | None = None,
    training: dict[str, Any] | None = None,
    source: str = "model",
    call_names: dict[tuple[str, int], str] | None = None,
    sources: dict[str, str] | None = None,
) -> ImportResult:
    """The design a Keras model config describes, laid out, with what was lost.

    ``call_names`` names the nodes of a shared layer's later calls (a script's variables);
    ``sources`` holds the code of a script's own layers, by layer name (text, never run)."""
    result = ImportResult(Design(name=_design_name(config, source)))
    reader = _GraphReader(result, call_names or {})
    reader.sources = sources or {}
    try:
        outputs = reader.model(config, prefix="", bound=None)
        chosen = [OutputRef(o.node, o.out) for o in outputs]
        if chosen and chosen != result.design.model_outputs():
            result.design.outputs = chosen  # e.g. a layer's state that feeds on and is an output too
    except RecursionError:
        result.problems.append("the model nests models too deeply to read")
    reader.summarise_notes()
    _owner_by_name(result)
    if compile_config:
        read_compile(compile_config, result)
    else:
        loss_from_outputs(result)
    if training:
        design = result.design
        design.set_training(TrainingSettings.of({**design.training, **training}))
    for nid, (x, y) in layered_positions(result.design).items():
        result.design.nodes[nid].pos = (x, y)
    return result


def _owner_by_name(result: ImportResult) -> None:
    """The node named like a shared layer holds it, whichever call came first: an exported
    script may call a shared layer first for a node that shares it."""
    design = result.design
    for nid, node in list(design.nodes.items()):
        owner = node.shares
        if owner is None or result.origins.get(owner) != nid:
            continue
        node.params, design.nodes[owner].params = design.nodes[owner].params, {}
        for other in design.nodes.values():
            if other.shares == owner or other.id == owner:
                other.shares = nid
        node.shares = None
        result.origins[nid] = result.origins.pop(owner)


def _design_name(config: dict[str, Any], source: str) -> str:
    inner = config.get("config")
    name = inner.get("name") if isinstance(inner, dict) else None
    return name if isinstance(name, str) and name else source


# ---------------------------------------------------------------- the graph


class _GraphReader:
    """Turns (possibly nested) Sequential and Functional configs into nodes and edges."""

    def __init__(self, result: ImportResult, call_names: dict[tuple[str, int], str]) -> None:
        self.result = result
        self.call_names = call_names
        self.ids: dict[tuple[str, str], str] = {}  # (prefix, layer call's name) -> its node id
        self.shared_models: list[tuple[str, str]] = []  # (a nested model's later call, its first)
        self.design = result.design
        self.sources: dict[str, str] = {}  # a script's own layers' code, by layer name
        # a simplification -> the layers it applies to, so each is said once
        self.simplified: dict[str, list[str]] = {}

    def note(self, layer_name: str, message: str) -> None:
        self.simplified.setdefault(message, []).append(layer_name)

    def summarise_notes(self) -> None:
        """One note per kind of simplification, naming a few of the layers it touched."""
        for message, names in self.simplified.items():
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            self.result.notes.append(f"{message} ({', '.join(repr(n) for n in names[:3])}{more})")

    def problem(self, message: str) -> None:
        self.result.problems.append(message)

    def model(self, config: dict[str, Any], prefix: str, bound: list[Source] | None) -> list[Source]:
        """Read a model; ``bound`` feeds its inputs from outer tensors (a nested model).

        Returns the tensors of its outputs.
        """
        kind = config.get("class_name")
        body = config.get("config")
        if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
            self.problem(f"{kind or 'the model'} has no list of layers")
            return []
        if kind == "Sequential":
            return self._sequential(body, prefix, bound)
        return self._functional(body, prefix, bound)

    def _sequential(self, body: dict[str, Any], prefix: str, bound: list[Source] | None) -> list[Source]:
        layers = [lay for lay in body["layers"] if isinstance(lay, dict)]
        current: Source | None = bound[0] if bound else None
        first = layers[0] if layers else {}
        shape = _input_shape(first)
        if first.get("class_name") == "InputLayer":
            layers = layers[1:]
        if current is None:
            current = Source(
                self._input(
                    config_of(first).get("name") if shape else None, shape, prefix, _input_dtype(first)
                )
            )
            if shape is None:
                self.problem(
                    f"the model does not say its input shape: set 'shape' on '{current.node}' "
                    "(one sample's shape, e.g. [8]) or pick a dataset"
                )
        for layer in layers:
            outs = self._call(layer, prefix, [(current, 0)], call_index=0)
            if outs:
                current = outs[0]
        return [current] if current else []

    def _functional(self, body: dict[str, Any], prefix: str, bound: list[Source] | None) -> list[Source]:
        # (layer name, call index) -> the node of that call; a nested model's call -> its outputs
        produced: dict[tuple[str, int], list[Source]] = {}
        input_names = [ref[0] for ref in _ref_list(body.get("input_layers"))]
        implicit = _implicit_masks(body["layers"])
        pending: list[tuple[dict[str, Any], int, Any]] = []  # (layer, call index, call), in file order
        for layer in body["layers"]:
            if not isinstance(layer, dict):
                continue
            name = _layer_name(layer)
            if (
                layer.get("class_name") == "InputLayer"
                or name in input_names
                and not layer.get("inbound_nodes")
            ):
                if bound is not None and name in input_names:
                    produced[(name, 0)] = [bound[input_names.index(name)]]
                else:
                    produced[(name, 0)] = [
                        Source(self._input(name, _input_shape(layer), prefix, _input_dtype(layer)))
                    ]
                    if _dtype_name(layer) not in (None, "float32", "int32", "int64", "string"):
                        self.problem(
                            f"the Input '{name}' holds {_dtype_name(layer)} values; a design's Input holds "
                            "float32, int32, int64 or string: it imports as float32"
                        )
                continue
            if name in implicit:  # Keras's record of an Embedding's mask_zero mask: implied by it
                continue
            if _is_op(layer):
                layer = self._op_as_layer(layer)
            pending += [(layer, k, call) for k, call in enumerate(_inbound(layer))]
        self._calls(pending, produced, prefix, implicit)
        outputs = []
        for ref in _ref_list(body.get("output_layers")):
            if (ref[0], ref[1]) in produced:
                outputs.append(_output(produced[(ref[0], ref[1])], ref[2], self.design))
        return [o for o in outputs if o is not None]

    def _calls(
        self,
        pending: list[tuple[dict[str, Any], int, Any]],
        produced: dict[tuple[str, int], list[Source]],
        prefix: str,
        implicit: set[str],
    ) -> None:
        """Add each call once the tensors it takes exist, as Keras's own from_config does: a shared
        layer's later call may take a tensor from a layer listed after it."""
        first: dict[str, str] = {}  # layer name -> the node of its first call (later calls share it)
        while pending:
            left = []
            for task in pending:
                if _ready(task, produced):
                    self._add_call(task, produced, prefix, implicit, first)
                else:
                    left.append(task)
            if len(left) == len(pending):  # none can be added: the first says what it lacks
                self._add_call(left.pop(0), produced, prefix, implicit, first)
            pending = left

    def _add_call(
        self,
        task: tuple[dict[str, Any], int, Any],
        produced: dict[tuple[str, int], list[Source]],
        prefix: str,
        implicit: set[str],
        first: dict[str, str],
    ) -> None:
        layer, k, call = task
        name = _layer_name(layer)
        self._call_flags(layer, call, implicit)
        inputs = self._inputs(call, produced, layer)
        if inputs is None:
            return
        outs = self._call(layer, prefix, inputs, call_index=k, shares=first.get(name))
        if outs and k == 0 and not _is_model(layer):
            first[name] = outs[0].node
        produced[(name, k)] = outs

    def _inputs(
        self, call: Any, produced: dict[tuple[str, int], list[Source]], layer: dict[str, Any]
    ) -> list[tuple[Source, Any]] | None:
        """The tensors feeding one call, each with where it goes: a position (0, 1, ... in
        the call's arguments or a merge's list), a keyword, or (keyword, index) in a
        keyword's list (``initial_state=[h, c]``)."""
        args, kwargs = _call_parts(call)
        slots: list[tuple[list[Any], Any]] = []
        if len(args) == 1 and isinstance(args[0], list):  # a merge's list of tensors
            slots += [(ref, i) for i, ref in enumerate(tensor_refs(args[0]))]
        else:
            slots += [(tensor_refs(a)[0], i) for i, a in enumerate(args) if tensor_refs(a)]
        for key, value in kwargs.items():
            refs = tensor_refs(value)
            if isinstance(value, list):
                slots += [(ref, (key, i)) for i, ref in enumerate(refs)]
            elif refs:
                slots.append((refs[0], key))
        found: list[tuple[Source, Any]] = []
        for ref, where in slots:
            outs = produced.get((ref[0], ref[1]))
            if outs is None:
                self.problem(f"'{_layer_name(layer)}' takes a tensor from '{ref[0]}', which was not imported")
                return None
            source = _output(outs, ref[2], self.design)
            if source is None:
                self.problem(
                    f"'{_layer_name(layer)}' uses output {ref[2]} of '{ref[0]}', which it does not have"
                )
                return None
            found.append((source, where))
        if not found:
            self.problem(f"'{_layer_name(layer)}' is called without inputs")
            return None
        return found

    def _call_flags(self, layer: dict[str, Any], call: Any, implicit: set[str]) -> None:
        """A call's ``mask=`` tensor or ``training=`` flag changes what the layer computes; a
        design carries neither, so each is a problem naming the layer (a mask_zero Embedding's
        mask is implied by the Embedding and needs no word)."""
        kwargs = call.get("kwargs") if isinstance(call, dict) else None
        if not isinstance(kwargs, dict):
            return
        name = _layer_name(layer)
        masks = [ref[0] for ref in tensor_refs(kwargs.get("mask")) if ref[0] not in implicit]
        if masks:
            self.problem(
                f"'{name}' is called with a mask from '{masks[0]}' (mask=), which a design cannot carry; "
                "it computes without it"
            )
        # A recorded training=True keeps a dropout or noise layer on in predict() (fit passes its
        # own); Keras records True or False on its own too, where it changes nothing.
        if kwargs.get("training") is True and _trains_differently(layer):
            self.problem(
                f"'{name}' is called with training=True, which a design cannot carry; "
                "it runs as Keras runs it by default (training only while fitting)"
            )

    def _op_as_layer(self, layer: dict[str, Any]) -> dict[str, Any]:
        """A ``keras.ops`` call in the graph (``x + 3.0``) as the layer that computes the same.

        Tensor-and-number arithmetic is exactly ``Rescaling(scale, offset)``; arithmetic
        between tensors is the merge layer of the same name.  Anything else stays
        an operation the catalog does not describe.
        """
        name = _layer_name(layer)
        calls = _inbound(layer)
        args = _call_parts(calls[0])[0] if len(calls) == 1 else []
        numbers = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
        tensors = [a for a in args if tensor_refs(a)]
        op = str(layer.get("class_name"))
        scale_offset = {
            "Add": lambda c: (1.0, c),
            "Subtract": lambda c: (1.0, -c),
            "Multiply": lambda c: (c, 0.0),
            "Divide": lambda c: (1.0 / c if c else None, 0.0),
            "TrueDivide": lambda c: (1.0 / c if c else None, 0.0),
        }
        if len(tensors) == 1 and len(numbers) == 1 and op in scale_offset and tensor_refs(args[0]):
            scale, offset = scale_offset[op](float(numbers[0]))
            if scale is not None:
                self.note(
                    name, f"keras.ops.{op.lower()} of a tensor and a number imports as an exact Rescaling"
                )
                return {
                    "class_name": "Rescaling",
                    "name": name,
                    "config": {"name": name, "scale": tidy_float(scale), "offset": tidy_float(offset)},
                    "inbound_nodes": [{"args": [args[0]], "kwargs": {}}],
                }
        if len(tensors) >= 2 and not numbers and op in ("Add", "Subtract", "Multiply", "Maximum", "Minimum"):
            self.note(name, f"keras.ops.{op.lower()} of tensors imports as the {op} layer")
            return {**layer, "module": "keras.layers", "inbound_nodes": [{"args": [tensors], "kwargs": {}}]}
        return {**layer, "class_name": f"ops.{op}"}

    def _nested(
        self, layer: dict[str, Any], prefix: str, inputs: list[tuple[Source, Any]], call_index: int
    ) -> list[Source]:
        """A nested model's call, flattened into the design; a later call of the same model (a
        siamese tower) calls the first call's layers again: shared layers, not copies."""
        name = _layer_name(layer)
        first = f"{prefix}{name}."
        inner = first if call_index == 0 else f"{prefix}{name}_call{call_index}."
        if call_index:
            self.shared_models.append((inner, first))
        try:
            body = {"class_name": layer.get("class_name"), "config": config_of(layer)}
            return self.model(body, inner, [s for s, _ in inputs])
        finally:
            if call_index:
                self.shared_models.pop()

    def _first_call_of(self, prefix: str, base: str) -> str | None:
        """Inside a nested model's later call, the node of the same layer in its first call."""
        for later, first in reversed(self.shared_models):
            if prefix.startswith(later):
                nid = self.ids.get((first + prefix[len(later) :], base))
                return self.design.layer_owner(nid) if nid in self.design.nodes else None
        return None

    def _input(self, name: str | None, shape: list[Any] | None, prefix: str, dtype: str | None = None) -> str:
        nid = self._new_id(prefix + (name or "input"))
        params: dict[str, Any] = {"shape": list(shape) if shape is not None else None}
        if dtype is not None:
            params["dtype"] = dtype
        self.design.add_node(Node(nid, "Input", params))
        return nid

    def _call(
        self,
        layer: dict[str, Any],
        prefix: str,
        inputs: list[tuple[Source, Any]],
        call_index: int,
        shares: str | None = None,
    ) -> list[Source]:
        """Add the node for one call of a layer (a later call shares the first's weights); a nested
        model is flattened into the design."""
        class_name = layer.get("class_name")
        name = _layer_name(layer)
        config = config_of(layer)
        if _is_model(layer):
            return self._nested(layer, prefix, inputs, call_index)
        spec = LAYERS.get(class_name) if isinstance(class_name, str) else None
        beyond = (
            _beyond_catalog(spec, _underived(layer)) if spec is not None and _generic_layer(layer) else []
        )
        if beyond:  # an argument that changes what the layer computes, which its entry cannot hold
            spec = None
            self.note(
                name,
                f"{class_name} with `{beyond[0]}` = {short_repr(config[beyond[0]])}: the catalog entry has "
                "no such parameter, so it imports as a generic Keras layer with its whole config",
            )
        base = name if call_index == 0 else f"{name}_call{call_index}"
        later = {v for (layer_name, k), v in self.call_names.items() if layer_name == name and k}
        if not prefix and (call_index or name in later):  # the script's name for this call
            base = self.call_names.get((name, call_index), base)
        nid = self._new_id(prefix + base)
        self.ids[(prefix, base)] = nid
        shares = shares or self._first_call_of(prefix, base)
        if spec is None and _generic_layer(layer) and shares is None:
            why = config_problems(_config_without_name(layer))
            if not why:
                return self._generic(nid, layer, inputs)
            self.problem(
                f"'{name}' is a {class_name} layer whose config is refused ({why[0]}); "
                "a placeholder stands in its place"
            )
        elif spec is None and _generic_layer(layer):
            self.design.add_node(Node(nid, GENERIC, {}, shares=shares))
            self._connect_by_position(nid, inputs)
            return [Source(nid)]
        elif spec is None and custom_layer(layer):  # the user's own code: a node that holds it
            params = layer_params(layer, self.sources.get(name, "")) if shares is None else {}
            if shares is None and not params["source"]:
                self.problem(missing_code(name, layer))
            self.design.add_node(Node(nid, CUSTOM, params, shares=shares))
            self.result.origins[nid] = name
            self._connect_by_position(nid, inputs)
            return [Source(nid)]
        if spec is None:
            self.design.add_node(Node(nid, str(class_name or "Unknown"), {}))
            if not _generic_layer(layer):
                self.problem(_unknown_layer_message(class_name, name, layer))
            for source, _ in inputs[:1]:
                self.design.connect(Edge(source.node, nid, None, source.out))
            return [Source(nid)]
        params = self._params(spec.type, _underived(layer), name) if shares is None else {}
        call_options = _call_options(spec, layer, call_index)
        if shares is None:
            params.update(call_options)
            self.result.origins[nid] = name
        self.design.add_node(Node(nid, spec.type, params, shares=shares))
        for port, (source, where) in enumerate(inputs):
            self.design.connect(Edge(source.node, nid, _port(spec, where, port, name, self), source.out))
        return [Source(nid)]

    def _generic(self, nid: str, layer: dict[str, Any], inputs: list[tuple[Source, Any]]) -> list[Source]:
        """A built-in Keras layer the catalog lacks: a generic node with its config verbatim."""
        class_name = str(layer["class_name"])
        self.design.add_node(Node(nid, GENERIC, generic_params(class_name, config_of(layer))))
        self.result.origins[nid] = _layer_name(layer)
        if class_name in LAYERS:  # a catalogued class beyond its entry: said where that was found
            self._connect_by_position(nid, inputs)
            return [Source(nid)]
        self.note(
            _layer_name(layer),
            f"{class_name} is not in the catalog: it imports as a generic Keras layer, "
            "its config kept as JSON and its shape computed by Keras",
        )
        self._connect_by_position(nid, inputs)
        return [Source(nid)]

    def _connect_by_position(self, nid: str, inputs: list[tuple[Source, Any]]) -> None:
        if any(not isinstance(where, int) for _, where in inputs):
            self.problem(f"'{nid}' takes an input by keyword, which a generic layer cannot; left out")
        kept = [source for source, where in inputs if isinstance(where, int)]
        for port, source in enumerate(kept):
            self.design.connect(Edge(source.node, nid, port if len(kept) > 1 else None, source.out))

    def _params(self, type_: str, config: dict[str, Any], layer_name: str) -> dict[str, Any]:
        spec = LAYERS[type_]
        params: dict[str, Any] = {}
        known = {p.name for p in spec.params}
        for p in spec.params:
            if p.name not in config:
                continue
            value, note = from_keras(p, _one_factor(type_, p.name, config[p.name]))
            if note:
                self.note(layer_name, f"{type_}: {note}")
            if value is not SKIP:
                params[p.name] = value
        for key, value in config.items():
            if key in known or key in _IGNORED_KEYS or is_quiet(value) or is_keras_default(key, value):
                continue
            self.note(
                layer_name, f"{type_}: argument `{key}` = {short_repr(value)} is not in the catalog; left out"
            )
        return params

    def _new_id(self, base: str) -> str:
        cleaned = re.sub(r"[^A-Za-z0-9_.\-]", "_", base)[:64] or "node"
        if not NODE_ID.match(cleaned):
            cleaned = "n_" + cleaned[:62]
        if cleaned not in self.design.nodes:
            return cleaned
        i = 1
        while f"{cleaned[:58]}_{i}" in self.design.nodes:
            i += 1
        return f"{cleaned[:58]}_{i}"


@dataclass(frozen=True)
class Source:
    """A tensor in the design: a node's output (None: its main one)."""

    node: str
    out: str | None = None


def _is_model(layer: dict[str, Any]) -> bool:
    cls = layer.get("class_name")
    return cls in MODEL_CLASSES or (isinstance(config_of(layer).get("layers"), list) and cls not in LAYERS)


def _output(outs: list[Source], index: int, design: Design) -> Source | None:
    """Output ``index`` of a call: a nested model's own outputs, or a layer's named outputs."""
    if len(outs) != 1:
        return outs[index] if index < len(outs) else None
    source = outs[0]
    if index == 0:
        return source
    node = design.nodes[design.layer_owner(source.node)]
    spec = LAYERS.get(node.type)
    if spec is None:
        return None
    names = spec.outputs_for({**{p.name: p.default for p in spec.params}, **node.params})
    return Source(source.node, names[index]) if index < len(names) else None


def _call_options(spec: Any, layer: dict[str, Any], call_index: int) -> dict[str, Any]:
    """Arguments of the call that the catalog keeps as parameters (return_attention_scores, ...)."""
    calls = _inbound(layer)
    kwargs = _call_parts(calls[call_index])[1] if call_index < len(calls) else {}
    return {
        p.name: kwargs[p.name]
        for p in spec.params
        if p.extra.get("call") and isinstance(kwargs.get(p.name), bool) and kwargs[p.name] != p.default
    }


def _port(spec: Any, where: Any, position: int, name: str, reader: _GraphReader) -> int | str | None:
    """The design's port for an input that Keras passed at ``where``."""
    if spec.ports:
        if isinstance(where, int):
            port = spec.ports[where].name if where < len(spec.ports) else None
        else:
            key, slot = where if isinstance(where, tuple) else (where, None)
            port = next((p.name for p in spec.ports if p.arg == key and p.slot == slot), None)
            port = port or next((p.name for p in spec.ports if p.name == key), None)
        if port is None:
            reader.problem(
                f"'{name}' takes an input the catalog has no port for ({where!r}); connected first"
            )
        return None if port in (None, spec.ports[0].name) else port
    return position if spec.is_merge else None


def _beyond_catalog(spec: Any, config: dict[str, Any]) -> list[str]:
    """Arguments of a catalogued layer that its entry does not hold and that change what it
    computes or how it starts (``data_format="channels_first"``, ``groups=2``, ``attention_axes``,
    ``lora_rank``, an LSTM's ``kernel_initializer``).  A seed is left out: it only fixes which
    random numbers are drawn."""
    known = {p.name for p in spec.params}
    own = CLASS_DEFAULTS.get(spec.type, {})
    return [
        key
        for key, value in config.items()
        if key not in known
        and key not in _IGNORED_KEYS
        and key != "seed"
        and not (key == "backward_layer" and _mirrors(config.get("layer"), value))
        and not is_quiet(value)
        and not (is_keras_default(key, value) if key not in own else _same(value, own[key]))
    ]


def _underived(layer: dict[str, Any]) -> dict[str, Any]:
    """A saved layer's config less what Keras derived when it was built: MultiHeadAttention
    writes the attention axes its query's rank implies when none were given."""
    config = config_of(layer)
    shapes = (layer.get("build_config") or {}).get("shapes_dict") or {}
    query = shapes.get("query_shape") if isinstance(shapes, dict) else None
    axes = config.get("attention_axes")
    if (
        isinstance(query, list)
        and isinstance(axes, (list, tuple))
        and list(axes) == list(range(1, len(query) - 1))
    ):
        config = {k: v for k, v in config.items() if k != "attention_axes"}
    return config


# How Keras saves a single factor of these layers: RandomRotation(0.3) as (-0.3, 0.3),
# RandomContrast(0.3) as (0, 0.3).
_FACTOR_PAIRS = {"RandomRotation": lambda a: [-a, a], "RandomContrast": lambda a: [0, a]}


def _one_factor(layer_type: str, key: str, value: Any) -> Any:
    """A saved factor pair as the single factor it was made from, when it is one."""
    pair = _FACTOR_PAIRS.get(layer_type)
    if key != "factor" or pair is None or not isinstance(value, list) or len(value) != 2:
        return value
    upper = value[1]
    return upper if isinstance(upper, (int, float)) and pair(upper) == value else value


def _mirrors(forward: Any, backward: Any) -> bool:
    """Whether a Bidirectional's saved backward layer is the one Keras derives from its forward
    layer (the same config, run backwards), which Keras writes into every saved config."""
    if not isinstance(forward, dict) or not isinstance(backward, dict):
        return False
    skip = ("go_backwards", "build_config")

    def kept(layer: dict[str, Any]) -> dict[str, Any]:  # less names and a saving's object ids
        config = generic_params("", config_of(layer))["config"]
        return {k: v for k, v in config.items() if k not in skip}

    return forward.get("class_name") == backward.get("class_name") and kept(forward) == kept(backward)


def _same(value: Any, default: Any) -> bool:
    """A saved value equal to a default: a list for a tuple, an object for its snake-case name."""
    if isinstance(value, dict) and "class_name" in value:
        return snake_case(str(value["class_name"])) == default and all(
            is_quiet(v) for v in config_of(value).values()
        )
    if isinstance(value, str) and snake_case(value) == default:  # "Zeros" is "zeros"
        return True
    return (list(value) if isinstance(value, tuple) else value) == default


def _generic_layer(layer: dict[str, Any]) -> bool:
    """A layer class of Keras itself (by name, module and registration) that may be a generic node."""
    class_name = layer.get("class_name")
    module = layer.get("module")
    registered = layer.get("registered_name")
    return (
        isinstance(class_name, str)
        and class_name in GENERIC_CLASSES
        and (module is None or module in ("keras.layers", "keras", KERAS_PRIVATE_LAYERS.get(class_name)))
        and registered in (None, class_name)
    )


def _config_without_name(layer: dict[str, Any]) -> dict[str, Any]:
    return generic_params(str(layer.get("class_name")), config_of(layer))["config"]


def _unknown_layer_message(class_name: Any, name: str, layer: dict[str, Any]) -> str:
    module = layer.get("module") or ""
    registered = layer.get("registered_name") or ""
    if str(class_name).startswith("ops."):
        return (
            f"'{name}' is the operation keras.{str(class_name)[4:].lower()}, not a layer; "
            "a placeholder stands in its place"
        )
    if class_name == "Lambda":
        return (
            f"'{name}' is a Lambda layer: its Python code is not imported (nothing from the file is run); "
            "a placeholder stands in its place"
        )
    if registered and "keras" not in str(module):
        return f"'{name}' is a custom layer ({registered}); a placeholder stands in its place"
    return (
        f"'{name}' is a {class_name} layer, which Netwright's catalog does not describe; "
        "a placeholder stands in its place"
    )


# ---------------------------------------------------------------- values











# Keras's defaults that belong to one class, for arguments its catalog entry does not hold;
# tests/engine/keras/test_importer.py checks that every entry's unheld defaults are known.
CLASS_DEFAULTS: dict[str, dict[str, Any]] = {
    "PReLU": {"alpha_initializer": "zeros"},
    "Hashing": {"output_mode": "int"},
    "StringLookup": {"oov_token": "[UNK]", "encoding": "utf-8", "oov_method": "floormod"},
    "IntegerLookup": {"oov_token": -1, "vocabulary_dtype": "int64", "oov_method": "floormod"},
    "Discretization": {"epsilon": 0.01},
    "Resizing": {"fill_mode": "constant"},
    "RandomContrast": {"value_range": [0, 255]},
}












# ---------------------------------------------------------------- config shapes




def _layer_name(layer: dict[str, Any]) -> str:
    name = layer.get("name") or config_of(layer).get("name")
    return name if isinstance(name, str) and name else snake_case(str(layer.get("class_name", "layer")))


def _input_shape(layer: dict[str, Any]) -> list[Any] | None:
    cfg = config_of(layer)
    for key in ("batch_shape", "batch_input_shape"):
        shape = cfg.get(key)
        if isinstance(shape, (list, tuple)) and shape:
            return list(shape[1:])
    shape = cfg.get("input_shape") or cfg.get("shape")
    if isinstance(shape, (list, tuple)):
        return list(shape)
    if isinstance(cfg.get("input_dim"), int):
        return [cfg["input_dim"]]
    return None


def _input_dtype(layer: dict[str, Any]) -> str | None:
    """An InputLayer's dtype when it holds ids or text (the design's dtype flow); None: floats."""
    dtype = _dtype_name(layer)
    return dtype if dtype in ("int32", "int64", "string") else None


def _dtype_name(layer: dict[str, Any]) -> str | None:
    dtype = config_of(layer).get("dtype")
    if isinstance(dtype, dict):  # a dtype policy: {"class_name": "DTypePolicy", "config": {"name": ...}}
        dtype = config_of(dtype).get("name")
    return dtype if isinstance(dtype, str) else None


def _is_op(layer: dict[str, Any]) -> bool:
    """A ``keras.ops`` call that Keras 3 keeps in a functional graph beside the layers."""
    module = str(layer.get("module") or "")
    return module.startswith(("keras.src.ops", "keras.ops"))


def _ready(task: tuple[dict[str, Any], int, Any], produced: dict[tuple[str, int], list[Source]]) -> bool:
    """Whether a call's input tensors (and its layer's earlier call) have been added."""
    layer, k, call = task
    earlier = k == 0 or (_layer_name(layer), k - 1) in produced
    return earlier and all((ref[0], ref[1]) in produced for ref in tensor_refs(list(_call_parts(call))))


def _ref_list(value: Any) -> list[list[Any]]:
    """A model's input or output layers as a list of references, whichever form Keras wrote:
    a list of them, a dict of them, or one flat ``["name", 0, 0]`` (one input or output)."""
    if is_tensor_ref(value):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    return [ref for ref in value if is_tensor_ref(ref)] if isinstance(value, list) else []


def _implicit_masks(layers: list[Any]) -> set[str]:
    """The operations Keras records to carry a mask that a layer makes by itself (an
    ``Embedding(mask_zero=True)``'s ``NotEqual(ids, 0)``, a ``Masking`` layer's ``NotEqual`` and
    ``Any``): operations used only as ``mask=`` of later calls, in a model with such a layer.
    A design rebuilds those masks from the layers themselves."""
    layers = [lay for lay in layers if isinstance(lay, dict)]
    masking = any(
        lay.get("class_name") == "Masking"
        or (lay.get("class_name") == "Embedding" and config_of(lay).get("mask_zero"))
        for lay in layers
    )
    ops = {_layer_name(lay) for lay in layers if _is_op(lay)} if masking else set()
    uses: list[tuple[str, str]] = []  # (user, used) where a tensor is taken as data, not as mask=
    for lay in layers:
        for call in _inbound(lay):
            args, kwargs = _call_parts(call)
            uses += [(_layer_name(lay), ref[0]) for ref in tensor_refs([args, kwargs])]
    while True:  # an operation whose result some other layer takes as data is not a mask's
        taken = {used for user, used in uses if user not in ops}
        if not ops & taken:
            return ops
        ops -= taken


def _trains_differently(layer: dict[str, Any]) -> bool:
    """Whether a layer computes differently while training (dropout, noise, batch statistics) and
    is off by default: then a call's recorded ``training=True`` changes what predict() computes.
    (An augmentation layer's call defaults to training=True, which Keras records by itself.)"""
    cls = str(layer.get("class_name", ""))
    config = config_of(layer)
    dropout = any(
        isinstance(config.get(k), (int, float)) and config.get(k) for k in ("dropout", "recurrent_dropout")
    )
    return dropout or cls == "BatchNormalization" or "Dropout" in cls or "Noise" in cls




def _inbound(layer: dict[str, Any]) -> list[Any]:
    nodes = layer.get("inbound_nodes")
    return nodes if isinstance(nodes, list) else []


def _call_parts(call: Any) -> tuple[list[Any], dict[str, Any]]:
    """(args, kwargs) of one inbound node, in Keras 3's form or Keras 2's list form."""
    if isinstance(call, dict):
        args = call.get("args") if isinstance(call.get("args"), list) else []
        kwargs = call.get("kwargs") if isinstance(call.get("kwargs"), dict) else {}
        return args, {k: v for k, v in kwargs.items() if k not in ("mask", "training")}
    if isinstance(call, list):  # Keras 2: [[layer, node, tensor, kwargs], ...]
        refs = [[c[0], c[1], c[2]] for c in call if isinstance(c, list) and len(c) >= 3]
        return [[{"class_name": "__keras_tensor__", "config": {"keras_history": r}} for r in refs]], {}
    return [], {}




# ---------------------------------------------------------------- compile settings










# ---------------------------------------------------------------- files


class ModelImportError(ValueError):
    """The file cannot be read as a Keras model or model script; the message says why."""


def import_file(path: str | os.PathLike[str]) -> ImportResult:
    """A design from a ``.keras``/``.h5``/JSON model file or a Python script that builds a model."""
    source = str(path)
    if Path(source).suffix.lower() == ".py":
        return _import_script(source)
    try:
        model = read_model_file(source)
    except ModelFileError as exc:
        raise ModelImportError(str(exc)) from None
    result = import_config(model.config, model.compile_config, source=Path(source).stem)
    if model.has_weights:
        _keep_weights(result, Path(source).resolve())
    return result


def _keep_weights(result: ImportResult, path: Path) -> None:
    """Training starts from the file's weights for every imported layer that has some."""
    try:
        places = weight_layers(path)
    except WeightsError as exc:
        result.notes.append(f"the weights could not be read ({exc}); training starts fresh")
        return
    layers = {nid: result.origins[nid] for nid in result.design.nodes if result.origins.get(nid) in places}
    if layers:
        result.design.weights = {"file": str(path), "layers": layers}


def _import_script(source: str) -> ImportResult:
    try:
        st = os.stat(source)
        if not stat.S_ISREG(st.st_mode):
            raise ModelImportError(f"{source} is not a regular file")
        if st.st_size > MAX_SCRIPT_BYTES:
            raise ModelImportError(f"{source} is {st.st_size // 2**20} MB; a model script is at most 5 MB")
        with open(source, "rb") as f:
            text = f.read().decode("utf-8-sig")
    except OSError as exc:
        raise ModelImportError(f"cannot read {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ModelImportError(f"{source} is not UTF-8 text") from None
    try:
        parsed = parse_script(text, source)
    except ScriptError as exc:
        raise ModelImportError(f"{source}: {exc}") from None
    if parsed.model_config is None:
        raise ModelImportError(f"{source}: " + "; ".join(str(p) for p in parsed.problems))
    result = import_config(
        parsed.model_config,
        parsed.compile_config,
        parsed.training,
        Path(source).stem,
        parsed.call_names,
        parsed.sources,
    )
    result.problems[:0] = [f"line {p.line}: {p.message}" for p in parsed.problems]
    result.notes += parsed.notes
    if parsed.data is not None:
        result.design.data = parsed.data
    return result


def is_import_source(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a Keras model or model script rather than a Netwright design.

    By suffix for ``.keras``/``.h5``/``.py``; a ``.json`` file is a Keras config
    when it holds a ``class_name`` and is not marked as a Netwright design.
    """
    suffix = Path(path).suffix.lower()
    if suffix in (".keras", ".h5", ".hdf5", ".py"):
        return True
    if suffix != ".json":
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return b'"class_name"' in head and b'"netwright-design"' not in head
