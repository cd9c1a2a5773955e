"""Custom layers on the way in: a script's layer classes as source text, a model file's as nodes
asking for their code.  Nothing here runs anything.

A script (:mod:`engine.keras.script_parser`) that defines ``class Patches(layers.Layer)``
keeps the class as a :class:`ScriptClass`: its source segment (``ast.get_source_segment``)
and the names its ``__init__`` takes, so ``Patches(6)`` reads as ``{"patch_size": 6}``.
A ``.keras``/``.h5``/JSON file holds no code: its custom class becomes a custom node
without source, which validation asks for (:func:`engine.schema.custom.source_problem`);
:func:`class_source` takes it from the ``.py`` file that defines it.
"""

from __future__ import annotations

import ast
import functools
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.atomic import read_regular_file
from engine.schema.custom import LAMBDA, class_def, custom_params, init_parameters
from engine.schema.generic import NOT_GENERIC, generic_params

MAX_PY_BYTES = 5 * 1024 * 1024
# How a script names Keras's layer base class: keras.layers.Layer, layers.Layer, Layer.
_LAYER_BASES = (("layers", "Layer"), ("Layer",), ("layers", "layer", "Layer"))
# What a custom layer's code finds in its namespace already (engine.keras.custom_layers).
_PROVIDED = {"keras", "layers", "ops", "np"}
# Config keys of a saved Lambda that hold code or its bookkeeping, never carried over.
_LAMBDA_CODE_KEYS = {"function", "function_type", "module", "output_shape_type", "output_shape_module"}


@dataclass(frozen=True)
class ScriptClass:
    """A layer class the script defines: its source, and ``__init__``'s parameter names."""

    name: str
    source: str
    parameters: tuple[str, ...]


def script_class(stmt: ast.ClassDef, text: str, bases: list[Any]) -> ScriptClass | None:
    """The class as a :class:`ScriptClass` when it subclasses a Keras layer (``bases``: what the
    reader knows each base to be; a Keras name has a ``path``), else None."""
    if not any(getattr(b, "path", None) in _LAYER_BASES for b in bases):
        return None
    source = class_text(stmt, text)
    names, _ = init_parameters(source, stmt.name)
    return ScriptClass(stmt.name, source, tuple(names))


def class_text(stmt: ast.ClassDef, text: str) -> str:
    """The class as written, its decorators (``@keras.saving.register_keras_serializable()``) too,
    after the module's imports that it uses (``import math`` for ``math.sqrt``; ``keras``,
    ``layers``, ``ops`` and ``np`` are there already when it runs)."""
    first = min([stmt.lineno, *(d.lineno for d in stmt.decorator_list)])
    body = textwrap.dedent("\n".join(text.splitlines()[first - 1 : stmt.end_lineno])).strip()
    imports = _imports_used(stmt, text)
    return "\n".join(imports) + "\n\n\n" + body if imports else body


def _imports_used(stmt: ast.ClassDef, text: str) -> list[str]:
    """The module's top-level import statements that bind a name the class uses."""
    used = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)} - _PROVIDED
    found = []
    for node in _module(text).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = {a.asname or a.name.split(".")[0] for a in node.names}
            segment = ast.get_source_segment(text, node)
            if bound & used and segment:
                found.append(segment)
    return list(dict.fromkeys(found))  # an import written twice (an exported script's, say) once


@functools.lru_cache(maxsize=2)
def _module(text: str) -> ast.Module:
    """The script's syntax tree (parsed once for all its classes)."""
    return ast.parse(text)


def lambda_source(text: str, node: ast.expr) -> str | None:
    """A ``Lambda(lambda x: ...)``'s expression as written, or None when it is not a lambda."""
    return ast.get_source_segment(text, node) if isinstance(node, ast.Lambda) else None


def custom_layer(layer: dict[str, Any]) -> bool:
    """A layer of a model config that is the user's own code: a class no catalog, generic rule or
    Keras operation explains (a Lambda, or any other named class)."""
    name = layer.get("class_name")
    foreign = isinstance(name, str) and name in NOT_GENERIC and name != LAMBDA  # TFSMLayer, JaxLayer...
    return isinstance(name, str) and name.isidentifier() and not foreign


def layer_params(layer: dict[str, Any], source: str = "") -> dict[str, Any]:
    """A custom node's parameters from a layer of a model config: its class and config, and the
    code a script wrote for it (a model file has none; a Lambda's serialised bytecode is dropped,
    never loaded)."""
    class_name = str(layer["class_name"])
    config = generic_params(class_name, layer.get("config") if isinstance(layer.get("config"), dict) else {})
    kept = config["config"]
    if class_name == LAMBDA:
        kept = {k: v for k, v in kept.items() if k not in _LAMBDA_CODE_KEYS}
    return custom_params(class_name, source, kept)


def missing_code(name: str, layer: dict[str, Any]) -> str:
    """What the import says of a custom layer whose code the file does not hold."""
    class_name = str(layer.get("class_name"))
    if class_name == LAMBDA:
        return (
            f"'{name}' is a Lambda layer: its code is not in the file (nothing from a file is run); "
            "write its expression in the node's properties"
        )
    registered = layer.get("registered_name") or class_name
    return (
        f"'{name}' is a custom layer ({registered}): its code is not in the file (nothing from a file is "
        f"run); paste class {class_name} in the node's properties or take it from the .py that defines it"
    )


def class_source(path: str | Path, class_name: str) -> str:
    """The source of ``class_name`` as ``path`` (a ``.py`` file) defines it, read by ast.

    Raises ValueError with what is wrong (not Python, no such class) or OSError."""
    data = read_regular_file(path, MAX_PY_BYTES, "Python files")
    try:
        text = data.decode("utf-8-sig")
        tree = ast.parse(text)
    except (UnicodeDecodeError, SyntaxError, RecursionError) as exc:
        raise ValueError(f"{path} cannot be read as Python ({exc})") from None
    node = class_def(tree, class_name)
    if node is None:
        raise ValueError(f"{path} does not define class {class_name} at its top level")
    return class_text(node, text)
