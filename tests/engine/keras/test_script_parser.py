"""Reopening Keras scripts: the usual styles, exported scripts, and scripts that must never run."""

import sys

import pytest

from engine.design.file_format import load
from engine.design.validation import validate
from engine.keras.codegen import generate
from engine.keras.importer import ModelImportError, import_file
from engine.keras.script_parser import ScriptError, parse_script
from engine.spec.catalog import LAYERS
from engine.spec.compile_catalog import OPTIMIZERS
from tests.engine.keras.test_build_and_export import TEMPLATES, valid_random_designs

STUDY_NOTES = """\
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense
model = Sequential()
model.add(Dense(10, activation='relu'))
model.add(Dense(1))
model.compile(optimizer='adam', loss='mse')
"""


def reopen(tmp_path, source, name="model.py"):
    path = tmp_path / name
    path.write_text(source)
    return import_file(path)


def signature(design):
    """What makes two designs the same design: layers, parameters (Keras form), connections, compile."""
    nodes = {
        nid: (n.type, LAYERS[n.type].keras_kwargs(n.params) if n.type in LAYERS else n.params)
        for nid, n in design.nodes.items()
    }
    edges = sorted((e.src, e.dst, e.port if e.port is not None else -1) for e in design.edges)
    opt = dict(design.compile["optimizer"])
    spec = OPTIMIZERS[opt["type"]]
    optimizer = {
        k: v
        for k, v in opt.items()
        if k == "type" or v != spec.params[[p.name for p in spec.params].index(k)].default
    }
    return nodes, edges, {**design.compile, "optimizer": optimizer}


def test_study_notes_example_opens_as_its_design(tmp_path):
    result = reopen(tmp_path, STUDY_NOTES)
    d = result.design
    assert [n.type for n in d.nodes.values()] == ["Input", "Dense", "Dense"]
    dense, out = list(d.nodes.values())[1:]
    assert dense.params == {"units": 10, "activation": "relu"} and out.params == {"units": 1}
    assert d.compile["optimizer"] == {"type": "Adam"} and d.compile["loss"] == "mse"
    # No input shape in the script: the Input says so and a problem asks for it.
    assert d.nodes["input"].params["shape"] is None
    assert any("input shape" in p for p in result.problems)
    assert not validate(d).valid


@pytest.mark.parametrize(
    "header, prefix",
    [
        ("import keras\nfrom keras import layers", "layers."),
        ("import keras", "keras.layers."),
        ("import tensorflow as tf", "tf.keras.layers."),
        ("from tensorflow import keras", "keras.layers."),
        ("from tensorflow.keras.layers import Dense, Dropout, Input", ""),
    ],
)
def test_functional_style_with_every_way_of_importing_keras(tmp_path, header, prefix):
    model_call = "keras.Model" if "keras" in header.split("import")[-1] or "tf" in header else "Model"
    source = f"""{header}
{"from tensorflow.keras.models import Model" if model_call == "Model" else ""}
inputs = {prefix}Input(shape=(4,), name="features")
x = {prefix}Dense(16, activation="relu")(inputs)
x = {prefix}Dropout(0.25)(x)
outputs = {prefix}Dense(3, activation="softmax", name="species")(x)
model = {model_call if model_call == "Model" else ("tf.keras.Model" if "tf" in header else "keras.Model")}(
    inputs=inputs, outputs=outputs)
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
"""
    result = reopen(tmp_path, source)
    d = result.design
    assert result.complete, result.problems
    assert [(nid, n.type) for nid, n in d.nodes.items()] == [
        ("features", "Input"),
        ("dense", "Dense"),
        ("dropout", "Dropout"),
        ("species", "Dense"),
    ]
    assert d.nodes["dropout"].params == {"rate": 0.25}
    assert d.compile == {
        "optimizer": {"type": "RMSprop"},
        "loss": "sparse_categorical_crossentropy",
        "metrics": ["accuracy"],
    }
    assert validate(d).valid


def test_sequential_list_with_input_shape_on_the_first_layer_and_a_literal_loop(tmp_path):
    source = """
import keras
hidden = [32, 16]
model = keras.Sequential([keras.layers.Dense(hidden[0] if False else 32, input_shape=(8,))])
for units in [16, 8]:
    model.add(keras.layers.Dense(units, activation="tanh"))
model.add(keras.layers.Dense(1))
model.compile(keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), "mae")
model.fit(x, y, epochs=7, batch_size=16, validation_split=0.1)
"""
    result = reopen(tmp_path, source)
    d = result.design
    assert [n.params.get("units") for n in d.nodes.values()] == [None, None, 16, 8, 1]
    assert d.nodes["input"].params == {"shape": [8]}
    assert d.compile["optimizer"] == {"type": "SGD", "learning_rate": 0.05, "momentum": 0.9}
    assert d.training == {"epochs": 7, "batch_size": 16, "validation_split": 0.1}
    # The first Dense's units came from an expression the reader does not evaluate: said by line.
    assert any(p.startswith("line 4:") for p in result.problems)


def test_merges_nested_calls_and_wrappers(tmp_path):
    source = """
from keras import layers, Input, Model
a = Input((6, 3))
b = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(a)
c = layers.Conv1D(8, 3, padding="same")(a)
m = layers.Concatenate(axis=-1)([b, c])
out = layers.Dense(1)(layers.GlobalAveragePooling1D()(m))
model = Model(a, out)
"""
    result = reopen(tmp_path, source)
    d = result.design
    assert result.complete, result.problems
    assert d.nodes["bidirectional"].params["layer"] == {
        "type": "LSTM",
        "params": {"units": 4, "return_sequences": True},
    }
    assert {(e.src, e.dst, e.port) for e in d.edges if e.dst == "concatenate"} == {
        ("bidirectional", "concatenate", 0),
        ("conv1d", "concatenate", 1),
    }
    assert validate(d).valid


# Named ports, named outputs and shared layers (design format 2) are not read back from
# scripts yet: the parser learns them next (issue 7's follow-up).
V1_TEMPLATES = [p for p in TEMPLATES if not load(p).uses_v2_features()]


@pytest.mark.parametrize("path", V1_TEMPLATES, ids=lambda p: p.stem)
def test_exported_templates_reopen_as_the_same_design(tmp_path, path):
    design = load(path)
    result = reopen(tmp_path, generate(design))
    assert signature(result.design) == signature(design), result.problems
    assert result.design.name == design.name


@pytest.mark.parametrize(
    "design", [d for d in valid_random_designs(40) if not d.uses_v2_features()][:25], ids=lambda d: d.name
)
def test_exported_random_designs_reopen_as_the_same_design(tmp_path, design):
    result = reopen(tmp_path, generate(design))
    assert signature(result.design) == signature(design), result.problems


def test_a_hostile_script_is_parsed_never_run(tmp_path):
    marker = tmp_path / "ran.txt"
    source = f"""
import os, socket, keras
open({str(marker)!r}, "w").write("executed")
os.system("touch {marker}")
__import__("os").system("touch {marker}")
socket.create_connection(("127.0.0.1", 9))
exec("open({str(marker)!r}, 'w')")
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name=__import__("os").getcwd())])
"""
    result = reopen(tmp_path, source)
    assert not marker.exists()
    assert [n.type for n in result.design.nodes.values()] == ["Input", "Dense"]
    assert "os" not in sys.modules.get("engine.keras.script_parser").__dict__


@pytest.mark.parametrize(
    "source, message",
    [
        ("def broken(:\n", "line 1: not valid Python"),
        ("x = 1\n", "no Keras model"),
        ("(" * 300 + ")" * 300, "too many nested parentheses"),
        ("x = " + "-" * 100_000 + "1", "nested too deeply"),
    ],
)
def test_unreadable_scripts_say_why(tmp_path, source, message):
    with pytest.raises(ModelImportError, match=message):
        reopen(tmp_path, source)


def test_parse_errors_are_script_errors():
    with pytest.raises(ScriptError, match="line 2"):
        parse_script("import keras\nmodel = keras.Sequential([\n  1 +\n")
