"""The settings' edit rules, without a window: each ``with_…`` returns a new value and keeps the old one."""

import dataclasses

import pytest

from engine.schema.compile_catalog import REDUCE_LR_PARAMS, SCHEDULES
from engine.schema.settings import CompileSettings, TrainingSettings, takes_threshold, written_over


def test_another_optimizer_keeps_the_learning_rate_and_drops_the_rest():
    adam = CompileSettings.of({"optimizer": {"type": "Adam", "learning_rate": 0.003, "beta_1": 0.8}})
    sgd = adam.with_optimizer("SGD")
    assert sgd.optimizer_config() == {"type": "SGD", "learning_rate": 0.003}
    assert adam.optimizer_params == {"learning_rate": 0.003, "beta_1": 0.8}  # unchanged: a new value
    assert CompileSettings().with_optimizer("RMSprop").optimizer_params == {}


@pytest.mark.parametrize("kind", sorted(SCHEDULES))
def test_a_schedule_starts_at_the_rate_set_now(kind):
    settings = CompileSettings().with_optimizer_param("learning_rate", 0.02).with_schedule(kind)
    schedule = settings.learning_rate_schedule
    assert schedule["type"] == kind and set(schedule) == {"type", *(p.name for p in SCHEDULES[kind].params)}
    if "initial_learning_rate" in schedule:
        assert schedule["initial_learning_rate"] == 0.02
    assert settings.with_schedule(None).learning_rate_schedule is None
    assert settings.with_schedule_param("decay_steps", 7).learning_rate_schedule["decay_steps"] == 7


def test_metrics_keep_their_arguments_and_new_ones_take_the_threshold_shown():
    settings = CompileSettings.of({"metrics": [{"type": "precision", "thresholds": 0.3}]})
    chosen = settings.with_metrics(["precision", "recall", "accuracy"], threshold=0.3)
    assert list(chosen.metrics) == [
        {"type": "precision", "thresholds": 0.3},
        {"type": "recall", "thresholds": 0.3},
        "accuracy",
    ]
    assert list(chosen.with_threshold(None).metrics) == ["precision", "recall", "accuracy"]
    assert takes_threshold("recall") and not takes_threshold("accuracy")


def test_per_output_edits_write_every_output_as_it_read():
    outputs = ["digit", "parity"]
    shared = CompileSettings.of({"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]})
    edited = shared.with_output_loss(outputs, "parity", "binary_crossentropy")
    assert edited.loss == {"digit": "sparse_categorical_crossentropy", "parity": "binary_crossentropy"}
    assert edited.metrics == {"digit": ["accuracy"], "parity": ["accuracy"]}
    weighted = edited.with_output_weight(outputs, "parity", 0.25)
    assert weighted.loss_weights == {"digit": 1.0, "parity": 0.25}
    assert weighted.with_output_metric(outputs, "digit", "accuracy", False).metrics["digit"] == []


def test_class_weights_choice_and_text():
    training = TrainingSettings()
    assert training.with_class_weight("per class").class_weight == {"0": 1.0, "1": 1.0}
    assert training.with_class_weight("balanced").class_weight == "balanced"
    assert training.with_class_weights_text("0: 1, 2: 3.5").class_weight == {"0": 1.0, "2": 3.5}
    for bad in ("0: x", "2", ": 3"):
        with pytest.raises(ValueError, match="class: weight pairs"):
            training.with_class_weights_text(bad)


def test_reduce_lr_on_plateau_starts_gently_and_takes_only_its_own_arguments():
    on = TrainingSettings().with_reduce_lr(True)
    assert on.reduce_lr_on_plateau == {"factor": 0.5, "patience": 2}
    assert {"factor", "patience"} <= {p.name for p in REDUCE_LR_PARAMS}
    assert on.with_reduce_lr_param("patience", 5).reduce_lr_on_plateau == {"factor": 0.5, "patience": 5}
    assert on.with_reduce_lr(False).reduce_lr_on_plateau is None
    with pytest.raises(ValueError, match="no argument"):
        on.with_reduce_lr_param("patiense", 5)


def test_writing_back_keeps_what_netwright_does_not_know_and_drops_what_was_unset():
    raw = {"optimizer": {"type": "Adam"}, "loss": {"a": "mse"}, "loss_weights": {"a": 2}, "note": "mine"}
    settings = dataclasses.replace(CompileSettings.of(raw).with_loss("mae"), loss_weights=None)
    out = written_over(raw, settings)
    assert out["note"] == "mine" and out["loss"] == "mae" and "loss_weights" not in out
    assert written_over({"epochs": 3, "x": 1}, TrainingSettings.of({"epochs": 3}).with_run(4, 8, 0.1)) == {
        "x": 1,
        "epochs": 4,
        "batch_size": 8,
        "validation_split": 0.1,
    }
