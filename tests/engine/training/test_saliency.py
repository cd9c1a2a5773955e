"""Saliency and Grad-CAM against Keras: the saliency is the gradient of the predicted class's
logit with respect to the input; Grad-CAM weighs the last convolution's maps by their mean
gradient; a design without a convolution has a saliency map and no Grad-CAM."""

from pathlib import Path

import numpy as np
import pytest

from engine.design.file_format import load
from engine.training.run import ready
from engine.training.saliency import attention

DESIGNS = Path(__file__).resolve().parents[3] / "resources" / "designs"


@pytest.fixture(scope="module")
def small_cnn(keras):
    from engine.keras.build import build_model

    design = load(DESIGNS / "small_cnn.json")
    keras.utils.set_random_seed(0)
    return build_model(design), ready(design, DESIGNS).prepared


def test_saliency_is_the_gradient_of_the_predicted_logit(small_cnn, keras):
    import tensorflow as tf

    model, prepared = small_cnn
    x = prepared.x[2:3]
    seen = attention(model, x)
    dense = model.get_layer("digit")
    features = keras.Model(model.inputs, model.get_layer("gap").output)
    xt = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:  # the logit (softmax's input), by hand
        tape.watch(xt)
        z = tf.matmul(features(xt), dense.kernel) + dense.bias
        score = z[0, seen.class_index]
    expected = np.abs(tape.gradient(score, xt).numpy()[0]).max(axis=-1)
    assert seen.class_index == int(np.argmax(model(x).numpy()[0]))  # the predicted class
    assert seen.score == pytest.approx(float(score), rel=1e-5)
    np.testing.assert_allclose(seen.saliency, expected, rtol=1e-4, atol=1e-8)
    assert seen.saliency.shape == (8, 8)


def test_grad_cam_weighs_the_last_convolutions_maps(small_cnn, keras):
    import tensorflow as tf

    model, prepared = small_cnn
    x = prepared.x[5:6]
    seen = attention(model, x, class_index=3)
    assert seen.grad_cam_layer == "conv2" and seen.grad_cam.shape == (8, 8)
    assert seen.grad_cam.min() >= 0 and seen.grad_cam.max() == pytest.approx(1.0)
    conv = keras.Model(model.inputs, model.get_layer("conv2").output)
    maps = conv(x)
    with tf.GradientTape() as tape:  # the digit's logit from the maps (global average, then Dense)
        tape.watch(maps)
        dense = model.get_layer("digit")
        score = (tf.matmul(tf.reduce_mean(maps, axis=(1, 2)), dense.kernel) + dense.bias)[0, 3]
    alpha = tf.reduce_mean(tape.gradient(score, maps), axis=(1, 2))[0].numpy()
    cam = np.maximum((maps.numpy()[0] * alpha).sum(-1), 0)  # 4x4, before stretching to 8x8
    small = tf.image.resize(seen.grad_cam[..., None], (4, 4), method="area").numpy()[..., 0]
    assert np.corrcoef(small.ravel(), cam.ravel())[0, 1] > 0.9


def test_a_design_without_convolutions_has_saliency_only(keras):
    from engine.keras.build import build_model

    design = load(DESIGNS / "deep_relu.json")
    model = build_model(design)
    seen = attention(model, ready(design, DESIGNS).prepared.x[:1])
    assert seen.grad_cam is None and seen.saliency.shape == (2,)
