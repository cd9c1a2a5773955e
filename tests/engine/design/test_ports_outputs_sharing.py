"""Design model v2: named input ports, several outputs, shared layers, explicit outputs.

Each miswiring is a located, plain-language problem from validation, never an exception.
"""

import pytest

from engine.design.graph import Design, Edge, Node, OutputRef
from engine.design.validation import validate


def seq2seq(**decoder_params):
    """An LSTM encoder whose final states start an LSTM decoder."""
    d = Design(name="seq2seq")
    d.add_node(Node("src", "Input", {"shape": [6, 4]}))
    d.add_node(Node("tgt", "Input", {"shape": [5, 3]}))
    d.add_node(Node("enc", "LSTM", {"units": 8, "return_state": True}))
    d.add_node(Node("dec", "LSTM", {"units": 8, "return_sequences": True, **decoder_params}))
    d.add_node(Node("out", "Dense", {"units": 3, "activation": "softmax"}))
    d.connect(Edge("src", "enc"))
    d.connect(Edge("tgt", "dec"))
    d.connect(Edge("enc", "dec", "initial_state_h", "state_h"))
    d.connect(Edge("enc", "dec", "initial_state_c", "state_c"))
    d.connect(Edge("dec", "out"))
    return d


def siamese():
    d = Design(name="siamese")
    d.add_node(Node("a", "Input", {"shape": [8]}))
    d.add_node(Node("b", "Input", {"shape": [8]}))
    d.add_node(Node("tower", "Dense", {"units": 4}))
    d.add_node(Node("tower_b", "Dense", {}, shares="tower"))
    d.add_node(Node("diff", "Subtract"))
    d.connect(Edge("a", "tower"))
    d.connect(Edge("b", "tower_b"))
    d.connect(Edge("tower", "diff", 0))
    d.connect(Edge("tower_b", "diff", 1))
    return d


def errors(design):
    return [p.message for p in validate(design).errors]


def test_encoder_states_start_the_decoder():
    report = validate(seq2seq())
    assert report.valid, report.errors
    assert report.nodes["enc"].outputs == {"output": (None, 8), "state_h": (None, 8), "state_c": (None, 8)}
    assert report.nodes["out"].output_shape == (None, 5, 3)
    assert seq2seq().output_ids() == ["out"]  # the encoder's edges leave from its states


def test_a_shared_layers_weights_count_once():
    report = validate(siamese())
    assert report.valid, report.errors
    assert (report.nodes["tower"].params, report.nodes["tower_b"].params) == (36, 0)
    assert report.total_params == 36


def test_a_shared_call_whose_input_needs_other_weights_is_refused():
    d = siamese()
    d.nodes["b"].params["shape"] = [5]
    assert errors(d) == [
        "Dense 'tower_b' calls the layer of 'tower' again, but its input (None, 5) would need weights "
        "of another size than the first call's input (None, 8): a shared layer's inputs must have the "
        "same feature sizes"
    ]


@pytest.mark.parametrize(
    "shares, message",
    [
        ("tower_b", "Dense 'tower_b' shares weights with itself: pick another Dense"),
        ("ghost", "Dense 'tower_b' shares weights with 'ghost', which does not exist"),
        (
            "diff",
            "Dense 'tower_b' shares weights with Subtract 'diff': "
            "a shared layer must be of the same type (Dense)",
        ),
    ],
)
def test_sharing_with_itself_a_missing_node_or_another_type_is_a_problem(shares, message):
    d = siamese()
    d.nodes["tower_b"].shares = shares
    problems = [p for p in validate(d).errors if p.node == "tower_b"]
    assert [p.message for p in problems] == [message]
    assert problems[0].key == "shares"


def test_sharing_a_sharer_points_to_the_owner():
    d = siamese()
    d.add_node(Node("third", "Dense", shares="tower_b"))
    d.connect(Edge("a", "third"))
    assert "share with 'tower' directly" in errors(d)[0]


def test_an_input_on_a_port_that_does_not_exist():
    d = seq2seq()
    d.connect(Edge("tgt", "dec", "query"))
    assert errors(d) == [
        "LSTM 'dec' has no input 'query': its inputs are sequences, initial_state_h, initial_state_c"
    ]
    assert validate(d).errors[0].edge == 5


def test_a_named_port_on_a_layer_that_takes_inputs_by_position():
    d = seq2seq()
    d.edges[-1] = Edge("dec", "out", "query")
    assert errors(d) == ["Dense 'out' has no input 'query': it takes its inputs by position"]


def test_two_edges_into_one_port_and_a_required_port_left_empty():
    d = seq2seq()
    d.connect(Edge("src", "dec", "initial_state_h"))
    assert errors(d) == ["Two edges go into input 'initial_state_h' of LSTM 'dec'; an input takes one"]
    d = seq2seq()
    d.edges = [e for e in d.edges if not (e.dst == "dec" and e.port is None)]
    assert errors(d) == [
        "LSTM 'dec' needs an input on 'sequences': the sequence to read (batch, timesteps, features)"
    ]


def test_an_lstm_takes_both_states_or_neither():
    d = seq2seq()
    d.edges = [e for e in d.edges if e.port != "initial_state_c"]
    assert errors(d) == [
        "LSTM 'dec' takes initial_state_h and initial_state_c together: connect all of them or none"
    ]


def test_an_output_the_layers_settings_do_not_produce():
    d = seq2seq()
    d.nodes["enc"].params["return_state"] = False
    assert errors(d)[:2] == [
        "Edge enc -> dec: LSTM 'enc' gives 'state_h' only when 'return_state' is on",
        "Edge enc -> dec: LSTM 'enc' gives 'state_c' only when 'return_state' is on",
    ]
    d = seq2seq()
    d.edges[-1] = Edge("dec", "out", None, "scores")
    assert errors(d) == [
        "Edge dec -> out: LSTM 'dec' has no output 'scores' (its outputs: output, state_h, state_c)"
    ]


def test_a_wrong_sized_initial_state():
    d = seq2seq()
    d.nodes["dec"].params["units"] = 6
    assert "an initial state must be (batch, 6) but it receives (None, 8)" in errors(d)[0]


def test_explicit_outputs_choose_among_the_nodes_outputs():
    d = seq2seq()
    d.outputs = [OutputRef("out"), OutputRef("enc", "state_h")]
    assert validate(d).valid
    assert d.output_ids() == ["out", "enc"]
    d.outputs = [OutputRef("nowhere"), OutputRef("out", "state_h")]
    assert errors(d) == [
        "Model output 'nowhere' is not a node of the design",
        "Model output: Dense 'out' has no output 'state_h' (its outputs: output)",
    ]
    d.outputs = []
    assert errors(d) == ["The model's output list is empty: choose at least one output"]


def test_renaming_and_removing_keep_shares_and_outputs_in_step():
    d = siamese()
    d.outputs = [OutputRef("diff"), OutputRef("tower")]
    d.rename_node("tower", "shared")
    assert d.nodes["tower_b"].shares == "shared" and d.outputs[1] == OutputRef("shared")
    d.remove_node("shared")
    assert d.outputs == [OutputRef("diff")]


# ---------------------------------------------------------------- the file (format version 2)


def test_v2_features_round_trip_through_the_file_as_version_2():
    import json

    from engine.design.file_format import dumps, loads

    d = seq2seq()
    d.outputs = [OutputRef("out"), OutputRef("enc", "state_c")]
    d.add_node(Node("dec2", "LSTM", {}, shares="dec"))
    text = dumps(d)
    assert json.loads(text)["version"] == 2
    again = loads(text)
    assert again.edges == d.edges and again.outputs == d.outputs and again.nodes["dec2"].shares == "dec"
    assert json.loads(dumps(siamese()))["version"] == 2
    plain = Design(name="plain", nodes={"x": Node("x", "Input", {"shape": [3]})})
    assert json.loads(dumps(plain))["version"] == 1  # older Netwrights still read it


def test_malformed_v2_fields_are_located():
    import json

    from engine.design.file_format import DesignFileError, loads

    raw = {
        "format": "netwright-design",
        "version": 2,
        "nodes": [{"id": "x", "type": "Input", "params": {"shape": [3]}, "shares": 5}],
        "edges": [{"src": "x", "dst": "x", "port": "not a name!", "out": 3}],
        "outputs": [{"node": "x", "out": 1}],
    }
    with pytest.raises(DesignFileError) as err:
        loads(json.dumps(raw))
    assert err.value.problems == [
        "node 'x'.shares must be the id of the node whose layer it calls again",
        'edges[0].port must be a whole number >= 0 or an input\'s name (e.g. "query")',
        'edges[0].out must be the name of an output (e.g. "state_h")',
        '\'outputs\' must be a list of objects like {"node": "dense", "out": "state_h"}',
    ]


def test_a_built_prelu_takes_inputs_of_one_rank_only():
    d = Design(name="prelu")
    d.add_node(Node("seq", "Input", {"shape": [1, 1]}))
    d.add_node(Node("flat", "Input", {"shape": [1]}))
    d.add_node(Node("act", "PReLU"))
    d.add_node(Node("act_again", "PReLU", shares="act"))
    d.connect(Edge("seq", "act"))
    d.connect(Edge("flat", "act_again"))
    assert errors(d) == [
        "PReLU 'act_again' calls the layer of 'act' again, but its input (None, 1) has another number "
        "of axes than the first call's input (None, 1, 1): a built PReLU takes inputs of one rank only"
    ]
