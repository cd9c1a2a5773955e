"""Keras's own failures, explained: a sentence naming the layer, the traceback in a log."""

import numpy as np
import pytest

from engine import trust
from engine.design import file_format
from engine.design.graph import Design, Edge, Node
from engine.keras.build import build_model
from engine.keras.custom_layers import make_custom
from engine.schema.custom import CUSTOM, custom_params
from engine.training.errors import explain
from tests.engine.design.test_label_fit import TRAP


def test_the_rank_trap_raised_by_keras_names_the_output(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    design = file_format.from_dict({**TRAP, "data": None})  # without data the design builds
    model = build_model(design)
    try:
        model.fit(np.zeros((4, 8, 8, 1), "float32"), np.zeros(4, "int64"), epochs=1, verbose=0)
    except Exception as exc:  # noqa: BLE001 - Keras raises a plain ValueError here
        explained = explain(exc, design)
    assert explained.message.startswith(
        "The loss cannot compare the labels with the output of 'digit': the labels have shape (None,) "
        "but 'digit' outputs (None, 6, 6, 10)."
    )
    assert "Flatten" in explained.message and "Traceback" not in explained.message
    assert explained.log_path == tmp_path / "netwright" / "netwright.log"
    assert "must have rank" in explained.log_path.read_text()


def test_an_unknown_failure_keeps_its_first_line_without_paths():
    try:
        raise RuntimeError('boom in /usr/lib/python3/site.py\n  File "/x/y.py", line 3')
    except RuntimeError as exc:
        explained = explain(exc, None, log=False)
    assert explained.message == "Training failed: boom in …"
    assert explained.text == explained.message


# A custom layer whose typo on line 7 shows only while training (call() with training=True).
FAILS_IN_FIT = '''class Noisy(layers.Layer):
    """Adds noise while training."""

    def call(self, x, training=None):
        if training:
            noise = keras.random.normal(ops.shape(x))
            return x + self.scale * noise
        return x
'''


def noisy_iris() -> Design:
    """Input (4) -> Noisy (fails on line 7 of its code, in fit only) -> Dense(3), on iris."""
    design = Design(name="noisy_iris")
    design.add_node(Node("x", "Input", {"shape": [4]}, (0, 0)))
    design.add_node(Node("noise", CUSTOM, custom_params("Noisy", FAILS_IN_FIT), (0, 100)))
    design.add_node(Node("out", "Dense", {"units": 3, "activation": "softmax"}, (0, 200)))
    design.connect(Edge("x", "noise"))
    design.connect(Edge("noise", "out"))
    design.data = {"source": "builtin", "name": "iris"}
    design.compile["loss"] = "sparse_categorical_crossentropy"
    design.training["epochs"] = 1
    return design


# A Lambda whose index is out of range only when TensorFlow runs the graph (not when it is built).
FAILS_IN_GRAPH = "lambda t: t * ops.take(t, ops.cast(ops.max(t) * 0 + 9, 'int32'), axis=1)[:, None]"


def test_a_custom_layers_failure_in_fit_or_predict_names_the_node_and_the_line_of_its_code():
    """Two nodes of one class (the first raises), then a Lambda failing inside the graph:
    Keras's traceback (fit) and TensorFlow's message (evaluate, predict) lead to the user's line."""
    design = Design(name="noisy")
    design.add_node(Node("x", "Input", {"shape": [4]}, (0, 0)))
    for i, (nid, cls, source) in enumerate(
        (("a", "Noisy", FAILS_IN_FIT), ("b", "Noisy", FAILS_IN_FIT), ("lam", "Lambda", FAILS_IN_GRAPH))
    ):
        design.add_node(Node(nid, CUSTOM, custom_params(cls, source), (0, 100 * i + 100)))
    design.add_node(Node("out", "Dense", {"units": 2}, (0, 400)))
    for src, dst in (("x", "a"), ("a", "b"), ("b", "lam"), ("lam", "out")):
        design.connect(Edge(src, dst))
    trust.trust(design, remember=False)
    model = build_model(design)
    x = np.ones((8, 4), "float32")
    with pytest.raises(AttributeError) as raised:
        model.fit(x, np.zeros((8, 2), "float32"), epochs=1, verbose=0)
    explained = explain(raised.value, design, log=False)
    assert explained.message == (
        "Custom layer 'a' (Noisy): line 7 of its code raises AttributeError: 'Noisy' object has no "
        "attribute 'scale'"
    )
    for run in (lambda: model.evaluate(x, x[:, :2], verbose=0), lambda: model.predict(x, verbose=0)):
        with pytest.raises(Exception) as raised:  # noqa: PT011 - TensorFlow's InvalidArgumentError
            run()
        assert "Graph execution error" in str(raised.value)
        assert explain(raised.value, design, log=False).message == (
            "Custom layer 'lam' (Lambda): line 1 of its code raises InvalidArgumentError: "
            "indices = 9 is not in [0, 4)"
        )
    trust.forget(design)


def test_a_lambdas_failure_names_every_lambda_it_may_be_when_its_frame_cannot_tell(keras):
    """A Lambda's code is a bare function (no layer in its frame): both Lambdas are named.  Run
    eagerly, TensorFlow's error text loses its operation's decoration."""
    design = Design(name="two")
    for i, nid in enumerate(("first", "second")):
        design.add_node(Node(nid, CUSTOM, custom_params("Lambda", "lambda t: t.nope"), (0, 100 * i)))
    trust.trust(design, remember=False)
    layer = make_custom(keras, "Lambda", "lambda t: t.nope", {}, "first")
    with pytest.raises(AttributeError) as raised:
        layer(np.ones((2, 3), "float32"))
    assert explain(raised.value, design, log=False).message.startswith(
        "Custom layer 'first' or 'second' (Lambda): line 1 of its code raises AttributeError: "
    )
    without_design = explain(raised.value, None, log=False).message
    assert without_design.startswith("Custom layer Lambda: line 1 of its code")
    with pytest.raises(Exception) as raised:  # noqa: PT011 - run eagerly: TensorFlow's op error, wrapped
        make_custom(keras, "Lambda", FAILS_IN_GRAPH, {}, "second")(np.ones((2, 4), "float32"))
    assert explain(raised.value, design, log=False).message == (
        "Custom layer 'first' or 'second' (Lambda): line 1 of its code raises InvalidArgumentError: "
        "indices = 9 is not in [0, 4)"
    )
    trust.forget(design)


def test_a_graph_ops_decoration_is_left_out_of_the_sentence():
    """TensorFlow ends a graph op's error with the op's node and signature: not the user's words."""
    from engine.keras.custom_layers import code_error

    text = (
        "ConcatOp : Dimension 1 in both shapes must be equal: shape[0] = [2,3] vs. shape[1] = [2,4]\n"
        "\t [[{{node kerasop_1/mine_1/concat}} = ConcatV2[N=2, T=DT_FLOAT, Tidx=DT_INT32](a, b, axis)]]"
    )
    said = code_error(ValueError(text), "Mine")
    assert said == (
        "its code raises ValueError: ConcatOp : Dimension 1 in both shapes must be equal: "
        "shape[0] = [2,3] vs. shape[1] = [2,4]"
    )


def test_a_lambda_that_fails_while_keras_infers_its_shape_names_its_own_error(keras):
    """Keras reports any failure of a Lambda's code as 'could not infer the shape of the Lambda's
    output'; the sentence names what the code itself raised."""
    from engine.keras.custom_layers import code_error

    layer = make_custom(keras, "Lambda", "lambda t: t.nope", {}, "first")
    with pytest.raises(NotImplementedError) as raised:
        layer(keras.Input((3,)))
    assert code_error(raised.value, "Lambda") == (
        "line 1 of its code raises AttributeError: 'SymbolicTensor' object has no attribute 'nope'"
    )
