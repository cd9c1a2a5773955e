"""What validation says about a design: per-node shapes and counts, and every problem located.

A :class:`Report` is plain data (it crosses threads and is what the window,
the command line and the exporter read); the :class:`Collector` gathers it
while the checks in :mod:`engine.design.structure_checks`,
:mod:`engine.design.shape_inference` and :mod:`engine.design.lint` run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.design.graph import Design
from engine.design.label_fit import (
    Fix,
    SetLoss,
    SetParam,
)
from engine.schema.custom import PENDING_TEXT as CODE_PENDING_TEXT
from engine.schema.custom import CodeRequest
from engine.schema.generic import PENDING_TEXT, Request
from engine.schema.layer_rules import Shape

ERROR = "error"


WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One message for a person, tied to what it concerns."""

    severity: str
    message: str
    node: str | None = None
    edge: int | None = None  # index into design.edges
    key: str | None = None  # e.g. "compile.loss"
    fixes: tuple[Fix | SetParam | SetLoss, ...] = ()  # edits that resolve it, offered as one-click fixes

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        for k in ("node", "edge", "key"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        return out


@dataclass
class NodeInfo:
    output_shape: Shape | None = None  # the main output's
    outputs: dict[str, Shape] = field(default_factory=dict)  # every output the call returns, by name
    holds: dict[str, str] = field(default_factory=dict)  # what each output holds: float, int or string
    params: int = 0
    trainable: int = 0
    problems: list[Problem] = field(default_factory=list)
    # The shape waits for Keras: a generic layer's (or one downstream of it), see engine.schema.generic.
    pending: bool = False
    # A custom layer whose code has not run (see engine.schema.custom): its shape waits for trust.
    awaits_code: bool = False

    @property
    def errors(self) -> list[str]:
        return [p.message for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[str]:
        return [p.message for p in self.problems if p.severity == WARNING]


@dataclass
class Report:
    nodes: dict[str, NodeInfo]
    problems: list[Problem]
    # What Keras must compute before the generic layers' shapes are known (none known yet).
    requests: list[Request] = field(default_factory=list)
    # What only the design's own code can answer: custom layers' shapes, run once trusted.
    code_requests: list[CodeRequest] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def total_params(self) -> int:
        return sum(n.params for n in self.nodes.values())

    @property
    def trainable_params(self) -> int:
        return sum(n.trainable for n in self.nodes.values())


def label(node_type: str, node_id: str) -> str:
    return f"{node_type} '{node_id}'"


class Collector:
    def __init__(self, design: Design) -> None:
        self.nodes = {nid: NodeInfo() for nid in design.nodes}
        self.problems: list[Problem] = []
        self.requests: list[Request] = []
        self.code_requests: list[CodeRequest] = []

    def add(self, severity: str, message: str, node: str | None = None, **kw: Any) -> None:
        problem = Problem(severity, message, node, **kw)
        self.problems.append(problem)
        if node is not None and node in self.nodes:
            self.nodes[node].problems.append(problem)

    def error(self, message: str, node: str | None = None, **kw: Any) -> None:
        self.add(ERROR, message, node, **kw)

    def warn(self, message: str, node: str | None = None, **kw: Any) -> None:
        self.add(WARNING, message, node, **kw)


def pending_text(info: NodeInfo | None) -> str:
    """What to show instead of a shape that Keras has not computed yet ('' otherwise)."""
    if info is None or not info.pending or info.output_shape is not None:
        return ""
    return CODE_PENDING_TEXT if info.awaits_code else PENDING_TEXT
