"""What changed between two designs: settings, and layers added, removed or changed.

Netron's most-asked feature is a model diff; here it compares two designs (two files, two
runs' snapshots, two trials of a sweep).  Settings are compared leaf by leaf under their
setting paths (``compile.optimizer.learning_rate``, the same paths a sweep uses); layers by
node id: a node only in the second design is added, only in the first removed, in both with
another type, parameters, or shared layer changed; connections by their ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.design.graph import Design

MISSING = "(not set)"


@dataclass
class Change:
    what: str  # a setting path, or a parameter name
    before: Any
    after: Any


@dataclass
class LayerChange:
    node: str
    type: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class DesignDiff:
    settings: list[Change] = field(default_factory=list)
    added: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (id, type, params)
    removed: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    changed: list[LayerChange] = field(default_factory=list)
    connections_added: list[tuple[str, str]] = field(default_factory=list)
    connections_removed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not any(
            (
                self.settings,
                self.added,
                self.removed,
                self.changed,
                self.connections_added,
                self.connections_removed,
            )
        )

    def lines(self) -> list[str]:
        """One sentence per difference, settings first (what the window lists)."""
        if self.same:
            return ["The two designs are the same (names and positions aside)."]
        out = [f"{c.what}: {_text(c.before)} → {_text(c.after)}" for c in self.settings]
        out += [f"added {kind} '{nid}' {_params(params)}".rstrip() for nid, kind, params in self.added]
        out += [f"removed {kind} '{nid}' {_params(params)}".rstrip() for nid, kind, params in self.removed]
        for layer in self.changed:
            parts = ", ".join(f"{c.what} {_text(c.before)} → {_text(c.after)}" for c in layer.changes)
            out.append(f"changed {layer.type} '{layer.node}': {parts}")
        out += [f"connected {a} → {b}" for a, b in self.connections_added]
        out += [f"disconnected {a} → {b}" for a, b in self.connections_removed]
        return out


def _text(value: Any) -> str:
    return MISSING if value is _ABSENT else repr(value) if isinstance(value, str) else str(value)


def _params(params: dict[str, Any]) -> str:
    return "(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")" if params else ""


_ABSENT = object()


def _leaves(value: Any, prefix: str) -> dict[str, Any]:
    """A settings section as {path: value}, nested groups flattened (lists stay whole values)."""
    if not isinstance(value, dict):
        return {prefix: value}
    out: dict[str, Any] = {}
    for key, inner in value.items():
        out.update(_leaves(inner, f"{prefix}.{key}"))
    return out


def _settings(design: Design) -> dict[str, Any]:
    """Each section through its typed settings, so a default written or left out compares equal."""
    compile_settings = design.compile_settings
    compile_dict = compile_settings.to_dict()
    compile_dict["optimizer"] = compile_settings.optimizer_config()
    out = _leaves(compile_dict, "compile")
    out.update(_leaves(design.training_settings.to_dict(), "training"))
    out.update(_leaves(design.data or {}, "data"))
    return out


def _compare(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    keys = list(dict.fromkeys([*before, *after]))
    return [
        Change(k, before.get(k, _ABSENT), after.get(k, _ABSENT))
        for k in keys
        if before.get(k, _ABSENT) != after.get(k, _ABSENT)
    ]


def diff_designs(first: Design, second: Design) -> DesignDiff:
    out = DesignDiff(settings=_compare(_settings(first), _settings(second)))
    for nid, node in second.nodes.items():
        if nid not in first.nodes:
            out.added.append((nid, node.type, dict(node.params)))
    for nid, node in first.nodes.items():
        other = second.nodes.get(nid)
        if other is None:
            out.removed.append((nid, node.type, dict(node.params)))
            continue
        changes = _compare(node.params, other.params)
        if node.type != other.type:
            changes.insert(0, Change("type", node.type, other.type))
        if node.shares != other.shares:
            changes.append(Change("shares weights with", node.shares, other.shares))
        if changes:
            out.changed.append(LayerChange(nid, other.type, changes))
    ends = [{(e.src, e.dst) for e in d.edges} for d in (first, second)]
    out.connections_added = sorted(ends[1] - ends[0])
    out.connections_removed = sorted(ends[0] - ends[1])
    return out
