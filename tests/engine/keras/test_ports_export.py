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


def cross_attention(**params):
    from engine.design.graph import Design, Edge, Node

    d = Design(name="cross_attention")
    d.add_node(Node("q", "Input", {"shape": [4, 8]}))
    d.add_node(Node("v", "Input", {"shape": [6, 5]}))
    d.add_node(Node("mha", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3, **params}))
    d.connect(Edge("q", "mha", "query"))
    d.connect(Edge("v", "mha", "value"))
    return d


def test_named_inputs_are_keyword_arguments(keras):
    design = cross_attention()
    source = generate(design)
    assert 'mha = keras.layers.MultiHeadAttention(2, 3, name="mha")(query=q, value=v)' in source
    assert_same_model(build_model(design), exec_script(source)["build_model"]())


def test_attention_scores_have_their_run_time_shape_not_keras_symbolic_one(keras):
    """Keras's symbolic attention scores are (B, heads, T, T) -- compute_output_spec uses the
    query's length twice -- but Keras computes (B, heads, T, S).  Netwright shows the real one."""
    import numpy as np

    from engine.design.validation import validate

    design = cross_attention(return_attention_scores=True)
    ours = validate(design).nodes["mha"].outputs["attention_scores"]
    assert ours == (None, 2, 4, 6)
    model = build_model(design)
    symbolic = tuple(model.outputs[1].shape)
    assert symbolic == (None, 2, 4, 4)  # Keras's bug; when it is fixed this line tells us
    _, scores = model.predict([np.zeros((3, 4, 8)), np.zeros((3, 6, 5))], verbose=0)
    assert scores.shape == (3, 2, 4, 6)
    source = generate(design)
    assert "mha, mha_attention_scores = keras.layers.MultiHeadAttention(" in source
    assert "return_attention_scores=True" in source
