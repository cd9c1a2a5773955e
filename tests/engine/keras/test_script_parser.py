"""Reopening Keras scripts: the usual styles, exported scripts, and scripts that must never run."""

import sys

import pytest

from engine.design.validation import validate
from engine.keras.importer import ModelImportError, import_file
from engine.keras.script_parser import ScriptError, parse_script

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


def test_what_does_not_build_the_model_is_passed_over_and_what_does_is_a_problem_by_line(tmp_path):
    source = """
import argparse, os, sys
import keras
from keras import layers

TRAINING = {"epochs": 4, "batch_size": 8, "validation_split": 0.25}


def load():
    y = keras.utils.to_categorical([0, 1], 2)
    return -y, {**{}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--wide", action="store_true")
    args = parser.parse_args()
    if args.wide and keras.backend.backend() != "jax":
        os.execv(sys.executable, [sys.executable])
    x, y = load()
    inputs = keras.Input((3,))
    hidden = layers.Dense(4)(inputs)
    if args.wide:
        hidden = layers.Dense(64)(hidden)
    out = layers.Dropout(0.5)(hidden, training=True)
    model = keras.Model(inputs, hidden)
    model.summary()
    model.fit(x, y, epochs=args.epochs)


if __name__ == "__main__":
    main()
"""
    result = reopen(tmp_path, source)
    assert result.problems == [
        "line 23: an `if` block that builds layers is not read (its condition is not known)",
        "line 25: Dropout 'dropout' is called with `training=`, which a design cannot hold; "
        "the call is left out",
    ]
    assert [n.type for n in result.design.nodes.values()] == ["Input", "Dense"]
    assert result.design.training == {"epochs": 4, "batch_size": 8, "validation_split": 0.25}


def test_positional_arguments_follow_keras_not_the_catalog(tmp_path):
    source = """
from keras import Sequential, Input, layers
model = Sequential([Input((10, 4)), layers.Conv1D(8, 3, 1, "valid", "channels_last", 2),
                    layers.Embedding(100, 8, "uniform")])
"""
    d = reopen(tmp_path, source).design
    assert d.nodes["conv1d"].params["dilation_rate"] == 2 and "groups" not in d.nodes["conv1d"].params
    assert d.nodes["embedding"].params == {"input_dim": 100, "output_dim": 8}


@pytest.mark.parametrize(
    "body",
    [
        "def f(n):\n    return f(n)\nmodel = f(1)\n",
        "while True:\n    pass\nmodel = keras.Sequential([keras.Input((2,))])\n",
        "for i in range(1000):\n    for j in range(1000):\n        layers = [keras.layers.Dense(1)]\n",
    ],
    ids=["recursion", "endless loop", "a million layers"],
)
def test_scripts_that_would_never_end_are_read_in_bounded_time(tmp_path, body):
    try:
        result = reopen(tmp_path, "import keras\n" + body)
    except ModelImportError as exc:
        assert "too many steps" in str(exc) or "no Keras model" in str(exc)
    else:
        assert [n.type for n in result.design.nodes.values()] == ["Input"]
