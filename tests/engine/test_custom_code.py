"""Custom-layer nodes read without running: checks of their source, the trust store, the file format."""

from __future__ import annotations

import json

import pytest

from engine import trust
from engine.design.file_format import dumps, loads
from engine.design.report import pending_text
from engine.design.validation import validate
from engine.schema.custom import PENDING_TEXT, check_custom, custom_params, init_parameters, same_source
from tests.engine.custom_fixtures import code_design, marker_source


def test_an_untrusted_custom_layer_waits_and_the_layers_after_it_too(tmp_path):
    marker = tmp_path / "ran"
    design = code_design(marker_source(marker))
    report = validate(design)
    assert report.valid
    assert pending_text(report.nodes["scale"]) == PENDING_TEXT
    assert PENDING_TEXT == "shape unknown (computed by Keras once trusted)"
    assert report.nodes["out"].pending and report.nodes["out"].output_shape is None
    assert [r.class_name for r in report.code_requests] == ["Scale"] and not report.requests
    assert report.code_requests[0].inputs == ((None, 4),)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("class_name", "source", "expected"),
    [
        ("Scale", "class Scale(layers.Layer):\n    def call(self, x)\n        return x\n", "line 2 of its"),
        (
            "Scale",
            "class Other(layers.Layer):\n    pass\n",
            "does not define class Scale at its top level (it",
        ),
        ("Scale", "", "the code of class Scale is not in the design yet"),
        ("Lambda", "x * 2", "one lambda expression"),
        ("Lambda", "lambda x: x *", "line 1 of its code is not valid"),
        ("not a name", "lambda x: x", "'class_name' must be the name of a Python class"),
    ],
)
def test_source_problems_name_the_line_and_the_class(class_name, source, expected):
    messages = [p.message for p in check_custom(custom_params(class_name, source))]
    assert any(expected in m for m in messages), messages


def test_a_node_without_its_code_is_an_error_that_says_how_to_give_it():
    design = code_design("")
    errors = [p.message for p in validate(design).errors]
    assert any(e.startswith("Scale 'scale': ") and "paste the class" in e for e in errors), errors


def test_constructor_parameters_are_read_from_the_class():
    source = "class P(layers.Layer):\n    def __init__(self, num, dim, *, scale=1, **kw):\n        pass\n"
    assert init_parameters(source, "P") == (["num", "dim", "scale"], True)
    assert init_parameters("class P(layers.Layer):\n    pass\n", "P") == ([], True)


def test_the_same_source_is_the_same_syntax_tree():
    assert same_source("lambda x: x*2", "lambda x: (x * 2)  ")
    assert same_source("class A:\n    x = [1,\n 2]  # note\n", "class A:\n    x = [1, 2]\n")
    assert not same_source("lambda x: x * 2", "lambda x: x * 3")


def test_trust_is_kept_per_hash_of_the_code_alone(tmp_path, config_folder):
    design = code_design(marker_source(tmp_path / "ran"))
    assert trust.holds_code(design) and not trust.is_trusted(design)
    trust.trust(design)
    stored = json.loads((config_folder / "trusted.json").read_text())
    assert list(stored["trusted"]) == [trust.code_hash(design)]
    moved = loads(dumps(design))
    moved.nodes["scale"].pos = (500, 500)
    moved.rename_node("scale", "renamed")
    moved.nodes["out"].params["units"] = 3
    assert trust.code_hash(moved) == trust.code_hash(design)
    changed = code_design(marker_source(tmp_path / "ran") + "\n# one more line\n")
    assert trust.code_hash(changed) != trust.code_hash(design)
    assert not trust.is_trusted(changed)
    trust.forget(design)
    assert not trust.is_trusted(design)


def test_trust_for_this_process_only_writes_nothing(tmp_path, config_folder):
    design = code_design("lambda x: x", "Lambda", {})
    trust.trust(design, remember=False)
    assert trust.is_trusted(design) and not (config_folder / "trusted.json").exists()
    trust.forget(design)


def test_an_unreadable_store_trusts_nothing(tmp_path, config_folder):
    config_folder.mkdir(parents=True)
    (config_folder / "trusted.json").write_text("{not json")
    assert not trust.is_trusted(code_design("lambda x: x * 5", "Lambda", {}))


def test_a_design_with_code_is_format_version_3_and_keeps_its_source(tmp_path):
    source = marker_source(tmp_path / "ran")
    design = code_design(source)
    text = dumps(design)
    assert json.loads(text)["version"] == 3
    again = loads(text)
    assert again.nodes["scale"].params == design.nodes["scale"].params
    del again.nodes["scale"], again.nodes["out"]
    again.edges.clear()
    assert json.loads(dumps(again))["version"] == 1  # no code, no newer features: still version 1
    assert not (tmp_path / "ran").exists()
