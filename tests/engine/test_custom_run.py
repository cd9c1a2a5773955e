"""Custom layers run once trusted: shapes from a child process with a time limit, errors by line,
the model built and trained.  Untrusted code never runs (a marker file proves it)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from engine import trust
from engine.design.graph import Edge, Node
from engine.design.validation import validate
from engine.keras.build import build_model
from engine.keras.codegen import generate
from engine.keras.custom_layers import UntrustedCode, resolve_code
from engine.keras.custom_script import class_source
from engine.keras.generic import resolve
from engine.keras.importer import import_file
from engine.keras.weights import load_pretrained
from engine.schema.custom import CUSTOM, custom_params
from tests.engine.custom_fixtures import code_design, marker_source

SCRIPTS = Path(__file__).parent / "keras" / "custom_scripts"
LONG = pytest.mark.skipif(not os.environ.get("NETWRIGHT_LONG_TESTS"), reason="NETWRIGHT_LONG_TESTS=1 runs it")
RAISES = (
    "class Broken(layers.Layer):\n    def call(self, x):\n        y = x + 1\n        return nowhere * y\n"
)
LOOPS = "class Forever(layers.Layer):\n    def call(self, x):\n        while True:\n            pass\n"


def test_untrusted_code_is_never_run(tmp_path):
    marker = tmp_path / "ran"
    design = code_design(marker_source(marker))
    report = resolve(design)  # what check and the window do before anything is trusted
    assert report.nodes["scale"].output_shape is None and report.nodes["scale"].awaits_code
    with pytest.raises(UntrustedCode, match=r"'scale' \(Scale\).*--trust-code"):
        build_model(design)
    with pytest.raises(UntrustedCode):
        resolve_code(design)
    assert not marker.exists()


def test_trusted_code_gives_shapes_errors_by_line_a_time_limit_and_builds(tmp_path):
    """One child process answers all four layers; the loop is stopped at the limit.  Then the
    good part is built in this process, its shapes already known (no second child)."""
    marker = tmp_path / "ran"
    design = code_design(marker_source(marker))
    design.nodes["lam"] = Node("lam", CUSTOM, custom_params("Lambda", "lambda t: ops.tanh(t) * 2"), (0, 300))
    design.edges = [Edge("x", "scale"), Edge("scale", "lam"), Edge("lam", "out")]
    for nid, cls, source, after in (("broken", "Broken", RAISES, "x"), ("forever", "Forever", LOOPS, "lam")):
        design.add_node(Node(nid, CUSTOM, custom_params(cls, source), (300, 100)))
        design.connect(Edge(after, nid))  # the loop comes last: what it stops is answered already
    trust.trust(design, remember=False)
    report = resolve_code(design, limit=3.0)
    assert report.nodes["scale"].output_shape == (None, 8) and report.nodes["scale"].params == 4
    assert report.nodes["lam"].output_shape == (None, 8)
    assert report.nodes["out"].output_shape == (None, 2)
    errors = {p.node: p.message for p in report.errors}
    assert errors["broken"] == (
        "Broken 'broken': Keras cannot build it this way: line 4 of its code raises "
        "NameError: name 'nowhere' is not defined"
    )
    assert "did not finish within 3 s (does its code loop forever?)" in errors["forever"]
    assert marker.read_text() == "layer made"  # it ran in the child, once trusted

    for nid in ("broken", "forever"):
        design.remove_node(nid)
    assert not trust.is_trusted(design)  # other code now: trusted again before it runs
    trust.trust(design, remember=False)
    model = build_model(design)
    assert [layer.__class__.__name__ for layer in model.layers] == ["InputLayer", "Scale", "Lambda", "Dense"]
    x = np.random.default_rng(0).random((3, 4), dtype="float32")
    expected = np.tanh(np.concatenate([x * 3.0, x], axis=-1)) * 2  # Scale(3) with ones, then the Lambda
    np.testing.assert_allclose(model.get_layer("lam")(model.get_layer("scale")(x)), expected, rtol=1e-5)
    assert model(x).shape == (3, 2)  # training it is the long tests' part (keras-io models)
    trust.forget(design)


def test_a_keras_file_with_a_custom_layer_asks_for_its_code_and_takes_it_from_a_py(tmp_path, keras):
    """The .keras file holds the class's config, not its code: the node asks, the .py gives it."""
    marker = tmp_path / "ran"
    py = tmp_path / "my_layers.py"
    py.write_text("import keras\nfrom keras import layers, ops\n\n\n" + marker_source(marker))
    namespace: dict = {}
    exec(compile(py.read_text(), str(py), "exec"), namespace)  # the test's own code, to save a model
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2)(namespace["Scale"](3.0, name="scale")(inputs)))
    model.save(tmp_path / "m.keras")
    marker.unlink()

    result = import_file(tmp_path / "m.keras")
    node = result.design.nodes["scale"]
    assert (node.type, node.params["class_name"], node.params["source"]) == (CUSTOM, "Scale", "")
    assert node.params["config"]["factor"] == 3.0
    errors = [p.message for p in validate(result.design).errors]
    assert any("the code of class Scale is not in the design yet" in e for e in errors), errors
    node.params["source"] = class_source(py, "Scale")
    report = validate(result.design)
    assert report.valid and report.nodes["scale"].awaits_code
    assert not marker.exists()


@LONG
@pytest.mark.parametrize("script", ["vit.py", "mlp_mixer.py", "vae_encoder.py"])
def test_keras_io_models_train_once_trusted(script):
    design = import_file(SCRIPTS / script).design
    trust.trust(design, remember=False)
    report = resolve(design)
    assert report.valid, [p.message for p in report.errors]
    model = build_model(design)
    assert model.count_params() == report.total_params
    rng = np.random.default_rng(0)
    x = rng.random((16, *model.inputs[0].shape[1:]), dtype="float32")
    ys = [rng.random((16, *o.shape[1:]), dtype="float32") for o in model.outputs]
    if script != "vae_encoder.py":
        ys = [rng.integers(0, 10, (16,))]
    history = model.fit(x, ys if len(ys) > 1 else ys[0], epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_convnexts_layer_scale_is_keras_code_a_generic_layer_not_the_users(tmp_path, keras):
    from keras.src.applications.convnext import LayerScale

    inputs = keras.Input((4, 4, 8))
    model = keras.Model(inputs, LayerScale(1e-6, 8, name="scale")(inputs))
    model.save(tmp_path / "m.keras")
    design = import_file(tmp_path / "m.keras").design
    assert (design.nodes["scale"].type, design.nodes["scale"].params["class_name"]) == (
        "KerasLayer",
        "LayerScale",
    )
    assert not trust.holds_code(design)
    assert resolve(design).nodes["scale"].params == model.count_params()  # Keras built it, in this process
    script = tmp_path / "again.py"
    script.write_text(generate(design))
    namespace: dict = {"__name__": "exported"}
    exec(
        compile(script.read_text(), str(script), "exec"), namespace
    )  # the exported script: Keras's code only
    assert namespace["build_model"]().count_params() == model.count_params()
    again = import_file(script).design
    assert again.nodes["scale"].params == design.nodes["scale"].params


@LONG
def test_a_keras_files_custom_layer_given_its_code_predicts_as_the_original(tmp_path, keras):
    """.keras with a custom class -> the node asks -> its code from the .py -> trusted -> the built
    model, given the file's weights, predicts what the original model predicts (Keras the oracle)."""
    py = tmp_path / "my_layers.py"
    py.write_text("import keras\nfrom keras import layers, ops\n\n\n" + marker_source(tmp_path / "ran"))
    namespace: dict = {}
    exec(compile(py.read_text(), str(py), "exec"), namespace)  # the test's own code, to save a model
    inputs = keras.Input((4,))
    x = namespace["Scale"](3.0, name="scale")(keras.layers.Dense(4, name="d1")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(x))
    model.get_layer("scale").set_weights([np.array([0.5, 1.0, 1.5, 2.0], "float32")])
    model.save(tmp_path / "m.keras")
    design = import_file(tmp_path / "m.keras").design
    design.nodes["scale"].params["source"] = class_source(py, "Scale")
    trust.trust(design, remember=False)
    built = build_model(design)
    loaded, problems = load_pretrained(built, design.weights)
    assert problems == [] and set(loaded) == {"d1", "scale", "out"}
    x = np.random.default_rng(0).random((5, 4), dtype="float32")
    np.testing.assert_allclose(built.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5)
