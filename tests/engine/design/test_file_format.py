"""The design file: round trips, atomic saves, and hostile input."""

import json
import os

import pytest

from engine import atomic
from engine.design import file_format
from engine.design.file_format import DesignFileError, dumps, load, loads, save
from tests.engine.random_designs import random_design

SEED = {
    "format": "netwright-design",
    "version": 1,
    "name": "seed",
    "nodes": [
        {"id": "x", "type": "Input", "params": {"shape": [8]}, "pos": [0, 0]},
        {"id": "y", "type": "Dense", "params": {"units": 1}, "pos": [0, 120]},
    ],
    "edges": [{"src": "x", "dst": "y"}],
}


@pytest.mark.parametrize("seed", range(40))
def test_round_trip_random_designs(seed):
    d = random_design(seed)
    d.data = {"source": "builtin", "name": "iris"}
    again = loads(dumps(d))
    assert again == d
    assert dumps(again) == dumps(d)


def test_optional_sections_get_defaults():
    d = loads(json.dumps(SEED))
    assert d.compile["loss"] == "mse" and d.training["epochs"] == 10 and d.data is None


def test_save_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "model.json"
    save(loads(json.dumps(SEED)), target)
    before = target.read_text()

    def boom(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", boom)
    changed = loads(json.dumps({**SEED, "name": "changed"}))
    with pytest.raises(OSError):
        save(changed, target)
    assert target.read_text() == before
    assert os.listdir(tmp_path) == ["model.json"]  # no temporary file left behind


def problems_of(text):
    with pytest.raises(DesignFileError) as info:
        loads(text, "f.json")
    return info.value.problems


def test_every_structural_problem_is_reported_at_once():
    bad = {
        "format": "netwright-design",
        "version": 1,
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [8]}},
            {"id": "x", "type": "Dense"},
            {"type": "Dense"},
            {"id": "z", "type": 5, "params": [], "pos": "here"},
        ],
        "edges": [{"src": "x", "dst": "nowhere"}, {"src": "x", "dst": "x", "port": -1}, 7],
        "compile": {"loss": 3, "metrics": "accuracy"},
    }
    assert problems_of(json.dumps(bad)) == [
        "node 'x': the id is used by more than one node",
        "nodes[2].id must be a non-empty string",
        "node 'z'.type must be a string (a Keras layer class name)",
        "node 'z'.params must be an object",
        "node 'z'.pos must be a list of two numbers",
        "edges[0] (x -> nowhere) refers to a node 'nowhere' that does not exist",
        'edges[1].port must be a whole number >= 0 or an input\'s name (e.g. "query")',
        "edges[2] must be an object",
        "compile.loss must be a Keras loss name (a string), or one per output id",
        "compile.metrics must be a list of Keras metric names, or one list per output id",
    ]


def test_newer_version_is_a_clear_error():
    assert problems_of(json.dumps({**SEED, "version": 7})) == [
        "the file has format version 7, but this Netwright reads up to version 3: update Netwright to open it"
    ]


HOSTILE = {
    "empty": b"",
    "not json": b"this is not json",
    "binary": bytes(range(256)) * 4,
    "top-level list": b"[1, 2, 3]",
    "deep nesting": b"[" * 100000 + b"]" * 100000,
    "NaN": b'{"format": "netwright-design", "version": NaN, "nodes": []}',
    "wrong format": b'{"format": "something-else", "version": 1, "nodes": []}',
    "huge exponent": b'{"format": "netwright-design", "version": 1, "nodes": [{"id": "x", "type": "Input", '
    b'"pos": [1e999, 0]}]}',
    "utf16": json.dumps(SEED).encode("utf-16"),
    "truncated": json.dumps(SEED).encode()[:-20],
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_give_clear_errors(tmp_path, name):
    path = tmp_path / "f.json"
    path.write_bytes(HOSTILE[name])
    with pytest.raises(DesignFileError) as info:
        load(path)
    assert info.value.problems and all(isinstance(p, str) and p for p in info.value.problems)


def test_missing_and_oversized_files(tmp_path, monkeypatch):
    with pytest.raises(DesignFileError, match="cannot read the file"):
        load(tmp_path / "nope.json")
    big = tmp_path / "big.json"
    big.write_text(json.dumps(SEED))
    monkeypatch.setattr(file_format, "MAX_FILE_BYTES", 10)
    with pytest.raises(DesignFileError, match="designs are at most"):
        load(big)
