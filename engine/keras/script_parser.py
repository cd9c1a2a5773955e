"""A Python script that builds a Keras model -> the model's Keras config, without running it.

The script is parsed with :mod:`ast` and read by a small symbolic interpreter
that knows only what a Keras model definition is made of: imports of Keras,
layer constructors, calls of layers on tensors, ``keras.Input``,
``Sequential([...])`` / ``model.add(...)``, ``keras.Model(inputs, outputs)``,
``model.compile(...)`` and ``model.fit(...)``.  Values are literals or names
bound to literals (:func:`ast.literal_eval` semantics); nothing is imported,
called or executed, so a hostile script is parsed like any other.

The result has the shape of Keras's own ``model.get_config()`` (Sequential or
Functional, with ``inbound_nodes`` and ``__keras_tensor__`` references) plus a
``compile_config``, so :mod:`engine.keras.importer` reads a script and a
``.keras`` file through one mapping.  Only the arguments the script gives
appear in a layer's config; the importer fills in Keras's defaults.  What the
interpreter does not understand is reported by line and skipped.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.keras.custom_script import ScriptClass, lambda_source, script_class
from engine.schema.catalog import ALIASES, LAYERS
from engine.schema.generic import private_layer
from engine.schema.keras_config import snake_case, tensor_refs

MAX_SCRIPT_BYTES = 5 * 1024 * 1024
MAX_UNROLL = 1000  # iterations of a literal `for` loop the reader unrolls
MAX_STEPS = 50_000  # statements read in all (unrolled loops and calls included)
MAX_CALL_DEPTH = 32  # calls of the script's own functions inside one another

# Module paths that mean "Keras" however the script imports it.
_KERAS_ROOTS = ("keras", "tensorflow.keras", "tf.keras", "tensorflow.python.keras")
_LAYER_MODULES = ("layers",)
_MODEL_NAMES = frozenset({"Sequential", "Model", "Input", "InputLayer"})
_OPTIMIZER_MODULE = "optimizers"
# keras.layers' functional forms of the merge layers: f(inputs, **kwargs) is Layer(**kwargs)(inputs).
_MERGE_FUNCTIONS = {
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "average": "Average",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "concatenate": "Concatenate",
    "dot": "Dot",
}
# The leading positional arguments of the compile and fit objects Netwright reads, in the Keras
# classes' order (their signatures; tests/engine/keras/test_script_styles.py checks them).
_OBJECT_ARGS = {
    "ExponentialDecay": ("initial_learning_rate", "decay_steps", "decay_rate", "staircase"),
    "CosineDecay": ("initial_learning_rate", "decay_steps", "alpha"),
    "PiecewiseConstantDecay": ("boundaries", "values"),
    "BinaryCrossentropy": ("from_logits", "label_smoothing", "axis"),
    "CategoricalCrossentropy": ("from_logits", "label_smoothing", "axis"),
    "SparseCategoricalCrossentropy": ("from_logits", "ignore_class"),
    "Precision": ("thresholds", "top_k", "class_id"),
    "Recall": ("thresholds", "top_k", "class_id"),
    "TruePositives": ("thresholds",),
    "FalsePositives": ("thresholds",),
    "TrueNegatives": ("thresholds",),
    "FalseNegatives": ("thresholds",),
    "AUC": ("num_thresholds", "curve"),
    "ReduceLROnPlateau": (
        "monitor",
        "factor",
        "patience",
        "verbose",
        "mode",
        "min_delta",
        "cooldown",
        "min_lr",
    ),
}
# Modules whose objects configure a model (compile, fit, a layer's initializer).
_OBJECT_MODULES = ("losses", "metrics", "callbacks", "initializers", "regularizers", "constraints")


class ScriptError(ValueError):
    """The file cannot be parsed as Python at all (a syntax error, not UTF-8, too large)."""


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


# ---------------------------------------------------------------- symbolic values


@dataclass(frozen=True)
class KerasName:
    """A name that refers to something in Keras: ``layers.Dense`` -> ("layers", "Dense")."""

    path: tuple[str, ...]


@dataclass
class LayerObj:
    """A layer constructed in the script (maybe not called yet)."""

    class_name: str
    config: dict[str, Any]
    line: int
    name: str = ""
    calls: int = 0  # how many times it was applied: its node indices
    inner: dict[str, Any] | None = None  # wrapped layer config (Bidirectional, TimeDistributed)
    inbound: list[dict[str, Any]] = field(default_factory=list)  # one entry per call, as Keras writes it
    source: str | None = None  # a custom layer's code as the script writes it (engine.keras.custom_script)


@dataclass(frozen=True)
class Tensor:
    layer: str
    node_index: int
    tensor_index: int


@dataclass
class SequentialObj:
    name: str | None
    layers: list[LayerObj]
    line: int
    input_shape: list[Any] | None = None
    input_dtype: str | None = None
    input_name: str | None = None
    compile: dict[str, Any] | None = None
    fit: dict[str, Any] | None = None


@dataclass
class FunctionalObj:
    name: str | None
    inputs: Any
    outputs: Any
    line: int
    compile: dict[str, Any] | None = None
    fit: dict[str, Any] | None = None


@dataclass
class KerasObj:
    """``keras.<module>.<Class>(...)`` that is not a layer: an optimizer, a loss, a metric, a
    learning-rate schedule, a callback, an initializer.  Written into the config as Keras
    serialises it (``{"module", "class_name", "config"}``)."""

    module: tuple[str, ...]
    class_name: str
    config: dict[str, Any]


@dataclass
class LocalFunction:
    """A function the script defines; a call with literal arguments is read by reading its body."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    scope: dict[str, Any]  # the names it sees: the module's, or the enclosing function's


class _Return(Exception):  # noqa: N818 - control flow, not an error
    """``return value`` inside a function the reader is reading."""

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


_UNKNOWN = object()


# ---------------------------------------------------------------- the result


@dataclass
class ParsedScript:
    """What the script builds, as Keras would serialise it, and what was skipped."""

    model_config: dict[str, Any] | None
    compile_config: dict[str, Any] | None
    training: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    data: dict[str, Any] | None = None  # the script's DATA literal: the design's data settings
    call_names: dict[tuple[str, int], str] = field(default_factory=dict)  # see _Reader.call_names
    notes: list[str] = field(default_factory=list)  # read, but not part of a design (other callbacks)
    sources: dict[str, str] = field(default_factory=dict)  # layer name -> its custom code (never run)


def parse_script(source: str, filename: str = "<script>") -> ParsedScript:
    """Read ``source`` as a Keras model script; raise :class:`ScriptError` if it is not Python."""
    if len(source.encode("utf-8", "surrogatepass")) > MAX_SCRIPT_BYTES:
        raise ScriptError(f"the script is larger than {MAX_SCRIPT_BYTES // 2**20} MB")
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise ScriptError(f"line {exc.lineno}: not valid Python ({exc.msg})") from None
    except (RecursionError, MemoryError):
        raise ScriptError("the script is nested too deeply to read") from None
    except ValueError as exc:
        raise ScriptError(f"cannot parse the script: {exc}") from None
    reader = _Reader()
    reader.text = source  # custom layers' code is carried over as text
    try:
        reader.run(tree)
    except RecursionError:
        raise ScriptError("the script is nested too deeply to read") from None
    return reader.result()


class _Reader:
    """Reads the module as Python would run it, tracking names symbolically.

    ``if __name__ == "__main__":`` and other conditions on literals take their branch; a call
    of a function the script defines reads its body with the call's arguments bound (so
    ``model = make_model((28, 28, 1), 10)`` builds that model); a function nothing calls is
    read once on its own.  What does not build or configure the model (argument parsing,
    data loading, a condition on a command-line option) is passed over without a word.
    """

    def __init__(self) -> None:
        self.aliases: dict[str, tuple[str, ...]] = {}  # local name -> path inside Keras ("" = keras)
        self.text = ""  # the script's source
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.layers: dict[str, LayerObj] = {}  # by unique layer name, in creation order
        self.models: list[SequentialObj | FunctionalObj] = []
        self.taken: set[str] = set()
        self.named_inputs: set[str] = set()  # inputs the script names (others get Keras's names)
        self.applied: dict[str, None] = {}  # layers in the order of their first call (topological)
        self.globals: dict[str, Any] = {"__name__": "__main__"}
        self.read_functions: set[int] = set()  # ids of the function bodies read through a call
        self.active: list[int] = []  # the functions being read, innermost last
        self.steps = 0
        self.next_suffix: dict[str, int] = {}  # the next number to try after a layer name's stem
        # (layer, call index) -> the name the script gives a call's output: a shared layer's
        # calls in Netwright's exports are named after their nodes
        self.call_names: dict[tuple[str, int], str] = {}

    # ------------------------------------------------------------ driver

    def run(self, tree: ast.Module) -> None:
        called = {
            n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        self._block(tree.body, self.globals)
        for node in ast.walk(tree):
            if (
                isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and id(node) not in self.read_functions
                and node.name not in called
            ):
                self._read_function(LocalFunction(node, self.globals), None)

    def _block(self, body: list[ast.stmt], env: dict[str, Any]) -> None:
        for stmt in body:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise ScriptError(
                    "the script takes too many steps to read (loops or calls nested too deeply)"
                )
            try:
                self._stmt(stmt, env)
            except _Skip as skip:
                self.problems.append(Problem(getattr(stmt, "lineno", 0), skip.message))

    def report(self, node: ast.AST, message: str) -> None:
        self.problems.append(Problem(getattr(node, "lineno", 0), message))

    # ------------------------------------------------------------ statements

    def _stmt(self, stmt: ast.stmt, env: dict[str, Any]) -> None:  # noqa: C901 - one case per statement
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                self._import(a.name, a.asname or a.name.split(".")[0], whole=a.asname is not None)
        elif isinstance(stmt, ast.ImportFrom):
            for a in stmt.names:
                self._import(f"{stmt.module or ''}.{a.name}", a.asname or a.name, whole=True)
        elif isinstance(stmt, ast.Assign):
            value = self.value(stmt.value, env)
            for target in stmt.targets:
                self._bind(target, value, env, stmt)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._bind(stmt.target, self.value(stmt.value, env), env, stmt)
        elif isinstance(stmt, ast.AugAssign):
            value = self.value(ast.BinOp(stmt.target, stmt.op, stmt.value), env)
            self._bind(stmt.target, value, env, stmt)
        elif isinstance(stmt, ast.Expr):
            self.value(stmt.value, env)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            env[stmt.name] = LocalFunction(stmt, env)
        elif isinstance(stmt, ast.Return):
            raise _Return(self.value(stmt.value, env) if stmt.value is not None else None)
        elif isinstance(stmt, (ast.With, ast.AsyncWith, ast.Try)):
            self._block(stmt.body, env)  # runs once: `with strategy.scope():`, `try:`
        elif isinstance(stmt, ast.For):
            self._loop(stmt, env)
        elif isinstance(stmt, ast.If):
            taken = self._truth(stmt.test, env)
            if taken is not None:
                self._block(stmt.body if taken else stmt.orelse, env)
            elif self._builds(stmt, env):
                self.report(stmt, "an `if` block that builds layers is not read (its condition is not known)")
        elif isinstance(stmt, ast.While) and self._builds(stmt, env):
            self.report(stmt, "a `while` loop that builds layers is not read (its condition is not known)")
        elif isinstance(stmt, ast.ClassDef):  # a Keras layer class: its code, as text (never run)
            found = script_class(stmt, self.text, [self._peek(b, env) for b in stmt.bases])
            env[stmt.name] = found if found is not None else _UNKNOWN
            if found is not None:  # its methods are its code, not model building to read
                self.read_functions.update(id(n) for n in ast.walk(stmt))
        # pass, global, raise, del and the rest carry no model structure.

    def _loop(self, stmt: ast.For, env: dict[str, Any]) -> None:
        """Unroll ``for units in [64, 32]:`` or ``for i in range(3):`` over literal values."""
        items = self.value(stmt.iter, env) if not _is_range(stmt.iter) else _range(stmt.iter, self, env)
        if not isinstance(items, (list, tuple)) or len(items) > MAX_UNROLL or _has_unknown(list(items)):
            if self._builds(stmt, env):
                self.report(
                    stmt, "a `for` loop that builds layers over values that are not literal is not read"
                )
            return
        for item in items:
            self._bind(stmt.target, item, env, stmt)
            self._block(stmt.body, env)

    def _truth(self, test: ast.expr, env: dict[str, Any]) -> bool | None:
        """Whether a condition holds, when it is made of literals (``__name__ == "__main__"``)."""
        try:
            value = self.value(test, env)
        except _Skip:
            return None
        return bool(value) if _is_literal(value) else None

    def _builds(self, node: ast.AST, env: dict[str, Any], seen: set[int] | None = None) -> bool:
        """Whether running ``node`` would build or configure a model: make a layer, a model or a
        compile setting, call a layer, change a model, or call a function of the script that does."""
        seen = set() if seen is None else seen
        for n in ast.walk(node):
            if not isinstance(n, ast.Call):
                continue
            method = isinstance(n.func, ast.Attribute) and n.func.attr in ("add", "compile", "fit")
            if method and isinstance(self._peek(n.func.value, env), (SequentialObj, FunctionalObj)):
                return True
            target = self._peek(n.func, env)
            if isinstance(target, KerasName) and _builder_path(target.path) or isinstance(target, LayerObj):
                return True
            if isinstance(target, LocalFunction) and id(target.node) not in seen:
                seen.add(id(target.node))
                if self._builds(target.node, {**target.scope, **env}, seen):
                    return True
        return False

    def _peek(self, node: ast.expr, env: dict[str, Any]) -> Any:
        """What a name or attribute refers to, without calling anything."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            try:
                return self.value(node, env)
            except _Skip:
                return _UNKNOWN
        return _UNKNOWN

    def _call_local(self, fn: LocalFunction, call: ast.Call, env: dict[str, Any]) -> Any:
        """``f(...)`` of a function the script defines: its body read with the arguments bound."""
        if id(fn.node) in self.active or len(self.active) >= MAX_CALL_DEPTH:
            return _UNKNOWN  # recursion is not followed
        args: list[Any] | None = []
        kwargs: dict[str, Any] = {}
        for a in call.args:
            if isinstance(a, ast.Starred) or args is None:
                args = None
                continue
            args.append(self.value(a, env))
        for k in call.keywords:
            value = self.value(k.value, env)
            if k.arg is not None:
                kwargs[k.arg] = value
            else:
                args = None
        return self._read_function(fn, (args, kwargs) if args is not None else None)

    def _read_function(self, fn: LocalFunction, given: tuple[list[Any], dict[str, Any]] | None) -> Any:
        """Read a function's body; ``given`` binds its parameters (None: their defaults, or unknown)."""
        scope = dict(fn.scope)
        _bind_parameters(fn.node.args, given, scope, lambda e: self.value(e, fn.scope))
        self.read_functions.add(id(fn.node))
        self.active.append(id(fn.node))
        try:
            self._block(fn.node.body, scope)
        except _Return as done:
            return done.value
        finally:
            self.active.pop()
        return None

    def _import(self, dotted: str, local: str, whole: bool) -> None:
        parts = dotted.strip(".").split(".")
        if parts[0] == "tensorflow" and len(parts) == 1:
            self.aliases[local] = ("__tf__",)
            return
        for root in _KERAS_ROOTS:
            rparts = root.split(".")
            if parts[: len(rparts)] == rparts:
                rest = tuple(parts[len(rparts) :])
                if rest[:1] == ("src",) or rest[:1] == ("api",):
                    rest = rest[1:]
                self.aliases[local] = rest if whole else ()
                return

    def _bind(self, target: ast.expr, value: Any, env: dict[str, Any], stmt: ast.stmt) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = value
            if isinstance(value, LayerObj) and not value.name:
                self._name_layer(value)
            if isinstance(value, Tensor) and target.id != "_":
                self._name_call(value, target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = value if isinstance(value, (list, tuple)) else None
            if items is None or len(items) != len(target.elts):
                for t in target.elts:
                    if isinstance(t, ast.Name):
                        env[t.id] = _UNKNOWN
                if value is not _UNKNOWN:
                    self.report(stmt, "cannot unpack this value into several names")
                return
            for t, v in zip(target.elts, items, strict=True):
                self._bind(t, v, env, stmt)
        # attribute and subscript targets (self.x = ..., d["k"] = ...) carry no structure

    def _name_call(self, tensor: Tensor, name: str) -> None:
        """Remember the script's name for a call: its main output's variable, or another
        output's less the output's name (Netwright writes ``enc_state_h`` for enc's state_h)."""
        if tensor.tensor_index:
            layer = self.layers.get(tensor.layer)
            spec = LAYERS.get(layer.class_name) if layer is not None else None
            outs = [o.name for o in spec.outputs] if spec is not None else []
            name = next((name[: -len(o) - 1] for o in outs if name.endswith("_" + o)), "")
        if name:  # the first name a call gets (a later `y = x` does not rename it)
            self.call_names.setdefault((tensor.layer, tensor.node_index), name)

    # ------------------------------------------------------------ expressions

    def value(self, node: ast.expr, env: dict[str, Any]) -> Any:  # noqa: C901 - one case per node kind
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.value(e, env) for e in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                return _UNKNOWN
            return {
                self.value(k, env): self.value(v, env) for k, v in zip(node.keys, node.values, strict=True)
            }
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand, env)
            if isinstance(operand, (int, float)) and not isinstance(operand, bool):
                return -operand if isinstance(node.op, ast.USub) else operand
            return _UNKNOWN
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            operand = self.value(node.operand, env)
            return (not operand) if _is_literal(operand) else _UNKNOWN
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            return _compare(node, [self.value(v, env) for v in _operands(node)])
        if isinstance(node, ast.Subscript):
            return _subscript(self.value(node.value, env), self.value(node.slice, env))
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Sub, ast.FloorDiv)):
            return self._arith(node, env)
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in self.aliases:
                return KerasName(self.aliases[node.id])
            if node.id in ("None", "True", "False"):
                return {"None": None, "True": True, "False": False}[node.id]
            return _UNKNOWN
        if isinstance(node, ast.Attribute):
            base = self.value(node.value, env)
            if isinstance(base, KerasName):
                if base.path == ("__tf__",):
                    return KerasName(()) if node.attr == "keras" else _UNKNOWN
                return KerasName((*base.path, node.attr))
            return _UNKNOWN
        if isinstance(node, ast.Call):
            return self._call(node, env)
        return _UNKNOWN

    def _arith(self, node: ast.BinOp, env: dict[str, Any]) -> Any:
        left, right = self.value(node.left, env), self.value(node.right, env)
        nums = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right))
        if not nums:
            return _UNKNOWN
        try:
            ops: dict[type, Callable[[Any, Any], Any]] = {
                ast.Mult: lambda a, b: a * b,
                ast.Add: lambda a, b: a + b,
                ast.Sub: lambda a, b: a - b,
                ast.FloorDiv: lambda a, b: a // b,
            }
            result = ops[type(node.op)](left, right)
        except ZeroDivisionError:
            return _UNKNOWN
        if isinstance(result, int) and abs(result) > 2**63:
            return _UNKNOWN
        return result

    def _args(self, call: ast.Call, env: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        args = []
        for a in call.args:
            if isinstance(a, ast.Starred):
                raise _Skip("`*args` in a Keras call is not read")
            args.append(self.value(a, env))
        kwargs = {}
        for k in call.keywords:
            value = self.value(k.value, env)
            if k.arg is not None:
                kwargs[k.arg] = value
            elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
                kwargs.update(value)  # `**TRAINING["reduce_lr_on_plateau"]`: a literal dict
            else:
                raise _Skip("`**kwargs` in a Keras call is not read (not a literal dict)")
        return args, kwargs

    def _call(self, call: ast.Call, env: dict[str, Any]) -> Any:
        func = call.func
        # model.add(...), model.compile(...), model.fit(...)
        if isinstance(func, ast.Attribute):
            owner = self.value(func.value, env)
            if isinstance(owner, (SequentialObj, FunctionalObj)):
                return self._model_method(owner, func.attr, call, env)
        target = self.value(func, env)
        if isinstance(target, KerasName):
            return self._keras_call(target, call, env)
        if isinstance(target, LayerObj):
            return self._apply(target, call, env)
        if isinstance(target, LocalFunction):
            return self._call_local(target, call, env)
        if isinstance(target, ScriptClass):
            return self._code_layer(target.name, call, env, target)
        return _UNKNOWN

    # ------------------------------------------------------------ Keras calls

    def _keras_call(self, name: KerasName, call: ast.Call, env: dict[str, Any]) -> Any:
        path = name.path
        last = path[-1] if path else ""
        args, kwargs = self._args(call, env)
        if last in ("Input",) and path[:-1] in ((), ("layers",)):
            return self._input(call, args, kwargs)
        if last == "Sequential" and path[:-1] in ((), ("models",)):
            return self._sequential(call, args, kwargs)
        if last in ("Model", "Functional") and path[:-1] in ((), ("models",)):
            return self._functional(call, args, kwargs)
        if last == "Lambda" and call.args and lambda_source(self.text, call.args[0]) is not None:
            return self._code_layer("Lambda", call, env, None)
        if len(path) == 2 and path[0] in _LAYER_MODULES and last in _MERGE_FUNCTIONS:
            return self._merge_function(last, call, args, kwargs)
        if len(path) == 2 and path[0] in _LAYER_MODULES or (len(path) == 1 and path[0] in LAYERS):
            return self._layer(last, call, args, kwargs)
        if len(path) == 3 and path[0] in _LAYER_MODULES and last == "from_config":
            # keras.layers.X.from_config({...}): how Netwright exports a generic layer
            if len(args) != 1 or kwargs or not isinstance(args[0], dict):
                raise _Skip(f"`keras.layers.{path[1]}.from_config` needs one literal config dict")
            return self._layer(path[1], call, [], dict(args[0]))
        if last == "from_config" and private_layer(path[:-1]) and args and isinstance(args[0], dict):
            return self._layer(path[-2], call, [], dict(args[0]))  # Keras's own LayerScale, say
        return _keras_object(path, args, kwargs)

    def _merge_function(self, name: str, call: ast.Call, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """``layers.concatenate([a, b], axis=1)`` is ``Concatenate(axis=1)([a, b])``."""
        inputs = args[0] if args else kwargs.pop("inputs", None)
        if name == "dot" and len(args) > 1:
            kwargs = {"axes": args[1], **kwargs}
        return self._node(self._layer(_MERGE_FUNCTIONS[name], call, [], kwargs), [inputs], {})

    def _input(self, call: ast.Call, args: list[Any], kwargs: dict[str, Any]) -> Tensor:
        shape = kwargs.get("shape", args[0] if args else None)
        if "batch_shape" in kwargs and isinstance(kwargs["batch_shape"], (list, tuple)):
            shape = list(kwargs["batch_shape"])[1:]
        if not isinstance(shape, (list, tuple)):
            self.report(call, "keras.Input needs a literal `shape`; the input's shape is left unknown")
            shape = None
        layer = LayerObj("InputLayer", {}, call.lineno, name=kwargs.get("name") or "")
        if layer.name:
            self.named_inputs.add(layer.name)
        layer.config = {
            "batch_shape": [None, *shape] if shape is not None else None,
            "dtype": kwargs.get("dtype", "float32"),
        }
        self._name_layer(layer, "input_layer")
        self.applied.setdefault(layer.name, None)
        layer.calls = 1
        return Tensor(layer.name, 0, 0)

    def _layer(self, class_name: str, call: ast.Call, args: list[Any], kwargs: dict[str, Any]) -> LayerObj:
        class_name = ALIASES.get(class_name, class_name)  # Convolution2D is Conv2D, as Keras saves it
        config = dict(kwargs)
        inner = None
        if class_name in ("Bidirectional", "TimeDistributed"):
            wrapped = args[0] if args else config.pop("layer", None)
            args = args[1:]
            if not isinstance(wrapped, LayerObj):
                raise _Skip(f"{class_name} needs a layer written in place, e.g. {class_name}(LSTM(8))")
            self.layers.pop(wrapped.name, None)
            self.taken.discard(wrapped.name)
            inner = {"class_name": wrapped.class_name, "config": {"name": wrapped.name, **wrapped.config}}
        if args:
            config = {**self._positional(class_name, args, call), **config}
        for bad in [k for k, v in config.items() if v is _UNKNOWN or _has_unknown(v)]:
            self.report(call, f"{class_name}: `{bad}` is not a literal value; left at Keras's default")
            del config[bad]
        name = config.pop("name", "") if isinstance(config.get("name", ""), str) else ""
        layer = LayerObj(class_name, config, call.lineno, name=name, inner=inner)
        if name:
            self._name_layer(layer)
        return layer

    def _code_layer(self, name: str, call: ast.Call, env: dict[str, Any], cls: ScriptClass | None) -> Any:
        """A layer of the script's own class, or a ``Lambda(lambda ...)``: its code kept as text."""
        args, kwargs = self._args(call, env)
        names = cls.parameters if cls is not None else ()
        if cls is not None and len(args) > len(names):
            raise _Skip(f"{name}: {len(args)} positional arguments, but its __init__ names {len(names)}")
        kwargs = {**dict(zip(names, args, strict=False)), **kwargs}
        kwargs.pop("function", None)  # a Lambda's code is its source, not a config value
        layer = self._layer(name, call, [], kwargs)
        layer.source = cls.source if cls is not None else lambda_source(self.text, call.args[0])
        return layer

    def _positional(self, class_name: str, args: list[Any], call: ast.Call) -> dict[str, Any]:
        """Positional arguments named in the Keras class's own order (the catalog keeps it)."""
        spec = LAYERS.get(ALIASES.get(class_name, class_name))
        names = [n for n in spec.keras_args if n != "layer"] if spec else []
        if len(args) > len(names):
            raise _Skip(
                f"{class_name} takes at most {len(names)} positional arguments, not {len(args)}"
                if spec
                else f"{class_name} is not in Netwright's catalog, so its positional arguments "
                "cannot be named; write them as keywords"
            )
        return dict(zip(names, args, strict=False))

    def _name_layer(self, layer: LayerObj, base: str | None = None) -> None:
        """Give the layer Keras's automatic name (``dense``, ``dense_1``) unless it has one."""
        if layer.name and layer.name in self.layers and self.layers[layer.name] is layer:
            return
        stem = layer.name or base or snake_case(layer.class_name)  # an explicit name is kept unless taken
        name, i = stem, self.next_suffix.get(stem, 1)
        while name in self.taken:
            name = f"{stem}_{i}"
            i += 1
        self.next_suffix[stem] = i
        layer.name = name
        self.taken.add(name)
        self.layers[name] = layer

    def _apply(self, layer: LayerObj, call: ast.Call, env: dict[str, Any]) -> Any:
        """``layer(x)`` in the functional API: a new node of that layer."""
        args, kwargs = self._args(call, env)
        return self._node(layer, args, kwargs)

    def _node(self, layer: LayerObj, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if not layer.name:
            self._name_layer(layer)
        for key in ("training", "mask"):
            if kwargs.get(key) is not None:  # the layer would compute something else: never dropped
                raise _Skip(
                    f"{layer.class_name} '{layer.name}' is called with `{key}=`, which a design "
                    "cannot hold; the call is left out"
                )
            kwargs.pop(key, None)
        scores = kwargs.get("return_attention_scores") is True
        if not args and not kwargs:
            raise _Skip(f"{layer.class_name} '{layer.name}' is called without inputs")
        # Flags of the call (return_attention_scores, use_causal_mask) are options, not tensors.
        if not _tensors_only([args, {k: v for k, v in kwargs.items() if not isinstance(v, bool)}]):
            raise _Skip(
                f"{layer.class_name} '{layer.name}' is called on something that is not a Keras tensor"
            )
        node = {"args": _encode(args), "kwargs": _encode(kwargs)}
        layer.inbound.append(node)
        self.applied.setdefault(layer.name, None)
        index = layer.calls
        layer.calls += 1
        outs = 2 if scores else _output_count(layer)
        if outs == 1:
            return Tensor(layer.name, index, 0)
        return tuple(Tensor(layer.name, index, i) for i in range(outs))

    def _sequential(self, call: ast.Call, args: list[Any], kwargs: dict[str, Any]) -> SequentialObj:
        items = args[0] if args else kwargs.get("layers", [])
        model = SequentialObj(kwargs.get("name"), [], call.lineno)
        if not isinstance(items, list):
            self.report(call, "Sequential's layers are not a literal list; start from an empty model")
            items = []
        for item in items:
            self._seq_add(model, item, call)
        self.models.append(model)
        return model

    def _seq_add(self, model: SequentialObj, item: Any, node: ast.AST) -> None:
        if (
            isinstance(item, Tensor)
            and self.layers.get(item.layer, LayerObj("", {}, 0)).class_name == "InputLayer"
        ):
            config = self.layers.pop(item.layer).config
            self.taken.discard(item.layer)
            self.applied.pop(item.layer, None)
            model.input_name = item.layer if item.layer in self.named_inputs else None
            model.input_shape = (
                (config.get("batch_shape") or [None])[1:] if config.get("batch_shape") else None
            )
            model.input_dtype = config.get("dtype")
            return
        if isinstance(item, LayerObj):
            if item.class_name == "InputLayer":
                shape = item.config.get("shape", item.config.get("input_shape"))
                model.input_shape = list(shape) if isinstance(shape, (list, tuple)) else None
                self.layers.pop(item.name, None)
                return
            shape = item.config.pop("input_shape", None)
            # Keras 2's Dense(input_dim=8) sizes the model's input; Embedding's input_dim is its own.
            if shape is None and "input_dim" in item.config and item.class_name != "Embedding":
                shape = [item.config.pop("input_dim")]
            if shape is not None and not model.layers and model.input_shape is None:
                model.input_shape = list(shape) if isinstance(shape, (list, tuple)) else [shape]
            if not item.name:
                self._name_layer(item)
            model.layers.append(item)
            return
        self.report(node, "only Keras layers can be added to a Sequential model; skipped")

    def _functional(self, call: ast.Call, args: list[Any], kwargs: dict[str, Any]) -> FunctionalObj:
        inputs = kwargs.get("inputs", args[0] if args else None)
        outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
        kept_in, kept_out = _known_tensors(inputs), _known_tensors(outputs)
        if not kept_in or not kept_out:
            raise _Skip("keras.Model(inputs, outputs) needs the Keras tensors the script made")
        if len(kept_in) < len(_as_list(inputs)) or len(kept_out) < len(_as_list(outputs)):
            self.report(call, "some of the model's inputs or outputs come from lines that were skipped")
        model = FunctionalObj(kwargs.get("name"), kept_in, kept_out, call.lineno)
        self.models.append(model)
        return model

    def _model_method(self, model: Any, method: str, call: ast.Call, env: dict[str, Any]) -> Any:
        if method not in ("add", "compile", "fit", "build"):
            return _UNKNOWN  # summary, evaluate, save, predict: they do not change the model
        args, kwargs = self._args(call, env)
        if method == "add" and isinstance(model, SequentialObj):
            for a in args:
                self._seq_add(model, a, call)
        elif method == "compile":
            names = ("optimizer", "loss", "loss_weights", "metrics")
            model.compile = {**dict(zip(names, args, strict=False)), **kwargs}
        elif method == "fit":
            model.fit = kwargs
        elif method in ("build",) and isinstance(model, SequentialObj) and args:
            shape = args[0]
            if isinstance(shape, (list, tuple)):
                model.input_shape = list(shape)[1:]
        return _UNKNOWN

    # ------------------------------------------------------------ the result

    def result(self) -> ParsedScript:
        if not self.models:
            self.problems.append(
                Problem(0, "no Keras model (Sequential or keras.Model) is built in this script")
            )
            return ParsedScript(None, None, {}, self.problems)
        chosen = next((m for m in reversed(self.models) if m.compile is not None), self.models[-1])
        config = (
            _sequential_config(chosen)
            if isinstance(chosen, SequentialObj)
            else self._functional_config(chosen)
        )
        compile_config = _compile_config(chosen.compile, self.problems, chosen.line)
        written = self.globals.get("TRAINING")
        training = _training(chosen.fit or {}, written, self.problems, self.notes, chosen.line)
        data = self.globals.get("DATA")
        return ParsedScript(
            config,
            compile_config,
            training,
            sorted(self.problems, key=lambda p: p.line),
            data=data if isinstance(data, dict) and _is_literal(data) else None,
            call_names=self.call_names,
            sources={n: layer.source for n, layer in self.layers.items() if layer.source is not None},
            notes=self.notes,
        )

    def _functional_config(self, model: FunctionalObj) -> dict[str, Any]:
        used = _reachable_layers(model.outputs, self.layers)
        layers = []
        for name in self.applied:
            layer = self.layers.get(name)
            if name not in used or layer is None:
                continue
            layers.append(
                {
                    "class_name": layer.class_name,
                    "name": name,
                    "config": _layer_config(layer),
                    "inbound_nodes": layer.inbound,
                }
            )
        return {
            "class_name": "Functional",
            "config": {
                "name": model.name or "model",
                "layers": layers,
                "input_layers": _history(model.inputs),
                "output_layers": _history(model.outputs),
            },
        }


class _Skip(Exception):
    """A statement the reader does not understand; reported by line and skipped."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- helpers


def _is_range(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range"


def _range(node: ast.Call, reader: _Reader, env: dict[str, Any]) -> Any:
    args = [reader.value(a, env) for a in node.args]
    if not args or len(args) > 3 or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return _UNKNOWN
    r = range(*args)
    return list(r) if len(r) <= MAX_UNROLL else _UNKNOWN




def _has_unknown(v: Any) -> bool:
    if v is _UNKNOWN:
        return True
    if isinstance(v, (list, tuple)):
        return any(_has_unknown(x) for x in v)
    if isinstance(v, dict):
        return any(_has_unknown(x) for x in v.values())
    if isinstance(v, KerasObj):
        return _has_unknown(v.config)
    return isinstance(v, (LayerObj, Tensor, SequentialObj, FunctionalObj, KerasName, LocalFunction))


def _is_literal(v: Any) -> bool:
    """A plain value whose truth and equality Python would agree on."""
    if isinstance(v, (list, tuple)):
        return all(_is_literal(x) for x in v)
    if isinstance(v, dict):
        return all(_is_literal(k) and _is_literal(x) for k, x in v.items())
    return v is None or isinstance(v, (bool, int, float, str, bytes))


def _builder_path(path: tuple[str, ...]) -> bool:
    """Whether calling ``keras.<path>`` makes part of a model (a layer, a model, a compile setting,
    an operation on tensors), as opposed to keras.utils, keras.backend or keras.distribution."""
    modules = (*_LAYER_MODULES, "models", _OPTIMIZER_MODULE, "ops", *_OBJECT_MODULES)
    return bool(path) and (path[-1] in _MODEL_NAMES or path[0] in modules or path[0] in LAYERS)


def _keras_object(path: tuple[str, ...], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``keras.optimizers.Adam(0.01)``, a loss, a metric, a schedule, a callback: its config;
    anything else of Keras (keras.utils, keras.backend) is not part of the model."""
    dotted = ".".join(("keras", *path))
    if len(path) == 2 and path[0] == _OPTIMIZER_MODULE:
        names: tuple[str, ...] = ("learning_rate",)
    elif len(path) >= 2 and (path[0] in _OBJECT_MODULES or path[:2] == ("optimizers", "schedules")):
        names = _OBJECT_ARGS.get(path[-1], ())
    elif not _has_tensor([args, kwargs]):
        return _UNKNOWN
    else:
        raise _Skip(f"`{dotted}(...)` on a tensor is not read; only layers and models are")
    if len(args) > len(names):
        raise _Skip(f"`{dotted}(...)`: write its arguments after the first {len(names)} as keywords")
    return KerasObj(path[:-1], path[-1], {**dict(zip(names, args, strict=False)), **kwargs})


def _has_tensor(v: Any) -> bool:
    if isinstance(v, Tensor):
        return True
    if isinstance(v, (list, tuple)):
        return any(_has_tensor(x) for x in v)
    if isinstance(v, dict):
        return any(_has_tensor(x) for x in v.values())
    return False


def _operands(node: ast.Compare | ast.BoolOp) -> list[ast.expr]:
    return [node.left, *node.comparators] if isinstance(node, ast.Compare) else list(node.values)


_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b if a is None or b is None else a == b,
    ast.IsNot: lambda a, b: a is not b if a is None or b is None else a != b,
}


def _compare(node: ast.Compare | ast.BoolOp, values: list[Any]) -> Any:
    """``a == b``, ``a and b`` over literal values; unknown when any operand is not literal."""
    if not all(_is_literal(v) for v in values):
        return _UNKNOWN
    try:
        if isinstance(node, ast.BoolOp):
            result = values[0]
            for v in values[1:]:
                if bool(result) != isinstance(node.op, ast.And):
                    break
                result = v
            return result
        pairs = zip(values, values[1:], strict=False)
        return all(_COMPARE[type(op)](a, b) for op, (a, b) in zip(node.ops, pairs, strict=True))
    except (TypeError, KeyError):
        return _UNKNOWN


def _subscript(base: Any, index: Any) -> Any:
    """``d["key"]`` or ``items[0]`` of a literal; unknown otherwise."""
    if isinstance(base, dict) and _is_literal(index) and not isinstance(index, (list, dict)):
        return base.get(index, _UNKNOWN)
    if isinstance(base, (list, tuple)) and isinstance(index, int) and not isinstance(index, bool):
        return base[index] if -len(base) <= index < len(base) else _UNKNOWN
    return _UNKNOWN


def _bind_parameters(
    spec: ast.arguments,
    given: tuple[list[Any], dict[str, Any]] | None,
    scope: dict[str, Any],
    default_of: Callable[[ast.expr], Any],
) -> None:
    """Bind a function's parameters in ``scope`` as Python would (``given`` None: each parameter's
    default, or unknown); a parameter the call leaves without a value is unknown."""
    positional = [*spec.posonlyargs, *spec.args]
    defaults = dict(
        zip([a.arg for a in positional[len(positional) - len(spec.defaults) :]], spec.defaults, strict=True)
    )
    defaults.update(
        {a.arg: d for a, d in zip(spec.kwonlyargs, spec.kw_defaults, strict=True) if d is not None}
    )
    args, kwargs = given if given is not None else ([], {})
    for i, a in enumerate(positional):
        if i < len(args):
            scope[a.arg] = args[i]
        elif a.arg in kwargs and given is not None:
            scope[a.arg] = kwargs[a.arg]
        else:
            scope[a.arg] = default_of(defaults[a.arg]) if a.arg in defaults else _UNKNOWN
    for a in spec.kwonlyargs:
        scope[a.arg] = kwargs.get(a.arg, default_of(defaults[a.arg]) if a.arg in defaults else _UNKNOWN)
    if spec.vararg is not None:
        scope[spec.vararg.arg] = tuple(args[len(positional) :])
    if spec.kwarg is not None:
        names = {a.arg for a in (*positional, *spec.kwonlyargs)}
        scope[spec.kwarg.arg] = {k: v for k, v in kwargs.items() if k not in names}


def _tensors_only(v: Any) -> bool:
    if isinstance(v, Tensor):
        return True
    if isinstance(v, (list, tuple)):
        return all(_tensors_only(x) for x in v)
    if isinstance(v, dict):
        return all(_tensors_only(x) for x in v.values())
    return False


def _as_list(v: Any) -> list[Any]:
    if isinstance(v, dict):
        return list(v.values())
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _known_tensors(v: Any) -> list[Tensor]:
    return [t for t in _as_list(v) if isinstance(t, Tensor)]


def _encode(v: Any) -> Any:
    """Plain JSON values: tuples as lists, tensors as Keras serialises them in ``inbound_nodes``."""
    if isinstance(v, Tensor):
        return {
            "class_name": "__keras_tensor__",
            "config": {"keras_history": [v.layer, v.node_index, v.tensor_index]},
        }
    if isinstance(v, KerasObj):
        return {
            "module": ".".join(("keras", *v.module)),
            "class_name": v.class_name,
            "config": _encode(v.config),
        }
    if isinstance(v, tuple):
        return [_encode(x) for x in v]
    if isinstance(v, list):
        return [_encode(x) for x in v]
    if isinstance(v, dict):
        return {k: _encode(x) for k, x in v.items()}
    return v


def _history(tensors: list[Tensor]) -> list[list[Any]]:
    return [[t.layer, t.node_index, t.tensor_index] for t in tensors]


def _output_count(layer: LayerObj) -> int:
    """How many tensors one call returns (recurrent states, attention scores)."""
    cfg = layer.config
    if layer.class_name in ("LSTM", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D") and cfg.get("return_state"):
        return 3
    if layer.class_name in ("GRU", "SimpleRNN") and cfg.get("return_state"):
        return 2
    if layer.class_name == "Bidirectional" and layer.inner is not None:
        inner = LayerObj(layer.inner["class_name"], layer.inner["config"], layer.line)
        return 1 + 2 * (_output_count(inner) - 1)  # the output, then each direction's states
    return 1


def _reachable_layers(outputs: Any, layers: dict[str, LayerObj]) -> set[str]:
    todo = [t.layer for t in _flat(outputs)]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in layers:
            continue
        seen.add(name)
        for node in layers[name].inbound:
            todo.extend(ref[0] for ref in tensor_refs(node))
    return seen


def _flat(v: Any) -> list[Tensor]:
    if isinstance(v, Tensor):
        return [v]
    if isinstance(v, (list, tuple)):
        return [t for x in v for t in _flat(x)]
    if isinstance(v, dict):
        return [t for x in v.values() for t in _flat(x)]
    return []




def _layer_config(layer: LayerObj) -> dict[str, Any]:
    config = {k: _encode(v) for k, v in layer.config.items()}
    config["name"] = layer.name
    if layer.inner is not None:
        config["layer"] = {"class_name": layer.inner["class_name"], "config": _encode(layer.inner["config"])}
    if layer.class_name == "InputLayer":
        config.setdefault("dtype", "float32")
    return config


def _sequential_config(model: SequentialObj) -> dict[str, Any]:
    layers: list[dict[str, Any]] = []
    if model.input_shape is not None:
        layers.append(
            {
                "class_name": "InputLayer",
                "config": {
                    "batch_shape": [None, *model.input_shape],
                    "dtype": model.input_dtype or "float32",
                    **({"name": model.input_name} if model.input_name else {}),
                },
            }
        )
    layers += [{"class_name": layer.class_name, "config": _layer_config(layer)} for layer in model.layers]
    return {"class_name": "Sequential", "config": {"name": model.name or "sequential", "layers": layers}}


def _compile_config(
    given: dict[str, Any] | None, problems: list[Problem], line: int
) -> dict[str, Any] | None:
    if given is None:
        return None
    out: dict[str, Any] = {}
    for key, value in given.items():
        if value is _UNKNOWN or _has_unknown(value):
            problems.append(Problem(line, f"compile's `{key}` is not a literal value; left at its default"))
            continue
        out[key] = _encode(value)
    return out


# The training settings a script's TRAINING literal may hold (engine.schema.settings.TrainingSettings).
TRAINING_KEYS = (
    "epochs",
    "batch_size",
    "validation_split",
    "distribution",
    "class_weight",
    "reduce_lr_on_plateau",
)
_REDUCE_LR_KEYS = ("monitor", "factor", "patience", "min_delta", "cooldown", "min_lr")


def _training(
    fit: dict[str, Any], written: Any, problems: list[Problem], notes: list[str], line: int
) -> dict[str, Any]:
    """The training settings: the script's ``TRAINING`` literal, then what ``fit`` gives literally."""
    out = {k: v for k, v in written.items() if k in TRAINING_KEYS} if isinstance(written, dict) else {}
    for k in ("epochs", "batch_size", "validation_split"):
        if isinstance(fit.get(k), (int, float)) and not isinstance(fit.get(k), bool):
            out[k] = fit[k]
    weights = fit.get("class_weight", out.get("class_weight"))
    if isinstance(weights, dict) and _is_literal(weights):  # JSON keys, as the design file holds them
        out["class_weight"] = {str(k): v for k, v in weights.items()}
    callbacks = fit.get("callbacks")
    for cb in callbacks if isinstance(callbacks, (list, tuple)) else []:
        if isinstance(cb, KerasObj) and cb.class_name == "ReduceLROnPlateau" and not _has_unknown(cb):
            odd = [k for k, v in cb.config.items() if k not in (*_REDUCE_LR_KEYS, "verbose", "mode")]
            odd += ["mode"] if cb.config.get("mode", "auto") not in ("auto", "min") else []
            if odd:
                problems.append(
                    Problem(line, f"ReduceLROnPlateau's `{odd[0]}` is not carried over; left out")
                )
            out["reduce_lr_on_plateau"] = {k: v for k, v in cb.config.items() if k in _REDUCE_LR_KEYS}
        elif isinstance(cb, KerasObj):
            notes.append(f"the callback {cb.class_name} is not part of a design; left out")
    return out
