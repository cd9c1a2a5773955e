"""The open document: one design, its undo stack, its file and its validation.

Every edit enters through a method here, which builds an undoable command
(see :mod:`gui.commands`).  After each command the design is validated and
``changed`` is emitted with the report; the canvas, panels and code view all
redraw from that.  Connection, rename and insertion requests are put to the
engine's rules (:mod:`engine.design.rules`), so a refused edge comes back with
a reason instead of entering the undo history.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine.design import file_format, rules
from engine.design import fragment as fragment_rules
from engine.design.graph import Design, Edge
from engine.design.validation import Report, validate
from engine.schema.settings import CompileSettings, TrainingSettings, written_over
from gui.commands import (
    AddNodes,
    Connect,
    MoveNodes,
    RemoveItems,
    Rename,
    SetConfig,
    SetParam,
    SetSettings,
    SetShares,
    count_phrase,
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

    def replace(self, design: Design, path: Path | None, report: Report | None = None) -> None:
        """Show another design (new / open); the undo history starts afresh.

        ``report`` is ``validate(design)`` when the caller already has it (an import
        validates on its own thread), so a large model is not checked twice."""
        self.undo_stack.clear()
        self.undo_stack.setClean()  # clear() keeps an import's "never clean": the new file is not modified
        self.design = design
        self.path = path
        self.path_changed.emit()
        if report is None:
            self.changed_by_command()
        else:
            self.report = report
            self.changed.emit(report)
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
        """Place a new layer with its catalog defaults; with ``after``, insert it between that
        layer and its children (the engine plans the rewiring and a free spot)."""
        if after is None:
            node = rules.new_node(self.design, layer_type, pos)
            self.undo_stack.push(AddNodes(self, [node], [], f"Add {layer_type}"))
            return node.id
        return self.insert(rules.plan_insert(self.design, layer_type, after=after), f"Add {layer_type}")

    def insert_before(self, node_id: str, layer_type: str) -> str:
        """Insert a layer just before ``node_id`` (a one-click fix: Flatten before the output)."""
        plan = rules.plan_insert(self.design, layer_type, before=node_id)
        return self.insert(plan, f"Add {layer_type} before {node_id}")

    def insert(self, plan: rules.Insertion, text: str) -> str:
        """Apply a planned insertion as one undo step: unwire, add and wire, make room."""
        self.undo_stack.beginMacro(text)
        if plan.remove:
            self.undo_stack.push(RemoveItems(self, [], plan.remove, text))
        self.undo_stack.push(AddNodes(self, [plan.node], plan.add, text))
        if plan.moves:
            self.undo_stack.push(MoveNodes(self, plan.moves, text))
        self.undo_stack.endMacro()
        return plan.node.id

    def connect_reason(
        self, src: str, dst: str, port: int | str | None = None, out: str | None = None
    ) -> str:
        """Why an edge from ``src`` (its output ``out``) into ``dst`` (input ``port``) is refused."""
        return rules.connect_refusal(self.design, src, dst, port, out)

    def free_port(self, dst: str) -> str | None:
        return rules.free_port(self.design, dst)

    def connect(self, src: str, dst: str, port: int | str | None = None, out: str | None = None) -> str:
        """Connect if allowed; return the refusal reason, or '' when connected."""
        reason = self.connect_reason(src, dst, port, out)
        if reason:
            return reason
        self.undo_stack.push(Connect(self, rules.new_edge(self.design, src, dst, port, out)))
        return ""

    def set_shares(self, node_id: str, target: str | None) -> None:
        """Make ``node_id`` call ``target``'s layer (shared weights); None gives it its own again."""
        if self.design.nodes[node_id].shares != target:
            text = f"Share {target}'s weights in {node_id}" if target else f"Give {node_id} its own weights"
            self.undo_stack.push(SetShares(self, node_id, target, text))

    def share_candidates(self, node_id: str) -> list[str]:
        return rules.share_candidates(self.design, node_id)

    def remove(self, node_ids: list[str], edges: list[Edge]) -> None:
        if not node_ids and not edges:
            return
        parts = []
        if node_ids:
            parts.append(count_phrase(len(node_ids), "layer"))
        if edges:
            parts.append(count_phrase(len(edges), "connection"))
        self.undo_stack.push(RemoveItems(self, node_ids, edges, "Delete " + " and ".join(parts)))

    def move(self, positions: dict[str, tuple[float, float]]) -> None:
        moved = {n: p for n, p in positions.items() if self.design.nodes[n].pos != p}
        if moved:
            self.undo_stack.push(MoveNodes(self, moved))

    def auto_layout(self) -> None:
        from engine.design.layout import layered_positions  # grandalf, NumPy: not at start-up

        self.undo_stack.push(MoveNodes(self, layered_positions(self.design), "Auto-layout"))

    def set_param(self, node_id: str, name: str, value: object) -> None:
        if self.design.nodes[node_id].params.get(name, object()) != value:
            self.undo_stack.push(SetParam(self, node_id, name, value))

    def set_generic_config(self, node_id: str, config: dict) -> None:
        """Apply an edited Keras config (already checked by the engine) as one undo step."""
        if self.design.nodes[node_id].params.get("config") != config:
            self.undo_stack.push(SetConfig(self, node_id, config))

    def revalidate(self) -> None:
        """Validate again without an edit: Keras has answered for a generic layer's shape."""
        self.changed_by_command()

    def rename_reason(self, old: str, new: str) -> str:
        return rules.rename_refusal(self.design, old, new)

    def rename(self, old: str, new: str) -> str:
        reason = self.rename_reason(old, new)
        if not reason and new != old:
            self.undo_stack.push(Rename(self, old, new))
        return reason

    def set_settings(self, section: str, value: object, text: str) -> None:
        if getattr(self.design, section) != value:
            self.undo_stack.push(SetSettings(self, section, value, text))

    def set_compile(self, settings: CompileSettings, text: str) -> None:
        """Apply an edited compile setting (one of CompileSettings' ``with_…`` methods)."""
        self.set_settings("compile", written_over(self.design.compile, settings), text)

    def set_training(self, settings: TrainingSettings, text: str) -> None:
        self.set_settings("training", written_over(self.design.training, settings), text)

    def paste(self, fragment: Design, offset: tuple[float, float]) -> list[str]:
        """Add a copied fragment's layers (fresh ids, shifted) with the edges between them."""
        nodes, edges = fragment_rules.rekey(self.design, fragment, offset)
        if nodes:
            self.undo_stack.push(AddNodes(self, nodes, edges, f"Paste {count_phrase(len(nodes), 'layer')}"))
        return [n.id for n in nodes]
