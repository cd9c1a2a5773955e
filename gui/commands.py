"""Undoable commands: the only code that changes a document's design.

Each command records what it needs to undo itself, changes ``doc.design``
through the engine's graph methods, and calls ``doc.changed_by_command()``,
which re-validates and tells every view.  Views never change the design.
"""

from __future__ import annotations

import copy
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from engine.design.graph import Design, Edge, Node


class Edited(Protocol):
    """What a command changes: a design, and who to tell afterwards (the Document, or a test's stand-in).

    Commands know only this, so they depend on nothing in the window and can be
    pushed onto a bare QUndoStack.
    """

    design: Design
    node_renamed: Any  # a signal: .emit(old id, new id), so views re-key instead of rebuilding

    def changed_by_command(self) -> None: ...


class DesignCommand(QUndoCommand):
    def __init__(self, doc: Edited, text: str) -> None:
        super().__init__(text)
        self.doc = doc

    def redo(self) -> None:
        self.apply()
        self.doc.changed_by_command()

    def undo(self) -> None:
        self.revert()
        self.doc.changed_by_command()

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError


class AddNodes(DesignCommand):
    """Add nodes and edges at once (a drop, a paste, a palette double-click)."""

    def __init__(self, doc: Edited, nodes: list[Node], edges: list[Edge], text: str) -> None:
        super().__init__(doc, text)
        self.nodes, self.edges = nodes, edges

    def apply(self) -> None:
        for n in self.nodes:
            self.doc.design.add_node(copy.deepcopy(n))
        for e in self.edges:
            self.doc.design.connect(e)

    def revert(self) -> None:
        for e in self.edges:
            self.doc.design.disconnect(e)
        for n in self.nodes:
            self.doc.design.remove_node(n.id)


class RemoveItems(DesignCommand):
    """Delete nodes (with their edges) and edges; undo restores order exactly."""

    def __init__(self, doc: Edited, node_ids: list[str], edges: list[Edge], text: str) -> None:
        super().__init__(doc, text)
        self.node_ids, self.extra_edges = node_ids, edges
        self.saved: tuple[dict[str, Node], list[Edge]] | None = None

    def apply(self) -> None:
        d = self.doc.design
        self.saved = (copy.deepcopy(d.nodes), list(d.edges))
        for e in self.extra_edges:
            if e in d.edges:
                d.disconnect(e)
        for nid in self.node_ids:
            d.remove_node(nid)

    def revert(self) -> None:
        nodes, edges = self.saved
        self.doc.design.nodes = nodes
        self.doc.design.edges = edges


class Connect(DesignCommand):
    def __init__(self, doc: Edited, edge: Edge) -> None:
        super().__init__(doc, f"Connect {edge.src} → {edge.dst}")
        self.edge = edge

    def apply(self) -> None:
        self.doc.design.connect(self.edge)

    def revert(self) -> None:
        self.doc.design.disconnect(self.edge)


class MoveNodes(DesignCommand):
    """Move nodes; ``text`` distinguishes a drag from an automatic layout."""

    def __init__(self, doc: Edited, new: dict[str, tuple[float, float]], text: str = "") -> None:
        super().__init__(doc, text or ("Move " + count_phrase(len(new), "layer")))
        self.new = new
        self.old = {nid: doc.design.nodes[nid].pos for nid in new}

    def apply(self) -> None:
        for nid, pos in self.new.items():
            self.doc.design.nodes[nid].pos = pos

    def revert(self) -> None:
        for nid, pos in self.old.items():
            self.doc.design.nodes[nid].pos = pos


class SetParam(DesignCommand):
    """Set (or, with ``value is UNSET``, remove) one layer parameter."""

    ID = 1001

    def __init__(self, doc: Edited, node_id: str, name: str, value: Any) -> None:
        super().__init__(doc, f"Change {node_id}.{name}")
        self.node_id, self.name, self.value = node_id, name, value
        params = doc.design.nodes[node_id].params
        self.had, self.old = name in params, copy.deepcopy(params.get(name))

    def apply(self) -> None:
        self.doc.design.nodes[self.node_id].params[self.name] = copy.deepcopy(self.value)

    def revert(self) -> None:
        params = self.doc.design.nodes[self.node_id].params
        if self.had:
            params[self.name] = self.old
        else:
            params.pop(self.name, None)

    def id(self) -> int:
        return self.ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        """Typing 1, 12, 128 into a spin box is one undo step."""
        if not isinstance(other, SetParam) or (other.node_id, other.name) != (self.node_id, self.name):
            return False
        self.value = other.value
        return True


class SetConfig(SetParam):
    """Replace a generic Keras layer's config: each applied text is its own undo step."""

    def __init__(self, doc: Edited, node_id: str, value: Any) -> None:
        super().__init__(doc, node_id, "config", value)
        self.setText(f"Change {node_id}'s Keras config")

    def id(self) -> int:
        return -1  # never merged with the previous edit


class SetShares(DesignCommand):
    """Make a node call another node's layer (shared weights), or its own again (None)."""

    def __init__(self, doc: Edited, node_id: str, target: str | None, text: str) -> None:
        super().__init__(doc, text)
        self.node_id, self.target = node_id, target
        self.old = doc.design.nodes[node_id].shares

    def apply(self) -> None:
        self.doc.design.nodes[self.node_id].shares = self.target

    def revert(self) -> None:
        self.doc.design.nodes[self.node_id].shares = self.old


class Rename(DesignCommand):
    def __init__(self, doc: Edited, old: str, new: str) -> None:
        super().__init__(doc, f"Rename {old} → {new}")
        self.old_id, self.new_id = old, new

    def apply(self) -> None:
        self.doc.design.rename_node(self.old_id, self.new_id)
        self.doc.node_renamed.emit(self.old_id, self.new_id)

    def revert(self) -> None:
        self.doc.design.rename_node(self.new_id, self.old_id)
        self.doc.node_renamed.emit(self.new_id, self.old_id)


class SetSettings(DesignCommand):
    """Replace one design-level section: ``compile``, ``training``, ``data`` or ``name``."""

    def __init__(self, doc: Edited, section: str, value: Any, text: str) -> None:
        super().__init__(doc, text)
        self.section, self.value = section, copy.deepcopy(value)
        self.old = copy.deepcopy(getattr(doc.design, section))

    def apply(self) -> None:
        setattr(self.doc.design, self.section, copy.deepcopy(self.value))

    def revert(self) -> None:
        setattr(self.doc.design, self.section, copy.deepcopy(self.old))


def count_phrase(n: int, word: str) -> str:
    """'1 layer', '3 layers': the undo history's wording."""
    return f"{n} {word}{'s' if n != 1 else ''}"
