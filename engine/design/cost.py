"""What a design costs before it is trained: FLOPs and memory, in pure Python.

Counted from the validated shapes, so it runs after every edit like validation
does.  Conventions (those of TensorFlow's profiler, which the tests use as the
oracle for Dense and convolutions):

- ``flops``: one forward pass for **one sample**; a multiply-add counts as 2, a
  bias add as 1 per output element.  An activation *function* inside a layer
  counts as the profiler sees it: softmax 5 per element (max, subtract, exp,
  sum, divide), the others (ReLU, tanh, ...) 0, as the profiler registers no
  count for them; standalone element-wise layers count their arithmetic.
- ``param_bytes``: the weights, float32 (4 bytes each).
- ``activation_bytes``: the node's output for one sample, float32.
- ``kept_bytes``: what the backward pass keeps for one sample: the output, and
  for recurrent layers every time step's gates and states as well.

``training_memory`` turns those into an estimate for a batch size and an
optimizer; ``largest_batch`` and ``available_memory`` say what fits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.design.graph import Design
from engine.design.validation import Report, validate
from engine.schema.catalog import LAYERS
from engine.schema.layer_rules import RNN_GATES
from engine.schema.params import check_params

BYTES = 4  # float32

Shape = tuple


@dataclass(frozen=True)
class NodeCost:
    flops: int | None  # None: a dimension is unknown (variable length), or the type has no rule
    param_bytes: int
    activation_bytes: int | None
    kept_bytes: int | None = None  # for the backward pass; the output's size unless a layer keeps more


@dataclass(frozen=True)
class DesignCost:
    nodes: dict[str, NodeCost]

    @property
    def total_flops(self) -> int | None:
        values = [c.flops for c in self.nodes.values()]
        return None if any(v is None for v in values) else sum(values)  # type: ignore[misc]

    @property
    def param_bytes(self) -> int:
        return sum(c.param_bytes for c in self.nodes.values())

    @property
    def activation_bytes(self) -> int | None:
        values = [c.activation_bytes for c in self.nodes.values()]
        return None if any(v is None for v in values) else sum(values)  # type: ignore[misc]

    @property
    def kept_bytes(self) -> int | None:
        values = [
            c.kept_bytes if c.kept_bytes is not None else c.activation_bytes for c in self.nodes.values()
        ]
        return None if any(v is None for v in values) else sum(values)  # type: ignore[misc]


def _size(shape: Sequence[int | None]) -> int | None:
    if any(d is None for d in shape):
        return None
    return math.prod(shape)  # type: ignore[arg-type]


def node_cost(
    design: Design, report: Report, node_id: str, incoming: dict[str, list] | None = None
) -> NodeCost | None:
    """The cost of one node, or None when its shapes are not known (an error upstream).

    Pass ``incoming`` (``design.incoming()``) when costing many nodes: it is O(edges).
    """
    node = design.nodes[node_id]
    info = report.nodes.get(node_id)
    spec = LAYERS.get(node.type)
    if info is None or info.output_shape is None or spec is None:
        return None
    out = tuple(info.output_shape[1:])
    ins = [
        report.nodes[e.src].outputs.get(e.out) if e.out else report.nodes[e.src].output_shape
        for e in (incoming or design.incoming()).get(node_id, [])
    ]
    if any(s is None for s in ins):
        return None
    ins_tail = [tuple(s[1:]) for s in ins]  # type: ignore[index]
    rule = spec.flops
    flops = None
    if rule is not None and all(_size(s) is not None for s in [out, *ins_tail]):
        _, values = check_params(spec.params, node.params)
        flops = int(rule(ins_tail, out, values))
    activation = _size(out)
    if activation is None:
        return NodeCost(flops, info.params * BYTES, None)
    kept = activation + _recurrent_state(node.type, ins_tail, node.params)
    return NodeCost(flops, info.params * BYTES, activation * BYTES, kept * BYTES)


def _recurrent_state(node_type: str, ins: list[Shape], params: dict[str, Any]) -> int:
    """Values a recurrent layer keeps per sample for backpropagation through time:
    each step's gates plus its state(s) (LSTM: 4 gates, cell and output)."""
    if node_type == "Bidirectional":
        inner = params.get("layer") or {}
        return 2 * _recurrent_state(inner.get("type", ""), ins, inner.get("params", {}))
    if node_type not in RNN_GATES or not ins or ins[0][0] is None:
        return 0
    _, values = check_params(LAYERS[node_type].params, params)
    states = sum(o.when == "return_state" for o in LAYERS[node_type].outputs)  # the catalog's state outputs
    return ins[0][0] * values["units"] * (RNN_GATES[node_type] + states)


def estimate(design: Design, report: Report | None = None) -> DesignCost:
    """Every node's cost; nodes whose shapes are unknown are left out."""
    report = report or validate(design)
    incoming = design.incoming()
    costs = {nid: node_cost(design, report, nid, incoming) for nid in design.nodes}
    return DesignCost({nid: c for nid, c in costs.items() if c is not None})


# ------------------------------------------------------------ training memory

# Optimizer state per weight, in copies of the weights (Keras's slot variables).
_SLOTS = {"SGD": 0, "Adam": 2, "AdamW": 2, "Nadam": 2, "Adamax": 2, "Adadelta": 2, "Adagrad": 1, "Lion": 1}


def optimizer_slots(optimizer: dict[str, Any]) -> int:
    """Copies of the weights the optimizer keeps (momentum, second moments, ...)."""
    kind = optimizer.get("type", "Adam")
    if kind == "SGD":
        return 1 if optimizer.get("momentum") else 0
    if kind == "RMSprop":
        return 1 + bool(optimizer.get("momentum")) + bool(optimizer.get("centered"))
    slots = _SLOTS.get(kind, 2)
    if kind in ("Adam", "AdamW") and optimizer.get("amsgrad"):
        slots += 1
    return slots


@dataclass(frozen=True)
class TrainingMemory:
    """Bytes a training step holds; ``activations`` is forward outputs plus their gradients."""

    weights: int
    gradients: int
    optimizer_slots: int
    activations: int
    batch_size: int

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer_slots + self.activations

    def to_dict(self) -> dict[str, int]:
        return {
            "weights_bytes": self.weights,
            "gradients_bytes": self.gradients,
            "optimizer_bytes": self.optimizer_slots,
            "activations_bytes": self.activations,
            "total_bytes": self.total,
            "batch_size": self.batch_size,
        }


def training_memory(cost: DesignCost, batch_size: int, optimizer: dict[str, Any]) -> TrainingMemory | None:
    """Weights, gradients, optimizer slots and the batch's activations (kept for the
    backward pass, plus a gradient of the same size each); None when a size is unknown."""
    per_sample = cost.kept_bytes
    if per_sample is None:
        return None
    weights = cost.param_bytes
    return TrainingMemory(
        weights=weights,
        gradients=weights,
        optimizer_slots=weights * optimizer_slots(optimizer),
        activations=2 * per_sample * batch_size,
        batch_size=batch_size,
    )


def largest_batch(cost: DesignCost, optimizer: dict[str, Any], available: int) -> int | None:
    """The largest batch whose training memory fits in ``available`` bytes (0: not even one)."""
    one = training_memory(cost, 1, optimizer)
    if one is None:
        return None
    fixed = one.total - one.activations
    if fixed + one.activations > available:
        return 0
    return max(1, (available - fixed) // max(1, one.activations))


def available_memory(root="/"):
    """Bytes this process can still allocate, or None where that is not known.

    The machine's MemAvailable (psutil's figure off Linux), capped by a container's
    limit less what the container already uses: cgroup v2 (memory.max) or v1
    (memory.limit_in_bytes), which /proc/meminfo does not show.  The one source of
    every memory budget (this module's, and :func:`engine.data.loaders.memory_budget`'s);
    plain standard library, so exported scripts carry it with the loaders.  ``root``: where
    /proc and /sys are (a test gives a folder laid out like them).
    """
    available = None
    try:
        with open(root + "proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        try:
            import psutil

            available = int(psutil.virtual_memory().available)
        except ImportError:
            pass
    for limit_file, used_file in (
        ("sys/fs/cgroup/memory.max", "sys/fs/cgroup/memory.current"),
        ("sys/fs/cgroup/memory/memory.limit_in_bytes", "sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ):
        try:
            with open(root + limit_file, encoding="ascii") as f:
                limit = f.read().strip()
            with open(root + used_file, encoding="ascii") as f:
                used = int(f.read().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:  # v2 writes "max" and v1 a huge number for none
            available = min(available if available is not None else 2**62, max(0, int(limit) - used))
        break
    return available


# TensorFlow's own memory while it trains (its runtime, kernels and buffers), apart from the
# model's: peak RSS training the small CNN is about 1 GB (benchmarks/training_memory.py).
RUNTIME_BYTES = 1 << 30


def memory_budget(available: int | None = None) -> int | None:
    """Bytes left for the model's training memory: free memory less TensorFlow's own."""
    available = available_memory() if available is None else available
    return None if available is None else max(0, available - RUNTIME_BYTES)


def fits_warning(
    design: Design, report: Report | None = None, available: int | None = None, batch_size: int | None = None
) -> str | None:
    """A sentence when training at the batch size (the design's by default) will not fit, else None."""
    batch = int(batch_size or design.training_settings.batch_size)
    optimizer = design.compile_settings.optimizer_config()
    return memory_warning(estimate(design, report), batch, optimizer, memory_budget(available))


def memory_warning(cost: DesignCost, batch: int, optimizer: dict[str, Any], budget: int | None) -> str | None:
    need = training_memory(cost, batch, optimizer)
    if need is None or budget is None or need.total <= budget:
        return None
    most = largest_batch(cost, optimizer, budget) or 0
    advice = f"use a batch size of at most {most:,}" if most else "make the model smaller"
    return (
        f"Training needs about {human_bytes(need.total + RUNTIME_BYTES)} at batch size {batch} "
        f"(with TensorFlow's own {human_bytes(RUNTIME_BYTES)}) but only "
        f"{human_bytes(budget + RUNTIME_BYTES)} is free: {advice}."
    )


# ------------------------------------------------------------ display


def human_count(n: float, unit: str = "") -> str:
    """``1234567`` -> ``1.2 M`` (compact, for a card)."""
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= factor:
            return f"{n / factor:.3g} {prefix}{unit}"
    return f"{int(n)} {unit}".rstrip()


def human_bytes(n: float) -> str:
    for factor, prefix in ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if n >= factor:
            return f"{n / factor:.3g} {prefix}"
    return f"{int(n)} B"


@dataclass(frozen=True)
class CostSummary:
    """What the Summary panel and ``check --json`` say about a design's cost, computed once for both."""

    cost: DesignCost
    batch: int
    memory: TrainingMemory | None  # at ``batch`` with the design's optimizer
    largest_batch: int | None  # the largest batch that fits in free memory; None when unknown
    warning: str | None  # the memory warning at ``batch``, if any


def summarize(design: Design, report: Report) -> CostSummary:
    """The design's cost at its own batch size and optimizer, against the machine's memory budget."""
    cost = estimate(design, report)
    batch = int(design.training_settings.batch_size)
    optimizer = design.compile_settings.optimizer_config()
    budget = memory_budget()
    return CostSummary(
        cost=cost,
        batch=batch,
        memory=training_memory(cost, batch, optimizer),
        largest_batch=largest_batch(cost, optimizer, budget) if budget is not None else None,
        warning=memory_warning(cost, batch, optimizer, budget),
    )
