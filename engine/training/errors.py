"""Keras and TensorFlow failures as sentences that name the layer, with the detail kept in a log.

A failure deep in ``fit`` arrives as a long exception text (file paths, a
graph trace, tensor names).  ``explain(exc, design)`` turns the kinds people
meet into one plain sentence that names the layer concerned and what to
change (a custom layer's names the node and the line of its code that raised), writes the full
traceback to the log (engine/log_file.py), and says where that is.
The window shows the sentence (the detail behind a "Details" toggle); the
command line prints it.  Nothing here imports TensorFlow: exceptions are
recognised by their class name and message.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from pathlib import Path

from engine.design.graph import Design
from engine.design.validation import validate
from engine.keras.custom_layers import CodeFrame, code_error, code_frames
from engine.log_file import write_log
from engine.schema.custom import class_of, code_nodes
from engine.schema.layer_rules import fmt_shape


@dataclass
class Explained:
    message: str  # for a person: what failed, where, what to try
    details: str  # the exception and its traceback, for a bug report
    log_path: Path | None = None  # where ``details`` was written, if it could be

    @property
    def text(self) -> str:
        """The message and where the technical details are (what the CLI prints)."""
        if self.log_path is None:
            return self.message
        return f"{self.message}\n(Technical details: {self.log_path})"


def _shape_text(text: str) -> tuple[int | None, ...] | None:
    """'(None, 6, 6, 10)' -> (None, 6, 6, 10)."""
    try:
        return tuple(
            None if p.strip() == "None" else int(p) for p in text.strip("()").split(",") if p.strip()
        )
    except ValueError:
        return None


def _layer_named(design: Design | None, text: str) -> str | None:
    """The design's node named in an error text ('layer "dense_1"', "layer 'x'", ...)."""
    if design is None:
        return None
    for match in re.finditer(r"""layer\s*["'`]([^"'`]+)["'`]""", text):
        if match.group(1) in design.nodes:
            return match.group(1)
    return None


def _output_with_shape(design: Design | None, shape: tuple | None) -> str | None:
    if design is None:
        return None
    report = validate(design)
    outputs = design.output_ids()
    for nid in outputs:
        if shape is not None and report.nodes.get(nid) and report.nodes[nid].output_shape == shape:
            return nid
    return outputs[0] if len(outputs) == 1 else None


def _custom_code(exc: BaseException, design: Design | None) -> str | None:
    """The sentence for an ``exc`` that came from a custom node's code (its call() while training,
    evaluating or predicting): "Custom layer 'sampling' (Sampling): line 7 of its code raises …"."""
    frames = code_frames(exc)
    if not frames:
        return None
    last = frames[-1]  # the innermost line of the user's code
    nodes = _code_nodes(design, last)
    who = " or ".join(f"'{n}'" for n in nodes) + f" ({last.class_name})" if nodes else last.class_name
    return f"Custom layer {who}: {code_error(exc, last.class_name)}"


def _code_nodes(design: Design | None, frame: CodeFrame) -> list[str]:
    """The node whose code ``frame`` ran: the layer named there (a graph node's path holds it, as
    ``model_1/sampling_1/Exp``), else the nodes of that class (a Lambda's own frame has no layer)."""
    if design is None:
        return []
    nodes = [n for n in code_nodes(design.nodes) if class_of(design.nodes[n].params) == frame.class_name]
    parts = frame.layer.split("/")
    for named in (parts, [re.sub(r"_\d+$", "", p) for p in parts]):  # TensorFlow's scopes add _1
        found = [n for n in nodes if n in named]
        if found:
            return found[:1]
    return nodes


def _sentence(exc: BaseException, design: Design | None) -> str:
    custom = _custom_code(exc, design)
    if custom:
        return custom
    text = str(exc)
    name = type(exc).__name__
    who = _layer_named(design, text)
    if "must have rank" in text or "must have the same rank" in text or "must have the same shape" in text:
        shapes = re.findall(r"(?:target|output)\.shape=(\([^)]*\))", text)
        target = shapes[0] if shapes else "?"
        output = _shape_text(shapes[1]) if len(shapes) > 1 else None
        out = _output_with_shape(design, output) or who or "the output layer"
        got = fmt_shape(output) if output else "a different shape"
        return (
            f"The loss cannot compare the labels with the output of '{out}': the labels have shape "
            f"{target} but '{out}' outputs {got}. Make the output one row per sample (add Flatten or "
            "global pooling before it) or pick a loss that matches the labels."
        )
    found = re.search(r"label value of (-?\d+) which is outside the valid range of \[0, (\d+)\)", text)
    if found:
        out = _output_with_shape(design, None) or "the output layer"
        return (
            f"A label is {found.group(1)} but the output '{out}' has only {found.group(2)} units "
            f"(classes 0 to {int(found.group(2)) - 1}): give it one unit per class."
        )
    if name in ("ResourceExhaustedError", "MemoryError") or "out of memory" in text.lower() or "OOM" in text:
        return (
            "Training ran out of memory"
            + (f" in layer '{who}'" if who else "")
            + ": lower the batch size, or make the largest layers smaller."
        )
    if "Incompatible shapes" in text or "incompatible with the layer" in text:
        where = f"Layer '{who}'" if who else "A layer"
        first = _first_line(text)
        return (
            f"{where} received data of an unexpected shape during training ({first}). "
            "Check the Input's shape against the data."
        )
    first = _first_line(text)
    where = f" in layer '{who}'" if who else ""
    return f"Training failed{where}: {first}" if first else f"Training failed{where} ({name})."


def _first_line(text: str) -> str:
    """The first meaningful line of an exception text, without file paths or graph traces."""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("File ", "Traceback", "Node:", "Detected at node")):
            continue
        line = re.sub(r"(/[\w.\-]+)+\.py", "…", line)
        return line[:300] + ("…" if len(line) > 300 else "")
    return ""


def explain(exc: BaseException, design: Design | None = None, log: bool = True) -> Explained:
    """A sentence for ``exc`` (raised while building, training or evaluating ``design``)."""
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        message = _sentence(exc, design)
    except Exception:  # noqa: BLE001 - explaining must never fail in turn
        message = f"Training failed ({type(exc).__name__})."
    return Explained(message, details, write_log(details) if log else None)
