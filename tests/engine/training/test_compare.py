"""Comparisons: variants differ in one setting only, and MSE on classes gets one-hot labels."""

from pathlib import Path

import numpy as np

from engine.data import prepare as D
from engine.design.file_format import load
from engine.training.compare import loss_variants, optimizer_variants

DESIGNS = Path(__file__).resolve().parents[3] / "resources" / "designs"


def test_loss_variants_fit_the_data_with_labels_in_each_loss_form():
    design = load(DESIGNS / "mlp_classifier.json")
    data = D.load(design.data)
    (ce_label, ce), (mse_label, mse) = loss_variants(design)
    assert (
        ce_label == "cross-entropy (sparse_categorical_crossentropy)"
        and mse_label == "MSE on one-hot targets"
    )
    assert mse.compile == {**design.compile, "loss": "mse"} and mse.nodes == design.nodes
    assert D.check_fit(ce, data) == [] and D.check_fit(mse, data) == []
    sparse, one_hot = D.prepare(ce, data), D.prepare(mse, data)
    assert sparse.y.ndim == 1 and one_hot.y.shape == (len(sparse.y), 3)
    assert np.array_equal(one_hot.y.argmax(axis=1), sparse.y)  # the same rows, the same seed
    # MSE on classes still needs one output unit per class.
    design.nodes["species"].params["units"] = 1
    assert "mse is a regression loss" in D.check_fit(loss_variants(design)[1][1], data)[0]


def test_optimizer_variants_leave_the_design_alone():
    design = load(DESIGNS / "mlp_classifier.json")
    variants = optimizer_variants(design)
    assert [label for label, _ in variants] == ["SGD", "SGD + momentum", "RMSprop", "Adam"]
    assert design.compile["optimizer"]["type"] == "Adam"
    assert all(v.compile["loss"] == design.compile["loss"] for _, v in variants)
