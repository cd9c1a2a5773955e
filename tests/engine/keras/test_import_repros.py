"""Issue 18's .keras import repros: each imports exactly (the imported design, built and given the
file's weights, predicts what the original predicts) or is a problem naming the layer."""

import numpy as np
import pytest

from engine.keras.build import build_model
from engine.keras.generic import resolve
from engine.keras.importer import import_file
from engine.keras.weights import load_pretrained


def nested(keras, layers):
    inner_in = keras.Input((4,))
    inner = keras.Model(inner_in, layers.Dense(3, name="d_in")(inner_in), name="inner")
    x = keras.Input((4,), name="x")
    return keras.Model(x, layers.Dense(2, name="head")(inner(x)))


def siamese(keras, layers):
    t = keras.Input((4,))
    tower = keras.Model(t, layers.Dense(5, activation="tanh", name="t")(t), name="tower")
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    return keras.Model([a, b], layers.Dense(1, name="o")(layers.Subtract()([tower(a), tower(b)])))


def mask_zero(keras, layers):
    t = keras.Input((6,), dtype="int32", name="tokens")
    return keras.Model(t, layers.LSTM(3, name="rnn")(layers.Embedding(20, 4, mask_zero=True, name="emb")(t)))


def masking(keras, layers):
    """Keras records a Masking layer's mask as NotEqual and Any operations passed as mask=."""
    s = keras.Input((5, 3), name="s")
    return keras.Model(s, layers.LSTM(2, name="rnn")(layers.Dense(4)(layers.Masking(0.5)(s))))


def beyond_the_catalog(keras, layers):
    """Arguments a catalog entry cannot hold: generic Keras layers with their whole config."""
    img = keras.Input((3, 8, 8), name="img")
    x = layers.Conv2D(4, 3, data_format="channels_first", name="conv")(img)
    x = layers.Conv2D(4, 3, groups=2, name="grouped")(x)
    return keras.Model(img, layers.Dense(2, lora_rank=2, name="lora")(layers.Flatten()(x)))


@pytest.mark.parametrize("make", [nested, siamese, mask_zero, masking, beyond_the_catalog])
def test_imports_exactly_and_predicts_what_the_original_predicts(keras, tmp_path, make):
    original = make(keras, keras.layers)
    path = tmp_path / "model.keras"
    original.save(path)
    result = import_file(path)
    assert result.problems == []
    report = resolve(result.design)  # Keras computes the generic layers' shapes
    assert report.valid and report.total_params == original.count_params()
    rebuilt = build_model(result.design)
    loaded, problems = load_pretrained(rebuilt, result.design.weights)
    assert problems == [] and len(loaded) == len(result.design.weights["layers"])
    rng = np.random.default_rng(0)
    inputs = [
        rng.integers(0, 20, (3, *t.shape[1:])) if "int" in str(t.dtype) else rng.random((3, *t.shape[1:]))
        for t in original.inputs
    ]
    np.testing.assert_allclose(
        rebuilt.predict(inputs, verbose=0), original.predict(inputs, verbose=0), atol=1e-5
    )


def test_what_a_design_cannot_carry_is_a_problem_naming_the_layer(keras, tmp_path):
    layers = keras.layers
    s, m = keras.Input((5, 3), name="s"), keras.Input((5,), dtype="bool", name="smask")
    x = layers.LSTM(4, name="lstm")(s, mask=m)
    y = layers.Dropout(0.5, name="drop")(x, training=True)
    z = layers.Dense(2, name="expanded")(keras.ops.expand_dims(y, 1))
    keras.Model([s, m], z).save(tmp_path / "model.keras")
    problems = import_file(tmp_path / "model.keras").problems
    assert problems[0].startswith("the Input 'smask' holds bool values")
    assert any(p.startswith("'lstm' is called with a mask from 'smask'") for p in problems)
    assert any(p.startswith("'drop' is called with training=True") for p in problems)
    assert any("keras.expanddims" in p for p in problems)


def test_compile_objects_in_a_keras_file_import_with_their_arguments(keras, tmp_path):
    x = keras.Input((4,), name="x")
    model = keras.Model(x, keras.layers.Dense(3, name="scores")(x))
    schedule = keras.optimizers.schedules.ExponentialDecay(0.05, 100, 0.5)
    model.compile(
        optimizer=keras.optimizers.SGD(schedule, momentum=0.9),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.Precision(thresholds=0.3), "accuracy"],
    )
    model.save(tmp_path / "model.keras")
    result = import_file(tmp_path / "model.keras")
    assert result.problems == []
    assert result.design.compile == {
        "optimizer": {"type": "SGD", "momentum": 0.9},
        "loss": "sparse_categorical_crossentropy",
        "from_logits": True,
        "metrics": [{"type": "precision", "thresholds": 0.3}, "accuracy"],
        "learning_rate_schedule": {
            "type": "ExponentialDecay",
            "initial_learning_rate": 0.05,
            "decay_steps": 100,
            "decay_rate": 0.5,
            "staircase": False,
        },
    }
