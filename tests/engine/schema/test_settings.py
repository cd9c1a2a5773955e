"""Typed settings: one default for every reader, values taken as written, JSON round trip."""

import dataclasses
import json

import pytest

from engine.design.file_format import loads, to_dict
from engine.design.graph import Design, Edge, Node
from engine.design.validation import validate
from engine.keras.codegen import generate
from engine.schema.settings import CompileSettings, DataSettings, TrainingSettings
from tests.engine.keras.test_build_and_export import TEMPLATES


def test_missing_keys_take_the_one_default():
    assert CompileSettings.of({}) == CompileSettings("Adam", {}, "mse", ())
    assert TrainingSettings.of({"epochs": 3}) == TrainingSettings(3, 32, 0.2)
    assert DataSettings.of(None) == DataSettings()
    assert DataSettings.of({"source": "builtin"}).test_split == 0.2


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TrainingSettings().epochs = 5


def test_a_bare_optimizer_name_and_its_hyperparameters_are_read():
    comp = CompileSettings.of({"optimizer": {"type": "SGD", "momentum": 0.9}, "metrics": ["mae"]})
    assert (comp.optimizer, comp.optimizer_params, comp.metrics) == ("SGD", {"momentum": 0.9}, ("mae",))
    assert CompileSettings.of({"optimizer": "RMSprop"}).optimizer == "RMSprop"
    assert CompileSettings.of(comp.to_dict()) == comp


def test_per_output_values_fall_back_to_the_shared_ones():
    comp = CompileSettings.of({"loss": {"a": "mae"}, "metrics": {"a": ["mae"]}, "loss_weights": {"a": 2}})
    assert (comp.loss_for("a"), comp.loss_for("b")) == ("mae", "mse")
    assert (comp.metrics_for("a"), comp.metrics_for("b")) == (["mae"], [])
    assert (comp.weight_for("a"), comp.weight_for("b")) == (2, 1.0)
    shared = CompileSettings.of({"loss": "huber", "metrics": ["mae"]})
    assert (shared.loss_for("x"), shared.metrics_for("x"), shared.per_output) == ("huber", ["mae"], False)


def test_data_keys_of_one_source_stay_in_extra():
    data = DataSettings.of({"source": "csv", "path": "a.csv", "target": "y", "seed": 4})
    assert (data.source, data.seed, data.extra) == ("csv", 4, {"path": "a.csv", "target": "y"})


def test_validation_split_has_one_default_in_the_design_the_file_and_the_script():
    design = Design()
    design.training = {"epochs": 2}  # no validation_split written anywhere
    assert design.training_settings.validation_split == 0.2
    text = '{"format": "netwright-design", "version": 1, "nodes": [], "training": {"epochs": 2}}'
    assert loads(text).training_settings.validation_split == 0.2
    design.add_node(Node("x", "Input", {"shape": [3]}))
    design.add_node(Node("y", "Dense", {"units": 1}))
    design.connect(Edge("x", "y"))
    assert "'validation_split': 0.2" in generate(design, formatter=False)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_every_shipped_file_reads_back_the_same_through_the_typed_settings(path):
    """Versions 1 and 2: the typed view writes the sections back as they were, so nothing
    changes for an old file, and it checks the same."""
    raw = json.loads(path.read_text())
    design = loads(path.read_text())
    assert CompileSettings.of(design.compile).to_dict() == {**raw["compile"]}
    assert TrainingSettings.of(design.training).to_dict() == raw["training"]
    assert to_dict(design)["compile"] == raw["compile"]
    assert validate(design).valid


def test_the_newer_settings_are_written_as_version_2_and_read_back_unchanged():
    design = loads(TEMPLATES[0].read_text())
    assert to_dict(design)["version"] == 1
    for section, key, value in (
        ("compile", "loss", {"x": "mse"}),
        ("compile", "metrics", [{"type": "precision", "thresholds": 0.4}]),
        ("compile", "from_logits", True),
        ("compile", "loss_weights", {"x": 2.0}),
        ("compile", "learning_rate_schedule", {"type": "CosineDecay", "decay_steps": 5}),
        ("training", "class_weight", "balanced"),
        ("training", "reduce_lr_on_plateau", {}),
    ):
        changed = loads(TEMPLATES[0].read_text())
        getattr(changed, section)[key] = value
        written = to_dict(changed)
        assert written["version"] == 2, key
        assert getattr(loads(json.dumps(written)), section)[key] == value


def test_metric_values_read_as_a_person_reads_them():
    from engine.schema.compile_catalog import metric_text

    assert metric_text("val_true_positives", 57.0) == "val_true_positives 57"
    assert metric_text("accuracy", 0.91234) == "accuracy 0.9123"
    assert metric_text("learning_rate", 1e-05) == "learning_rate 1e-05"
    assert metric_text("loss", float("nan")) == "loss nan"
