"""Pretrained weights: an imported model predicts exactly like the original before training."""

import numpy as np
import pytest

from engine.keras.build import build_model
from engine.keras.importer import import_file
from engine.keras.weights import load_pretrained, weight_layers
from tests.engine.keras.test_importer import small_functional


def recurrent_model(keras):
    inputs = keras.Input((5, 3), name="seq")
    x = keras.layers.LSTM(4, return_sequences=True, name="lstm")(inputs)
    x = keras.layers.Bidirectional(keras.layers.GRU(3), name="bi")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    outputs = keras.layers.Dense(2, name="out")(x)
    return keras.Model(inputs, outputs, name="recurrent")


@pytest.mark.parametrize("suffix", ["keras", "h5"])
@pytest.mark.parametrize("make", [small_functional, recurrent_model], ids=["conv", "recurrent"])
def test_imported_weights_reproduce_the_originals_predictions(keras, tmp_path, suffix, make):
    original = make(keras)
    x = np.random.default_rng(0).normal(size=(4, *original.input_shape[1:])).astype("float32")
    path = tmp_path / f"model.{suffix}"
    original.save(path)
    design = import_file(path).design
    assert design.weights["file"] == str(path.resolve())
    model = build_model(design)
    loaded, problems = load_pretrained(model, design.weights)
    assert not problems
    assert set(loaded) == set(design.weights["layers"]) and "out" in loaded
    np.testing.assert_allclose(
        model.predict(x, verbose=0), original.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_a_layer_changed_since_the_import_starts_fresh_and_says_so(keras, tmp_path):
    path = tmp_path / "model.keras"
    recurrent_model(keras).save(path)
    design = import_file(path).design
    design.nodes["out"].params["units"] = 5  # a new head for another task
    loaded, problems = load_pretrained(build_model(design), design.weights)
    assert "out" not in loaded and {"lstm", "bi", "bn"} <= set(loaded)
    assert problems == [problems[0]] and problems[0].startswith("'out' no longer fits its pretrained weights")


def test_a_missing_weights_file_is_a_sentence(keras, tmp_path):
    path = tmp_path / "model.keras"
    recurrent_model(keras).save(path)
    design = import_file(path).design
    path.unlink()
    loaded, problems = load_pretrained(build_model(design), design.weights)
    assert loaded == [] and "training starts from fresh weights" in problems[0]


def test_weight_layers_lists_layers_with_weights_only(keras, tmp_path):
    path = tmp_path / "model.keras"
    recurrent_model(keras).save(path)
    assert set(weight_layers(path)) == {"lstm", "bi", "bn", "out"}
