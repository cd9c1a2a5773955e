"""Design diffs: settings by path, layers added, removed and changed with their parameters."""

from pathlib import Path

from engine.design.file_format import load
from engine.design.graph import Edge, Node
from engine.experiments.diff import diff_designs
from engine.experiments.paths import apply_settings

MLP = Path(__file__).resolve().parents[3] / "resources" / "designs" / "mlp_classifier.json"


def test_a_design_equals_itself_and_a_default_written_out_changes_nothing():
    design = load(MLP)
    assert diff_designs(design, load(MLP)).same
    explicit = load(MLP)
    explicit.training = {**explicit.training, "distribution": "none"}  # the default, now written
    assert diff_designs(design, explicit).lines() == [
        "The two designs are the same (names and positions aside)."
    ]


def test_settings_and_layers_changed_added_and_removed_are_listed():
    first = load(MLP)
    second = apply_settings(
        first,
        {"compile.optimizer.learning_rate": 0.01, "nodes[hidden1].params.units": 64, "training.epochs": 5},
    )
    second.remove_node("dropout")
    second.add_node(Node("norm", "BatchNormalization", {}))
    second.connect(Edge("hidden1", "norm"))
    second.connect(Edge("norm", "hidden2"))
    diff = diff_designs(first, second)
    assert [(c.what, c.before, c.after) for c in diff.settings] == [
        ("compile.optimizer.learning_rate", 0.001, 0.01),
        ("training.epochs", 50, 5),
    ]
    assert diff.added == [("norm", "BatchNormalization", {})]
    assert diff.removed == [("dropout", "Dropout", {"rate": 0.1})]
    assert diff.connections_added == [("hidden1", "norm"), ("norm", "hidden2")]
    assert diff.connections_removed == [("dropout", "hidden2"), ("hidden1", "dropout")]
    assert diff.lines()[:5] == [
        "compile.optimizer.learning_rate: 0.001 → 0.01",
        "training.epochs: 50 → 5",
        "added BatchNormalization 'norm'",
        "removed Dropout 'dropout' (rate=0.1)",
        "changed Dense 'hidden1': units 16 → 64",
    ]


def test_a_parameter_set_in_one_design_only_reads_not_set():
    first = load(MLP)
    second = load(MLP)
    second.nodes["hidden2"].params["use_bias"] = False
    assert diff_designs(first, second).lines() == ["changed Dense 'hidden2': use_bias (not set) → False"]
