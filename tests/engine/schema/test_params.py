import pytest

from engine.schema.catalog import LAYERS
from engine.schema.params import ParamError


def param(layer, name):
    return LAYERS[layer].param(name)


def test_sizes_accept_int_or_list_and_normalise_to_tuples():
    k = param("Conv2D", "kernel_size")
    assert k.check(3) == (3, 3)
    assert k.check([3, 5]) == (3, 5)
    with pytest.raises(ParamError, match="list of 2"):
        k.check([3, 3, 3])
    with pytest.raises(ParamError, match=">= 1"):
        k.check(0)


@pytest.mark.parametrize("value", [True, "10", 2.5, None, float("nan")])
def test_int_param_rejects_non_integers(value):
    with pytest.raises(ParamError):
        param("Dense", "units").check(value)


def test_messages_name_the_parameter_and_the_allowed_values():
    with pytest.raises(ParamError, match="'activation' must be one of .*'relu'.* not 'rleu'"):
        param("Dense", "activation").check("rleu")
    with pytest.raises(ParamError, match="'rate' must be >= 0 and <= 1, not 1.5"):
        param("Dropout", "rate").check(1.5)


def test_padding_forms():
    p2 = param("ZeroPadding2D", "padding")
    assert p2.check(1) == 1
    assert p2.check([1, 2]) == (1, 2)
    assert p2.check([[1, 2], [3, 4]]) == ((1, 2), (3, 4))
    p1 = param("ZeroPadding1D", "padding")
    assert p1.check([1, 2]) == (1, 2)
    with pytest.raises(ParamError):
        p1.check([[1, 2], [3, 4]])


def test_reshape_and_permute_shapes():
    t = param("Reshape", "target_shape")
    assert t.check([4, -1]) == (4, -1)
    with pytest.raises(ParamError, match="-1 only once"):
        t.check([-1, -1])
    with pytest.raises(ParamError, match="permutation"):
        param("Permute", "dims").check([1, 1])


def test_unknown_parameter_is_reported_with_known_names():
    problems, _ = LAYERS["Dense"].check_params({"units": 3, "unitz": 4})
    assert [(p.param, p.message) for p in problems] == [
        (
            "unitz",
            "unknown parameter 'unitz' (known: units, activation, use_bias, kernel_initializer, "
            "bias_initializer, kernel_regularizer, trainable)",
        )
    ]


def test_a_parameter_error_names_its_parameter_as_a_field():
    problems, _ = LAYERS["Dense"].check_params({"units": 0, "activation": "nope"})
    assert [p.param for p in problems] == ["units", "activation"]
    with pytest.raises(ParamError) as caught:
        param("Dense", "units").check(None)
    assert caught.value.param == "units"


def test_bidirectional_checks_its_wrapped_layer():
    p = param("Bidirectional", "layer")
    assert p.check({"type": "GRU", "params": {"units": 4}})["params"]["units"] == 4
    with pytest.raises(ParamError, match="wrap one of"):
        p.check({"type": "Dense", "params": {}})
    with pytest.raises(ParamError, match="'units' must be >= 1"):
        p.check({"type": "LSTM", "params": {"units": 0}})


def test_keras_kwargs_write_only_what_differs_from_keras_defaults():
    assert LAYERS["Dense"].keras_kwargs({"units": 10, "activation": "relu", "use_bias": True}) == {
        "units": 10,
        "activation": "relu",
    }
    assert LAYERS["Conv2D"].keras_kwargs({"filters": 8, "kernel_size": 3}) == {
        "filters": 8,
        "kernel_size": (3, 3),
    }


def test_vocabularies_are_lists_of_distinct_words_or_ids():
    words = param("StringLookup", "vocabulary")
    assert words.check(("red", "blue")) == ["red", "blue"]
    for bad, reason in (([], "list of words"), (["a", 1], "list of words"), (["a", "a"], "repeat")):
        with pytest.raises(ParamError, match=reason):
            words.check(bad)
    with pytest.raises(ParamError, match="out-of-vocabulary"):
        words.check(["a", "[UNK]"])
    with pytest.raises(ParamError, match="0 or more"):
        param("IntegerLookup", "vocabulary").check([3, -1])


def test_texts_are_data_made_of_the_allowed_characters():
    equation = param("EinsumDense", "equation")
    assert equation.check("...b,bc->...c") == "...b,bc->...c"
    for bad in ("", "ab,bc->ac; import os", 3):
        with pytest.raises(ParamError, match="must be a text"):
            equation.check(bad)
    assert param("StringLookup", "mask_token").check("") == ""  # the usual padding word
