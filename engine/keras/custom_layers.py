"""Running a design's own code, once its user trusts it: custom layers built from source.

A custom node (:mod:`engine.schema.custom`) holds Python source.  Here, and only
here, that source is executed: in a fresh namespace that sees ``keras``,
``layers``, ``ops`` and ``np`` (what a Keras script's layer class uses), never
the app's own modules.  Every entry point refuses a design that is not trusted
(:mod:`engine.trust`), so nothing read from a file runs unless its user says so.

Shapes are computed in a child process with a time limit
(:func:`resolve_code`): a loop in the user's code cannot hang the window or the
command line, and a crash in it cannot take them down.  Exceptions become
sentences that name the line of the node's source.  Building the model for
training runs the code in the calling thread (the training worker's, off the
GUI thread), as Keras does for any layer.
"""

from __future__ import annotations

import multiprocessing
import re
import time
import traceback
from dataclasses import dataclass
from typing import Any

from engine.design.file_format import from_dict, to_dict
from engine.design.graph import Design
from engine.design.validation import Report, validate
from engine.keras.generic import compute, layer_answer
from engine.schema.custom import LAMBDA, CodeRequest, code_nodes, init_parameters
from engine.schema.generic import KerasShape, Request
from engine.trust import is_trusted

TIME_LIMIT = 20.0  # seconds the child may spend running the design's code (Keras imported)
START_LIMIT = 300.0  # seconds it may take to start and import Keras on a loaded machine
_CLASSES: dict[tuple[str, str], Any] = {}  # (class name, source) -> the class its code defines


class UntrustedCode(PermissionError):
    """The design holds code its user has not trusted; the message names the nodes."""

    def __init__(self, design: Design) -> None:
        self.nodes = code_nodes(design.nodes)
        super().__init__(untrusted_message(design))


class CustomCodeError(ValueError):
    """The user's code failed; the message names the line of its source."""


def untrusted_message(design: Design) -> str:
    listed = ", ".join(
        f"'{n}' ({design.nodes[n].params.get('class_name', '?')})" for n in code_nodes(design.nodes)
    )
    return (
        f"the design holds Python code in {listed}; it runs only once you trust it "
        "(the window asks; on the command line add --trust-code)"
    )


def require_trust(design: Design) -> None:
    if not is_trusted(design):
        raise UntrustedCode(design)


# ---------------------------------------------------------------- building from source


def _filename(class_name: str) -> str:
    return f"<code of {class_name}>"


def _namespace(keras: Any) -> dict[str, Any]:
    import numpy as np

    return {
        "__name__": "netwright_custom",
        "keras": keras,
        "layers": keras.layers,
        "ops": keras.ops,
        "np": np,
    }


def layer_class(keras: Any, class_name: str, source: str) -> Any:
    """The ``keras.layers.Layer`` subclass ``source`` defines (executed once per process)."""
    key = (class_name, source)
    if key not in _CLASSES:
        namespace = _namespace(keras)
        try:
            exec(compile(source, _filename(class_name), "exec"), namespace)  # noqa: S102 - trusted code only
        except Exception as exc:  # noqa: BLE001 - the user's code: any failure is reported by line
            raise CustomCodeError(code_error(exc, class_name)) from None
        cls = namespace.get(class_name)
        if not (isinstance(cls, type) and issubclass(cls, keras.layers.Layer)):
            raise CustomCodeError(f"its code does not define {class_name} as a keras.layers.Layer subclass")
        _CLASSES[key] = cls
    return _CLASSES[key]


def make_custom(keras: Any, class_name: str, source: str, config: dict[str, Any], name: str | None) -> Any:
    """The layer a custom node describes.  The caller has checked that the design is trusted."""
    try:
        if class_name == LAMBDA:
            function = eval(compile(source, _filename(LAMBDA), "eval"), _namespace(keras))  # noqa: S307
            return keras.layers.Lambda(function, **({"name": name} if name else {}), **config)
        cls = layer_class(keras, class_name, source)
        _, takes_kwargs = init_parameters(source, class_name)
        named = {"name": name} if name and takes_kwargs and "name" not in config else {}
        return cls(**config, **named)
    except CustomCodeError as exc:
        raise CustomCodeError(f"{class_name} '{name}': {exc}" if name else str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - the user's code: any failure is reported by line
        why = code_error(exc, class_name)
        raise CustomCodeError(f"{class_name} '{name}': {why}" if name else why) from None


def code_error(exc: BaseException, class_name: str) -> str:
    """The user's exception as a sentence that names the line of their code it came from."""
    lines = [f.line for f in code_frames(exc) if f.class_name == class_name]
    if isinstance(exc, SyntaxError) and exc.filename == _filename(class_name):
        lines.append(exc.lineno or 0)
    exc = _raised_in_code(exc)
    text = _what_it_says(exc)
    what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if len(what) > 300:
        what = what[:297] + "..."
    return f"line {lines[-1]} of its code raises {what}" if lines else f"its code raises {what}"


def _raised_in_code(exc: BaseException) -> BaseException:
    """The exception the user's code raised, where Keras raised another while handling it: a
    Lambda whose code fails is reported as "could not infer the shape" (NotImplementedError)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _traceback_frames(current):
            innermost = current.__cause__ or current.__context__
            if innermost is None or not _traceback_frames(innermost):
                return current
        current = current.__cause__ or current.__context__
    return exc


def _what_it_says(exc: BaseException) -> str:
    """The user's own message: without Keras's wrapping (the layer called, its arguments) or
    TensorFlow's (the graph node and the stack where it was defined), at most three lines."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
    if "Error encountered:" in text:  # Keras wraps what the user's call raised; keep that part
        text = text.split("Error encountered:", 1)[1].strip().split("\n\n")[0]
    wrapped = _WRAPPED.search(text)
    if wrapped:  # the layer's __call__ added what it was called with
        text = wrapped.group(1)
    if "Graph execution error" in text:  # TensorFlow's run-time error: its message follows the stack
        after = text.rsplit('File "', 1)[-1]  # the last frame of the stack, then the message
        rest = [line.strip() for line in after.split("\n")[1:] if line.strip()]
        said = [line for line in rest if not line.startswith(("[[", "Detected at node", "Graph execution"))]
        text = said[0] if said else ""
    text = _EAGER_OP.sub("", text)  # an operation run eagerly: "{{function_node …}} … [Op:GatherV2] name: "
    text = _OP_NODE.sub("", text)  # a graph's op: "[[{{node layer/concat}} = ConcatV2[…](…)]]"
    return " ".join(text.strip().split("\n")[:3]).strip()


@dataclass(frozen=True)
class CodeFrame:
    """Where a design's code was running when something failed."""

    class_name: str  # the node's class: its code was compiled as "<code of class_name>"
    line: int  # the line of that code (1 = its first)
    layer: str  # the Keras layer running it (its name, or a graph node's path), '' when unknown


_WRAPPED = re.compile(r"Exception encountered when calling [^\n]*\n\n(.*?)\n\nArguments received", re.S)
_OP_NODE = re.compile(r"\s*\[*\{\{node [^}]*\}\}[^\n]*")
_EAGER_OP = re.compile(r"\{\{function_node [^}]*\}\}\s*|\s*\[Op:[^\]]*\]( name: \S*)?\s*$")
_CODE_NAME = r"<code of ([A-Za-z_][A-Za-z0-9_]*)>"  # what _filename gives, its class name captured
_CODE_FILE = re.compile(rf'File "{_CODE_NAME}", line (\d+)')
_GRAPH_NODE = re.compile(r"Detected at node '?([^\s']+)'? defined at")


def code_frames(exc: BaseException) -> list[CodeFrame]:
    """The frames of a design's code that ``exc`` came through, outermost first.

    A Python exception keeps them in its traceback, each with the layer its ``self`` is: Keras
    filters its own frames but keeps the user's, and autograph, which cannot read the source of
    code compiled here, runs it as written (no generated files).  A failure inside a TensorFlow
    graph (``fit`` runs one) has no such frames: TensorFlow writes the stack where the failing
    operation was defined into the message (``File "<code of Sampling>", line 7``) and the graph
    node's path names the layer.  The first exception of its chain (``__cause__``,
    ``__context__``) that has any answers.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = _traceback_frames(current) or _text_frames(current)
        if frames:
            return frames
        current = current.__cause__ or current.__context__
    return []


def _traceback_frames(exc: BaseException) -> list[CodeFrame]:
    frames = []
    for frame, line in traceback.walk_tb(exc.__traceback__):
        found = re.fullmatch(_CODE_NAME, frame.f_code.co_filename)
        if found:
            try:
                layer = getattr(frame.f_locals.get("self"), "name", "")
            except Exception:  # noqa: BLE001 - the user's object: its own property may raise
                layer = ""
            frames.append(CodeFrame(found.group(1), line, layer if isinstance(layer, str) else ""))
    return frames


def _text_frames(exc: BaseException) -> list[CodeFrame]:
    text = str(exc)
    node = _GRAPH_NODE.search(text)
    where = node.group(1) if node else ""
    return [CodeFrame(m.group(1), int(m.group(2)), where) for m in _CODE_FILE.finditer(text)]


def compute_code(request: CodeRequest) -> KerasShape:
    """What the custom layer makes of inputs of these shapes (in this process: the child's)."""
    import json

    import keras

    try:
        layer = make_custom(keras, request.class_name, request.source, json.loads(request.config), None)
        inputs = [keras.Input(batch_shape=shape) for shape in request.inputs]
        result = layer(inputs if len(inputs) > 1 else inputs[0])  # several inputs: as one list
    except CustomCodeError as exc:
        return KerasShape(error=str(exc))
    except Exception as exc:  # noqa: BLE001 - the user's code: any failure is reported by line
        return KerasShape(error=code_error(exc, request.class_name))
    return layer_answer(layer, result, "a custom layer")


# ---------------------------------------------------------------- shapes in a child process


def _answer(request: Request) -> KerasShape:
    return compute_code(request) if isinstance(request, CodeRequest) else compute(request)


def _child(conn: Any, design_dict: dict[str, Any]) -> None:
    """The child: import Keras, then answer every request validation makes, round by round."""
    import keras  # noqa: F401 - imported before "ready", so the time limit counts the code alone

    conn.send(("ready",))
    design = from_dict(design_dict)
    for _ in range(len(design.nodes) + 1):
        report = validate(design)
        todo = [r for r in [*report.requests, *report.code_requests] if r not in design.keras_answers]
        if not todo:
            break
        for request in todo:
            conn.send(("start", request))
            answer = _answer(request)
            design.keras_answers[request] = answer
            conn.send(("answer", request, answer))
    conn.send(("done",))
    conn.close()


def shapes_in_child(design: Design, limit: float = TIME_LIMIT) -> list[tuple[Request, KerasShape]]:
    """Every shape Keras computes for the design, its code run in a child process that is
    stopped after ``limit`` seconds.  The code being run then is answered with why."""
    require_trust(design)
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, to_dict(design)), daemon=True)
    process.start()
    child.close()
    answers: list[tuple[Request, KerasShape]] = []
    running: Request | None = None
    deadline = time.monotonic() + START_LIMIT
    why = ""
    try:
        while True:
            wait = deadline - time.monotonic()
            if wait <= 0 or not parent.poll(wait):
                why = f"did not finish within {limit:g} s (does its code loop forever?)"
                break
            try:
                message = parent.recv()
            except (EOFError, OSError):
                why = f"stopped the process running it (exit code {process.exitcode})"
                break
            if message[0] == "ready":
                deadline = time.monotonic() + limit
            elif message[0] == "start":
                running = message[1]
            elif message[0] == "answer":
                answers.append((message[1], message[2]))
                running = None
            else:
                break
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()
    if running is not None:
        answers.append((running, KerasShape(error=f"its code {why}")))
    return answers


def resolve_code(design: Design, limit: float = TIME_LIMIT) -> Report:
    """Validate a trusted design with every custom and generic layer's shape computed by Keras.

    Answers already known are not asked again; the rest come from one child process."""
    require_trust(design)
    report = validate(design)
    if any(r not in design.keras_answers for r in [*report.requests, *report.code_requests]):
        design.keras_answers.update(shapes_in_child(design, limit))
        report = validate(design)
    return report
