"""Hand-written Keras scripts in the styles people use open as the model Keras builds from them.

Each script is executed with Keras (these are the test's own scripts, never a user's) and its
model compared with the model Netwright builds from what the reader read: layer classes and
configs, parameter counts, output shapes, and the compile settings.
"""

import pytest

from engine.design.validation import validate
from engine.keras.build import build_model
from engine.keras.importer import import_file
from engine.schema.catalog import LAYERS

HEADER = "import keras\nfrom keras import layers\n"

STYLES = {
    "positional": """
model = keras.Sequential([
    keras.Input((10, 4)),
    layers.Conv1D(8, 3, 1, "valid", "channels_last", 2),
    layers.LSTM(6, "tanh", "sigmoid", True, "orthogonal"),
    layers.Dense(3, "softmax"),
])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
""",
    "keyword_and_add": """
model = keras.Sequential(name="stack")
model.add(keras.Input(shape=(8,)))
model.add(layers.Dense(units=16, activation="relu", use_bias=False))
model.add(layers.Dropout(rate=0.3))
model.add(layers.Dense(units=1))
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mae")
model.fit(x, y, epochs=7, batch_size=16, validation_split=0.1)
""",
    "functional_helpers": """
inputs = keras.Input(shape=(12,), name="features")
a = layers.Dense(8, activation="relu")(inputs)
b = layers.Dense(8, activation="tanh")(inputs)
merged = layers.concatenate([a, b], axis=-1)
summed = layers.add([a, b])
x = layers.concatenate([merged, summed])
outputs = layers.Dense(2, activation="softmax", name="label")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(
    optimizer=keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(0.01, 100, 0.5)),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[keras.metrics.Precision(thresholds=0.3), "accuracy"],
)
""",
    "inputs_and_outputs_as_lists_with_dict_losses": """
title = keras.Input(shape=(6,), name="title")
body = keras.Input(shape=(10,), name="body")
x = layers.concatenate([layers.Dense(4)(title), layers.Dense(4)(body)])
priority = layers.Dense(1, name="priority")(x)
department = layers.Dense(3, name="department")(x)
model = keras.Model(inputs=[title, body], outputs=[priority, department])
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "priority": keras.losses.BinaryCrossentropy(from_logits=True),
        "department": keras.losses.CategoricalCrossentropy(from_logits=True),
    },
    loss_weights={"priority": 1.0, "department": 0.2},
    metrics={"priority": ["mae"], "department": ["accuracy"]},
)
model.fit({"title": t, "body": b}, {"priority": p, "department": d}, epochs=2, batch_size=32)
""",
    "inputs_as_a_dict": """
title = keras.Input(shape=(6,), name="title")
body = keras.Input(shape=(10,), name="body")
x = layers.concatenate([title, body])
out = layers.Dense(1, name="score")(x)
model = keras.Model(inputs={"title": title, "body": body}, outputs=out)
""",
    "model_built_in_a_function": """
def make_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    for size in [16, 32]:
        x = layers.Conv2D(size, 3, padding="same")(x)
    x = layers.GlobalAveragePooling2D()(x)
    if num_classes == 2:
        units, activation = 1, "sigmoid"
    else:
        units, activation = num_classes, "softmax"
    outputs = layers.Dense(units, activation=activation)(x)
    return keras.Model(inputs, outputs)


model = make_model((28, 28, 1), num_classes=10)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
""",
    "shared_layer_and_constants": """
UNITS = 5


def tower():
    return layers.Dense(UNITS, activation="relu", name="tower")


left = keras.Input((4,))
right = keras.Input((4,))
shared = tower()
distance = layers.subtract([shared(left), shared(right)])
model = keras.Model([left, right], layers.Dense(1, activation="sigmoid")(distance))
""",
}


def keras_model_of(keras, source):
    keras.backend.clear_session()  # Keras's automatic names start again at dense, dense_1...
    namespace = {
        "x": None,
        "y": None,
        "t": None,
        "b": None,
        "p": None,
        "d": None,
        "fit": lambda *a, **k: None,
    }
    text = source.replace("model.fit(", "fit(")  # the scripts' fit needs data; its arguments are read
    exec(compile(HEADER + text, "style.py", "exec"), namespace)  # noqa: S102 - the test's own scripts
    return namespace["model"]


def netwright_model_of(keras, tmp_path, source):
    path = tmp_path / "style.py"
    path.write_text(HEADER + source)
    result = import_file(path)
    assert result.problems == []
    assert validate(result.design).valid
    keras.backend.clear_session()
    return result.design, build_model(result.design)


def layer_configs(model):
    """Each layer's class and config, less its name (Keras numbers names per session); a chain is
    built as Sequential, whose layers leave out the InputLayer a functional model lists."""
    out = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
        out.append((type(layer).__name__, repr(config)))
    return sorted(out)


@pytest.mark.parametrize("style", STYLES)
def test_hand_written_styles_open_as_the_model_keras_builds(keras, tmp_path, style):
    original = keras_model_of(keras, STYLES[style])
    design, rebuilt = netwright_model_of(keras, tmp_path, STYLES[style])
    assert layer_configs(rebuilt) == layer_configs(original)
    assert rebuilt.count_params() == original.count_params()
    assert [tuple(o.shape) for o in rebuilt.outputs] == [tuple(o.shape) for o in original.outputs]
    if original.compiled:
        assert {**rebuilt.optimizer.get_config(), "name": ""} == {
            **original.optimizer.get_config(),
            "name": "",
        }
        for key in ("loss", "loss_weights", "metrics"):
            ours, theirs = rebuilt.get_compile_config()[key], original.get_compile_config()[key]
            assert plain(keras, ours) == plain(keras, theirs), key


def plain(keras, value):
    """A compile setting in one spelling: an object with Keras's default config is its name
    (SparseCategoricalCrossentropy() is "sparse_categorical_crossentropy"), no metrics is []."""
    if value is None:
        return []
    if isinstance(value, list):
        return [plain(keras, v) for v in value]
    if isinstance(value, dict) and "class_name" in value:
        module = getattr(keras, value["module"].split(".")[-1])
        default = getattr(module, value["class_name"])().get_config()
        config = {k: v for k, v in value["config"].items() if k != "name"}
        if config == {k: v for k, v in default.items() if k != "name"}:
            return value["config"].get("name") or default["name"]
        return {"class_name": value["class_name"], "config": config}
    if isinstance(value, dict):
        return {k: plain(keras, v) for k, v in value.items()}
    return value


def test_fit_arguments_and_the_function_style_read_back(keras, tmp_path):
    design, _ = netwright_model_of(keras, tmp_path, STYLES["keyword_and_add"])
    assert design.training == {"epochs": 7, "batch_size": 16, "validation_split": 0.1}
    design, _ = netwright_model_of(keras, tmp_path, STYLES["model_built_in_a_function"])
    assert design.nodes["input_layer"].params["shape"] == [28, 28, 1]
    assert design.nodes["dense"].params["units"] == 10


@pytest.mark.parametrize("layer_type", sorted(LAYERS))
def test_positional_arguments_are_in_the_keras_classes_order(keras, layer_type):
    import inspect

    cls = keras.Input if layer_type == "Input" else getattr(keras.layers, layer_type)
    signature = inspect.signature(cls if layer_type == "Input" else cls.__init__)
    order = []
    for p in signature.parameters.values():
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            break
        order += [p.name] if p.name != "self" else []
    assert LAYERS[layer_type].keras_args == tuple(order)


def test_positional_arguments_of_compile_objects_are_in_keras_order(keras):
    import inspect

    from engine.keras.script_parser import _OBJECT_ARGS

    modules = (keras.optimizers.schedules, keras.losses, keras.metrics, keras.callbacks)
    for name, order in _OBJECT_ARGS.items():
        cls = next(getattr(m, name) for m in modules if hasattr(m, name))
        params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        assert tuple(params[: len(order)]) == order, name
