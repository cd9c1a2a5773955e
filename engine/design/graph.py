"""The design model: a graph of layer nodes and the edges between them.

Plain data with a few graph queries.  The GUI never changes it directly: its
undoable commands call the mutating methods here, so a ``Design`` is always
the one truth the canvas displays.
"""

from __future__ import annotations

import copy
import graphlib
import re
from dataclasses import dataclass, field
from typing import Any

from engine.schema.catalog import LAYERS
from engine.schema.generic import KerasShape, Request, is_generic
from engine.schema.settings import (
    DEFAULT_COMPILE,
    DEFAULT_TRAINING,
    CompileSettings,
    DataSettings,
    TrainingSettings,
    written_over,
)

NODE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
NODE_ID_RULE = "must start with a letter or _, then letters, digits, _ . or - (at most 64 characters)"


class GraphError(ValueError):
    """An edit that would break the graph (unknown node, duplicate id, cycle)."""


@dataclass
class Node:
    """One layer call.  ``shares`` names the node whose layer (and weights) this node calls
    again: a siamese tower, a shared embedding.  Its own ``params`` are then unused."""

    id: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    pos: tuple[float, float] = (0.0, 0.0)
    shares: str | None = None


@dataclass(frozen=True)
class Edge:
    """A connection from one of ``src``'s outputs into one of ``dst``'s inputs.

    ``port`` is the input: a position on a merge layer (0, 1, ...), a name on a
    layer with named inputs (``"query"``), or None (the next free position, or
    the first named input).  ``out`` names the output it leaves from (``"state_h"``);
    None is the main output.
    """

    src: str
    dst: str
    port: int | str | None = None
    out: str | None = None


@dataclass(frozen=True)
class OutputRef:
    """A model output chosen explicitly: a node and which of its outputs (None: the main one)."""

    node: str
    out: str | None = None


@dataclass
class Design:
    name: str = "untitled"
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    compile: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(DEFAULT_COMPILE))
    training: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_TRAINING))
    data: dict[str, Any] | None = None
    # Pretrained weights to start training from: {"file": model file, "layers": {node id: its
    # layer's name in that file}} (see engine.keras.weights); None trains from fresh weights.
    weights: dict[str, Any] | None = None
    # The model's outputs when chosen explicitly; None: every node no edge leaves.
    outputs: list[OutputRef] | None = None
    # What Keras (or a trusted layer's own code) answered for the generic and custom layers'
    # shapes: validation reads them here, so they travel with the design (into copies, to the
    # worker) instead of living in a process-global memo.  Not saved; not part of equality.
    keras_answers: dict[Request, KerasShape] = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------ typed settings

    @property
    def compile_settings(self) -> CompileSettings:
        return CompileSettings.of(self.compile)

    @property
    def training_settings(self) -> TrainingSettings:
        return TrainingSettings.of(self.training)

    @property
    def data_settings(self) -> DataSettings:
        return DataSettings.of(self.data)

    def set_compile(self, settings: CompileSettings) -> None:
        """Write typed compile settings back (keys Netwright does not know are kept).  Edits in the
        window go through the document's undoable commands instead (``Document.set_compile``)."""
        self.compile = written_over(self.compile, settings)

    def set_training(self, settings: TrainingSettings) -> None:
        self.training = written_over(self.training, settings)

    # ------------------------------------------------------------ edits

    def add_node(self, node: Node) -> None:
        if node.id in self.nodes:
            raise GraphError(f"a node named '{node.id}' already exists")
        self.nodes[node.id] = node

    def remove_node(self, node_id: str) -> list[Edge]:
        """Remove a node and its edges; return the removed edges (for undo)."""
        self._need(node_id)
        removed = [e for e in self.edges if node_id in (e.src, e.dst)]
        self.edges = [e for e in self.edges if node_id not in (e.src, e.dst)]
        del self.nodes[node_id]
        if self.outputs is not None:
            self.outputs = [o for o in self.outputs if o.node != node_id]
        return removed

    def connect(self, edge: Edge) -> None:
        self._need(edge.src)
        self._need(edge.dst)
        self.edges.append(edge)

    def disconnect(self, edge: Edge) -> None:
        self.edges.remove(edge)

    def rename_node(self, old: str, new: str) -> None:
        self._need(old)
        if new != old and new in self.nodes:
            raise GraphError(f"a node named '{new}' already exists")
        node = self.nodes[old]
        node.id = new
        self.nodes = {(new if k == old else k): v for k, v in self.nodes.items()}
        self.edges = [
            Edge(new if e.src == old else e.src, new if e.dst == old else e.dst, e.port, e.out)
            for e in self.edges
        ]
        for n in self.nodes.values():
            if n.shares == old:
                n.shares = new
        if self.outputs is not None:
            self.outputs = [OutputRef(new, o.out) if o.node == old else o for o in self.outputs]

    def unique_id(self, base: str, also_taken: set[str] | frozenset[str] = frozenset()) -> str:
        """A fresh node id derived from ``base`` (``dense``, ``dense_1``, ...)."""
        stem = re.sub(r"[^A-Za-z0-9_]", "_", base).lower() or "node"
        if not stem[0].isalpha() and stem[0] != "_":
            stem = "n_" + stem

        def taken(name: str) -> bool:
            return name in self.nodes or name in also_taken

        if not taken(stem):
            return stem
        i = 1
        while taken(f"{stem}_{i}"):
            i += 1
        return f"{stem}_{i}"

    def _need(self, node_id: str) -> None:
        if node_id not in self.nodes:
            raise GraphError(f"there is no node '{node_id}'")

    # ------------------------------------------------------------ queries

    def incoming(self) -> dict[str, list[Edge]]:
        """Each node's incoming edges in input order (numbered ports first by number;
        named ports keep edge order -- :func:`named_inputs` maps them to their names)."""
        inc: dict[str, list[Edge]] = {n: [] for n in self.nodes}
        for e in self.edges:
            if e.dst in inc:
                inc[e.dst].append(e)
        for lst in inc.values():
            if len(lst) > 1:
                order = {id(e): i for i, e in enumerate(lst)}
                lst.sort(key=lambda e: (e.port if isinstance(e.port, int) else order[id(e)], order[id(e)]))
        return inc

    def outgoing(self) -> dict[str, list[Edge]]:
        out: dict[str, list[Edge]] = {n: [] for n in self.nodes}
        for e in self.edges:
            if e.src in out:
                out[e.src].append(e)
        return out

    def model_outputs(self) -> list[OutputRef]:
        """The model's outputs: the explicit list, else every output of each node no edge
        leaves (an attention layer's result and its scores, an LSTM's output and states)."""
        if self.outputs is not None:
            return list(self.outputs)
        sources = {e.src for e in self.edges}
        out = []
        for nid in self.nodes:
            if nid not in sources:
                names = self._outputs_of(nid)
                out += [OutputRef(nid)] + [OutputRef(nid, name) for name in names[1:]]
        return out

    def _outputs_of(self, nid: str) -> tuple[str, ...]:
        node = self.nodes[self.layer_owner(nid)]
        spec = LAYERS.get(node.type)
        return spec.outputs_for(node.params) if spec is not None else ("output",)

    def output_ids(self) -> list[str]:
        """The nodes the model's outputs come from, in output order (each once)."""
        return list(dict.fromkeys(o.node for o in self.model_outputs()))

    def layer_owner(self, node_id: str) -> str:
        """The node whose layer ``node_id`` calls: itself, or the node it shares weights with."""
        shares = self.nodes[node_id].shares
        return shares if shares is not None and shares in self.nodes else node_id

    def uses_v2_features(self) -> bool:
        """Named ports, named outputs, shared layers, explicit outputs or the newer compile and
        training settings (file format 2): a Netwright that knows only version 1 refuses such a
        file rather than train it differently."""
        return (
            self.uses_v2_settings()
            or self.outputs is not None
            or any(n.shares is not None for n in self.nodes.values())
            or any(isinstance(e.port, str) or e.out is not None for e in self.edges)
        )

    def uses_v2_settings(self) -> bool:
        comp, train = self.compile_settings, self.training_settings
        newer = (
            comp.loss_weights,
            comp.learning_rate_schedule,
            train.class_weight,
            train.reduce_lr_on_plateau,
        )
        return (
            comp.per_output
            or comp.from_logits is not False
            or any(v is not None for v in newer)
            or any(isinstance(m, dict) for m in comp.metrics if isinstance(comp.metrics, tuple))
        )

    def input_ids(self) -> list[str]:
        return [n.id for n in self.nodes.values() if n.type == "Input"]

    def _sorter(self) -> graphlib.TopologicalSorter:
        """A sorter over the nodes (added in node order, so ties keep it) and edges."""
        sorter: graphlib.TopologicalSorter = graphlib.TopologicalSorter()
        for n in self.nodes:
            sorter.add(n)
        for e in self.edges:
            if e.src in self.nodes and e.dst in self.nodes:
                sorter.add(e.dst, e.src)
        return sorter

    def topological_order(self) -> tuple[list[str], list[str]]:
        """The nodes in an order where every edge points forward, stable in node order.

        Returns (ordered ids, ids left over because they are on or behind a cycle).
        """
        left_over: set[str] = set()
        while True:
            sub = self.without(left_over)
            sorter = sub._sorter()
            try:
                sorter.prepare()
            except graphlib.CycleError as exc:
                left_over |= sub.reachable_from(exc.args[1])
                continue
            order: list[str] = []
            while sorter.is_active():
                ready = sorter.get_ready()
                order.extend(ready)
                sorter.done(*ready)
            return order, [n for n in self.nodes if n in left_over]

    def cycle(self) -> list[str]:
        """One cycle of the graph as a list of ids (the first repeated last), or []."""
        try:
            self._sorter().prepare()
        except graphlib.CycleError as exc:
            return list(exc.args[1])
        return []

    def would_create_cycle(self, src: str, dst: str) -> bool:
        """True if an edge src -> dst would close a cycle (dst already reaches src)."""
        return src in self.reachable_from([dst])

    def reachable_from(self, starts: list[str]) -> set[str]:
        """The given nodes and every node downstream of them."""
        out = self.outgoing()
        seen = set(starts)
        todo = list(seen)
        while todo:
            for e in out.get(todo.pop(), ()):
                if e.dst not in seen:
                    seen.add(e.dst)
                    todo.append(e.dst)
        return seen

    def without(self, ids: set[str]) -> Design:
        """A shallow view of this design minus some nodes (for graph queries only)."""
        if not ids:
            return self
        return Design(
            nodes={k: v for k, v in self.nodes.items() if k not in ids},
            edges=[e for e in self.edges if e.src not in ids and e.dst not in ids],
        )

    def is_chain(self) -> bool:
        """A single Input followed by single-input layers, one after another.

        Such a design is written as ``keras.Sequential``; anything else uses the
        functional API.
        """
        if not self.nodes:
            return False
        order, cyclic = self.topological_order()
        if cyclic or self.nodes[order[0]].type != "Input" or len(self.input_ids()) != 1:
            return False
        if self.uses_v2_features():
            return False
        inc, out = self.incoming(), self.outgoing()
        for i, nid in enumerate(order):
            spec = LAYERS.get(self.nodes[nid].type)
            if spec is None and not is_generic(self.nodes[nid].type):
                return False
            if spec is not None and (i and spec.is_merge):
                return False
            if spec is not None and len(spec.outputs_for(self.nodes[nid].params)) > 1:
                return False  # returns several tensors, which Sequential cannot pass on
            if len(out[nid]) > 1 or len(inc[nid]) != (1 if i else 0):
                return False
            if i and inc[nid][0].src != order[i - 1]:
                return False
        return True

    def copy(self) -> Design:
        return copy.deepcopy(self)
