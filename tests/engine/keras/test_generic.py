"""Built-in Keras layers the catalog lacks, through import, check, edit, build and export.

Keras is the oracle: the shapes and weight counts Netwright shows for a generic
layer are those of the model the file came from, and the exported script
builds the same layer classes with the same parameters.
"""

import io
import json

import numpy as np
import pytest

from cli.commands import cmd_check, cmd_export
from engine.design import file_format
from engine.design.validation import validate
from engine.keras.build import build_model
from engine.keras.codegen import generate
from engine.keras.generic import GenericLayerError, make_generic, resolve
from engine.keras.importer import import_config, import_file
from engine.keras.weights import load_pretrained
from engine.schema.catalog import LAYERS
from engine.schema.generic import GENERIC

# Layer classes of keras.layers that the catalog does not describe (checked below).
UNCATALOGUED = ("RMSNormalization", "AdaptiveAveragePooling2D", "AutoContrast")


def model_with_generic_layers(keras):
    inputs = keras.Input((12, 12, 3), name="image")
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.RMSNormalization(epsilon=1e-5, name="rms")(x)
    x = keras.layers.AdaptiveAveragePooling2D((2, 3), name="adaptive")(x)
    x = keras.layers.AutoContrast(value_range=(0, 1), name="contrast")(x)
    x = keras.layers.Flatten(name="flat")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(x)
    return keras.Model(inputs, outputs, name="generic")


def classes(model):
    """Layer classes; a chain is exported as keras.Sequential, which lists no InputLayer."""
    return sorted(type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer")


@pytest.fixture(scope="module")
def saved(keras, tmp_path_factory):
    folder = tmp_path_factory.mktemp("generic")
    model = model_with_generic_layers(keras)
    model.save(folder / "m.keras")
    model.save(folder / "m.h5")
    (folder / "m.json").write_text(model.to_json())
    return model, folder


@pytest.mark.parametrize("suffix", ["keras", "h5", "json"])
def test_a_model_file_with_uncatalogued_layers_imports_them_as_generic_nodes(saved, suffix):
    model, folder = saved
    assert not any(name in LAYERS for name in UNCATALOGUED)
    result = import_file(folder / f"m.{suffix}")
    assert result.complete, result.problems
    design = result.design
    for name, cls in (
        ("rms", "RMSNormalization"),
        ("adaptive", "AdaptiveAveragePooling2D"),
        ("contrast", "AutoContrast"),
    ):
        node = design.nodes[name]
        assert node.type == GENERIC and node.params["class_name"] == cls
        config = json.loads(json.dumps(model.get_layer(name).get_config()))  # verbatim, as JSON
        assert node.params["config"] == {k: v for k, v in config.items() if k != "name"}
    assert any("RMSNormalization is not in the catalog" in n for n in result.notes)
    report = resolve(design)
    assert report.valid, [p.message for p in report.errors]
    for layer in model.layers[1:]:
        info = report.nodes[layer.name]
        assert info.output_shape == tuple(layer.output.shape), layer.name
        assert info.params == layer.count_params(), layer.name
    assert report.total_params == model.count_params()


def test_edited_generic_layers_export_and_build_as_keras_builds_them(saved, keras, tmp_path):
    model, folder = saved
    design = import_file(folder / "m.keras").design
    design.nodes["adaptive"].params["config"]["output_size"] = [3, 3]  # the JSON edit
    design.nodes["rms"].params["config"]["trainable"] = False
    design = file_format.loads(file_format.dumps(design))  # stored and read back as it is
    report = resolve(design)
    assert report.nodes["adaptive"].output_shape == (None, 3, 3, 4)
    assert report.nodes["out"].params == 3 * 3 * 4 * 3 + 3
    assert report.nodes["rms"].params == 4 and report.nodes["rms"].trainable == 0
    source = generate(design)
    assert "keras.layers.AdaptiveAveragePooling2D.from_config(" in source
    namespace: dict = {}
    exec(compile(source, "exported.py", "exec"), namespace)  # noqa: S102 - our own generated script
    exported = namespace["build_model"]()
    built = build_model(design)
    for m in (exported, built):
        assert classes(m) == classes(model)
        assert m.count_params() == report.total_params
        assert m.output_shape == (None, 3)
        assert m.get_layer("adaptive").get_config()["output_size"] == (3, 3)
        assert not m.get_layer("rms").trainable


def test_a_sequential_model_keeps_its_generic_layer_in_a_sequential_script(keras):
    model = keras.Sequential(
        [
            keras.Input((5,), name="x"),
            keras.layers.RMSNormalization(name="rms"),
            keras.layers.Dense(2, name="d"),
        ]
    )
    design = import_config(json.loads(model.to_json())).design
    source = generate(design)
    assert "keras.Sequential(" in source and "keras.layers.RMSNormalization.from_config(" in source
    namespace: dict = {}
    exec(compile(source, "exported.py", "exec"), namespace)  # noqa: S102 - our own generated script
    assert namespace["build_model"]().count_params() == model.count_params() == 5 + 12


def test_a_custom_layer_named_like_a_keras_one_is_the_users_code_not_keras(keras):
    model = keras.Sequential([keras.Input((5,), name="x"), keras.layers.RMSNormalization(name="rms")])
    config = json.loads(model.to_json())
    layer = config["config"]["layers"][1]
    layer.update(module="my_package.layers", registered_name="my_package>RMSNormalization")
    result = import_config(config, source="custom")
    node = result.design.nodes["rms"]  # a custom node asking for its code, not Keras's class
    assert (node.type, node.params["class_name"]) == ("CustomLayer", "RMSNormalization")
    assert node.params["source"] == ""
    errors = [p.message for p in validate(result.design).errors]
    assert any("the code of class RMSNormalization is not in the design yet" in e for e in errors)


def test_a_hostile_config_inside_a_keras_class_is_refused_at_import_and_never_built(keras):
    model = keras.Sequential([keras.Input((5,), name="x"), keras.layers.RMSNormalization(name="rms")])
    config = json.loads(model.to_json())
    config["config"]["layers"][1]["config"]["dtype"] = {"module": "os", "class_name": "system", "config": {}}
    result = import_config(config, source="hostile")
    assert result.design.nodes["rms"].type != GENERIC
    assert any("'rms' is a RMSNormalization layer whose config is refused" in p for p in result.problems)
    assert any("config['dtype']['module'] 'os'" in p for p in result.problems)
    with pytest.raises(GenericLayerError, match="not one of Keras's modules"):
        make_generic(keras, "RMSNormalization", {"dtype": {"module": "os", "class_name": "system"}})
    with pytest.raises(GenericLayerError, match="Python code is not imported"):
        make_generic(keras, "Lambda", {})


def test_the_command_line_check_computes_generic_shapes_with_keras(saved, tmp_path):
    model, folder = saved
    path = tmp_path / "g.json"
    file_format.save(import_file(folder / "m.keras").design, path)
    out = io.StringIO()
    assert cmd_check([str(path)], False, out, io.StringIO()) == 0
    text = out.getvalue()
    assert "AdaptiveAveragePooling2D" in text and "(None, 2, 3, 4)" in text
    assert f"total params: {model.count_params():,} " in text  # Keras is the oracle
    out = io.StringIO()
    assert cmd_export(str(path), None, out, io.StringIO()) == 0
    assert "keras.layers.AutoContrast.from_config(" in out.getvalue()


def test_the_command_line_check_reports_a_config_keras_refuses(saved, tmp_path):
    _, folder = saved
    design = import_file(folder / "m.keras").design
    design.nodes["adaptive"].params["config"]["output_size"] = "big"
    path = tmp_path / "bad.json"
    file_format.save(design, path)
    out = io.StringIO()
    assert cmd_check([str(path)], False, out, io.StringIO()) == 1
    assert "error: AdaptiveAveragePooling2D 'adaptive': Keras cannot build it this way:" in out.getvalue()


def test_an_exported_script_with_generic_layers_reopens_as_the_same_design(saved, tmp_path):
    _, folder = saved
    design = import_file(folder / "m.keras").design
    script = tmp_path / "exported.py"
    script.write_text(generate(design))
    reopened = import_file(script).design

    def settings(d):  # catalogued layers by their checked values (the file spells out defaults)
        return {
            n: (v.type, v.params if v.type == GENERIC else LAYERS[v.type].check_params(v.params)[1])
            for n, v in d.nodes.items()
        }

    assert settings(reopened) == settings(design)
    assert sorted(map(repr, reopened.edges)) == sorted(map(repr, design.edges))


def test_a_hand_written_script_using_an_uncatalogued_keras_layer_opens_with_a_generic_node(tmp_path):
    script = tmp_path / "hand.py"
    script.write_text(
        "from tensorflow import keras\n"
        "from tensorflow.keras import layers\n"
        "model = keras.Sequential(\n"
        "    [keras.Input((6,)), layers.RMSNormalization(epsilon=1e-4), layers.Dense(1)]\n"
        ")\n"
    )
    result = import_file(script)
    node = next(n for n in result.design.nodes.values() if n.type == GENERIC)
    assert node.params == {"class_name": "RMSNormalization", "config": {"epsilon": 0.0001}}
    report = resolve(result.design)
    assert report.valid and report.nodes[node.id].params == 6 and report.total_params == 6 + 7


def test_a_hostile_generic_node_in_a_design_file_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    hostile = {
        "class_name": "RMSNormalization",
        "config": {
            "dtype": {
                "module": "os",
                "class_name": "system",
                "config": f"touch {marker}",
                "registered_name": None,
            }
        },
    }
    path = tmp_path / "hostile.json"
    path.write_text(
        json.dumps(
            {
                "format": "netwright-design",
                "version": 2,
                "nodes": [
                    {"id": "x", "type": "Input", "params": {"shape": [4]}},
                    {"id": "rms", "type": GENERIC, "params": hostile},
                ],
                "edges": [{"src": "x", "dst": "rms"}],
            }
        )
    )
    out, err = io.StringIO(), io.StringIO()
    assert cmd_check([str(path)], False, out, io.StringIO()) == 1
    assert (
        "RMSNormalization 'rms': 'config': config['dtype']['module'] 'os' is not one of Keras's modules"
        in (out.getvalue())
    )
    assert cmd_export(str(path), None, io.StringIO(), err) == 1 and "cannot be exported" in err.getvalue()
    with pytest.raises(ValueError, match="not one of Keras's modules"):
        build_model(file_format.load(path))
    assert not marker.exists()


def test_a_generic_layer_keeps_its_pretrained_weights(keras, tmp_path):
    model = keras.Sequential([keras.Input((4,), name="x"), keras.layers.RMSNormalization(name="rms")])
    model.get_layer("rms").set_weights([np.array([0.5, 1.5, 2.5, 3.5], dtype="float32")])
    model.save(tmp_path / "w.keras")
    design = import_file(tmp_path / "w.keras").design
    assert design.weights["layers"] == {"rms": "rms"}
    built = build_model(design)
    assert load_pretrained(built, design.weights) == (["rms"], [])
    assert built.get_layer("rms").get_weights()[0].tolist() == [0.5, 1.5, 2.5, 3.5]


def test_a_generic_text_layer_on_a_string_input_imports_and_is_sized_by_keras(keras):
    inputs = keras.Input((1,), dtype="string", name="text")
    vectorize = keras.layers.TextVectorization(max_tokens=50, output_sequence_length=7, name="vec")
    vectorize.adapt(["a small text", "another one"])
    model = keras.Model(inputs, keras.layers.Embedding(50, 3, name="emb")(vectorize(inputs)))
    design = import_config(json.loads(model.to_json())).design
    assert design.nodes["vec"].type == GENERIC
    report = resolve(design)
    assert report.valid, [p.message for p in report.errors]
    assert report.nodes["vec"].output_shape == tuple(model.get_layer("vec").output.shape) == (None, 7)
    assert report.nodes["emb"].output_shape == (None, 7, 3)
