"""Setting paths: which value of a design a sweep changes, and the edit that changes it.

A path is ``compile.KEY[.SUB...]`` (``compile.optimizer.learning_rate``),
``training.KEY`` (``training.batch_size``), ``data.KEY`` (``data.test_split``) or
``nodes[NODE_ID].params.NAME`` -- brackets, because a node id may contain dots
(``nodes.ID.params.NAME`` is read too when the id has none).  Compile and training
edits go through the typed settings (:mod:`engine.schema.settings`), which return new
values; an edit never changes the design it is given.  Whether the *value* is
valid is validation's question, asked of each trial's design before any trains.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any

from engine.design.graph import Design
from engine.schema.settings import CompileSettings, TrainingSettings

SECTIONS = ("compile", "training", "data")
_NODE = re.compile(r"^nodes\[(?P<id>[^\[\]]+)\]\.params\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")
_DOTTED_NODE = re.compile(r"^nodes\.(?P<id>[^.\[\]]+)\.params\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PathError(ValueError):
    """A path or value a sweep cannot use; the message names it."""


@dataclass(frozen=True)
class SettingPath:
    """One parsed path: a section and its keys, or a node and its parameter."""

    section: str  # "compile", "training", "data" or "nodes"
    keys: tuple[str, ...]  # the keys under the section; for "nodes": (node id, parameter name)

    @property
    def text(self) -> str:
        """The canonical spelling (the form the sweep's JSON uses)."""
        if self.section == "nodes":
            return f"nodes[{self.keys[0]}].params.{self.keys[1]}"
        return ".".join((self.section, *self.keys))


def parse_path(text: str) -> SettingPath:
    """The path ``text`` names; :class:`PathError` saying why when it names none."""
    text = text.strip()
    found = _NODE.match(text) or _DOTTED_NODE.match(text)
    if found:
        return SettingPath("nodes", (found["id"], found["name"]))
    section, _, rest = text.partition(".")
    keys = tuple(rest.split(".")) if rest else ()
    if section == "nodes":
        raise PathError(f"{text!r}: a node's setting is written nodes[NODE_ID].params.NAME")
    if section not in SECTIONS or not keys or not all(_KEY.match(k) for k in keys):
        raise PathError(
            f"{text!r} is not a setting path: use compile.KEY, training.KEY, data.KEY "
            "or nodes[NODE_ID].params.NAME"
        )
    return SettingPath(section, keys)


def parse_values(text: str) -> list[Any]:
    """``v1,v2,...`` (each read as JSON when it is JSON, else as a word) or one JSON list.

    ``0.001,0.01`` gives two numbers, ``relu,tanh`` two names, ``[[3,3],[5,5]]`` two lists.
    """
    text = text.strip()
    if text.startswith("["):
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PathError(f"{text!r} is not a JSON list of values: {exc.msg}") from None
        if not isinstance(values, list):
            raise PathError(f"{text!r} is not a list of values")
    else:
        values = [_word(part) for part in text.split(",")]
    if not values or any(v == "" for v in values):
        raise PathError(f"{text!r}: give one or more values, separated by commas")
    return values


def _word(part: str) -> Any:
    part = part.strip()
    try:
        return json.loads(part)
    except json.JSONDecodeError:
        return part


def parse_axis(text: str) -> tuple[SettingPath, list[Any]]:
    """``PATH=VALUES`` (a ``--grid`` argument) as a path and its values."""
    path, sep, values = text.partition("=")
    if not sep:
        raise PathError(f"{text!r}: write PATH=VALUE1,VALUE2,...")
    parsed = parse_path(path)
    return parsed, parse_values(values)


def apply_settings(design: Design, settings: dict[str, Any]) -> Design:
    """A copy of ``design`` with each ``{path text: value}`` set; ``design`` is unchanged."""
    out = copy.deepcopy(design)
    for text, value in settings.items():
        _set(out, parse_path(text), copy.deepcopy(value))
    return out


def read_setting(design: Design, path: SettingPath) -> Any:
    """The value ``path`` holds in ``design`` now (None where it is not written)."""
    if path.section == "nodes":
        node = design.nodes.get(path.keys[0])
        return None if node is None else node.params.get(path.keys[1])
    value: Any = {"compile": design.compile, "training": design.training, "data": design.data}[path.section]
    keys = path.keys
    if path.section == "compile" and keys[0] == "optimizer":
        value = design.compile_settings.optimizer_config()
        keys = keys[1:] if len(keys) > 1 else ("type",)
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _set(design: Design, path: SettingPath, value: Any) -> None:
    if path.section == "nodes":
        node_id, name = path.keys
        node = design.nodes.get(node_id)
        if node is None:
            raise PathError(f"{path.text}: the design has no node {node_id!r}")
        if node.shares:
            raise PathError(
                f"{path.text}: {node_id!r} calls {node.shares!r}'s layer, so its params are unused"
            )
        node.params = {**node.params, name: value}
    elif path.section == "compile":
        design.set_compile(_compile(design.compile_settings, path, value))
    elif path.section == "training":
        design.set_training(_training(design.training_settings, path, value))
    else:
        design.data = _nested(design.data or {}, path.keys, value, path)


def _compile(settings: CompileSettings, path: SettingPath, value: Any) -> CompileSettings:
    head, rest = path.keys[0], path.keys[1:]
    if head == "optimizer":
        if rest in ((), ("type",)):
            if isinstance(value, dict):
                params = {k: v for k, v in value.items() if k != "type"}
                return dataclasses.replace(settings, optimizer=value.get("type"), optimizer_params=params)
            return dataclasses.replace(settings, optimizer=value)
        params = _nested(settings.optimizer_params, rest, value, path)
        return dataclasses.replace(settings, optimizer_params=params)
    names = {f.name for f in dataclasses.fields(CompileSettings)} - {"optimizer", "optimizer_params"}
    if head not in names:
        raise PathError(
            f"{path.text}: compile has no setting {head!r} (known: optimizer, {', '.join(sorted(names))})"
        )
    current = getattr(settings, head)
    return dataclasses.replace(settings, **{head: _nested(current, rest, value, path) if rest else value})


def _training(settings: TrainingSettings, path: SettingPath, value: Any) -> TrainingSettings:
    head, rest = path.keys[0], path.keys[1:]
    names = [f.name for f in dataclasses.fields(TrainingSettings)]
    if head not in names:
        raise PathError(f"{path.text}: training has no setting {head!r} (known: {', '.join(names)})")
    current = getattr(settings, head)
    return dataclasses.replace(settings, **{head: _nested(current, rest, value, path) if rest else value})


def _nested(container: Any, keys: tuple[str, ...], value: Any, path: SettingPath) -> dict[str, Any]:
    """A copy of the dict ``container`` with ``value`` at ``keys`` (missing dicts on the way made)."""
    if container is None:
        container = {}
    if not isinstance(container, dict):
        raise PathError(
            f"{path.text}: the setting above {keys[0]!r} is {container!r}, not a group of settings"
        )
    out = dict(container)
    out[keys[0]] = _nested(out.get(keys[0]), keys[1:], value, path) if len(keys) > 1 else value
    return out


# The design-level settings the window offers to sweep first (any other path can be typed).
COMMON_PATHS = (
    "compile.optimizer.learning_rate",
    "training.batch_size",
    "training.epochs",
    "training.validation_split",
)


def offered_paths(design: Design) -> list[str]:
    """The common settings, then every numeric or named parameter each node has now."""
    out = list(COMMON_PATHS)
    for node in design.nodes.values():
        if node.shares:
            continue
        out += [
            SettingPath("nodes", (node.id, name)).text
            for name, value in node.params.items()
            if isinstance(value, (int, float, str)) and not isinstance(value, bool)
        ]
    return out


def suggested_values(value: Any) -> list[Any]:
    """Values around the current one to start a sweep from: a small rate (below 0.1) a decade
    either side, a fraction halved and half-way to 1, a count halved and doubled; anything
    else just itself (the person adds the others)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [value]
    if isinstance(value, int):
        return sorted({max(1, value // 2), value, value * 2})
    if 0 < value < 0.1:
        return [float(f"{value / 10:.3g}"), value, float(f"{value * 10:.3g}")]
    if 0 < value < 1:
        return [float(f"{value / 2:.3g}"), value, float(f"{(1 + value) / 2:.3g}")]
    return [value]


def values_text(values: list[Any]) -> str:
    """Values as ``parse_values`` reads them back: comma-separated, or one JSON list when any is a list."""
    if any(isinstance(v, (list, dict)) for v in values):
        return json.dumps(values)
    return ",".join(v if isinstance(v, str) else json.dumps(v) for v in values)
