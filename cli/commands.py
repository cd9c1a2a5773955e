"""The command line: the same engine as the window, without one.

``check`` validates design files, ``export`` writes the Keras script,
``train`` fits the design on its data.  Exit codes: 0 all good, 1 a design
or data problem, 2 a file cannot be read.  No input file, however malformed,
produces a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from engine.atomic import write_text_atomic
from engine.design.file_format import DesignFileError, load
from engine.design.validation import Report, validate
from engine.keras.codegen import generate
from engine.spec.layer_rules import fmt_shape

OK, DESIGN_ERRORS, UNREADABLE = 0, 1, 2


def _load(path: str) -> tuple:
    """The design, or None and the reasons it cannot be read."""
    try:
        return load(path), None
    except DesignFileError as exc:
        return None, exc.problems
    except Exception as exc:  # noqa: BLE001 - a hostile file must never crash the CLI
        return None, [f"unexpected problem reading the file: {exc!r}"]


def _json_line(path: str, report: Report | None, file_problems: list[str] | None) -> str:
    if report is None:
        return json.dumps(
            {
                "file": path,
                "valid": False,
                "readable": False,
                "errors": file_problems,
                "warnings": [],
                "total_params": None,
                "nodes": {},
            }
        )
    return json.dumps(
        {
            "file": path,
            "valid": report.valid,
            "readable": True,
            "errors": [p.to_dict() for p in report.errors],
            "warnings": [p.to_dict() for p in report.warnings],
            "total_params": report.total_params,
            "trainable_params": report.trainable_params,
            "nodes": {
                nid: {
                    "output_shape": list(info.output_shape) if info.output_shape else None,
                    "params": info.params,
                    "errors": info.errors,
                    "warnings": info.warnings,
                }
                for nid, info in report.nodes.items()
            },
        }
    )


def _table(design, report: Report, out: TextIO) -> None:
    rows = [("node", "type", "output shape", "params")]
    for nid, node in design.nodes.items():
        info = report.nodes[nid]
        shape = fmt_shape(info.output_shape) if info.output_shape else "-"
        mark = " !" if info.errors else ""
        rows.append((nid + mark, node.type, shape, f"{info.params:,}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        out.write(f"  {r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]:>{widths[3]}}\n")
    out.write(f"  total params: {report.total_params:,} (trainable {report.trainable_params:,})\n")


def cmd_check(paths: Sequence[str], as_json: bool, out: TextIO, err: TextIO) -> int:
    status = OK
    for path in paths:
        design, file_problems = _load(path)
        if design is None:
            status = UNREADABLE
            if as_json:
                out.write(_json_line(path, None, file_problems) + "\n")
            else:
                out.write(f"{path}: cannot be read\n" + "".join(f"  error: {p}\n" for p in file_problems))
            continue
        report = validate(design)
        if not report.valid:
            status = max(status, DESIGN_ERRORS)
        if as_json:
            out.write(_json_line(path, report, None) + "\n")
            continue
        verdict = "valid" if report.valid else f"{len(report.errors)} error(s)"
        out.write(f"{path}: {verdict}\n")
        _table(design, report, out)
        for p in report.errors:
            out.write(f"  error: {p.message}\n")
        for p in report.warnings:
            out.write(f"  warning: {p.message}\n")
    return status


def cmd_export(path: str, output: str | None, out: TextIO, err: TextIO) -> int:
    design, file_problems = _load(path)
    if design is None:
        err.write(f"{path}: cannot be read\n" + "".join(f"  error: {p}\n" for p in file_problems))
        return UNREADABLE
    report = validate(design)
    if not report.valid:
        err.write(f"{path}: the design has errors, so it cannot be exported\n")
        err.write("".join(f"  error: {p.message}\n" for p in report.errors))
        return DESIGN_ERRORS
    source = generate(design)
    if output is None:
        out.write(source)
        return OK
    try:
        write_text_atomic(output, source)
    except OSError as exc:
        err.write(f"{output}: cannot write the script: {exc.strerror or exc}\n")
        return UNREADABLE
    err.write(f"wrote {output}\n")
    return OK


def _progress_bar(err: TextIO):
    """A one-line terminal progress bar, redrawn in place."""
    from engine.training.fit import Listener

    state = {"epochs": 1}

    def begin(info):
        state["epochs"] = info["epochs"]

    def batch(info):
        done = (info["batch"] + 1) / info["steps"]
        bar = "#" * int(done * 24)
        err.write(f"\repoch {info['epoch'] + 1}/{state['epochs']} [{bar:<24}] loss {info['mean_loss']:.4f}  ")
        err.flush()

    def epoch(info):
        logs = "  ".join(f"{k} {v:.4f}" for k, v in info["logs"].items())
        err.write(f"\repoch {info['epoch'] + 1}/{state['epochs']}  {logs}  ({info['elapsed']:.1f}s)\n")

    return Listener(on_begin=begin, on_batch=batch, on_epoch=epoch)


def _inspector(prepared):
    """Per-layer gradients, weights, activations and diagnoses, for ``--inspect``."""
    from engine.training.inspect import inspector

    return inspector(prepared)


def cmd_train(
    path: str,
    epochs: int | None,
    history_path: str | None,
    save_path: str | None,
    out: TextIO,
    err: TextIO,
    inspect_path: str | None = None,
) -> int:
    design, file_problems = _load(path)
    if design is None:
        err.write(f"{path}: cannot be read\n" + "".join(f"  error: {p}\n" for p in file_problems))
        return UNREADABLE
    from engine.data import prepare as datamod

    try:
        dataset = datamod.load(design.data, Path(path).resolve().parent)
        problems = datamod.check_fit(design, dataset)
        if not problems:
            prepared = datamod.prepare(design, dataset)
    except datamod.DataError as exc:
        problems = [str(exc)]
    if problems:
        err.write(f"{path}: cannot train\n" + "".join(f"  error: {p}\n" for p in problems))
        return DESIGN_ERRORS
    from engine.training.fit import DIVERGED, evaluate, save_model, train

    err.write(
        f"training '{design.name}' on {dataset.name}: {len(prepared.x)} samples"
        f" (validation {prepared.validation_split:.0%}), test {len(prepared.x_test)}\n"
    )
    inspecting = _inspector(prepared) if inspect_path else None
    result = train(
        design,
        prepared,
        epochs=epochs,
        listener=_progress_bar(err),
        extra_callbacks=[inspecting] if inspecting else [],
    )
    err.write(result.message + "\n")
    if inspecting is not None:
        inspection = inspecting.report()
        write_text_atomic(inspect_path, json.dumps(inspection, indent=1) + "\n")
        err.writelines(f"diagnosis: {d['message']}\n" for d in inspection["diagnoses"])
    if history_path:
        write_text_atomic(history_path, json.dumps(result.history, indent=1) + "\n")
    report = evaluate(result.model, prepared, dataset, design)
    scores = "  ".join(f"{k} {v:.4f}" for k, v in report["metrics"].items())
    out.write(f"{report['evaluated_on']} set: {scores}\n")
    if save_path:
        err.write(f"saved {save_model(result.model, save_path)}\n")
    return DESIGN_ERRORS if result.stop_reason == DIVERGED else OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python main.py",
        description="Netwright: design, check, export and train Keras models. "
        "Without a command, opens the window.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate design files and show shapes and parameter counts")
    check.add_argument("files", nargs="+", metavar="DESIGN.json")
    check.add_argument("--json", action="store_true", help="one JSON object per file per line")
    export = sub.add_parser("export", help="write the design as a standalone Keras script")
    export.add_argument("file", metavar="DESIGN.json")
    export.add_argument(
        "-o", "--output", metavar="model.py", help="where to write (default: standard output)"
    )
    train = sub.add_parser("train", help="train the design on its dataset, with a progress bar")
    train.add_argument("file", metavar="DESIGN.json")
    train.add_argument("--epochs", type=int, help="override the design's epochs")
    train.add_argument("--history", metavar="history.json", help="write Keras's History dict as JSON")
    train.add_argument("--save", metavar="model.keras", help="save the trained model")
    train.add_argument(
        "--inspect",
        metavar="REPORT.json",
        help="write per-layer gradient/weight/activation statistics (one value per epoch) and diagnoses",
    )
    return p


COMMANDS = ("check", "export", "train")


def run(argv: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = parser().parse_args(argv)
    if args.command == "check":
        return cmd_check(args.files, args.json, out, err)
    if args.command == "train":
        if args.epochs is not None and args.epochs < 1:
            err.write("--epochs must be at least 1\n")
            return DESIGN_ERRORS
        return cmd_train(args.file, args.epochs, args.history, args.save, out, err, args.inspect)
    return cmd_export(args.file, args.output, out, err)
