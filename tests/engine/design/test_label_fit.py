"""The classic trap: a Dense acting per pixel passes every shape rule but not the labels."""

import json
from pathlib import Path

from engine.design import file_format
from engine.design.validation import validate

TRAP = {
    "format": "netwright-design",
    "version": 1,
    "name": "trap",
    "nodes": [
        {"id": "x", "type": "Input", "params": {"shape": [8, 8, 1]}, "pos": [0, 0]},
        {"id": "conv", "type": "Conv2D", "params": {"filters": 4, "kernel_size": [3, 3]}, "pos": [0, 130]},
        {"id": "digit", "type": "Dense", "params": {"units": 10, "activation": "softmax"}, "pos": [0, 260]},
    ],
    "edges": [{"src": "x", "dst": "conv"}, {"src": "conv", "dst": "digit"}],
    "compile": {"optimizer": {"type": "Adam"}, "loss": "sparse_categorical_crossentropy"},
    "training": {"epochs": 1, "batch_size": 64, "validation_split": 0.0},
    "data": {"source": "builtin", "name": "digits"},
}


def write_trap(folder: Path, **changes) -> Path:
    path = folder / "trap.json"
    path.write_text(json.dumps({**TRAP, **changes}))
    return path


def test_output_rank_is_checked_against_the_labels_with_the_fix_named():
    report = validate(file_format.from_dict(TRAP))
    [problem] = report.errors
    assert problem.node == "digit"
    assert problem.message == (
        "'digit' outputs (None, 6, 6, 10) but the labels are one class id per sample: "
        "add Flatten or GlobalAveragePooling2D before it"
    )
    assert [(f.layer_type, f.before) for f in problem.fixes] == [
        ("Flatten", "digit"),
        ("GlobalAveragePooling2D", "digit"),
    ]


def test_categorical_labels_are_named_as_one_hot_rows():
    design = file_format.from_dict({**TRAP, "compile": {"loss": "categorical_crossentropy"}})
    assert "one one-hot row per sample" in validate(design).errors[0].message


def test_without_data_the_design_is_not_judged():
    """Without labels to compare with, (None, 6, 6, 10) may be meant (per-pixel classes)."""
    assert validate(file_format.from_dict({**TRAP, "data": None})).valid
