"""Custom layers through scripts: read as source text, exported above build_model(), reopened the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.design.canonical import differences
from engine.design.file_format import dumps, loads
from engine.keras.codegen import generate
from engine.keras.custom_script import class_source
from engine.keras.importer import import_file
from engine.schema.custom import CUSTOM, same_source

SCRIPTS = Path(__file__).parent / "keras" / "custom_scripts"


def code_nodes(design) -> dict[str, tuple[str, str, dict]]:
    return {
        nid: (n.params["class_name"], n.params["source"], n.params["config"])
        for nid, n in design.nodes.items()
        if n.type == CUSTOM
    }


def test_a_scripts_class_and_lambda_become_code_nodes_with_their_arguments():
    result = import_file(SCRIPTS / "small.py")
    assert result.complete, result.problems
    nodes = code_nodes(result.design)
    assert set(nodes) == {"gate", "lambda"}
    name, source, config = nodes["gate"]
    assert (name, config) == ("Gate", {"scale": 2.0})  # Gate(2.0): named by its __init__
    assert source.startswith("class Gate(layers.Layer):") and source.rstrip().endswith('"scale": self.scale}')
    assert nodes["lambda"] == ("Lambda", "lambda t: ops.square(t) + 1.0", {})
    assert [e.src for e in result.design.edges if e.dst == "gate"] == ["dense"]


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.py")))
def test_an_exported_script_reopens_with_the_same_code(script, tmp_path):
    first = import_file(SCRIPTS / script)
    exported = tmp_path / "exported.py"
    exported.write_text(generate(first.design))
    again = import_file(exported)
    assert again.complete, again.problems
    a, b = code_nodes(first.design), code_nodes(again.design)
    assert set(a) == set(b)
    for nid, (name, source, config) in a.items():
        assert b[nid][0] == name and b[nid][2] == config
        assert same_source(b[nid][1], source), nid
    assert loads(dumps(again.design)).nodes.keys() == first.design.nodes.keys()
    assert differences(first.design, again.design) == []  # the canonical form: code by syntax tree


def test_a_class_that_is_not_a_keras_layer_is_not_carried_over(tmp_path):
    script = tmp_path / "m.py"
    script.write_text(
        "import keras\nfrom keras import layers\n\n\nclass Helper:\n    pass\n\n\n"
        "inputs = keras.Input(shape=(3,))\nmodel = keras.Model(inputs, layers.Dense(1)(inputs))\n"
    )
    result = import_file(script)
    assert result.complete and not code_nodes(result.design)


def test_a_class_is_taken_from_the_py_that_defines_it(tmp_path):
    py = tmp_path / "layers_of_mine.py"
    py.write_text(
        "import keras\n\n\n@keras.saving.register_keras_serializable()\nclass Mine(keras.layers.Layer):\n"
        "    def call(self, x):\n        return x\n\n\nOTHER = 1\n"
    )
    source = class_source(py, "Mine")
    assert source.startswith("@keras.saving.register_keras_serializable()\nclass Mine(")
    assert source.endswith("return x")
    with pytest.raises(ValueError, match="does not define class Missing"):
        class_source(py, "Missing")


def test_a_class_keeps_the_imports_it_uses_and_reopens_the_same(tmp_path):
    script = tmp_path / "m.py"
    script.write_text(
        "import math\nimport os\n\nimport keras\nfrom keras import layers\n\n\n"
        "class Root(layers.Layer):\n    def call(self, x):\n        return x * math.sqrt(2.0)\n\n\n"
        "inputs = keras.Input(shape=(3,))\nmodel = keras.Model(inputs, Root()(inputs))\n"
    )
    first = import_file(script).design
    source = first.nodes["root"].params["source"]
    assert source.startswith(
        "import math\n\n\nclass Root(layers.Layer):"
    )  # not os: the class does not use it
    exported = tmp_path / "exported.py"
    exported.write_text(generate(first))  # the script imports math too: written once in the node
    again = import_file(exported).design
    assert same_source(again.nodes["root"].params["source"], source)
