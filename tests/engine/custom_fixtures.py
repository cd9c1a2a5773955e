"""Designs that hold code, for the custom-layer tests: a layer class whose code leaves a marker
file wherever it runs (when its class is defined, and when a layer is made), so a test can prove
that opening, checking, importing, exporting or drawing never ran it."""

from __future__ import annotations

from pathlib import Path

from engine.design.graph import Design, Edge, Node
from engine.schema.custom import CUSTOM, custom_params


def marker_source(marker: Path) -> str:
    return f"""import pathlib

pathlib.Path({str(marker)!r}).write_text("class defined")


class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        pathlib.Path({str(marker)!r}).write_text("layer made")
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return ops.concatenate([x * self.factor * self.w, x], axis=-1)

    def get_config(self):
        return {{**super().get_config(), "factor": self.factor}}
"""


def code_design(source: str, class_name: str = "Scale", config: dict | None = None) -> Design:
    """Input (4) -> the custom layer -> Dense(2)."""
    d = Design(name="with_code")
    d.add_node(Node("x", "Input", {"shape": [4]}, (0, 0)))
    d.add_node(Node("scale", CUSTOM, custom_params(class_name, source, config or {"factor": 3.0}), (0, 100)))
    d.add_node(Node("out", "Dense", {"units": 2}, (0, 200)))
    d.connect(Edge("x", "scale"))
    d.connect(Edge("scale", "out"))
    return d
