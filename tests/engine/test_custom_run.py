"""Custom layers run once trusted: shapes from a child process with a time limit, errors by line,
the model built and trained.  Untrusted code never runs (a marker file proves it)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import trust
from engine.design.graph import Edge, Node
from engine.keras.build import build_model
from engine.keras.custom_layers import UntrustedCode, resolve_code
from engine.keras.generic import resolve
from engine.spec.custom import CUSTOM, custom_params
from tests.engine.custom_fixtures import code_design, marker_source

RAISES = (
    "class Broken(layers.Layer):\n    def call(self, x):\n        y = x + 1\n        return nowhere * y\n"
)
LOOPS = "class Forever(layers.Layer):\n    def call(self, x):\n        while True:\n            pass\n"


@pytest.fixture(autouse=True)
def settings_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_untrusted_code_is_never_run(tmp_path):
    marker = tmp_path / "ran"
    design = code_design(marker_source(marker))
    report = resolve(design)  # what check and the window do before anything is trusted
    assert report.nodes["scale"].output_shape is None and report.nodes["scale"].awaits_code
    with pytest.raises(UntrustedCode, match=r"'scale' \(Scale\).*--trust-code"):
        build_model(design)
    with pytest.raises(UntrustedCode):
        resolve_code(design)
    assert not marker.exists()


def test_trusted_code_gives_shapes_errors_by_line_a_time_limit_and_trains(tmp_path):
    """One child process answers all four layers; the loop is stopped at the limit.  Then the
    good part trains in this process, its shapes already known (no second child)."""
    marker = tmp_path / "ran"
    design = code_design(marker_source(marker))
    design.nodes["lam"] = Node("lam", CUSTOM, custom_params("Lambda", "lambda t: ops.tanh(t) * 2"), (0, 300))
    design.edges = [Edge("x", "scale"), Edge("scale", "lam"), Edge("lam", "out")]
    for nid, cls, source, after in (("broken", "Broken", RAISES, "x"), ("forever", "Forever", LOOPS, "lam")):
        design.add_node(Node(nid, CUSTOM, custom_params(cls, source), (300, 100)))
        design.connect(Edge(after, nid))  # the loop comes last: what it stops is answered already
    trust.trust(design, remember=False)
    report = resolve_code(design, limit=4.0)
    assert report.nodes["scale"].output_shape == (None, 8) and report.nodes["scale"].params == 4
    assert report.nodes["lam"].output_shape == (None, 8)
    assert report.nodes["out"].output_shape == (None, 2)
    errors = {p.node: p.message for p in report.errors}
    assert errors["broken"] == (
        "Broken 'broken': Keras cannot build it this way: line 4 of its code raises "
        "NameError: name 'nowhere' is not defined"
    )
    assert "did not finish within 4 s (does its code loop forever?)" in errors["forever"]
    assert marker.read_text() == "layer made"  # it ran in the child, once trusted

    for nid in ("broken", "forever"):
        design.remove_node(nid)
    assert not trust.is_trusted(design)  # other code now: trusted again before it runs
    trust.trust(design, remember=False)
    model = build_model(design)
    assert [layer.__class__.__name__ for layer in model.layers] == ["InputLayer", "Scale", "Lambda", "Dense"]
    x = np.random.default_rng(0).random((32, 4), dtype="float32")
    history = model.fit(x, x[:, :2], epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert model.predict(x[:3], verbose=0).shape == (3, 2)
    trust.forget(design)
