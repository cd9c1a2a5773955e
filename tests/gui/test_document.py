"""The document and its commands without a window: a bare QUndoStack, the engine's design, no MainWindow.

Every edit of the window goes through these; here they are driven directly, so a
broken command fails a test that names it, not a window flow ten steps away.
"""

from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack

from engine.design import file_format
from engine.design.graph import Design, Edge
from engine.design.rules import new_node
from gui.commands import AddNodes, Connect, MoveNodes, Rename, SetParam, SetSettings, count_phrase
from gui.document import Document

TEMPLATES = Path(__file__).resolve().parents[2] / "resources" / "designs"


class Stand_in:  # noqa: N801 - reads as what it is
    """The least a command needs: a design and someone to tell (counts the tellings)."""

    def __init__(self) -> None:
        self.design = Design()
        self.told = 0
        self.renames: list[tuple[str, str]] = []
        self.node_renamed = self  # .emit() below

    def emit(self, old: str, new: str) -> None:
        self.renames.append((old, new))

    def changed_by_command(self) -> None:
        self.told += 1


@pytest.fixture
def bare(qapp):
    return Stand_in(), QUndoStack()


def test_commands_on_a_bare_stack_apply_undo_and_redo(bare):
    doc, stack = bare
    a = new_node(doc.design, "Input", (0, 0))
    b = new_node(doc.design, "Dense", (0, 100), taken={a.id})
    stack.push(AddNodes(doc, [a, b], [], "Add two"))
    stack.push(Connect(doc, Edge(a.id, b.id)))
    stack.push(MoveNodes(doc, {b.id: (50.0, 200.0)}))
    assert list(doc.design.nodes) == [a.id, b.id] and doc.design.edges == [Edge(a.id, b.id)]
    assert doc.design.nodes[b.id].pos == (50.0, 200.0) and doc.told == 3
    assert stack.undoText() == "Move 1 layer"
    stack.undo()
    stack.undo()
    assert doc.design.edges == [] and doc.design.nodes[b.id].pos == (0, 100)
    stack.redo()
    assert doc.design.edges == [Edge(a.id, b.id)] and doc.told == 6


def test_typing_into_one_field_is_one_undo_step(bare):
    doc, stack = bare
    node = new_node(doc.design, "Dense", (0, 0))
    stack.push(AddNodes(doc, [node], [], "Add Dense"))
    before = doc.design.nodes[node.id].params["units"]
    for value in (1, 12, 128):
        stack.push(SetParam(doc, node.id, "units", value))
    assert stack.count() == 2 and doc.design.nodes[node.id].params["units"] == 128
    stack.undo()
    assert doc.design.nodes[node.id].params["units"] == before


def test_rename_and_settings_undo_to_exactly_what_was_there(bare):
    doc, stack = bare
    node = new_node(doc.design, "Dense", (0, 0))
    stack.push(AddNodes(doc, [node], [], "Add Dense"))
    stack.push(Rename(doc, node.id, "hidden"))
    training = {**doc.design.training, "epochs": 3}
    stack.push(SetSettings(doc, "training", training, "Epochs 3"))
    training["epochs"] = 99  # the command holds its own copy
    assert "hidden" in doc.design.nodes and doc.design.training["epochs"] == 3
    assert doc.renames == [(node.id, "hidden")]
    stack.undo()
    stack.undo()
    assert list(doc.design.nodes) == [node.id] and doc.design.training["epochs"] != 3


def test_count_phrase_says_one_and_many():
    assert count_phrase(1, "layer") == "1 layer" and count_phrase(3, "connection") == "3 connections"


def test_the_document_validates_after_each_edit_and_refuses_with_a_reason(qapp):
    doc = Document()
    reports = []
    doc.changed.connect(reports.append)
    first = doc.add_layer("Input", (0, 0))
    second = doc.add_layer("Dense", (0, 100), after=first)
    assert doc.design.edges == [Edge(first, second)]  # inserted after the selected layer, wired
    assert len(reports) >= 2 and reports[-1] is doc.report and doc.dirty
    assert doc.connect(second, first)  # a cycle: refused with a reason, nothing pushed
    steps = doc.undo_stack.count()
    assert doc.rename(second, "1bad") and doc.undo_stack.count() == steps
    assert doc.rename(second, "out") == "" and "out" in doc.design.nodes
    doc.undo_stack.undo()
    assert second in doc.design.nodes


def test_an_insertion_is_one_undo_step(qapp):
    doc = Document(file_format.load(TEMPLATES / "seed_example.json"))
    before = file_format.dumps(doc.design)
    first = next(iter(doc.design.nodes))
    doc.add_layer("Dropout", (0, 0), after=first)
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Add Dropout"
    doc.undo_stack.undo()
    assert file_format.dumps(doc.design) == before and not doc.dirty


def test_save_marks_clean_and_load_starts_a_fresh_history(qapp, tmp_path):
    doc = Document()
    doc.add_layer("Input", (0, 0))
    path = tmp_path / "d.json"
    doc.save(path)
    assert not doc.dirty and doc.path == path and doc.display_name() == "d.json"
    doc.load(TEMPLATES / "mlp_classifier.json")
    assert doc.undo_stack.count() == 0 and not doc.dirty and doc.path.name == "mlp_classifier.json"
