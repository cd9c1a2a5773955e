"""Custom-layer nodes: the user's own Python code in a design, read but never run here.

A node of type :data:`CUSTOM` carries the source of a ``keras.layers.Layer``
subclass (``class Patches(layers.Layer): ...``) or of a ``Lambda`` expression
(``lambda x: ops.mean(x, axis=1)``), and the literal arguments its layer is
made with.  Its parameters are plain JSON::

    {"class_name": "Patches", "source": "class Patches(...): ...", "config": {"patch_size": 6}}
    {"class_name": "Lambda", "source": "lambda x: x * 2", "config": {}}

This module only *reads* the source (:mod:`ast`: its syntax and the class it
defines); nothing here executes it.  Running it -- building the layer, asking it
for shapes -- happens in :mod:`engine.keras.custom_layers`, and only for a design
its user trusts (:mod:`engine.trust`).  Until then a custom node's shape is
unknown and validation checks what lies after it as far as it can, as it does
for a generic layer waiting for Keras (:mod:`engine.schema.generic`).

A custom layer takes one input as ``layer(x)`` and several as one list, ``layer([a, b])`` (in
the order of its ports 0, 1, ...), as keras-io's layers do (``Sampling()([z_mean, z_log_var])``).

"The same source" means the same Python syntax tree (:func:`same_source`), so an
exporter's formatter may reflow the code without changing the node.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from engine.schema.generic import CUSTOM, Request, config_problems, is_generic
from engine.schema.params import ParamProblem

LAMBDA = "Lambda"
PENDING_TEXT = "shape unknown (computed by Keras once trusted)"
MAX_SOURCE = 200_000  # characters of one node's code
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")

CUSTOM_HELP = (
    "Your own Keras layer, written in Python (a keras.layers.Layer subclass, or a Lambda's "
    "expression). Its code runs only once you trust this design; until then its shape is unknown."
)


def is_custom(node_type: str) -> bool:
    return node_type == CUSTOM


def by_keras(node_type: str) -> bool:
    """A node whose shape only Keras can compute: a generic layer or a custom one."""
    return is_generic(node_type) or is_custom(node_type)


def class_of(params: dict[str, Any]) -> str:
    name = params.get("class_name")
    return name if isinstance(name, str) and name else "?"


def is_lambda(params: dict[str, Any]) -> bool:
    return params.get("class_name") == LAMBDA


def source_of(params: dict[str, Any]) -> str:
    source = params.get("source")
    return source if isinstance(source, str) else ""


def custom_params(class_name: str, source: str, config: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"class_name": class_name, "source": source, "config": dict(config or {})}


def custom_summary(params: dict[str, Any]) -> str:
    """A card's one-line summary: what the code is, and whether it is there."""
    if not source_of(params).strip():
        return f"code of {class_of(params)} needed"
    what = "Lambda" if is_lambda(params) else f"class {class_of(params)}"
    config = params.get("config") if isinstance(params.get("config"), dict) else {}
    parts = [f"{k} {v}" for k, v in list(config.items())[:2] if not isinstance(v, (dict, list))]
    return " · ".join([f"code: {what}", *parts])


# ---------------------------------------------------------------- reading the source


def source_problem(class_name: str, source: str) -> str:
    """Why ``source`` is not the code of ``class_name`` (a syntax error names its line), or ''.

    Parsed only: a class must be defined at the top level of the source (helpers and
    imports may come with it); a Lambda's source is one ``lambda`` expression.
    """
    if len(source) > MAX_SOURCE:
        return f"the code is {len(source):,} characters; at most {MAX_SOURCE:,}"
    if not source.strip():
        if class_name == LAMBDA:
            return "the Lambda has no code yet: write its expression, e.g. lambda x: x * 2"
        return (
            f"the code of class {class_name} is not in the design yet: paste the class, "
            "or take it from the .py file that defines it"
        )
    mode = "eval" if class_name == LAMBDA else "exec"
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return f"line {exc.lineno} of its code is not valid Python ({exc.msg})"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"its code cannot be read ({type(exc).__name__})"
    if class_name == LAMBDA:
        if not isinstance(tree.body, ast.Lambda):  # type: ignore[attr-defined]
            return "a Lambda's code must be one lambda expression, e.g. lambda x: x * 2"
        return ""
    if class_def(tree, class_name) is None:
        defined = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]  # type: ignore[attr-defined]
        also = f" (it defines {', '.join(defined)})" if defined else ""
        return f"the code does not define class {class_name} at its top level{also}"
    return ""


def class_def(tree: ast.AST, class_name: str) -> ast.ClassDef | None:
    body = getattr(tree, "body", [])
    return next((n for n in body if isinstance(n, ast.ClassDef) and n.name == class_name), None)


def init_parameters(source: str, class_name: str) -> tuple[list[str], bool]:
    """The names ``__init__`` takes after ``self`` (positional order), and whether it takes
    ``**kwargs`` (so Keras's ``name=`` can be passed).  ([], True) when it defines none."""
    try:
        node = class_def(ast.parse(source), class_name)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], False
    init = next(
        (f for f in (node.body if node else []) if isinstance(f, ast.FunctionDef) and f.name == "__init__"),
        None,
    )
    if init is None:
        return [], True
    names = [a.arg for a in (*init.args.posonlyargs, *init.args.args)][1:]
    return names + [a.arg for a in init.args.kwonlyargs], init.args.kwarg is not None


def same_source(a: str, b: str) -> bool:
    """Two sources are the same code when their syntax trees are equal (layout and comments aside)."""
    return source_tree(a) == source_tree(b)


def source_tree(source: Any) -> Any:
    """What "the same code" compares: the syntax tree's dump, or the text when it does not parse."""
    try:
        return ast.dump(_tree(source)) if isinstance(source, str) else source
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source


def _tree(source: str) -> ast.AST:
    try:
        return ast.parse(source, mode="eval")
    except SyntaxError:
        return ast.parse(source)


def check_custom(params: dict[str, Any]) -> list[ParamProblem]:
    """Every problem with a custom node's parameters, each naming the parameter."""
    problems = [
        ParamProblem(k, f"unknown parameter '{k}' (a custom layer has 'class_name', 'source' and 'config')")
        for k in sorted(set(params) - {"class_name", "source", "config"})
    ]
    name = params.get("class_name")
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(ParamProblem("class_name", "'class_name' must be the name of a Python class"))
        return problems
    source = params.get("source", "")
    if not isinstance(source, str):
        problems.append(ParamProblem("source", "'source' must be the layer's Python code, as text"))
    elif why := source_problem(name, source):
        problems.append(ParamProblem("source", why))
    problems += [ParamProblem("config", f"'config': {p}") for p in config_problems(params.get("config", {}))]
    return problems


def only_class(source: str) -> str:
    """The name of the one class ``source`` defines at its top level ('' for none, several, or
    code that does not parse): renaming that class renames the node's class."""
    try:
        classes = [n.name for n in ast.parse(source).body if isinstance(n, ast.ClassDef)]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    return classes[0] if len(classes) == 1 else ""


# What a new custom node starts from: a layer class to change, or a Lambda's expression.
STARTER_CLASS = '''class MyLayer(layers.Layer):
    """A layer of your own: change its code, then Apply."""

    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")

    def call(self, x):
        return ops.matmul(x, self.w)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
'''


def starter(kind: str) -> dict[str, Any]:
    """A new custom node's parameters: ``kind`` "class" (a Layer subclass) or "lambda"."""
    if kind == "lambda":
        return custom_params(LAMBDA, "lambda x: x * 2")
    return custom_params("MyLayer", STARTER_CLASS, {"units": 8})


def code_nodes(nodes: dict[str, Any]) -> list[str]:
    """The ids of the nodes that hold code (``nodes``: a design's nodes by id)."""
    return [nid for nid, n in nodes.items() if is_custom(n.type) and n.shares is None]


# ---------------------------------------------------------------- what Keras computed


@dataclass(frozen=True)
class CodeRequest(Request):
    """Build the custom layer from ``source`` with ``config`` and call it on inputs of these
    shapes.  Answered only for a trusted design, in a child process (see
    :mod:`engine.keras.custom_layers`); plain data, so it crosses threads and processes."""

    source: str = ""

    @staticmethod
    def of_code(params: dict[str, Any], inputs: list[Any]) -> CodeRequest:
        config = params.get("config") if isinstance(params.get("config"), dict) else {}
        return CodeRequest(
            class_of(params),
            json.dumps(config, sort_keys=True),
            tuple(tuple(s) for s in inputs),
            source_of(params),
        )
