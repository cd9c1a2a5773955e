"""The choice of steps_per_execution: tens of milliseconds per compiled call."""

from engine.design.cost import estimate
from engine.design.file_format import load
from engine.keras.speed import (
    MAX_STEPS_PER_EXECUTION,
    TARGET_EXECUTION_S,
    choose_steps_per_execution,
    step_seconds,
)
from tests.engine.keras.test_build_and_export import TEMPLATES

TEMPLATE = {p.stem: p for p in TEMPLATES}


def test_one_call_stays_within_the_target():
    for flops in (100, 10_000, 170_000, 1_000_000):
        for batch in (8, 32, 256):
            n = choose_steps_per_execution(flops, batch, 10_000)
            assert n == 1 or n * step_seconds(flops, batch) <= TARGET_EXECUTION_S
            assert n == MAX_STEPS_PER_EXECUTION or (n + 1) * step_seconds(flops, batch) > TARGET_EXECUTION_S


def test_a_heavy_step_or_an_unknown_cost_runs_one_batch_per_call():
    assert choose_steps_per_execution(10**9, 32, 100) == 1
    assert choose_steps_per_execution(None, 32, 100) == 1


def test_never_more_than_an_epoch():
    assert choose_steps_per_execution(100, 16, 6) == 6


def test_templates_get_more_batches_per_call_the_cheaper_their_steps():
    designs = {name: load(path) for name, path in TEMPLATE.items()}
    by_name = {
        name: choose_steps_per_execution(
            estimate(d).total_flops, int(d.training_settings.batch_size), MAX_STEPS_PER_EXECUTION
        )
        for name, d in designs.items()
    }
    assert by_name["seed_example"] == MAX_STEPS_PER_EXECUTION
    assert by_name["seed_example"] > by_name["small_cnn"] > by_name["residual_block"] > 1
