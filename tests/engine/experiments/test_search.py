"""Model-based search (Optuna's TPE): what it may propose, that the seed repeats it, that a trial
validation refuses is reported and the search goes on, and what it found best -- real Keras runs."""

import math
import statistics
from pathlib import Path

import pytest

from engine.design.file_format import load
from engine.experiments.paths import apply_settings
from engine.experiments.search import (
    ObjectiveMissing,
    SpaceError,
    check_objective,
    parse_space,
    parse_span,
    run_search,
    startup_trials,
)
from engine.experiments.sweep import SweepControl, SweepListener

ROOT = Path(__file__).resolve().parents[3]
MLP = ROOT / "resources" / "designs" / "mlp_classifier.json"
RATE, UNITS, ACTIVATION = (
    "compile.optimizer.learning_rate",
    "nodes[hidden1].params.units",
    "nodes[hidden1].params.activation",
)


@pytest.fixture
def mlp():
    return apply_settings(load(MLP), {"training.epochs": 1})


def test_a_range_is_whole_numbers_where_the_design_holds_a_count(mlp):
    units = parse_span(f"{UNITS}=2..64", mlp)
    assert (units.low, units.high, units.log, units.integer) == (2, 64, False, True)
    rate = parse_span(f"{RATE}=1e-4..0.1:log", mlp)
    assert (rate.low, rate.high, rate.log, rate.integer) == (1e-4, 0.1, True, False)
    assert parse_span("training.validation_split=0..0.5", mlp).integer is False  # the design holds 0.2
    assert parse_span("nodes[dropout].params.seed=1..4", mlp).integer  # not written: whole as its ends are


@pytest.mark.parametrize(
    ("ranges", "choices", "says"),
    [
        ([f"{UNITS}=64..8"], [], "LO must be below HI"),
        ([f"{UNITS}=8..8"], [], "LO must be below HI"),
        ([f"{RATE}=0..0.1:log"], [], "a logarithmic range must start above 0"),
        ([f"{UNITS}=2.5..8"], [], "is a whole number (16 now)"),
        ([f"{UNITS}=a..b"], [], "LO and HI must be numbers"),
        (["nodes[nope].params.units=2..8"], [], "the design has no node 'nope'"),
        (["nodes[hidden1].params.foo=2..8"], [], "unknown parameter 'foo'"),
        (["training.validation_split=1..2"], [], "must be at least 0 and below 1"),
        ([], [f"{ACTIVATION}=nope,nada"], "'activation' must be one of"),
        ([f"{UNITS}=2..8"], [f"{UNITS}=4,8"], "--range and --grid both name"),
        ([], [f"{UNITS}=4,8", f"{UNITS}=2"], "swept twice"),
        ([], [], "name at least one setting"),
    ],
)
def test_a_range_or_list_that_cannot_be_searched_is_refused_by_name(mlp, ranges, choices, says):
    with pytest.raises(SpaceError) as refused:
        parse_space(mlp, ranges, choices)
    assert says in str(refused.value)
    assert refused.value.kind == (
        "range" if ranges and not choices else "grid" if choices and not ranges else None
    )
    named = (ranges + choices)[:1]
    assert all(text.split("=")[0] in str(refused.value) for text in named)


def test_the_proposals_fill_the_ranges_on_their_scales(mlp):
    """The sampler alone (nothing trains): a log range's proposals spread over its decades, a count's
    are whole numbers, a list's are its values, every one inside its range."""
    import optuna

    space = parse_space(mlp, [f"{RATE}=1e-4..1:log", f"{UNITS}=2..64"], [f"{ACTIVATION}=relu,tanh"])
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=1))
    proposals = [space.suggest(study.ask()) for _ in range(200)]
    rates = [p[RATE] for p in proposals]
    assert all(1e-4 <= r <= 1 for r in rates) and all(float(f"{r:.4g}") == r for r in rates)
    assert 1e-3 < statistics.median(rates) < 3e-2  # log-uniform's median is 1e-2; uniform's would be 0.5
    assert sum(r < 1e-3 for r in rates) > 30  # the lowest decade gets about a quarter
    assert all(isinstance(p[UNITS], int) and 2 <= p[UNITS] <= 64 for p in proposals)
    assert {p[ACTIVATION] for p in proposals} == {"relu", "tanh"}


def test_a_seeded_search_repeats_its_trials_and_keeps_the_best(mlp):
    space = parse_space(mlp, [f"{RATE}=1e-3..0.3:log", f"{UNITS}=2..32"], [f"{ACTIVATION}=relu,tanh"])
    assert startup_trials(3) == 2  # two at random, the third chosen by TPE from them

    def search():
        return run_search(mlp, space, 3, MLP.parent, seed=7, objective="val_accuracy")

    first, again = search(), search()
    settings = [t.settings for t in first.trials]
    assert settings == [t.settings for t in again.trials]
    assert len({str(s) for s in settings}) == 3
    for trial in first.trials:
        assert trial.status == "done" and trial.metrics["val_accuracy"] >= 0
        assert 1e-3 <= trial.settings[RATE] <= 0.3 and 2 <= trial.settings[UNITS] <= 32
    accuracy = [t.metrics["val_accuracy"] for t in first.trials]
    assert first.objective == "val_accuracy" and accuracy[first.best] == max(accuracy)  # raised, not lowered
    found = first.to_dict()["search"]
    assert (found["seed"], found["direction"], found["random_trials"]) == (7, "maximize", 2)
    assert found["best_settings"] == settings[first.best] and found["best_value"] == max(accuracy)
    assert found["space"][UNITS] == {"low": 2, "high": 32, "log": False, "integer": True}
    assert isinstance(found["space"][UNITS]["low"], int) and found["space"][RATE]["low"] == 1e-3


def test_a_trial_validation_refuses_is_reported_and_the_search_goes_on(mlp):
    ended = []
    space = parse_space(mlp, ["training.validation_split=0.9..9"])  # valid below 1 only: ~1 in 80
    result = run_search(mlp, space, 4, MLP.parent, listener=SweepListener(on_trial_end=ended.append))
    assert [t["status"] for t in ended] == ["failed"] * 4 and len(result.trials) == 4
    for trial in ended:
        assert trial["message"].startswith(
            "refused: training.validation_split must be at least 0 and below 1"
        )
        assert trial["params"] is None and trial["seconds"] is None
    assert result.best is None and [r["trial"] for r in result.search["refused"]] == [0, 1, 2, 3]


def test_stop_ends_the_search_after_the_trial_in_progress_and_a_missing_objective_is_named(mlp):
    control = SweepControl()
    space = parse_space(mlp, [f"{UNITS}=2..8"])
    listener = SweepListener(on_trial_begin=lambda info: control.stop())
    result = run_search(mlp, space, 5, MLP.parent, listener=listener, control=control)
    assert [t.status for t in result.trials] == ["done"] and math.isfinite(result.search["best_value"])


def test_an_objective_no_trial_logs_is_refused_before_any_trains(mlp):
    """The names are the compile call's, as Keras logs them: loss, the metrics, their val_ versions."""
    begun = []
    space = parse_space(mlp, [f"{UNITS}=2..8"])
    listener = SweepListener(on_trial_begin=begun.append)
    with pytest.raises(ObjectiveMissing) as refused:
        run_search(mlp, space, 2, MLP.parent, objective="val_acc", listener=listener)
    assert str(refused.value) == (
        "'val_acc' is not a figure the trials log (they log loss, accuracy, val_loss, val_accuracy)"
    )
    assert begun == []
    no_split = apply_settings(mlp, {"training.validation_split": 0.0})
    with pytest.raises(ObjectiveMissing, match=r"\(they log loss, accuracy\)"):
        check_objective(no_split, space, "val_loss")
    check_objective(no_split, parse_space(no_split, ["training.validation_split=0.1..0.3"]), "val_loss")


def test_a_search_never_trains_the_same_settings_twice(mlp):
    """A space of two choices asked for four trials runs two; seed 1's second proposal repeats the
    first (32): it is told the first's figures, not trained, and the untried 8 is trained instead."""
    begun = []
    space = parse_space(mlp, [], ["training.batch_size=8,32"])
    result = run_search(
        mlp, space, 4, MLP.parent, seed=1, listener=SweepListener(on_trial_begin=begun.append)
    )
    assert [t.settings["training.batch_size"] for t in result.trials] == [32, 8]
    assert [(b["index"], b["count"]) for b in begun] == [(0, 2), (1, 2)]
    found = result.search
    assert (found["asked"], found["planned"], found["space_size"], found["repeats_skipped"]) == (4, 2, 2, 1)
    assert [parse_space(mlp, [f"{UNITS}=2..4"]).size(), parse_space(mlp, [f"{RATE}=1e-3..0.1"]).size()] == [
        3,
        None,
    ]


def test_with_pruning_a_trial_worse_than_the_median_after_an_epoch_stops_there(mlp):
    space = parse_space(mlp, [f"{RATE}=1e-5..0.1:log", f"{UNITS}=1..64"])
    ended = []
    two_epochs = apply_settings(mlp, {"training.epochs": 2})
    listener = SweepListener(on_trial_end=ended.append)
    result = run_search(two_epochs, space, 3, MLP.parent, seed=3, prune=True, listener=listener)
    assert [t.status for t in result.trials] == ["done", "done", "pruned"]  # the first two at random
    pruned = result.trials[2]
    first_epoch = [t.history["val_loss"][0] for t in result.trials]
    assert len(pruned.history["val_loss"]) == 1 and pruned.metrics["val_loss"] == first_epoch[2]
    assert first_epoch[2] > statistics.median(first_epoch[:2])  # worse than the trials before at epoch 1
    assert pruned.message.startswith("after epoch 1: val_loss ")
    assert ended[2]["status"] == "pruned" and ended[2]["message"] == pruned.message  # as the listener saw it
    assert result.best != 2 and not pruned.pareto and result.search["pruning"] is True
