"""The design file: versioned JSON, read defensively and written atomically.

Reading checks the file's *structure* (JSON types, required keys, edges that
refer to existing nodes) and reports every problem at once by key and node id.
Values that are well-formed but wrong (an unknown layer type, units = 0) load
fine and show up as validation errors, so the user can fix them in the app
instead of losing the file.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from engine.atomic import read_regular_file, write_text_atomic
from engine.design.graph import NODE_ID, Design, Edge, Node, OutputRef
from engine.schema.custom import code_nodes
from engine.schema.settings import DEFAULT_COMPILE, DEFAULT_TRAINING

FORMAT = "netwright-design"
# Version 2 added named ports (an edge's "port" may be a name), named outputs (an edge's "out"),
# shared layers (a node's "shares") and explicit model "outputs".  A design that uses none of
# them is still written as version 1, which older Netwrights read.
# Version 3 added custom-layer nodes (type "CustomLayer": the user's own Python code, see
# engine/schema/custom.py); only a design that holds code is written as version 3.
VERSION = 3
MAX_FILE_BYTES = 50 * 1024 * 1024


class DesignFileError(ValueError):
    """The file cannot be read as a design; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def loads(text: str, source: str = "<design>") -> Design:
    try:
        raw = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise DesignFileError(source, ["the JSON is nested too deeply"]) from None
    except ValueError as exc:
        raise DesignFileError(source, [f"not valid JSON: {exc}"]) from None
    problems = [f"{where} is not a finite number (it reads as {v})" for where, v in non_finite(raw)]
    if problems:
        raise DesignFileError(source, problems)
    return from_dict(raw, source)


def non_finite(value: Any, where: str = "") -> list[tuple[str, float]]:
    """(location, value) of every infinite or NaN number, e.g. ``node 'h'.params.units``.

    JSON has no such numbers, but Python reads ``1e400`` as infinity; one would
    pass validation and then fail every save and export.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return [(where or "the file", value)]
    found: list[tuple[str, float]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += non_finite(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            name = v.get("id") if where == "nodes" and isinstance(v, dict) else None
            found += non_finite(v, f"node {name!r}" if isinstance(name, str) else f"{where}[{i}]")
    return found


def load(path: str | os.PathLike[str]) -> Design:
    source = str(path)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES, "designs")
    except OSError as exc:
        raise DesignFileError(source, [f"cannot read the file: {exc.strerror or exc}"]) from None
    except ValueError as exc:  # a pipe, a device, or over the size limit
        raise DesignFileError(source, [f"cannot read the file: {exc}"]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DesignFileError(source, [f"not UTF-8 text (byte {exc.start})"]) from None
    return loads(text, source)


# ---------------------------------------------------------------- dict <-> Design


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _type_name(v: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(v), "a number"
    )


def from_dict(raw: Any, source: str = "<design>") -> Design:  # noqa: C901 - one flat list of checks
    problems: list[str] = []

    def need(cond: bool, message: str) -> bool:
        if not cond:
            problems.append(message)
        return cond

    if not isinstance(raw, dict):
        raise DesignFileError(source, [f"the top level must be a JSON object, not {_type_name(raw)}"])
    if raw.get("format") != FORMAT:
        problems.append(f"'format' must be \"{FORMAT}\" (is this a Netwright design?)")
    version = raw.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("'version' must be a positive whole number")
    elif version > VERSION:
        raise DesignFileError(
            source,
            [
                f"the file has format version {version}, but this Netwright reads up to version {VERSION}: "
                "update Netwright to open it"
            ],
        )
    name = raw.get("name", "untitled")
    need(isinstance(name, str), f"'name' must be a string, not {_type_name(name)}")

    nodes: dict[str, Node] = {}
    raw_nodes = raw.get("nodes")
    if need(isinstance(raw_nodes, list), "'nodes' must be a list of node objects"):
        for i, rn in enumerate(raw_nodes):
            where = f"nodes[{i}]"
            if not need(isinstance(rn, dict), f"{where} must be an object"):
                continue
            nid = rn.get("id")
            if not need(isinstance(nid, str) and nid != "", f"{where}.id must be a non-empty string"):
                continue
            where = f"node '{nid}'"
            if not need(nid not in nodes, f"{where}: the id is used by more than one node"):
                continue
            ntype, params, pos = rn.get("type"), rn.get("params", {}), rn.get("pos", [0, 200 * i])
            ok = need(isinstance(ntype, str), f"{where}.type must be a string (a Keras layer class name)")
            ok &= need(isinstance(params, dict), f"{where}.params must be an object")
            ok &= need(
                isinstance(pos, list) and len(pos) == 2 and all(_is_num(v) for v in pos),
                f"{where}.pos must be a list of two numbers",
            )
            shares = rn.get("shares")
            ok &= need(
                shares is None or (isinstance(shares, str) and shares != ""),
                f"{where}.shares must be the id of the node whose layer it calls again",
            )
            unknown = set(rn) - {"id", "type", "params", "pos", "shares"}
            ok &= need(not unknown, f"{where}: unknown keys {sorted(unknown)}")
            if ok:
                nodes[nid] = Node(nid, ntype, params, (float(pos[0]), float(pos[1])), shares)

    edges: list[Edge] = []
    raw_edges = raw.get("edges", [])
    if need(isinstance(raw_edges, list), "'edges' must be a list of edge objects"):
        for i, re_ in enumerate(raw_edges):
            where = f"edges[{i}]"
            if not need(isinstance(re_, dict), f"{where} must be an object"):
                continue
            src, dst, port, out = re_.get("src"), re_.get("dst"), re_.get("port"), re_.get("out")
            ok = need(isinstance(src, str), f"{where}.src must be a node id")
            ok &= need(isinstance(dst, str), f"{where}.dst must be a node id")
            ok &= need(
                port is None
                or (isinstance(port, int) and not isinstance(port, bool) and port >= 0)
                or (isinstance(port, str) and NODE_ID.match(port) is not None),
                f'{where}.port must be a whole number >= 0 or an input\'s name (e.g. "query")',
            )
            ok &= need(
                out is None or (isinstance(out, str) and NODE_ID.match(out) is not None),
                f'{where}.out must be the name of an output (e.g. "state_h")',
            )
            unknown = set(re_) - {"src", "dst", "port", "out"}
            ok &= need(not unknown, f"{where}: unknown keys {sorted(unknown)}")
            if ok:
                for end in (src, dst):
                    ok &= need(
                        end in nodes or not isinstance(raw_nodes, list) or _listed(raw_nodes, end),
                        f"{where} ({src} -> {dst}) refers to a node '{end}' that does not exist",
                    )
            if ok:
                edges.append(Edge(src, dst, port, out))

    comp = _section(raw, "compile", DEFAULT_COMPILE, problems)
    if comp is not None:
        opt = comp.get("optimizer", {"type": "Adam"})
        if isinstance(opt, str):  # Keras also accepts a bare optimizer name
            opt = {"type": opt}
        if need(
            isinstance(opt, dict) and isinstance(opt.get("type"), str),
            "compile.optimizer must be an object with a 'type' (a Keras optimizer class name)",
        ):
            comp["optimizer"] = opt
        loss = comp.get("loss", "mse")
        need(
            isinstance(loss, str)
            or (isinstance(loss, dict) and all(isinstance(v, str) for v in loss.values())),
            "compile.loss must be a Keras loss name (a string), or one per output id",
        )
        metrics = comp.get("metrics", [])
        need(
            _metric_list(metrics)
            or (isinstance(metrics, dict) and all(_metric_list(v) for v in metrics.values())),
            "compile.metrics must be a list of Keras metric names, or one list per output id",
        )
    training = _section(raw, "training", DEFAULT_TRAINING, problems)
    data = raw.get("data")
    need(data is None or isinstance(data, dict), "'data' must be an object")
    weights = raw.get("weights")
    need(
        weights is None
        or (
            isinstance(weights, dict)
            and isinstance(weights.get("file"), str)
            and isinstance(weights.get("layers"), dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in weights["layers"].items())
        ),
        "'weights' must be an object with a 'file' (path) and 'layers' (node id -> layer name in that file)",
    )

    outputs = _outputs(raw.get("outputs"), problems)

    if problems:
        raise DesignFileError(source, problems)
    return Design(
        name=name,
        nodes=nodes,
        edges=edges,
        compile=comp,
        training=training,
        data=data,
        weights=weights,
        outputs=outputs,
    )


def _metric_list(value: Any) -> bool:
    """A list of metrics, each a name or an object with its name as ``type`` and its arguments."""
    return isinstance(value, list) and all(
        isinstance(m, str) or (isinstance(m, dict) and isinstance(m.get("type"), str)) for m in value
    )


def _outputs(raw: Any, problems: list[str]) -> list[OutputRef] | None:
    """The explicit model outputs: a list of {"node": id, "out": name (optional)}."""
    if raw is None:
        return None
    message = '\'outputs\' must be a list of objects like {"node": "dense", "out": "state_h"}'
    ok = isinstance(raw, list) and all(
        isinstance(o, dict)
        and not set(o) - {"node", "out"}
        and isinstance(o.get("node"), str)
        and (o.get("out") is None or isinstance(o.get("out"), str))
        for o in raw
    )
    if not ok:
        problems.append(message)
        return None
    return [OutputRef(o["node"], o.get("out")) for o in raw]


def _listed(raw_nodes: list, nid: str) -> bool:
    """True when a node with this id exists in the file but was itself malformed."""
    return any(isinstance(n, dict) and n.get("id") == nid for n in raw_nodes)


def _section(raw: dict, key: str, defaults: dict, problems: list[str]) -> dict | None:
    value = raw.get(key)
    if value is None:
        return json.loads(json.dumps(defaults))
    if not isinstance(value, dict):
        problems.append(f"'{key}' must be an object")
        return None
    return {**json.loads(json.dumps(defaults)), **value}


def to_dict(design: Design) -> dict[str, Any]:
    version = 3 if code_nodes(design.nodes) else 2 if design.uses_v2_features() else 1
    out: dict[str, Any] = {"format": FORMAT, "version": version, "name": design.name}
    out["nodes"] = [
        {
            "id": n.id,
            "type": n.type,
            "params": _jsonable(n.params),
            "pos": [_num(n.pos[0]), _num(n.pos[1])],
            **({"shares": n.shares} if n.shares is not None else {}),
        }
        for n in design.nodes.values()
    ]
    out["edges"] = [
        {
            "src": e.src,
            "dst": e.dst,
            **({"port": e.port} if e.port is not None else {}),
            **({"out": e.out} if e.out is not None else {}),
        }
        for e in design.edges
    ]
    if design.outputs is not None:
        out["outputs"] = [{"node": o.node, **({"out": o.out} if o.out else {})} for o in design.outputs]
    out["compile"] = _jsonable(design.compile)
    out["training"] = _jsonable(design.training)
    if design.data is not None:
        out["data"] = _jsonable(design.data)
    if design.weights is not None:
        out["weights"] = _jsonable(design.weights)
    return out


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _compact(value: Any, indent: int = 0, used: int = 0, width: int = 120) -> str:
    """JSON with short containers on one line (a node per line), easy to read and diff.

    ``indent`` is the container's indentation, ``used`` the columns already taken
    on its first line (by the key).
    """
    flat = json.dumps(value, allow_nan=False)
    if indent + used + len(flat) <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, list):
        items = [inner + _compact(v, indent + 2, 0, width) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    items = []
    for k, v in value.items():
        key = json.dumps(k) + ": "
        items.append(inner + key + _compact(v, indent + 2, len(key), width))
    return "{\n" + ",\n".join(items) + f"\n{pad}}}"


def dumps(design: Design) -> str:
    return _compact(to_dict(design)) + "\n"


def save(design: Design, path: str | os.PathLike[str]) -> None:
    """Write atomically, so a crash or a full disk mid-write leaves the previous file intact."""
    write_text_atomic(path, dumps(design))
