"""The learning-rate range test: smoothing and the suggestion on made-up curves, and a real short test."""

import math
from pathlib import Path

import pytest

from engine.design.file_format import load
from engine.experiments.lr_range import range_test, rates, seed_values, smooth, suggest

MLP = Path(__file__).resolve().parents[3] / "resources" / "designs" / "mlp_classifier.json"


def test_rates_rise_exponentially_from_start_to_end():
    tried = rates(1e-6, 1.0, 7)
    assert math.isclose(tried[0], 1e-6) and math.isclose(tried[-1], 1.0)
    assert all(math.isclose(b / a, 10.0) for a, b in zip(tried, tried[1:], strict=False))


def test_smoothing_is_bias_corrected():
    assert smooth([2.0, 2.0, 2.0]) == pytest.approx([2.0, 2.0, 2.0])  # flat from the first point


def test_the_suggestion_is_the_steepest_fall_before_the_minimum():
    tried = rates(1e-7, 10.0, 80)
    # Flat, then a fall fastest around 1e-3 (logistic in log10(rate)), then a blow-up past 1.
    curve = [1.0 - 0.8 / (1 + math.exp(-4 * (math.log10(r) + 3))) for r in tried]
    curve = [c + (5.0 * (math.log10(r)) if r > 1 else 0.0) for c, r in zip(curve, tried, strict=True)]
    index = suggest(tried, curve)
    assert 5e-4 < tried[index] < 2e-3
    assert suggest(tried, [1.0 + 0.01 * i for i in range(80)]) is None  # a loss that only rises
    assert seed_values(0.0123) == [0.0012, 0.0041, 0.012]


def test_a_real_range_test_finds_a_falling_loss_and_suggests_a_rate_inside_it():
    design = load(MLP)
    seen = []
    result = range_test(
        design, MLP.parent, start=1e-4, end=1.0, points=40, on_point=lambda r, s: seen.append(r)
    )
    assert len(result.rates) == len(result.losses) == len(result.smoothed) == len(seen) <= 40
    assert result.rates == sorted(result.rates) and result.rates[0] == 1e-4
    assert result.suggested is not None and 1e-4 < result.suggested < 1.0
    assert min(result.smoothed) < result.smoothed[0]  # the loss fell as the rate rose
    assert design.training_settings.validation_split == 0.2  # the design given is unchanged
