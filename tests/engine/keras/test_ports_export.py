"""Named ports, several outputs and shared layers: built model == exported script's model,
and the script reads as a Keras user writes it."""

from engine.keras.build import build_model
from engine.keras.codegen import generate
from tests.engine.design.test_ports_outputs_sharing import seq2seq, siamese
from tests.engine.keras.test_build_and_export import assert_same_model, exec_script


def test_seq2seq_unpacks_states_and_passes_them_as_initial_state(keras):
    design = seq2seq()
    source = generate(design)
    assert "_, enc_state_h, enc_state_c = keras.layers.LSTM(" in source
    assert "initial_state=[enc_state_h, enc_state_c]" in source
    built = build_model(design)
    assert_same_model(built, exec_script(source)["build_model"]())
    assert built.count_params() == 4 * 8 * (4 + 8) + 32 + 4 * 8 * (3 + 8) + 32 + 27


def test_a_shared_layer_is_one_variable_called_twice(keras):
    design = siamese()
    source = generate(design)
    assert source.count("tower_layer = keras.layers.Dense(") == 1
    assert "tower = tower_layer(a)" in source and "tower_b = tower_layer(b)" in source
    built = build_model(design)
    assert_same_model(built, exec_script(source)["build_model"]())
    assert built.count_params() == 36
    assert [layer.name for layer in built.layers].count("tower") == 1
