"""Data for a model with several Inputs: the generated reverse_sequences set, rows kept aligned
through shuffle, split and standardising, Inputs matched by name or order, mismatches in words."""

import numpy as np
import pytest

from engine.data import loaders
from engine.data import prepare as D
from engine.design.file_format import load
from engine.design.validation import validate
from engine.schema.data_settings import data_problems
from engine.schema.datasets import match_inputs
from tests.engine.data.test_prepare import TEMPLATE


def seq2seq():
    return load(TEMPLATE["lstm_seq2seq"])


def tokens(one_hot):
    return one_hot.argmax(axis=-1)


def test_reverse_sequences_is_seeded_and_teacher_forced():
    x, y = loaders.load_reverse_sequences()
    again, _ = loaders.load_reverse_sequences()
    assert all(np.array_equal(x[k], again[k]) for k in x)
    assert x["source"].shape == x["target_in"].shape == (2000, 6, 9) and y.shape == (2000, 6)
    assert np.array_equal(tokens(x["source"])[:, ::-1], y)  # the target is the source reversed
    assert (tokens(x["target_in"])[:, 0] == 0).all()  # the decoder starts from the start token
    assert np.array_equal(tokens(x["target_in"])[:, 1:], y[:, :-1])  # then sees the true previous one
    assert not np.array_equal(loaders.load_reverse_sequences(seed=1)[1], y)


def test_preparing_keeps_every_row_aligned_across_the_inputs():
    design = seq2seq()
    design.data = {**design.data, "seed": 3, "test_split": 0.25}
    data = D.load(design.data)
    assert data.input_names == ["source", "target_in"] and D.check_fit(design, data) == []
    p = D.prepare(design, data)
    assert list(p.x) == ["source", "target_in"] and p.rows == 1500 and p.test_rows == 500
    for x, y in ((p.x, p.y), (p.x_test, p.y_test)):
        assert y.shape[1:] == (6, 9)  # one-hot per step for categorical_crossentropy
        assert np.array_equal(tokens(x["source"])[:, ::-1], tokens(y))
        assert np.array_equal(tokens(x["target_in"])[:, 1:], tokens(y)[:, :-1])
    assert not np.array_equal(tokens(p.y)[:50], loaders.load_reverse_sequences()[1][:50])  # shuffled


def test_named_arrays_are_standardised_each_with_its_own_statistics():
    rng = np.random.default_rng(0)
    x = {"a": rng.normal(5, 3, (80, 2)).astype("float32"), "b": rng.normal(-2, 9, (80, 4)).astype("float32")}
    (train, _), (test, _) = loaders.hold_out(*loaders.shuffle(x, np.arange(80), 1), 0.25)
    scaled, scaled_test, mean, std = loaders.standardize(train, test)
    for k in x:
        assert np.allclose(scaled[k].mean(axis=0), 0, atol=1e-5) and np.allclose(scaled[k].std(axis=0), 1)
        assert np.allclose(scaled_test[k], (test[k] - mean[k]) / std[k])


def test_inputs_are_matched_by_name_else_by_order():
    assert match_inputs(["source", "target_in"], ["target_in", "source"]) == {
        "target_in": "target_in",
        "source": "source",
    }
    assert match_inputs(["source", "target_in"], ["enc", "dec"]) == {"enc": "source", "dec": "target_in"}
    assert match_inputs([""], ["x"]) == {"x": ""}
    assert match_inputs(["source", "target_in"], ["x"]) is None
    design = seq2seq()
    design.rename_node("source", "encoder_tokens")
    design.rename_node("target_in", "decoder_tokens")
    p = D.prepare(design, D.load(design.data))
    assert list(p.x) == ["encoder_tokens", "decoder_tokens"]
    assert np.array_equal(tokens(p.x["encoder_tokens"])[:, ::-1], tokens(p.y))


def test_a_count_or_shape_mismatch_is_a_located_sentence():
    one_input = load(TEMPLATE["mlp_classifier"])
    one_input.data = {"source": "builtin", "name": "reverse_sequences"}
    data = D.load(one_input.data)
    [problem] = D.check_fit(one_input, data)
    assert problem == (
        "reverse_sequences feeds 2 inputs (source, target_in) but the design has 1 Input(s): features"
    )
    [warning] = [p for p in validate(one_input).warnings if p.key == "data.name"]
    assert "'reverse_sequences' feeds 2 inputs (source, target_in) but the design has 1 Input(s)" in (
        warning.message
    )
    design = seq2seq()
    design.nodes["target_in"].params["shape"] = [6, 5]
    report = validate(design)
    [wrong] = [p for p in report.warnings if p.key == "data.name"]
    assert (
        wrong.node == "target_in"
        and "has samples of shape (6, 9) for input 'target_in' but Input 'target_in' expects (6, 5)"
        in wrong.message
    )
    assert any(
        "The data's input 'target_in' has samples of shape (6, 9) but Input 'target_in' expects (6, 5)" in p
        for p in D.check_fit(design, D.load(design.data))
    )
    one_array = D.Dataset(
        np.zeros((10, 6, 9), "float32"), np.ones((10, 6), "int64"), "classification", "t.npz"
    )
    assert D.check_fit(seq2seq(), one_array) == [
        "t.npz feeds 1 input but the design has 2 Input(s): source, target_in"
    ]


def test_one_hot_tokens_are_not_standardised():
    problems = data_problems({"source": "builtin", "name": "reverse_sequences", "standardize": True})
    assert problems == [
        (
            "data.standardize",
            "reverse_sequences holds one-hot tokens, which standardising would turn into other numbers: "
            "switch standardise off",
        )
    ]


@pytest.mark.parametrize("loss", ["categorical_crossentropy", "sparse_categorical_crossentropy"])
def test_labels_per_step_suit_both_crossentropies(loss):
    design = seq2seq()
    design.compile["loss"] = loss
    assert validate(design).valid
    p = D.prepare(design, D.load(design.data))
    assert p.y.shape[1:] == ((6, 9) if loss.startswith("categorical") else (6,))


def test_choosing_the_token_dataset_switches_standardising_off():
    from engine.data.sources import spec_for_builtin

    spec = spec_for_builtin("reverse_sequences", {"source": "builtin", "name": "wine", "standardize": True})
    assert spec["standardize"] is False and data_problems(spec) == []


def test_a_decoder_of_other_length_than_the_labels_says_so():
    design = seq2seq()
    design.nodes["target_in"].params["shape"] = [7, 9]
    errors = [p.message for p in validate(design).errors]
    assert errors == [
        "'next_token' outputs (None, 7, 9) but the labels are (None, 6, 9): make their sizes agree"
    ]


def test_scale_advice_reads_several_inputs_and_targets_side_by_side():
    from engine.data.advice import scale_advice

    x = {"a": 500 + np.arange(100, dtype="float32").reshape(50, 2), "b": np.zeros((50, 3), "float32")}
    y = {"p": np.linspace(0, 300, 50, dtype="float32")[:, None], "q": np.zeros((50, 1), "float32")}
    features, targets = scale_advice(x, y, "regression", standardized=False, name="two")
    assert (
        features.startswith("The features of two are not scaled") and "targets of two range from 0" in targets
    )
