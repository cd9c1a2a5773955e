"""Shape rules where we refuse on purpose what Keras's symbolic call lets through,
and the wrapped-layer rule; everything else is held to Keras by the agreement test."""

import pytest

from engine.schema.catalog import LAYERS
from engine.schema.layer_rules import Ctx, ShapeError
from engine.schema.params import ParamError


def infer(layer_type, shapes, **params):
    spec = LAYERS[layer_type]
    problems, values = spec.check_params(params)
    assert not problems, problems
    return spec.rule(Ctx(f"{layer_type} 'x'"), shapes, values)


@pytest.mark.parametrize("layer_type", ["Resizing", "CenterCrop", "RandomFlip", "RandomContrast"])
def test_image_layers_refuse_a_sequence_whose_batch_keras_would_read_as_height(layer_type):
    with pytest.raises(ShapeError, match=r"needs a 4-D input \(batch, height, width, channels\)"):
        infer(layer_type, [(None, 5, 3)])
    assert infer(layer_type, [(None, 32, 32, 3)]).shape[::3] == (None, 3)


def test_attention_takes_batch_steps_features_and_counts_its_scale():
    with pytest.raises(ShapeError, match=r"needs a 3-D query \(batch, steps, features\)"):
        infer("Attention", [(None, 4), (None, 4)])
    q, v, k = (None, 5, 8), (None, 7, 6), (None, 7, 8)
    assert infer("Attention", [q, v, k], use_scale=True, score_mode="concat").shape == (None, 5, 6)
    assert infer("Attention", [q, v, k], use_scale=True, score_mode="concat").params == 2
    assert infer("AdditiveAttention", [q, v, k]).params == 8  # one scale per query feature
    with pytest.raises(ShapeError, match="same number of features"):
        infer("Attention", [q, v, (None, 7, 3)])


def test_time_distributed_applies_its_layer_to_each_step():
    out = infer(
        "TimeDistributed",
        [(None, 10, 8, 8, 3)],
        layer={"type": "Conv2D", "params": {"filters": 4, "kernel_size": 3}},
    )
    assert (out.shape, out.params) == ((None, 10, 6, 6, 4), 3 * 3 * 3 * 4 + 4)
    frozen = infer(
        "TimeDistributed",
        [(None, 10, 5)],
        layer={"type": "Dense", "params": {"units": 2, "trainable": False}},
    )
    assert (frozen.params, frozen.trainable_params) == (12, 0)
    with pytest.raises(ShapeError, match="its Conv2D on each step"):
        infer("TimeDistributed", [(None, 10, 5)], layer={"type": "Conv2D", "params": {}})


def test_discretization_boundaries_must_increase():
    p = LAYERS["Discretization"].param("bin_boundaries")
    assert p.check(1) == (1.0,)
    with pytest.raises(ParamError, match="increasing order"):
        p.check([1.0, 0.5])
    assert infer("Discretization", [(None, 4)], bin_boundaries=[0, 1], output_mode="one_hot").shape == (
        None,
        4,
        3,
    )
