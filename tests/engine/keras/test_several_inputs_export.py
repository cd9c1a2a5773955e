"""The exported script of a design with two Inputs loads the app's very arrays and trains; the
scripts of the seq2seq and transformer templates build the app's model and fit."""

import sys

import numpy as np
import pytest

from engine.data import prepare as D
from engine.design.file_format import load
from engine.design.validation import validate
from engine.keras.codegen import generate
from tests.engine.data.test_prepare import TEMPLATE
from tests.engine.keras.test_build_and_export import ALLOWED_IMPORTS, imports_of


def script_namespace(design, tmp_path):
    source = generate(design)
    assert imports_of(source) <= ALLOWED_IMPORTS
    namespace = {"__name__": "exported_model", "__file__": str(tmp_path / "model.py")}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 - testing our own output
    return source, namespace


@pytest.mark.parametrize("renamed", [False, True], ids=["same names", "matched by order"])
def test_script_arrays_equal_the_apps(tmp_path, renamed):
    design = load(TEMPLATE["lstm_seq2seq"])
    design.data = {**design.data, "seed": 5}
    if renamed:
        design.rename_node("source", "enc")
        design.rename_node("target_in", "dec")
    source, namespace = script_namespace(design, tmp_path)
    assert ('inputs={"enc": "source", "dec": "target_in"}' in source) == renamed  # prepare_arrays's
    (x, y), (x_test, y_test) = namespace["load_data"]()
    app = D.prepare(design, D.load(design.data))
    for script, ours in ((x, app.x), (x_test, app.x_test)):
        assert list(script) == list(ours) and all(np.array_equal(script[k], ours[k]) for k in ours)
    assert np.array_equal(y, app.y) and np.array_equal(y_test, app.y_test)


@pytest.mark.parametrize("template", ["lstm_seq2seq", "transformer_encoder"])
def test_script_builds_the_same_model_and_fits_one_epoch(tmp_path, monkeypatch, capsys, template):
    """Issue 7's two templates: the script's model has the app's parameters and trains on its data."""
    design = load(TEMPLATE[template])
    _, namespace = script_namespace(design, tmp_path)
    monkeypatch.setattr(sys, "argv", ["model.py", "--epochs", "1"])
    namespace["main"]()  # load_data, build_model, fit with validation_split, evaluate on the test rows
    printed = capsys.readouterr().out
    assert f"Total params: {validate(design).total_params:,}" in printed
    assert "val_accuracy" in printed and "test: {'accuracy'" in printed
