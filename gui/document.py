"""The open document: one design, its undo stack, its file and its validation.

Every edit enters through a method here, which builds an undoable command
(see :mod:`gui.commands`).  After each command the design is validated and
``changed`` is emitted with the report; the canvas, panels and code view all
redraw from that.  Connection requests are checked here, so a refused edge
comes back with a reason instead of entering the undo history.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine.design import file_format
from engine.design.graph import NODE_ID, NODE_ID_RULE, Design, Edge, Node
from engine.design.layout import layered_positions
from engine.design.validation import Report, label, validate
from engine.spec.catalog import LAYERS
from gui.commands import (
    AddNodes,
    Connect,
    MoveNodes,
    RemoveItems,
    Rename,
    SetParam,
    SetSettings,
    SetShares,
    _count,
)


class Document(QObject):
    changed = Signal(object)  # the new validation Report
    node_renamed = Signal(str, str)  # old id, new id: views re-key instead of rebuilding
    path_changed = Signal()
    dirty_changed = Signal(bool)

    def __init__(self, design: Design | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.design = design or Design()
        self.path: Path | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.report: Report = validate(self.design)

    # ------------------------------------------------------------ state

    def _clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def display_name(self) -> str:
        return self.path.name if self.path else f"{self.design.name}"

    def changed_by_command(self) -> None:
        self.report = validate(self.design)
        self.changed.emit(self.report)

    def replace(self, design: Design, path: Path | None) -> None:
        """Show another design (new / open); the undo history starts afresh."""
        self.undo_stack.clear()
        self.design = design
        self.path = path
        self.path_changed.emit()
        self.changed_by_command()
        self.dirty_changed.emit(False)

    def load(self, path: Path) -> None:
        """Open a file; on failure raise DesignFileError and leave everything as it was."""
        design = file_format.load(path)
        self.replace(design, Path(path))

    def save(self, path: Path | None = None) -> None:
        target = Path(path or self.path)
        file_format.save(self.design, target)
        self.undo_stack.setClean()
        if target != self.path:
            self.path = target
            self.path_changed.emit()

    # ------------------------------------------------------------ edits

    def add_layer(self, layer_type: str, pos: tuple[float, float], after: str | None = None) -> str:
        """Place a new layer with its catalog defaults; wire it after ``after`` if given."""
        spec = LAYERS[layer_type]
        nid = self.design.unique_id(layer_type)
        params = copy.deepcopy(spec.defaults())
        node = Node(nid, layer_type, {k: v for k, v in params.items() if _starts_with(spec, k)}, pos)
        edges = []
        if after is not None and not spec.is_input:
            edges.append(Edge(after, nid, 0 if spec.is_merge else None))
        self.undo_stack.push(AddNodes(self, [node], edges, f"Add {layer_type}"))
        return nid

    def connect_reason(
        self, src: str, dst: str, port: int | str | None = None, out: str | None = None
    ) -> str:
        """Why an edge from ``src`` (its output ``out``) into ``dst`` (input ``port``) is refused
        ('' when it is fine).  On a layer with named inputs, no ``port`` means the first free one."""
        d = self.design
        if src == dst:
            return "A layer cannot feed itself."
        spec = LAYERS.get(d.nodes[dst].type)
        who = label(d.nodes[dst].type, dst)
        if spec is not None and spec.is_input:
            return f"{who} is where data enters; nothing can connect into it."
        current = d.incoming()[dst]
        if spec is not None and spec.ports:
            reason = self._port_reason(spec, who, current, port)
            if reason:
                return reason
        elif any(e.src == src for e in current) and not (spec and spec.is_merge):
            return f"'{src}' already feeds {who}."
        elif spec is not None and spec.max_inputs is not None and len(current) >= spec.max_inputs:
            have = ", ".join(f"'{e.src}'" for e in current)
            return f"{who} takes {spec.inputs_text()} and already receives {have}."
        if d.would_create_cycle(src, dst):
            return f"Connecting '{src}' to '{dst}' would make a cycle; data must flow one way."
        return ""

    def _port_reason(self, spec: Any, who: str, current: list[Edge], port: int | str | None) -> str:
        taken = {spec.ports[0].name if e.port is None else e.port: e.src for e in current}
        if port is None:
            if all(p.name in taken for p in spec.ports):
                return f"Every input of {who} is connected ({', '.join(spec.port_names())})."
            return ""
        if port not in spec.port_names():
            return f"{who} has no input '{port}'."
        if port in taken:
            return f"Input '{port}' of {who} already receives '{taken[port]}'."
        return ""

    def free_port(self, dst: str) -> str | None:
        """The first input of a named-input layer that nothing feeds yet."""
        spec = LAYERS.get(self.design.nodes[dst].type)
        if spec is None or not spec.ports:
            return None
        taken = {spec.ports[0].name if e.port is None else e.port for e in self.design.incoming()[dst]}
        return next((p.name for p in spec.ports if p.name not in taken), None)

    def connect(self, src: str, dst: str, port: int | str | None = None, out: str | None = None) -> str:
        """Connect if allowed; return the refusal reason, or '' when connected."""
        reason = self.connect_reason(src, dst, port, out)
        if reason:
            return reason
        spec = LAYERS.get(self.design.nodes[dst].type)
        if spec is not None and spec.ports:
            port = port if port is not None else self.free_port(dst)
            port = None if port == spec.ports[0].name else port  # the first input needs no name
        elif spec is not None and spec.is_merge:
            port = len(self.design.incoming()[dst])
        else:
            port = None
        src_spec = LAYERS.get(self.design.nodes[src].type)
        if src_spec is not None and out == src_spec.outputs[0].name:
            out = None  # the main output needs no name
        self.undo_stack.push(Connect(self, Edge(src, dst, port, out)))
        return ""

    def set_shares(self, node_id: str, target: str | None) -> None:
        """Make ``node_id`` call ``target``'s layer (shared weights); None gives it its own again."""
        if self.design.nodes[node_id].shares != target:
            text = f"Share {target}'s weights in {node_id}" if target else f"Give {node_id} its own weights"
            self.undo_stack.push(SetShares(self, node_id, target, text))

    def share_candidates(self, node_id: str) -> list[str]:
        """The nodes whose layer ``node_id`` may call: same type, not itself, not sharing in turn."""
        node = self.design.nodes[node_id]
        return [
            n.id
            for n in self.design.nodes.values()
            if n.id != node_id and n.type == node.type and n.shares is None and node.type != "Input"
        ]

    def remove(self, node_ids: list[str], edges: list[Edge]) -> None:
        if not node_ids and not edges:
            return
        parts = []
        if node_ids:
            parts.append(_count(len(node_ids), "layer"))
        if edges:
            parts.append(_count(len(edges), "connection"))
        self.undo_stack.push(RemoveItems(self, node_ids, edges, "Delete " + " and ".join(parts)))

    def move(self, positions: dict[str, tuple[float, float]]) -> None:
        moved = {n: p for n, p in positions.items() if self.design.nodes[n].pos != p}
        if moved:
            self.undo_stack.push(MoveNodes(self, moved))

    def auto_layout(self) -> None:
        self.undo_stack.push(MoveNodes(self, layered_positions(self.design), "Auto-layout"))

    def set_param(self, node_id: str, name: str, value: object) -> None:
        if self.design.nodes[node_id].params.get(name, object()) != value:
            self.undo_stack.push(SetParam(self, node_id, name, value))

    def rename_reason(self, old: str, new: str) -> str:
        if new == old:
            return ""
        if not NODE_ID.match(new):
            return f"A name {NODE_ID_RULE}."
        if new in self.design.nodes:
            return f"There is already a layer named '{new}'."
        return ""

    def rename(self, old: str, new: str) -> str:
        reason = self.rename_reason(old, new)
        if not reason and new != old:
            self.undo_stack.push(Rename(self, old, new))
        return reason

    def set_settings(self, section: str, value: object, text: str) -> None:
        if getattr(self.design, section) != value:
            self.undo_stack.push(SetSettings(self, section, value, text))

    def paste(self, nodes: list[Node], edges: list[Edge], offset: tuple[float, float]) -> list[str]:
        """Add copies of nodes (fresh ids, shifted) with the edges between them."""
        renames: dict[str, str] = {}
        for n in nodes:
            stem = n.id.rstrip("0123456789").rstrip("_") or n.type
            renames[n.id] = self.design.unique_id(stem, set(renames.values()))
        fresh = [
            Node(
                renames[n.id],
                n.type,
                copy.deepcopy(n.params),
                (n.pos[0] + offset[0], n.pos[1] + offset[1]),
                renames.get(n.shares, n.shares) if n.shares else None,
            )
            for n in nodes
        ]
        inner = [
            Edge(renames[e.src], renames[e.dst], e.port, e.out)
            for e in edges
            if e.src in renames and e.dst in renames
        ]
        if fresh:
            self.undo_stack.push(AddNodes(self, fresh, inner, f"Paste {_count(len(fresh), 'layer')}"))
        return [n.id for n in fresh]


def _starts_with(spec, name: str) -> bool:
    """A new node lists its required parameters and the ones people usually set."""
    p = spec.param(name)
    return p.required or p.positional or name in ("activation", "padding", "return_sequences")
