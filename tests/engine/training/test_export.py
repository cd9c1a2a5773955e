"""Every export format loads back and predicts what the Keras model predicts."""

import numpy as np
import pytest

from engine.design.file_format import load
from engine.keras.build import build_model
from engine.training.export import ExportError, export_model, format_for, onnx_unavailable, path_for
from tests.engine.keras.test_build_and_export import TEMPLATES

TEMPLATE = {p.stem: p for p in TEMPLATES}


@pytest.fixture(scope="module")
def cnn():
    import keras

    keras.utils.set_random_seed(3)
    model = build_model(load(TEMPLATE["small_cnn"]))
    x = np.random.default_rng(0).random((4, 8, 8, 1), dtype="float32")
    return model, x, model.predict(x, verbose=0)


def test_formats_follow_the_name():
    assert [
        format_for(p) for p in ("a.keras", "a.weights.h5", "a.tflite", "a.onnx", "a.savedmodel", "a")
    ] == [
        "keras",
        "weights",
        "tflite",
        "onnx",
        "saved_model",
        "keras",
    ]


def test_a_dialogs_chosen_format_adds_its_suffix_to_a_bare_name():
    assert path_for("/m/net", "saved_model").name == "net.savedmodel"
    assert path_for("/m/net", "weights").name == "net.weights.h5"
    assert path_for("/m/net.onnx", "keras").name == "net.onnx"  # a typed suffix wins


def test_keras_and_weights(keras, cnn, tmp_path):
    model, x, expected = cnn
    path = export_model(model, tmp_path / "net")
    assert path.name == "net.keras"
    np.testing.assert_allclose(keras.saving.load_model(path).predict(x, verbose=0), expected, atol=1e-6)
    weights = export_model(model, tmp_path / "net.weights.h5")
    fresh = build_model(load(TEMPLATE["small_cnn"]))
    fresh.load_weights(weights)
    np.testing.assert_allclose(fresh.predict(x, verbose=0), expected, atol=1e-6)


def test_saved_model(cnn, tmp_path):
    import tensorflow as tf

    model, x, expected = cnn
    path = export_model(model, tmp_path / "net.savedmodel")
    loaded = tf.saved_model.load(str(path))  # kept: its variables die with it
    served = loaded.serve(tf.constant(x))
    np.testing.assert_allclose(np.asarray(served), expected, atol=1e-5)


def test_tflite(cnn, tmp_path):
    import tensorflow as tf

    model, x, expected = cnn
    path = export_model(model, tmp_path / "net.tflite")
    interpreter = tf.lite.Interpreter(model_path=str(path))
    inp, out = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    interpreter.resize_tensor_input(inp["index"], x.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(inp["index"], x)
    interpreter.invoke()
    np.testing.assert_allclose(interpreter.get_tensor(out["index"]), expected, atol=1e-5)


def test_onnx(cnn, tmp_path):
    import onnxruntime

    model, x, expected = cnn
    assert onnx_unavailable() is None
    path = export_model(model, tmp_path / "net.onnx")
    session = onnxruntime.InferenceSession(str(path))
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_onnx_without_its_converter_says_why(cnn, tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tf2onnx" else real(name, *a)
    )
    with pytest.raises(ExportError, match="ONNX export needs tf2onnx, which is not installed"):
        export_model(cnn[0], tmp_path / "net.onnx")
