"""Shape inference and validation of a whole design, in pure Python.

``validate(design)`` walks the graph once in topological order and returns a
:class:`Report`: each node's output shape and parameter count, the totals,
and every problem tied to the node, edge or settings key it concerns.  It
imports no TensorFlow and runs in linear time, so the GUI calls it after
every edit.
"""

from __future__ import annotations

from engine.design.graph import Design
from engine.design.lint import check_outputs, check_settings
from engine.design.report import Collector, Report
from engine.design.settings_checks import check_class_weight
from engine.design.shape_inference import infer_shapes
from engine.design.structure_checks import check_edges, check_nodes, check_shares


def validate(design: Design) -> Report:
    out = Collector(design)
    values = check_nodes(design, out)
    check_shares(design, values, out)
    check_edges(design, values, out)
    shapes = infer_shapes(design, values, out)
    check_settings(design, out)
    check_class_weight(design, design.training_settings, design.compile_settings, shapes, out)
    check_outputs(design, values, shapes, out)
    return Report(
        out.nodes, out.problems, list(dict.fromkeys(out.requests)), list(dict.fromkeys(out.code_requests))
    )
