"""Property-based round trips: random designs over the whole catalog (named ports, several
outputs, shared layers, dtypes) with random compile and training settings.

- export -> reopen gives the same design (engine.design.canonical) with no problem;
- the exported script's build_model() and the app's build give equal Keras configs;
- a .keras file saved from the app's model imports as the same design.

The test command runs a bounded, derandomised number of examples; NETWRIGHT_LONG_TESTS=1 runs
many more (see the README for the command and its last result).
"""

import json
import os
import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.design.canonical import canonical, differences
from engine.design.validation import validate
from engine.keras.build import build_model
from engine.keras.codegen import generate
from engine.keras.importer import import_file
from tests.engine.keras.test_build_and_export import comparable_config, exec_script
from tests.engine.random_designs import random_design, random_settings

LONG = bool(os.environ.get("NETWRIGHT_LONG_TESTS"))


def examples(bounded: int, long: int):
    return settings(
        max_examples=long if LONG else bounded,
        derandomize=not LONG,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )


@st.composite
def designs(draw):
    """A valid random design with random settings (hypothesis draws the seeds)."""
    design = random_design(draw(st.integers(0, 10**6)))
    random_settings(random.Random(draw(st.integers(0, 2**32))), design)
    assume(validate(design).valid)
    return design


@examples(bounded=12, long=400)
@given(designs())
def test_export_then_reopen_gives_the_same_design_with_no_problem(tmp_path_factory, design):
    path = tmp_path_factory.mktemp("rt") / "exported.py"
    path.write_text(generate(design))
    result = import_file(path)
    assert result.problems == []
    assert differences(design, result.design) == []


@examples(bounded=3, long=100)
@given(designs())
def test_the_exported_build_model_equals_the_apps_build(keras, design):
    ours = build_model(design)
    theirs = exec_script(generate(design))["build_model"]()
    assert numbered_ops(comparable_config(theirs)) == numbered_ops(comparable_config(ours))
    assert theirs.get_compile_config()["loss"] == ours.get_compile_config()["loss"]


def numbered_ops(config):
    """The config with the operations Keras records (a Masking layer's NotEqual and Any) named
    by their place: Keras numbers their names per session (not_equal_3, not_equal_5)."""
    text = json.dumps(config, default=repr)
    ops = [lay["name"] for lay in config.get("layers", []) if ".ops." in str(lay.get("module"))]
    for i, name in enumerate(ops):
        text = text.replace(json.dumps(name), json.dumps(f"op_{i}"))
    return json.loads(text)


def with_call_ids(design):
    """The design with each shared layer's later calls named as a Keras file names them
    (``{layer}_call{k}``): a saved model keeps no name for a call."""
    design = design.copy()
    order, _ = design.topological_order()
    calls: dict[str, int] = {}
    for nid in order:
        owner = design.nodes[nid].shares
        if owner is not None:
            calls[owner] = calls.get(owner, 0) + 1
            design.rename_node(nid, f"{owner}_call{calls[owner]}")
    return design


@examples(bounded=3, long=100)
@given(designs())
def test_a_keras_file_saved_from_the_apps_model_imports_as_the_same_design(keras, tmp_path_factory, design):
    path = tmp_path_factory.mktemp("saved") / "model.keras"
    build_model(design).save(path)
    result = import_file(path)
    assert result.problems == []
    expected, got = canonical(with_call_ids(design)), canonical(result.design)
    for part in ("name", "nodes", "edges", "outputs", "compile"):  # a .keras file holds no fit settings
        assert got[part] == expected[part], (part, differences(with_call_ids(design), result.design))


@pytest.mark.skipif(not LONG, reason="NETWRIGHT_LONG_TESTS=1 runs the long property runs")
def test_long_runs_are_on():
    assert LONG
