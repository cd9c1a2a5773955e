"""Setting paths: parsing, values, edits through the typed settings, and refusals that name the path."""

import json
from pathlib import Path

import pytest

from engine.design.file_format import load
from engine.experiments.paths import PathError, apply_settings, parse_axis, parse_path, parse_values
from engine.experiments.plan import Axis, SweepRefused, combinations, plan_sweep

ROOT = Path(__file__).resolve().parents[3]
MLP = ROOT / "resources" / "designs" / "mlp_classifier.json"


@pytest.fixture
def mlp():
    return load(MLP)


def test_paths_parse_to_sections_and_node_ids_with_dots():
    assert parse_path("compile.optimizer.learning_rate").keys == ("optimizer", "learning_rate")
    assert parse_path("nodes[block.1.dense].params.units").keys == ("block.1.dense", "units")
    assert parse_path("nodes.hidden1.params.units").text == "nodes[hidden1].params.units"


@pytest.mark.parametrize("bad", ["optimizer.learning_rate", "training", "nodes.a.b.params.units", "data..x"])
def test_a_path_that_names_no_setting_is_refused_by_name(bad):
    with pytest.raises(PathError, match="is not a setting path|nodes\\[NODE_ID\\]"):
        parse_path(bad)


def test_values_are_json_words_or_one_json_list():
    assert parse_values("0.001,0.01,1e-1") == [0.001, 0.01, 0.1]
    assert parse_values("relu, tanh,true") == ["relu", "tanh", True]
    assert parse_values("[[3,3],[5,5]]") == [[3, 3], [5, 5]]
    assert parse_axis("nodes[hidden1].params.units=[8,32,128]")[1] == [8, 32, 128]
    for bad in ("", "1,,2", "[1,"):
        with pytest.raises(PathError):
            parse_values(bad)


def test_edits_change_a_copy_only(mlp):
    before = json.dumps([mlp.compile, mlp.training, mlp.nodes["hidden1"].params])
    edited = apply_settings(
        mlp,
        {
            "compile.optimizer.learning_rate": 0.05,
            "training.batch_size": 8,
            "nodes[hidden1].params.units": 4,
            "data.test_split": 0.3,
        },
    )
    assert edited.compile_settings.optimizer_params["learning_rate"] == 0.05
    assert edited.compile_settings.optimizer == "Adam"
    assert edited.training_settings.batch_size == 8
    assert edited.nodes["hidden1"].params == {"units": 4, "activation": "relu"}
    assert edited.data_settings.test_split == 0.3
    assert json.dumps([mlp.compile, mlp.training, mlp.nodes["hidden1"].params]) == before


def test_unknown_settings_are_refused_naming_the_path(mlp):
    with pytest.raises(PathError, match="training.patience: training has no setting 'patience'"):
        apply_settings(mlp, {"training.patience": 3})
    with pytest.raises(PathError, match="no node 'hidden9'"):
        apply_settings(mlp, {"nodes[hidden9].params.units": 3})


def test_a_bad_value_refuses_the_whole_sweep_before_anything_trains(mlp):
    axes = [
        Axis(parse_path("nodes[hidden1].params.units"), (8, 0)),
        Axis(parse_path("training.batch_size"), (16,)),
    ]
    with pytest.raises(SweepRefused) as refused:
        plan_sweep(mlp, axes)
    assert len(refused.value.problems) == 1
    assert "trial 2 (nodes[hidden1].params.units=0, training.batch_size=16)" in refused.value.problems[0]
    assert "units" in refused.value.problems[0]


def test_each_trial_carries_the_cost_check_reports(mlp):
    planned = plan_sweep(mlp, [Axis(parse_path("nodes[hidden1].params.units"), (4, 64))])
    assert [t.params for t in planned] == [
        4 * 4 + 4 + 4 * 16 + 16 + 16 * 3 + 3,
        4 * 64 + 64 + 64 * 16 + 16 + 16 * 3 + 3,
    ]
    assert planned[0].flops < planned[1].flops


def test_random_draws_k_distinct_grid_combinations_with_its_seed():
    axes = [
        Axis(parse_path("training.batch_size"), (8, 16, 32)),
        Axis(parse_path("training.epochs"), (1, 2, 3)),
    ]
    grid = combinations(axes)
    assert len(grid) == 9 and grid[1] == {"training.batch_size": 8, "training.epochs": 2}
    drawn = combinations(axes, 4, seed=7)
    assert len({json.dumps(c, sort_keys=True) for c in drawn}) == 4 and all(c in grid for c in drawn)
    assert drawn == combinations(axes, 4, seed=7) and drawn != combinations(axes, 4, seed=8)
    with pytest.raises(SweepRefused, match="has 9 combination"):
        combinations(axes, 10)


def test_an_axis_named_twice_or_a_value_repeated_is_refused(mlp):
    lr = parse_path("compile.optimizer.learning_rate")
    with pytest.raises(SweepRefused, match="swept twice"):
        plan_sweep(mlp, [Axis(lr, (0.1,)), Axis(lr, (0.2,))])
    with pytest.raises(SweepRefused, match="listed twice"):
        plan_sweep(mlp, [Axis(lr, (0.1, 0.1))])
