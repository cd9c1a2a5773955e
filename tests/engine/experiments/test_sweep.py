"""Running a sweep: Stop keeps what finished, the objective follows the validation split, and a
trial whose data does not fit its design refuses the sweep before anything trains."""

from pathlib import Path

import pytest

from engine.design.file_format import load
from engine.experiments.paths import apply_settings, parse_path
from engine.experiments.plan import Axis, SweepRefused, plan_sweep
from engine.experiments.sweep import SweepControl, SweepListener, check_data, objective_for, run_sweep

ROOT = Path(__file__).resolve().parents[3]
MLP = ROOT / "resources" / "designs" / "mlp_classifier.json"


@pytest.fixture
def mlp():
    return apply_settings(load(MLP), {"training.epochs": 1})


def test_stop_ends_the_sweep_after_the_trial_in_progress(mlp):
    planned = plan_sweep(mlp, [Axis(parse_path("training.batch_size"), (16, 32, 64))])
    control, seen = SweepControl(), []

    def begin(info):
        seen.append(info["index"])
        control.stop()  # asked while the first trial starts: it still finishes

    listener = SweepListener(on_trial_begin=begin, on_epoch=lambda info: seen.append(info["logs"]["loss"]))
    assert check_data(planned, MLP.parent) == {0: 120, 1: 120, 2: 120}  # iris less its test split
    result = run_sweep(planned, MLP.parent, listener=listener, control=control)
    assert [t.status for t in result.trials] == ["done", "stopped", "stopped"]
    assert seen[0] == 0 and isinstance(seen[1], float) and len(seen) == 2
    first = result.trials[0]
    assert first.metrics["loss"] == first.history["loss"][-1] and first.test_metrics["accuracy"] >= 0
    assert result.best == 0 and [t.pareto for t in result.trials] == [True, False, False]
    assert result.to_dict()["trials"][1]["metrics"] is None


def test_without_a_validation_split_the_objective_is_loss(mlp):
    split = parse_path("training.validation_split")
    assert objective_for(plan_sweep(mlp, [Axis(split, (0.2, 0.3))])) == "val_loss"
    assert objective_for(plan_sweep(mlp, [Axis(split, (0.2, 0))])) == "loss"


def test_a_trial_whose_data_cannot_be_split_refuses_the_sweep(mlp):
    planned = plan_sweep(mlp, [Axis(parse_path("data.test_split"), (0.2, 0.999))])
    with pytest.raises(SweepRefused) as refused:
        check_data(planned, MLP.parent)
    assert [p.split(":")[0] for p in refused.value.problems] == ["trial 2 (data.test_split=0.999)"]


def test_abort_stops_the_trial_in_progress_too(mlp):
    planned = plan_sweep(
        apply_settings(mlp, {"training.epochs": 3}), [Axis(parse_path("training.batch_size"), (16, 32))]
    )
    control = SweepControl()
    listener = SweepListener(on_epoch=lambda info: control.abort())  # the window closes during epoch 1
    result = run_sweep(planned, MLP.parent, listener=listener, control=control)
    assert [t.status for t in result.trials] == ["stopped", "stopped"]
    assert len(result.trials[0].history["loss"]) == 1 and result.best is None
