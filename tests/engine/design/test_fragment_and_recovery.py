"""Clipboard fragments and the recovery file: read through the design file's own loader,
so hostile text is refused with a reason and never reaches the design."""

import json
from pathlib import Path

import pytest

from engine.design import file_format, fragment, recovery
from engine.design.file_format import DesignFileError
from engine.design.validation import validate
from tests.engine.design.test_file_format import HOSTILE, SEED

TEMPLATE = Path(__file__).resolve().parents[3] / "resources" / "designs" / "seed_example.json"


def test_copy_then_paste_round_trips_and_rekeys():
    d = file_format.load(TEMPLATE)
    text = fragment.to_text(d, ["h", "y"])
    layers = fragment.from_text(text)
    assert list(layers.nodes) == ["h", "y"] and [(e.src, e.dst) for e in layers.edges] == [("h", "y")]
    nodes, edges = fragment.rekey(d, layers, (48.0, 48.0))
    assert [n.id for n in nodes] == ["h_1", "y_1"]
    assert [(e.src, e.dst) for e in edges] == [("h_1", "y_1")]
    assert nodes[0].pos == (d.nodes["h"].pos[0] + 48, d.nodes["h"].pos[1] + 48)


def layers_text(**node_changes) -> str:
    node = {"id": "a", "type": "Dense", "params": {"units": 3}, "pos": [0, 0], **node_changes}
    return json.dumps({"format": "netwright-design", "version": 1, "nodes": [node], "edges": []})


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (layers_text(pos=["a", "b"]), "pos must be a list of two numbers"),
        (layers_text(params=[1, 2]), "params must be an object"),
        (layers_text(id=7), "id must be a non-empty string"),
        ("just some text", "does not hold Netwright layers"),
        (json.dumps({"format": "netwright-design", "version": 1, "nodes": []}), "holds no layers"),
        (
            json.dumps(
                {
                    "format": "netwright-design",
                    "version": 1,
                    "nodes": [{"id": "a", "type": "Dense"}],
                    "edges": [{"src": "a", "dst": "b"}],
                }
            ),
            "refers to a node 'b'",
        ),
    ],
)
def test_hostile_clipboard_is_refused_with_the_reason(text, reason):
    with pytest.raises(DesignFileError) as info:
        fragment.from_text(text)
    assert any(reason in p for p in info.value.problems)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_texts_are_refused_as_clipboard(name):
    try:
        text = HOSTILE[name].decode("utf-8")
    except UnicodeDecodeError:
        text = HOSTILE[name].decode("latin-1")
    with pytest.raises(DesignFileError):
        fragment.from_text(text)


def test_pasted_layers_keep_validation_working():
    """A value the catalog refuses is a validation error on the pasted layer, as from a file."""
    d = file_format.load(TEMPLATE)
    layers = fragment.from_text(layers_text(params={"units": "many"}))
    nodes, _ = fragment.rekey(d, layers, (0, 0))
    for n in nodes:
        d.add_node(n)
    report = validate(d)
    assert any("units" in p.message for p in report.errors)


def test_recovery_round_trip(tmp_path):
    d = file_format.load(TEMPLATE)
    path = tmp_path / "recovery.json"
    path.write_text(recovery.dumps(d, tmp_path / "mine.json", 1_700_000_000))
    found = recovery.load(path)
    assert found.design.nodes.keys() == d.nodes.keys()
    assert found.path == tmp_path / "mine.json" and found.saved_at == 1_700_000_000
    assert found.saved_text().startswith("2023-11-")


def test_recovery_reads_the_previous_layout():
    """Recovery files written before the format was named (no "format" key) still restore."""
    old = {"path": None, "saved_at": 5.0, "design": SEED}
    assert recovery.loads(json.dumps(old)).design.name == SEED.get("name", "untitled")


@pytest.mark.parametrize(
    "payload",
    [
        {"saved_at": "yesterday", "design": SEED},
        {"saved_at": 1e300, "design": SEED},
        {"saved_at": -5, "design": SEED},
        {"path": 5, "design": SEED},
        {"path": "a\u0000b", "design": SEED},
        {"design": [1, 2]},
        {"design": {**SEED, "nodes": [{"id": "a", "type": "Dense", "params": [1, 2]}]}},
        {"format": "something-else", "design": SEED},
        [1, 2, 3],
    ],
)
def test_hostile_recovery_files_are_refused_with_the_reason(payload):
    with pytest.raises(recovery.RecoveryError) as info:
        recovery.loads(json.dumps(payload))
    assert str(info.value)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_bytes_as_recovery_file(tmp_path, name):
    path = tmp_path / "recovery.json"
    path.write_bytes(HOSTILE[name])
    with pytest.raises(recovery.RecoveryError):
        recovery.load(path)
