"""Samples a learner makes: a point on the plane, an 8x8 picture, as the network sees its data."""

from pathlib import Path

import numpy as np

from engine.design.file_format import load
from engine.training.forward import PICTURE, POINT, design_drawable, drawable, drawn_sample

DESIGNS = Path(__file__).resolve().parents[3] / "resources" / "designs"


def test_drawn_samples_are_shaped_and_scaled_as_the_data():
    assert design_drawable(load(DESIGNS / "small_cnn.json")) == PICTURE
    assert design_drawable(load(DESIGNS / "overfitting.json")) == POINT
    assert drawable([64]) == PICTURE and drawable([4]) is None and drawable([8, 8, 3]) is None
    ink = np.zeros((8, 8), dtype=np.float32)
    ink[2, 3] = 1.0
    raw = np.linspace(0, 16, 64 * 5, dtype=np.float32).reshape(5, 64)  # pixels 0..16, flat
    mean, std = raw.mean(axis=0), raw.std(axis=0)
    sample = drawn_sample(PICTURE, ink, (raw - mean) / std, mean, std)
    assert sample.shape == (64,)
    assert np.allclose(sample * std + mean, np.where(ink.reshape(-1) > 0, 16.0, 0.0), atol=1e-3)
    assert np.array_equal(drawn_sample(POINT, [0.5, -1.0], np.zeros((3, 2))), [0.5, -1.0])
