"""Importing Keras models: Keras is the oracle for every imported design."""

import inspect
import io
import json
import os
import zipfile

import numpy as np
import pytest

from cli.commands import run
from engine.design.validation import validate
from engine.keras.build import build_model
from engine.keras.codegen import generate
from engine.keras.import_values import KERAS_DEFAULTS
from engine.keras.importer import ModelImportError, import_config, import_file
from tests.engine.keras.test_build_and_export import exec_script

# Three families in CI keep the suite fast; NETWRIGHT_ALL_APPLICATIONS=1 runs all nine.
APPLICATIONS = ["ResNet50", "MobileNetV3Small", "DenseNet121"]
if os.environ.get("NETWRIGHT_ALL_APPLICATIONS"):
    APPLICATIONS += ["VGG16", "MobileNetV2", "InceptionV3", "Xception", "EfficientNetB0", "NASNetMobile"]


def layer_classes(model):
    return sorted(type(layer).__name__ for layer in model.layers)


def op_count(config):
    """keras.ops calls (MobileNetV3's `x + 3`) in a functional config: they import as Rescaling layers."""
    return sum(1 for layer in config["config"]["layers"] if ".ops." in str(layer.get("module")))


@pytest.mark.parametrize("family", APPLICATIONS)
def test_applications_round_trip_through_a_design(keras, family):
    original = getattr(keras.applications, family)(weights=None)
    config = json.loads(json.dumps({"class_name": "Functional", "config": original.get_config()}))
    result = import_config(config, source=family)
    report = validate(result.design)
    assert report.valid, [p.message for p in report.errors][:5]
    assert not result.problems
    assert report.total_params == original.count_params()
    rebuilt = exec_script(generate(result.design))["build_model"]()
    assert rebuilt.count_params() == original.count_params()
    rescalings = op_count(config)
    expected = sorted(layer_classes(original) + ["Rescaling"] * rescalings)
    assert layer_classes(rebuilt) == expected
    assert rebuilt.output_shape == original.output_shape


def small_functional(keras):
    inputs = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu", kernel_regularizer="l2", name="conv")(inputs)
    branch = keras.Sequential([keras.layers.Conv2D(4, 1, padding="same")], name="inner")(x)
    x = keras.layers.Add(name="add")([x, branch])
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="out")(x)
    model = keras.Model(inputs, outputs, name="small")
    model.get_layer("conv").trainable = False  # frozen, as when fine-tuning
    model.compile(keras.optimizers.RMSprop(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_keras_h5_and_json_files_import_to_the_same_design(keras, tmp_path):
    model = small_functional(keras)
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    (tmp_path / "m.json").write_text(model.to_json())
    designs = [import_file(tmp_path / f"m.{ext}").design for ext in ("keras", "h5", "json")]
    first = designs[0]
    report = validate(first)
    assert report.valid and report.total_params == model.count_params()
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert first.nodes["conv"].params["trainable"] is False and report.trainable_params == trainable
    # The nested Sequential is flattened into the design, its layers prefixed with its name.
    assert "inner.conv2d" in first.nodes or any(n.startswith("inner.") for n in first.nodes)
    assert first.compile["optimizer"] == {"type": "RMSprop", "learning_rate": 0.01}
    assert first.compile["loss"] == "sparse_categorical_crossentropy"
    assert first.nodes["conv"].params["kernel_regularizer"] == "l2"
    for other in designs[1:]:
        assert {k: (n.type, n.params) for k, n in other.nodes.items()} == {
            k: (n.type, n.params) for k, n in first.nodes.items()
        }
        assert other.edges == first.edges
    # Keras agrees with every node's shape.
    for layer in model.layers:
        if layer.name in report.nodes:
            assert report.nodes[layer.name].output_shape == tuple(layer.output.shape)
    assert build_model(first).count_params() == model.count_params()


def test_a_custom_layer_or_lambda_asks_for_its_code_and_the_rest_imports(keras):
    inputs = keras.Input((4,), name="x")
    x = keras.layers.Dense(4, name="d1")(inputs)
    x = keras.layers.Lambda(lambda t: t * 2, name="double")(x)
    outputs = keras.layers.Dense(1, name="d2")(x)
    config = {"class_name": "Functional", "config": keras.Model(inputs, outputs).get_config()}
    config = json.loads(json.dumps(config, default=str))
    custom = json.loads(json.dumps(config["config"]["layers"][1]))
    custom.update(class_name="Swirl", registered_name="my_package>Swirl", module="my_package", name="swirl")
    custom["config"]["name"] = "swirl"
    config["config"]["layers"].insert(2, custom)
    result = import_config(config, source="custom")
    assert any("'double' is a Lambda layer" in p for p in result.problems)
    assert any("'swirl' is a custom layer (my_package>Swirl)" in p for p in result.problems)
    assert list(result.design.nodes) == ["x", "d1", "swirl", "double", "d2"]
    assert result.design.nodes["double"].type == "CustomLayer"  # asks for its code
    assert not validate(result.design).valid  # its missing code is an error to fix, located at 'double'
    assert not result.complete


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a model at all", "not valid JSON"),
        (b'{"class_name": 3}', "does not hold a Keras model config"),
        (b"PK\x03\x04garbage", "damaged .keras"),
        (b"\x89HDF\r\n\x1a\ngarbage", "damaged HDF5"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_unreadable_model_files_say_why(tmp_path, content, message):
    path = tmp_path / "bad.keras"
    path.write_bytes(content)
    with pytest.raises(ModelImportError, match=message):
        import_file(path)


def test_a_zip_bomb_config_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", b" " * (65 * 2**20))
    assert path.stat().st_size < 2**20
    with pytest.raises(ModelImportError, match="would unpack to 65 MB"):
        import_file(path)


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "model.keras"
    os.mkfifo(fifo)
    with pytest.raises(ModelImportError, match="not a regular file"):
        import_file(fifo)


def test_keras_defaults_table_matches_keras(keras):
    """The defaults the importer treats as "nothing to say" are Keras's own."""
    classes = [
        keras.layers.BatchNormalization,
        keras.layers.DepthwiseConv2D,
        keras.layers.SeparableConv2D,
        keras.layers.LSTM,
        keras.layers.GRU,
        keras.layers.Embedding,
        keras.layers.UpSampling2D,
        keras.layers.Dense,
        keras.layers.Conv2D,
    ]
    seen = set()
    for cls in classes:
        for name, param in inspect.signature(cls.__init__).parameters.items():
            if name in KERAS_DEFAULTS and param.default is not inspect.Parameter.empty:
                default = param.default
                if default is None and name == "data_format":
                    default = "channels_last"  # None means the global image_data_format
                assert KERAS_DEFAULTS[name] == default, (cls.__name__, name)
                seen.add(name)
    assert seen == set(KERAS_DEFAULTS)


def test_cli_import_exit_codes(keras, tmp_path):
    model = small_functional(keras)
    model.save(tmp_path / "m.keras")
    assert run(["import", str(tmp_path / "m.keras"), "-o", str(tmp_path / "d.json")]) == 0
    assert run(["check", str(tmp_path / "d.json")]) == 0
    (tmp_path / "notes.py").write_text(
        "from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import Dense\n"
        "model = Sequential()\nmodel.add(Dense(10, activation='relu'))\nmodel.add(Dense(1))\n"
    )
    err = io.StringIO()
    assert run(["import", str(tmp_path / "notes.py"), "-o", str(tmp_path / "n.json")], err=err) == 1
    assert "input shape" in err.getvalue()
    (tmp_path / "junk.h5").write_bytes(b"junk")
    assert run(["import", str(tmp_path / "junk.h5")]) == 2


def test_every_catalog_entrys_unheld_keras_defaults_are_known_as_defaults(keras):
    """A saved layer with Keras's defaults imports as its catalog entry, not as a generic layer:
    each constructor argument the entry does not hold has a default the importer knows."""
    from engine.keras.importer import _beyond_catalog
    from engine.schema.catalog import LAYERS

    for layer_type, spec in LAYERS.items():
        if layer_type == "Input":
            continue
        cls = getattr(keras.layers, layer_type)
        defaults = {
            name: p.default
            for name, p in inspect.signature(cls.__init__).parameters.items()
            if p.default is not inspect.Parameter.empty
        }
        assert _beyond_catalog(spec, defaults) == [], layer_type
