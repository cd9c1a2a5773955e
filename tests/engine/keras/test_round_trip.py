"""The way back is the inverse of the way out: every exported script reopens as its design.

"The same design" is :func:`engine.design.canonical.canonical` (positions and collapsed
groups do not count, parameters equal to Keras's defaults count as left out); every
reopened script must also import with no problem, as ``main.py import`` exits 0.
"""

import io

import pytest

from cli.import_command import cmd_import
from engine.design.canonical import canonical, differences
from engine.design.file_format import load
from engine.design.graph import Design, Edge, Node
from engine.keras.codegen import generate
from engine.keras.importer import import_file
from tests.engine.keras.test_build_and_export import TEMPLATES, valid_random_designs
from tests.engine.keras.test_compile_per_output import two_heads


def reopen(tmp_path, design):
    path = tmp_path / "exported.py"
    path.write_text(generate(design))
    return import_file(path)


def assert_reopens_as(tmp_path, design):
    result = reopen(tmp_path, design)
    assert result.problems == []
    assert differences(design, result.design) == []
    return result


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_every_template_reopens_with_exit_0_and_the_same_design_and_settings(tmp_path, path):
    design = load(path)
    script = tmp_path / "t.py"
    script.write_text(generate(design))
    out, err = io.StringIO(), io.StringIO()
    assert cmd_import(str(script), str(tmp_path / "t.json"), True, out, err) == 0, err.getvalue()
    assert "problem" not in err.getvalue()
    back = load(tmp_path / "t.json")
    assert differences(design, back) == []
    # What a user changes in the design comes back too: the script holds it as a literal.
    assert canonical(back)["training"]["epochs"] == design.training["epochs"]


@pytest.mark.parametrize("design", valid_random_designs(40)[:20], ids=lambda d: d.name)
def test_exported_random_designs_reopen_as_the_same_design(tmp_path, design):
    assert_reopens_as(tmp_path, design)


def test_compile_objects_training_options_and_data_settings_come_back(tmp_path):
    design = two_heads()
    design.compile["optimizer"] = {"type": "SGD", "momentum": 0.5}
    design.compile["learning_rate_schedule"] = {
        "type": "ExponentialDecay",
        "initial_learning_rate": 0.05,
        "decay_steps": 100,
        "decay_rate": 0.5,
    }
    design.compile["metrics"] = {"kind": ["accuracy"], "size": ["mae"]}
    design.training = {
        "epochs": 3,
        "batch_size": 7,
        "validation_split": 0.1,
    }
    assert_reopens_as(tmp_path, design)


def test_metric_arguments_from_logits_and_class_weights_of_one_output_come_back(tmp_path):
    design = load(next(p for p in TEMPLATES if p.stem == "mlp_classifier"))
    design.compile["metrics"] = ["accuracy", {"type": "precision", "thresholds": 0.3}]
    design.compile["from_logits"] = True
    design.compile["loss"] = "sparse_categorical_crossentropy"
    design.training["class_weight"] = {"0": 1.0, "2": 3.0}
    design.training["reduce_lr_on_plateau"] = {"patience": 2, "factor": 0.5}
    design.data = {**design.data, "seed": 5, "test_split": 0.3}
    result = assert_reopens_as(tmp_path, design)
    assert result.design.data["seed"] == 5
    design.training["class_weight"] = "balanced"
    assert_reopens_as(tmp_path, design)


def test_ports_named_outputs_and_shared_layers_come_back(tmp_path):
    d = Design(name="siamese")
    d.add_node(Node("a", "Input", {"shape": [4, 3]}))
    d.add_node(Node("b", "Input", {"shape": [4, 3]}))
    d.add_node(Node("tower", "Dense", {"units": 5, "activation": "tanh"}))
    d.add_node(Node("tower_b", "Dense", {}, shares="tower"))
    d.add_node(Node("att", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3}))
    d.add_node(Node("enc", "LSTM", {"units": 4, "return_state": True}))
    d.add_node(Node("out", "Dense", {"units": 1}))
    d.connect(Edge("a", "tower"))
    d.connect(Edge("b", "tower_b"))
    d.connect(Edge("tower", "att"))
    d.connect(Edge("tower_b", "att", "value"))
    d.connect(Edge("att", "enc"))
    d.connect(Edge("enc", "out", None, "state_h"))
    assert_reopens_as(tmp_path, d)
