"""Generic nodes' pure-Python side: which classes, which configs, and what validation shows."""

import inspect
import json

import pytest

from engine.design.graph import Design, Edge, Node
from engine.design.report import pending_text
from engine.design.validation import validate
from engine.schema.generic import (
    GENERIC,
    GENERIC_CLASSES,
    KERAS_LAYER_CLASSES,
    NOT_GENERIC,
    PENDING_TEXT,
    KerasShape,
    Request,
    check_generic,
    config_problems,
    config_text,
    parse_config_text,
)


def test_the_class_list_is_exactly_the_layer_classes_keras_layers_exports(keras):
    exported = {
        name
        for name in dir(keras.layers)
        if inspect.isclass(getattr(keras.layers, name))
        and issubclass(getattr(keras.layers, name), keras.Layer)
    }
    assert exported == KERAS_LAYER_CLASSES
    assert set(NOT_GENERIC) <= KERAS_LAYER_CLASSES
    assert "Lambda" not in GENERIC_CLASSES and "RMSNormalization" in GENERIC_CLASSES


def design_with(params, shape=(6,)):
    d = Design()
    d.add_node(Node("x", "Input", {"shape": list(shape)}))
    d.add_node(Node("g", GENERIC, params))
    d.add_node(Node("out", "Dense", {"units": 2}))
    d.connect(Edge("x", "g"))
    d.connect(Edge("g", "out"))
    return d


def test_until_keras_answers_the_shape_is_unknown_below_the_generic_layer_without_errors():
    design = design_with({"class_name": "Solarization", "config": {"addition_factor": 0.123}})
    report = validate(design)
    assert report.valid  # not a false shape error downstream
    assert pending_text(report.nodes["g"]) == pending_text(report.nodes["out"]) == PENDING_TEXT
    assert report.nodes["x"].output_shape == (None, 6) and not report.nodes["x"].pending
    assert report.requests == [Request.of("Solarization", {"addition_factor": 0.123}, [(None, 6)])]
    # Keras's answer (kept with the design by whoever asked) gives the shape; the Dense below follows.
    design.keras_answers[report.requests[0]] = KerasShape((None, 6), 0, 0)
    same_content = design_with({"class_name": "Solarization", "config": {"addition_factor": 0.123}})
    assert validate(same_content).nodes["g"].pending  # no state outside the design: the other still asks
    report = validate(design)
    assert report.nodes["g"].output_shape == (None, 6) and report.nodes["out"].output_shape == (None, 2)
    assert report.nodes["out"].params == 14 and not report.requests


def test_keras_refusing_the_layer_is_an_error_on_its_node():
    design = design_with({"class_name": "Solarization", "config": {"value_range": "nonsense-1"}})
    design.keras_answers[validate(design).requests[0]] = KerasShape(error="value_range must be a pair")
    report = validate(design)
    assert [p.node for p in report.errors] == ["g"]
    assert (
        "Solarization 'g': Keras cannot build it this way: value_range must be a pair"
        in report.errors[0].message
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"class_name": "Lambda", "config": {}}, "Python code is not imported"),
        (
            {"class_name": "MyCustomLayer", "config": {}},
            "'MyCustomLayer' is not a layer class of keras.layers",
        ),
        ({"class_name": "os.system", "config": {}}, "must be the name of a Keras layer class"),
        ({"class_name": "Solarization", "config": [1]}, "'config': config must be a JSON object"),
        ({"class_name": "Solarization", "config": {}, "code": "x"}, "unknown parameter 'code'"),
    ],
)
def test_only_real_keras_layer_classes_are_generic(params, message):
    problems = check_generic(params)
    assert any(message in p.message for p in problems), problems
    report = validate(design_with(params))
    assert not report.valid and report.errors[0].node == "g" and not report.requests


HOSTILE = [
    ({"cell": {"module": "os", "class_name": "system", "config": {}}}, "config['cell']['module'] 'os'"),
    ({"cell": {"module": "builtins", "class_name": "eval", "config": {}}}, "not one of Keras's modules"),
    (
        {
            "layer": {
                "module": "keras.layers",
                "class_name": "Dense",
                "registered_name": "evil>Dense",
                "config": {},
            }
        },
        "config['layer']['registered_name'] 'evil>Dense' names a custom object",
    ),
    ({"f": {"class_name": "__lambda__", "config": {"value": "4wEAAA"}}}, "serialised __lambda__"),
    ({"layer": {"module": "keras.layers", "class_name": "Lambda", "config": {}}}, "is a Lambda"),
    (
        {"layer": {"module": "keras.layers", "class_name": "TFSMLayer", "config": {}}},
        "loads a TensorFlow SavedModel",
    ),
    ({"__class__": "os.system"}, "a layer setting is named by plain text"),
    ({"x": {"class_name": "a.b.C"}}, "is not a Keras class name"),
    ({"deep": json.loads("[" * 40 + "]" * 40)}, "nested more than 24 levels deep"),
    ({"big": list(range(30_000))}, "more than 20,000 values"),
    ({"n": float("nan")}, "finite numbers only"),
    ({"o": object()}, "not JSON data"),
]


@pytest.mark.parametrize("config, message", HOSTILE)
def test_hostile_configs_are_refused_with_where(config, message):
    problems = config_problems(config)
    assert problems and any(message in p for p in problems), problems


def test_a_typed_config_is_checked_and_located():
    assert parse_config_text('{"axis": -1, "epsilon": 1e-3}') == ({"axis": -1, "epsilon": 0.001}, "")
    config, why = parse_config_text('{\n  "axis": -1,\n  "epsilon" 1e-3\n}')
    assert config is None and why.startswith("line 3, column 13:")
    assert parse_config_text('{"x": NaN}')[1] == "NaN is not a number a config may hold"
    assert "config['cell']['module']" in parse_config_text('{"cell": {"module": "os", "class_name": "x"}}')[1]
    assert "rename the node" in parse_config_text('{"name": "other"}')[1]
    assert "nested" in parse_config_text("[" * 100_000)[1]


def test_the_editor_shows_one_setting_a_line_and_reads_it_back():
    config = {
        "axis": [-1],
        "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}},
    }
    text = config_text(config)
    assert text.splitlines()[1] == '  "axis": [-1],'
    assert parse_config_text(text) == (config, "")
    assert config_text({}) == "{}"
