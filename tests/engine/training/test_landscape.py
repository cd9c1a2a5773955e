"""The loss landscape: filter-normalised directions, projection onto the plane, the grid's loss
is the model's loss at those weights, and the model is left as it was.  A whole run with its path
is drawn, and checked, by tests/gui/test_landscape_view.py."""

from pathlib import Path

import numpy as np
import pytest

from engine.design.file_format import load
from engine.training.landscape import RANDOM, filter_normalized, project, slice_loss
from engine.training.run import ready

DESIGNS = Path(__file__).resolve().parents[3] / "resources" / "designs"


def test_each_filter_of_a_direction_has_the_norm_of_the_weights_filter():
    rng = np.random.default_rng(0)
    kernel, conv, bias = rng.normal(size=(5, 3)), rng.normal(size=(3, 3, 2, 4)), rng.normal(size=(3,))
    d_kernel, d_conv, d_bias = filter_normalized([kernel, conv, bias], rng)
    np.testing.assert_allclose(np.linalg.norm(d_kernel, axis=0), np.linalg.norm(kernel, axis=0))
    per_filter = [np.linalg.norm(a.reshape(-1, 4), axis=0) for a in (d_conv, conv)]
    np.testing.assert_allclose(*per_filter)
    assert not d_bias.any()  # biases get no direction (Li et al.)


def test_projection_recovers_a_point_of_the_plane():
    rng = np.random.default_rng(1)
    centre = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]
    d1 = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]
    d2 = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]
    point = [c + 0.3 * a - 1.5 * b for c, a, b in zip(centre, d1, d2, strict=True)]
    np.testing.assert_allclose(project([point, centre], centre, d1, d2), [[0.3, -1.5], [0, 0]], atol=1e-9)


@pytest.fixture(scope="module")
def deep_relu(keras):
    design = load(DESIGNS / "deep_relu.json")
    return design, ready(design, DESIGNS).prepared


def test_a_random_slice_is_the_models_loss_there_and_leaves_the_model_as_it_was(deep_relu, keras):
    from engine.keras.build import build_model

    design, prepared = deep_relu
    model = build_model(design)
    x, y = prepared.x[:64], prepared.y[:64]
    before = [v.numpy() for v in model.trainable_variables]
    land = slice_loss(model, x, y, [], directions=RANDOM, budget_s=1, seed=5)
    for v, b in zip(model.trainable_variables, before, strict=True):
        np.testing.assert_array_equal(v.numpy(), b)
    assert land.directions == RANDOM and land.alphas[0] == -1 and land.alphas[-1] == 1
    rng = np.random.default_rng(5)
    d1, d2 = filter_normalized(before, rng), filter_normalized(before, rng)
    i, j = 1, len(land.alphas) - 2
    for v, w, a, b in zip(model.trainable_variables, before, d1, d2, strict=True):
        v.assign(w + land.alphas[j] * a + land.betas[i] * b)
    expected = float(model.compute_loss(x=x, y=y, y_pred=model(x, training=False)))
    assert land.loss[i, j] == pytest.approx(expected, rel=1e-5)
