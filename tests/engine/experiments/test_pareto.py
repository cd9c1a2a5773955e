"""The front of score against cost and the best trial, on hand-made trials (no training)."""

import math
import random

from engine.experiments.pareto import best_index, dominates, pareto_flags
from engine.experiments.sweep import DONE, FAILED, STOPPED, Trial, finish


def test_dominated_points_are_off_the_front():
    # (val loss, FLOPs): the second is worse on both, the third trades loss for cost.
    assert pareto_flags([(0.2, 100.0), (0.3, 200.0), (0.1, 400.0)]) == [True, False, True]


def test_better_on_one_and_equal_on_the_other_dominates():
    assert pareto_flags([(0.2, 100.0), (0.2, 200.0), (0.3, 100.0)]) == [True, False, False]


def test_exact_ties_are_all_on_the_front():
    assert pareto_flags([(0.2, 100.0), (0.2, 100.0), (0.5, 50.0)]) == [True, True, True]


def test_a_trial_that_did_not_finish_is_never_on_the_front_nor_hides_one():
    assert pareto_flags([None, (0.4, 10.0), (math.nan, 1.0)]) == [False, True, False]


def test_best_is_the_lowest_objective_the_first_on_a_tie_and_none_when_nothing_finished():
    assert best_index([0.3, 0.1, 0.1, None]) == 1
    assert best_index([None, None]) is None
    assert best_index([]) is None


def test_the_front_is_exactly_the_undominated_points():
    draw = random.Random(0)
    for _ in range(300):  # small integer grids: many ties and equal coordinates
        points = [(float(draw.randint(0, 5)), float(draw.randint(0, 5))) for _ in range(draw.randint(1, 12))]
        flags = pareto_flags(points)
        for p, on in zip(points, flags, strict=True):
            assert on == (not any(dominates(q, p) for q in points))
        lowest = min(points)  # the lowest score, then the lowest cost among those, is never dominated
        assert flags[points.index(lowest)]


def _trial(i, status, val_loss, flops):
    metrics = {"loss": 1.0, "val_loss": val_loss} if status == DONE else None
    return Trial(i, {"training.batch_size": i}, params=10, flops=flops, status=status, metrics=metrics)


def test_finish_flags_the_front_and_the_best_over_finished_trials_only():
    trials = [
        _trial(0, DONE, 0.5, 100),
        _trial(1, DONE, 0.2, 400),
        _trial(2, FAILED, None, 10),
        _trial(3, DONE, 0.6, 200),  # worse and dearer than trial 0
        _trial(4, STOPPED, None, 50),
    ]
    result = finish(trials, "val_loss")
    assert [t.pareto for t in trials] == [True, True, False, False, False]
    assert result.best == 1
    assert result.to_dict()["trials"][2] == {
        "settings": {"training.batch_size": 2},
        "status": "failed",
        "metrics": None,
        "seconds": None,
        "params": 10,
        "flops": 10,
        "pareto": False,
    }
    assert finish([_trial(0, FAILED, None, 1)], "loss").best is None
