"""Shape and dtype inference: every output's shape, walked once in topological order.

Each layer's catalog rule gives its output shapes from its inputs' and its
parameters; generic Keras layers and custom code wait for Keras's answer
(``Report.requests`` / ``code_requests``).  Also what is not reached from an Input.
"""

from __future__ import annotations

from typing import Any

from engine.design import dtype_flow
from engine.design.graph import Design, Edge
from engine.design.report import ERROR, Collector, label
from engine.design.structure_checks import check_ports, edge_index, frozen
from engine.schema.catalog import LAYERS, LayerSpec
from engine.schema.custom import CodeRequest, by_keras, is_custom
from engine.schema.generic import Request, class_of
from engine.schema.layer_rules import Ctx, Shape, ShapeError, fmt_shape


def infer_shapes(
    design: Design, values: dict[str, dict[str, Any] | None], out: Collector
) -> dict[tuple[str, str], Shape]:
    """Every call's output shapes, keyed by (node, output name)."""
    order, cyclic = design.topological_order()
    if cyclic:
        cycle = design.cycle()
        path = " -> ".join(f"'{n}'" for n in cycle)
        for n in dict.fromkeys(cycle[:-1]):
            out.error(
                f"{label(design.nodes[n].type, n)} is part of a cycle ({path}); "
                "a model's data must flow one way",
                n,
            )
    inc = design.incoming()
    shapes: dict[tuple[str, str], Shape] = {}
    holds: dict[tuple[str, str], str] = {}  # what each output holds (the dtype flow)
    built: dict[str, tuple[str, int, Shape]] = {}  # layer owner -> (first call, weights, its input)
    for nid in order:
        node = design.nodes[nid]
        spec = LAYERS.get(node.type)
        if spec is None:
            _infer_generic(design, nid, inc[nid], values, shapes, built, out)
            continue
        edges = [e for e in inc[nid] if e.src in design.nodes]
        who = label(node.type, nid)
        wired = _wire(design, nid, spec, edges, out)
        if wired is None:
            continue
        vals = values[nid]
        if vals is None:
            continue
        in_shapes: list[Shape | None] = [
            None if e is None else shapes.get((e.src, e.out or main_output(design, e.src))) for e in wired
        ]
        if any(s is None for e, s in zip(wired, in_shapes, strict=True) if e is not None):
            # an upstream node (or this edge's output) already has an error, or its shape waits
            # for Keras: do not pile on
            out.nodes[nid].pending = any(e is not None and out.nodes[e.src].pending for e in wired)
            continue
        kinds = _dtypes_in(design, nid, spec, vals, wired, holds, out)
        if kinds is None:
            continue
        try:
            result = spec.rule(Ctx(who), in_shapes, vals)  # type: ignore[arg-type]
        except ShapeError as exc:
            out.error(str(exc), nid)
            continue
        owner = design.layer_owner(nid)
        first = built.get(owner)
        if first is not None and spec.same_rank_when_shared and len(in_shapes[0] or ()) != len(first[2]):
            out.error(
                f"{who} calls the layer of '{owner}' again, but its input {fmt_shape(in_shapes[0] or ())} "
                f"has another number of axes than the first call's input {fmt_shape(first[2])}: "
                f"a built {node.type} takes inputs of one rank only",
                nid,
            )
            continue
        if first is not None and first[1] != result.params:
            out.error(
                f"{who} calls the layer of '{owner}' again, but its input {fmt_shape(in_shapes[0] or ())} "
                f"would need weights of another size than the first call's input {fmt_shape(first[2])}: "
                "a shared layer's inputs must have the same feature sizes",
                nid,
            )
            continue
        produced = spec.outputs_for(vals)
        kind = dtype_flow.output_holds(spec, vals, kinds)
        for name, shape in zip(produced, (result.shape, *result.more), strict=False):
            shapes[(nid, name)] = shape
            holds[(nid, name)] = kind
        info = out.nodes[nid]
        info.holds = {name: kind for name in produced if (nid, name) in shapes}
        info.output_shape = result.shape
        info.outputs = {name: shapes[(nid, name)] for name in produced if (nid, name) in shapes}
        if first is None:  # the first call builds the weights (and shows them); later calls reuse them
            built[owner] = (nid, result.params, in_shapes[0] if in_shapes and in_shapes[0] else ())
            info.params, info.trainable = result.params, result.trainable_params
            if frozen(vals):
                info.trainable = 0
    check_reachable(design, order, out)
    return shapes


def _infer_generic(
    design: Design,
    nid: str,
    edges: list[Edge],
    values: dict[str, dict[str, Any] | None],
    shapes: dict[tuple[str, str], Shape],
    built: dict[str, tuple[str, int, Shape]],
    out: Collector,
) -> None:
    """A generic layer's output: what Keras computed for it, or a request to compute it.

    Its inputs go in by position (one tensor, or several as ``layer(a, b)``); the
    first call of a layer shows its weights.  Other unknown types were reported already.
    """
    if not by_keras(design.nodes[nid].type):
        return
    edges = [e for e in edges if e.src in design.nodes]
    vals = values[nid]
    info = out.nodes[nid]
    who = label(class_of(vals or design.nodes[nid].params), nid)
    if not edges:
        out.error(f"{who} receives no input: connect a layer into it", nid)
        return
    if vals is None:
        return
    if named := [e for e in edges if isinstance(e.port, str)]:
        out.error(f"{who} has no input '{named[0].port}': it takes its inputs by position", nid)
        return
    ins = [shapes.get((e.src, e.out or main_output(design, e.src))) for e in edges]
    if any(s is None for s in ins):
        info.pending = any(out.nodes[e.src].pending for e in edges)
        return
    code = is_custom(design.nodes[nid].type)
    request = (
        CodeRequest.of_code(vals, ins)
        if code
        else Request.of(vals["class_name"], vals.get("config", {}), ins)
    )
    answer = design.keras_answers.get(request)
    if answer is None:
        info.pending, info.awaits_code = True, code
        (out.code_requests if code else out.requests).append(request)  # type: ignore[arg-type]
        return
    if answer.error or answer.shape is None:
        out.error(f"{who}: Keras cannot build it this way: {answer.error}", nid)
        return
    shapes[(nid, "output")] = answer.shape
    info.output_shape = answer.shape
    info.outputs = {"output": answer.shape}
    owner = design.layer_owner(nid)
    if owner not in built:
        built[owner] = (nid, answer.params, ins[0])  # type: ignore[assignment]
        info.params, info.trainable = answer.params, answer.trainable


def _dtypes_in(
    design: Design,
    nid: str,
    spec: LayerSpec,
    vals: dict[str, Any],
    wired: list[Edge | None],
    holds: dict[tuple[str, str], str],
    out: Collector,
) -> list[str] | None:
    """What each input holds (float, int, string), or None where the layer cannot take one."""
    sources = [(e.src, holds.get((e.src, e.out or main_output(design, e.src)), "float")) for e in wired if e]
    found = dtype_flow.problems(spec, label(design.nodes[nid].type, nid), vals, sources)
    for severity, message in found:
        out.add(severity, message, nid)
    return None if any(severity == ERROR for severity, _ in found) else [k for _, k in sources]


def _wire(
    design: Design, nid: str, spec: LayerSpec, edges: list[Edge], out: Collector
) -> list[Edge | None] | None:
    """The edges into a node in input order (None: an empty optional port), or None if miswired."""
    who = label(spec.type, nid)
    n = len(edges)
    if spec.is_input:
        if n:
            out.error(f"{who} is where data enters, so nothing may connect into it", nid)
            return None
    elif n == 0:
        out.error(f"{who} receives no input: connect a layer into it", nid)
        return None
    elif spec.ports:
        return check_ports(design, nid, spec, edges, out)
    elif n < spec.min_inputs or (spec.max_inputs is not None and n > spec.max_inputs):
        out.error(f"{who} takes {spec.inputs_text()} but receives {n}", nid)
        return None
    elif named := [e for e in edges if isinstance(e.port, str)]:
        out.error(
            f"{who} has no input '{named[0].port}': it takes its inputs by position",
            nid,
            edge=edge_index(design, named[0]),
        )
        return None
    if spec.is_merge and n == 1:
        out.warn(f"{who} has only one input, so it passes it through unchanged", nid)
    return list(edges)


def main_output(design: Design, nid: str) -> str:
    spec = LAYERS.get(design.nodes[nid].type)
    return spec.outputs[0].name if spec is not None else "output"


def check_reachable(design: Design, order: list[str], out: Collector) -> None:
    reached = set(design.input_ids())
    outgoing = design.outgoing()
    for nid in order:
        if nid in reached:
            for e in outgoing[nid]:
                reached.add(e.dst)
    for nid in order:
        known = design.nodes[nid].type in LAYERS or by_keras(design.nodes[nid].type)
        if nid not in reached and not out.nodes[nid].problems and known:
            out.error(f"{label(design.nodes[nid].type, nid)} is not reached from any Input", nid)
