"""Baselines on the split the network is scored on: scikit-learn's answers on the run's own arrays."""

from pathlib import Path

from engine.design.file_format import load
from engine.experiments.baselines import ACCURACY, MSE, baselines, network_score, per_class_accuracy
from engine.experiments.paths import apply_settings
from engine.training.run import ready

DESIGNS = Path(__file__).resolve().parents[3] / "resources" / "designs"


def test_iris_baselines_are_the_majority_class_and_a_logistic_regression_on_the_test_rows():
    outcome = ready(load(DESIGNS / "mlp_classifier.json"), DESIGNS)
    found = baselines(outcome.prepared, outcome.dataset.task)
    assert found["metric"] == ACCURACY and found["split"] == "test"
    scores = {s["name"]: s["score"] for s in found["scores"]}
    assert set(scores) == {"majority class", "logistic regression"}
    assert 0.2 < scores["majority class"] < 0.5  # three balanced species: about a third
    assert scores["logistic regression"] > 0.8  # iris is nearly linearly separable


def test_regression_baselines_compare_mean_squared_error():
    design = load(DESIGNS / "seed_example.json")
    outcome = ready(design, DESIGNS)
    found = baselines(outcome.prepared, outcome.dataset.task)
    assert found["metric"] == MSE
    scores = {s["name"]: s["score"] for s in found["scores"]}
    assert scores["linear regression"] < scores["mean"]  # friedman's target is mostly linear in x
    without_test = apply_settings(design, {"data.test_split": 0})
    assert baselines(ready(without_test, DESIGNS).prepared, outcome.dataset.task)["split"] == "training"


def test_per_class_accuracy_and_the_networks_score():
    assert per_class_accuracy([[8, 2], [0, 0]]) == [0.8, None]
    assert network_score({"accuracy": 0.9}, "classification") == 0.9
    assert network_score({"predicted": [1.0, 3.0], "actual": [1.0, 1.0]}, "regression") == 2.0
