"""Data-versus-design problems with one obvious remedy carry it as a fix the window applies."""

import copy
import json
from pathlib import Path

from engine.design import file_format
from engine.design.label_fit import SetParam
from engine.design.validation import validate

TEMPLATES = Path(__file__).resolve().parents[3] / "resources" / "designs"


def load(stem: str, **data):
    design = file_format.load(TEMPLATES / f"{stem}.json")
    design.data = {**design.data, **data}
    return design


def apply(design, fix: SetParam):
    changed = copy.deepcopy(design)
    changed.nodes[fix.node].params[fix.param] = fix.value
    return changed


def only_fix(design) -> SetParam:
    fixes = [f for p in validate(design).problems for f in p.fixes]
    assert len(fixes) == 1, fixes
    return fixes[0]


def test_the_inputs_shape_follows_the_data():
    design = load("seed_example", name="diabetes")
    fix = only_fix(design)
    assert fix == SetParam("Set the Input's shape to (10,)", "x", "shape", [10])
    assert not validate(apply(design, fix)).problems
    json.dumps(fix.value)  # what the design file will hold


def test_the_output_units_follow_the_classes_and_the_activation_the_loss():
    design = load("mlp_classifier", name="breast_cancer")
    design.nodes["features"].params["shape"] = [30]
    design = apply(design, only_fix(design))
    assert design.nodes["species"].params["units"] == 2 and not validate(design).problems
    design.nodes["species"].params["activation"] = "tanh"
    design = apply(design, only_fix(design))
    assert design.nodes["species"].params["activation"] == "softmax" and not validate(design).problems


def test_a_regression_output_squashed_by_sigmoid_is_made_linear():
    design = load("seed_example")
    design.nodes["y"].params["activation"] = "sigmoid"
    design = apply(design, only_fix(design))
    assert design.nodes["y"].params["activation"] == "linear" and not validate(design).problems


def test_an_activation_from_an_earlier_layer_is_not_rewritten_on_the_output():
    design = load("seed_example")
    design.nodes["y"].type = "Dropout"
    design.nodes["y"].params = {"rate": 0.1}
    design.nodes["h"].params["activation"] = "sigmoid"
    assert not [f for p in validate(design).problems for f in p.fixes]


def test_a_classification_loss_on_regression_data_offers_mse():
    from engine.design.label_fit import SetLoss

    design = load("seed_example")
    design.compile = {**design.compile, "loss": "binary_crossentropy"}
    fixes = [f for p in validate(design).problems for f in p.fixes if isinstance(f, SetLoss)]
    assert fixes == [SetLoss("Set the loss to mse", "mse")]
    design.compile = {**design.compile, "loss": "mse"}
    assert not validate(design).problems
