"""Validation messages: each tied to its node, worded for a person."""

from engine.design.graph import Design, Edge, Node
from engine.design.validation import validate


def chain(*layers, shape=(8,), **design_kw):
    d = Design(**design_kw)
    d.add_node(Node("x", "Input", {"shape": list(shape)}))
    prev = "x"
    for i, (t, params) in enumerate(layers):
        nid = f"l{i}"
        d.add_node(Node(nid, t, params))
        d.connect(Edge(prev, nid))
        prev = nid
    return d


def messages(report, node=None):
    return [p.message for p in report.problems if node is None or p.node == node]


def test_seed_example_shapes_and_counts():
    r = validate(chain(("Dense", {"units": 10, "activation": "relu"}), ("Dense", {"units": 1})))
    assert r.valid and not r.problems
    assert [n.output_shape for n in r.nodes.values()] == [(None, 8), (None, 10), (None, 1)]
    assert r.total_params == 101 == r.trainable_params


def test_wrong_rank_names_expected_axes():
    r = validate(chain(("Conv2D", {"filters": 8, "kernel_size": 3}), shape=(16,)))
    assert messages(r, "l0") == [
        "Conv2D 'l0' needs a 4-D input (batch, height, width, channels) but receives (None, 16)"
    ]


def test_shrinking_to_zero():
    r = validate(chain(("Conv2D", {"filters": 4, "kernel_size": 5}), shape=(3, 3, 1)))
    assert "shrinks its input (None, 3, 3, 1) to nothing" in messages(r, "l0")[0]


def test_reshape_that_does_not_divide():
    r = validate(chain(("Reshape", {"target_shape": [3, -1]}), shape=(8,)))
    assert messages(r, "l0") == [
        "Reshape 'l0' cannot reshape (None, 8) (8 values per sample) into (3, -1): 8 is not divisible by 3"
    ]


def test_merge_mismatch_and_input_count():
    d = chain(("Dense", {"units": 4}))
    d.add_node(Node("b", "Dense", {"units": 5}))
    d.connect(Edge("x", "b"))
    d.add_node(Node("add", "Add"))
    d.connect(Edge("l0", "add"))
    d.connect(Edge("b", "add"))
    assert messages(validate(d), "add") == [
        "Add 'add' combines inputs element by element, so their shapes must match, "
        "but it receives (None, 4), (None, 5)"
    ]
    d.add_node(Node("sub", "Subtract"))
    for s in ("x", "l0", "b"):
        d.connect(Edge(s, "sub"))
    assert "Subtract 'sub' takes exactly 2 inputs but receives 3" in messages(validate(d), "sub")


def test_edge_ports_set_merge_input_order():
    d = chain(shape=(4,))
    d.add_node(Node("a", "Dense", {"units": 2}))
    d.add_node(Node("c", "Concatenate"))
    d.connect(Edge("x", "a"))
    d.connect(Edge("a", "c", port=1))
    d.connect(Edge("x", "c", port=0))
    assert [e.src for e in d.incoming()["c"]] == ["x", "a"]
    assert validate(d).nodes["c"].output_shape == (None, 6)


def test_cycle_is_reported_on_each_node_in_it():
    d = chain(("Dense", {"units": 4}), ("Dense", {"units": 4}))
    d.connect(Edge("l1", "l0"))
    r = validate(d)
    assert not r.valid
    for nid in ("l0", "l1"):
        assert any(
            "part of a cycle ('l0' -> 'l1' -> 'l0')" in m or "part of a cycle ('l1' -> 'l0' -> 'l1')" in m
            for m in messages(r, nid)
        ), messages(r)


def test_missing_input_unreached_and_unconnected_nodes():
    d = Design()
    d.add_node(Node("a", "Dense", {"units": 3}))
    r = validate(d)
    assert "The design has no Input layer: add one where the data enters" in messages(r)
    assert "Dense 'a' receives no input: connect a layer into it" in messages(r, "a")


def test_input_with_incoming_edge_and_self_loop():
    d = chain(("Dense", {"units": 3}))
    d.add_node(Node("x2", "Input", {"shape": [3]}))
    d.connect(Edge("l0", "x2"))
    assert messages(validate(d), "x2") == ["Input 'x2' is where data enters, so nothing may connect into it"]
    d.connect(Edge("l0", "l0"))
    assert "'l0' is connected to itself" in messages(validate(d), "l0")


def test_bad_parameters_are_errors_on_the_node():
    r = validate(chain(("Dense", {"units": -1, "activation": "rleu", "colour": 3})))
    msgs = messages(r, "l0")
    assert len(msgs) == 3
    assert any("'units' must be >= 1, not -1" in m for m in msgs)
    assert any("'activation' must be one of" in m for m in msgs)
    assert any("unknown parameter 'colour'" in m for m in msgs)
    assert all(m.startswith("Dense 'l0': ") for m in msgs)


def test_unknown_type_and_bad_id():
    d = chain(("Dense2", {}))
    d.add_node(Node("bad id", "Dense", {"units": 1}))
    d.connect(Edge("x", "bad id"))
    r = validate(d)
    assert "'l0' has an unknown layer type 'Dense2'" in messages(r, "l0")
    assert any(m.startswith("Node id 'bad id' must start with a letter") for m in messages(r, "bad id"))


def test_settings_are_checked_by_key():
    d = chain(("Dense", {"units": 1}))
    d.compile = {"optimizer": {"type": "Adamm"}, "loss": "msee", "metrics": ["acc"]}
    d.training = {"epochs": 0, "batch_size": 32, "validation_split": 1.0}
    keys = {p.key for p in validate(d).errors}
    assert keys == {
        "compile.optimizer.type",
        "compile.loss",
        "compile.metrics",
        "training.epochs",
        "training.validation_split",
    }
    d.compile = {"optimizer": {"type": "SGD", "learning_rate": -1, "momentum": 0.9}, "loss": "mse"}
    d.training = {}
    assert [p.message for p in validate(d).errors] == ["Optimizer SGD: 'learning_rate' must be > 0, not -1"]


def warnings_of(design):
    return [p.message for p in validate(design).warnings]


def test_warnings_for_likely_mistakes():
    d = chain(("Dense", {"units": 3, "activation": "softmax"}))
    d.compile["loss"] = "binary_crossentropy"
    assert any("softmax with binary_crossentropy" in w for w in warnings_of(d))
    d = chain(("Dense", {"units": 1, "activation": "softmax"}))
    d.compile["loss"] = "categorical_crossentropy"
    assert any(
        "has one unit but categorical_crossentropy needs one unit per class" in w for w in warnings_of(d)
    )
    d = chain(("Dense", {"units": 1, "activation": "sigmoid"}), shape=(4,))
    d.data = {"source": "builtin", "name": "iris"}
    # The output-versus-labels rules are preparation's too (engine/design/label_fit.label_problems).
    assert any("iris is classification (3 classes) but mse is a regression loss" in w for w in warnings_of(d))
    d = chain(("Dense", {"units": 3}), shape=(4,))
    d.compile["loss"] = "sparse_categorical_crossentropy"
    assert any(
        "'linear' activation but sparse_categorical_crossentropy expects probabilities" in w
        for w in warnings_of(d)
    )
    assert validate(d).valid  # warnings never block


def test_data_shape_mismatch_is_a_warning_on_the_input():
    d = chain(("Dense", {"units": 3, "activation": "softmax"}), shape=(8,))
    d.data = {"source": "builtin", "name": "iris"}
    d.compile["loss"] = "sparse_categorical_crossentropy"
    assert warnings_of(d) == ["Dataset 'iris' has samples of shape (4,) but Input 'x' expects (8,)"]


def test_validation_is_linear_enough_for_big_designs():
    """A 3000-layer chain validates (no recursion limits, no quadratic blow-up in correctness)."""
    d = chain(*[("Dense", {"units": 4})] * 3000, shape=(4,))
    r = validate(d)
    assert r.valid and r.total_params == 3000 * 20
