"""The command line: the same engine as the window, without one.

``check`` validates design files, ``export`` writes the Keras script,
``train`` fits the design on its data, ``render`` draws its diagram.  Exit codes: 0 all good, 1 a design
or data problem, 2 a file cannot be read.  No input file, however malformed,
produces a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from cli.trust_gate import add_flag, gate
from engine.atomic import clean_stale_temps, write_text_atomic
from engine.design.cost import summarize
from engine.design.file_format import DesignFileError, load
from engine.design.report import Report, pending_text
from engine.design.validation import validate
from engine.keras.codegen import CodegenError, generate
from engine.keras.generic import resolve
from engine.keras.job_files import JOB_HELP, JOBS, JobFileError, JobResources, job_file
from engine.schema.compile_catalog import metric_text
from engine.schema.generic import shown_type
from engine.schema.layer_rules import fmt_shape

OK, DESIGN_ERRORS, UNREADABLE = 0, 1, 2


def _load(path: str) -> tuple:
    """The design, or None and the reasons it cannot be read."""
    try:
        return load(path), None
    except DesignFileError as exc:
        return None, exc.problems
    except Exception as exc:  # noqa: BLE001 - a hostile file must never crash the CLI
        return None, [f"unexpected problem reading the file: {exc!r}"]


def _read(path: str, err: TextIO) -> Any:
    """The design, or None once the reasons it cannot be read are written to ``err``."""
    design, file_problems = _load(path)
    if design is None:
        err.write(f"{path}: cannot be read\n" + "".join(f"  error: {p}\n" for p in file_problems))
    return design


def _read_with_output(path: str, json_path: str | None, err: TextIO) -> Any:
    """The design, or None once why it or the --json file cannot be used is written to ``err``."""
    design = _read(path, err)
    if design is None:
        return None
    problem = _unwritable(json_path)
    if problem:
        err.write(f"--json {json_path}: {problem}\n")
        return None
    return design


def _cost_fields(design, report: Report) -> tuple[dict, dict[str, dict]]:
    """File-level and per-node cost figures for ``check --json`` (names in docs/cost.md)."""
    summary = summarize(design, report)
    cost, valid = summary.cost, report.valid
    file_level = {
        "total_flops": cost.total_flops if valid else None,
        "param_bytes": cost.param_bytes,
        "activation_bytes": cost.activation_bytes if valid else None,
        "training_memory": summary.memory.to_dict() if summary.memory is not None and valid else None,
        "largest_batch": summary.largest_batch if valid else None,
    }
    per_node = {
        nid: (
            {"flops": c.flops, "param_bytes": c.param_bytes, "activation_bytes": c.activation_bytes}
            if (c := cost.nodes.get(nid))
            else {"flops": None, "param_bytes": None, "activation_bytes": None}
        )
        for nid in report.nodes
    }
    return file_level, per_node


def _json_line(design, path: str, report: Report | None, file_problems: list[str] | None) -> str:
    if report is None:
        return json.dumps(
            {
                "file": path,
                "valid": False,
                "readable": False,
                "errors": file_problems,
                "warnings": [],
                "total_params": None,
                "total_flops": None,
                "nodes": {},
            }
        )
    costs, node_costs = _cost_fields(design, report)
    return json.dumps(
        {
            "file": path,
            "valid": report.valid,
            "readable": True,
            "errors": [p.to_dict() for p in report.errors],
            "warnings": [p.to_dict() for p in report.warnings],
            "total_params": report.total_params,
            "trainable_params": report.trainable_params,
            **costs,
            "nodes": {
                nid: {
                    "output_shape": list(info.output_shape) if info.output_shape else None,
                    "params": info.params,
                    **node_costs[nid],
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
        shape = fmt_shape(info.output_shape) if info.output_shape else pending_text(info) or "-"
        mark = " !" if info.errors else ""
        rows.append((nid + mark, shown_type(node.type, node.params), shape, f"{info.params:,}"))
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
                out.write(_json_line(None, path, None, file_problems) + "\n")
            else:
                out.write(f"{path}: cannot be read\n" + "".join(f"  error: {p}\n" for p in file_problems))
            continue
        report = resolve(design)  # generic Keras layers' shapes are built by Keras here
        if not report.valid:
            status = max(status, DESIGN_ERRORS)
        if as_json:
            out.write(_json_line(design, path, report, None) + "\n")
            continue
        verdict = "valid" if report.valid else f"{len(report.errors)} error(s)"
        out.write(f"{path}: {verdict}\n")
        _table(design, report, out)
        for p in report.errors:
            out.write(f"  error: {p.message}\n")
        for p in report.warnings:
            out.write(f"  warning: {p.message}\n")
    return status


def cmd_export(
    path: str,
    output: str | None,
    out: TextIO,
    err: TextIO,
    job: str = "none",
    resources: JobResources | None = None,
) -> int:
    """The script, and with ``job`` a SLURM or Kubernetes job file beside it (docs/distribution.md)."""
    try:
        job_text = job_file(job, output or "model.py", resources or JobResources())
    except JobFileError as exc:
        err.write(f"--job {job}: {exc}\n")
        return DESIGN_ERRORS
    if job_text is not None and output is None:
        err.write("--job needs -o model.py: the job file is written beside the script\n")
        return DESIGN_ERRORS
    design = _read(path, err)
    if design is None:
        return UNREADABLE
    report = resolve(design)
    if not report.valid:
        err.write(f"{path}: the design has errors, so it cannot be exported\n")
        err.write("".join(f"  error: {p.message}\n" for p in report.errors))
        return DESIGN_ERRORS
    try:
        source = generate(design)
    except (
        CodegenError
    ) as exc:  # a value that cannot be written as a literal, or a script that would not compile
        err.write(f"{path}: cannot be exported: {exc}\n")
        return DESIGN_ERRORS
    if output is None:
        out.write(source)
        return OK
    try:
        write_text_atomic(output, source)
    except OSError as exc:
        err.write(f"{output}: cannot write the script: {exc.strerror or exc}\n")
        return UNREADABLE
    err.write(f"wrote {output}\n")
    if job_text is not None:
        where, text = job_text
        try:
            write_text_atomic(where, text)
        except OSError as exc:
            err.write(f"{where}: cannot write the job file: {exc.strerror or exc}\n")
            return UNREADABLE
        err.write(f"wrote {where}\n")
    return OK


def cmd_render(path: str, output: str, err: TextIO) -> int:
    """The design's diagram as SVG or PNG (by the output's suffix); errors show as red cards."""
    design = _read(path, err)
    if design is None:
        return UNREADABLE
    from engine.design.diagram import render

    try:
        err.write(f"wrote {render(design, output)}\n")
    except ValueError as exc:
        err.write(f"{exc}\n")
        return DESIGN_ERRORS
    except OSError as exc:
        err.write(f"{output}: cannot write the diagram: {exc.strerror or exc}\n")
        return UNREADABLE
    return OK


def _progress_bar(err: TextIO):
    """A one-line terminal progress bar, redrawn in place, from the run's typed events."""
    from engine.training import events

    state = {"epochs": 1}

    def show(event: object) -> None:
        if isinstance(event, events.Begin):
            state["epochs"] = event.epochs
            err.write(
                f"on {event.device}, {event.replicas} replica(s), "
                f"{event.steps_per_execution} batch(es) per compiled call\n"
            )
        elif isinstance(event, events.Batch):
            bar = "#" * int((event.batch + 1) / event.steps * 24)
            err.write(f"\repoch {event.epoch + 1}/{state['epochs']} [{bar:<24}] loss {event.mean_loss:.4f}  ")
            err.flush()
        elif isinstance(event, events.Epoch):
            logs = "  ".join(metric_text(k, v) for k, v in event.logs.items())
            err.write(f"\repoch {event.epoch + 1}/{state['epochs']}  {logs}  ({event.elapsed:.1f}s)\n")

    return show


def cmd_train(
    path: str,
    epochs: int | None,
    history_path: str | None,
    save_path: str | None,
    out: TextIO,
    err: TextIO,
    distribution: str | None = None,
    inspect_path: str | None = None,
) -> int:
    """The engine's one run (engine/training/run.py), reported on the terminal as it goes."""
    design = _read(path, err)
    if design is None:
        return UNREADABLE
    for option, target in (("--history", history_path), ("--save", save_path), ("--inspect", inspect_path)):
        problem = _unwritable(target)
        if problem:
            err.write(f"{option} {target}: {problem}\n")
            return UNREADABLE
        if target:  # what a killed run left beside the file goes now, not only at the next write
            clean_stale_temps(target)
    from engine.training.errors import explain
    from engine.training.fit import CannotTrain
    from engine.training.run import EVALUATING, Hooks, NotReady, Options, run

    said: list[str] = []  # advice already printed, not printed again after the run
    state: dict[str, Any] = {"status": OK}

    def prepared(outcome) -> None:
        state["prepared"] = p = outcome.prepared
        err.write(
            f"training '{design.name}' on {outcome.dataset.name}: {p.rows} samples"
            f" (validation {p.validation_split:.0%}), test {p.test_rows}\n"
        )
        said.extend(outcome.data_advice)
        err.writelines(f"advice: {line}\n" for line in outcome.data_advice)

    def trained(outcome) -> None:  # before evaluation, which may fail on its own
        state["status"] = _write_run_files(outcome, history_path, inspect_path, err)

    def stage(name: str, text: str) -> None:
        if name == EVALUATING:
            p = state["prepared"]
            rows, which = (p.test_rows, "test") if p.test_rows else (p.rows, "training")
            err.write(f"evaluating on the {which} set ({rows:,} samples)…\n")

    try:
        outcome = run(
            design,
            Options(
                base_dir=Path(path).resolve().parent,
                epochs=epochs,
                distribution=distribution,
                inspect=bool(inspect_path),
                save_path=save_path,
            ),
            Hooks(emit=_progress_bar(err), on_stage=stage, on_prepared=prepared, on_trained=trained),
        )
    except NotReady as exc:
        err.write(f"{path}: cannot train\n" + "".join(f"  error: {p}\n" for p in exc.problems))
        return DESIGN_ERRORS
    except CannotTrain as exc:
        err.write(f"{path}: cannot train\n  error: {exc}\n")
        return DESIGN_ERRORS
    except MemoryError:
        err.write(
            f"{path}: not enough memory to build or train the model ({validate(design).total_params:,} "
            "parameters): make its layers smaller or the batch size lower\n"
        )
        return DESIGN_ERRORS
    except Exception as exc:  # noqa: BLE001 - a failure is a sentence, never a traceback
        err.write(f"\n{path}: {explain(exc, design).text}\n")
        return DESIGN_ERRORS
    return _after_training(outcome, said, state["status"], save_path, out, err)


def _write_run_files(outcome, history_path: str | None, inspect_path: str | None, err: TextIO) -> int:
    """The run's message, its history and inspection files, and the diagnoses, as soon as it trained."""
    from engine.training.fit import DIVERGED

    result = outcome.result
    status = DESIGN_ERRORS if result.stop_reason == DIVERGED else OK
    if outcome.inspection is not None:
        try:
            write_text_atomic(inspect_path, strict_json(outcome.inspection) + "\n")
        except OSError as exc:
            err.write(f"--inspect {inspect_path}: cannot write: {exc.strerror or exc}\n")
        err.writelines(f"diagnosis: {d['message']}\n" for d in outcome.inspection["diagnoses"])
    err.write(result.message + "\n")
    if history_path:
        try:
            write_text_atomic(history_path, strict_json(result.history) + "\n")
        except OSError as exc:
            err.write(f"--history {history_path}: cannot write: {exc.strerror or exc}\n")
            status = UNREADABLE
    return status


def _after_training(
    outcome, said: list[str], status: int, save_path: str | None, out: TextIO, err: TextIO
) -> int:
    """The evaluation, the advice not said before the run, and the saved model."""
    report = outcome.evaluation
    if report:
        scores = "  ".join(metric_text(k, v) for k, v in report["metrics"].items())
        if "sequence_accuracy" in report:  # a label per step: the metrics count steps
            scores += f"  whole sequences right {report['sequence_accuracy']:.4f}"
        for name, part in (report.get("outputs") or {}).items():  # several outputs: each one's accuracy
            scores += f"  {name} accuracy {part['accuracy']:.4f}" if "accuracy" in part else ""
        out.write(f"{report['evaluated_on']} set: {scores}\n")
        if report["evaluated_on"] != "test":
            err.write("note: with no test split these results come from the training data\n")
    err.writelines(f"advice: {line}\n" for line in outcome.advice if line not in said)
    if outcome.saved is not None:
        err.write(f"saved {outcome.saved}\n")
    if outcome.save_error is not None:
        err.write(f"--save {save_path}: {outcome.save_error}\n")
        status = UNREADABLE
    return status


def _unwritable(path: str | None) -> str | None:
    """Why a file cannot be written at ``path`` (None when it can): checked before a long training run."""
    if not path:
        return None
    target = Path(path)
    if target.is_dir():
        return "is a folder; give a file name"
    if target.exists() and not target.is_file():
        return "is not a regular file (a device or pipe)"
    folder = target.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable"
    return None


def strict_json(value: Any) -> str:
    """JSON that strict parsers read: NaN and infinities (a diverging run's losses) become null."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(value), indent=1, allow_nan=False)


def _job_arguments(export: argparse.ArgumentParser) -> None:
    """export's --job and the resources its job file asks for (engine/keras/job_files.py)."""
    job = export.add_argument_group(
        "for several machines", "a job file beside the script that starts it with --distribute data-parallel"
    )
    job.add_argument(
        "--job",
        choices=JOBS,
        default="none",
        help="; ".join(f"{k}: {v}" for k, v in JOB_HELP.items()) + " (default: none, the script alone)",
    )
    default = JobResources()
    job.add_argument("--nodes", type=int, default=default.nodes, help="machines, a process each (default 2)")
    job.add_argument("--gpus-per-node", type=int, default=default.gpus_per_node, help="default 0")
    job.add_argument("--cpus-per-node", type=int, default=default.cpus_per_node, help="default 4")
    job.add_argument("--memory-gb", type=int, default=default.memory_gb, help="per node (default 16)")
    job.add_argument("--hours", type=int, default=default.hours, help="SLURM time limit (default 1)")
    job.add_argument("--port", type=int, default=default.port, help="the coordinator's port (default 12355)")
    job.add_argument(
        "--image", default="", help="Kubernetes: the image with the script, its data, Keras and JAX"
    )


def _resources(args: argparse.Namespace) -> JobResources:
    return JobResources(
        nodes=args.nodes,
        gpus_per_node=args.gpus_per_node,
        cpus_per_node=args.cpus_per_node,
        memory_gb=args.memory_gb,
        hours=args.hours,
        port=args.port,
        image=args.image,
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="netwright" if Path(sys.argv[0]).name == "netwright" else "python main.py",  # installed or not
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
    _job_arguments(export)
    render = sub.add_parser("render", help="draw the design as an SVG or PNG picture")
    render.add_argument("file", metavar="DESIGN.json")
    render.add_argument("-o", "--output", required=True, metavar="net.svg", help="net.svg or net.png")
    train = sub.add_parser("train", help="train the design on its dataset, with a progress bar")
    train.add_argument("file", metavar="DESIGN.json")
    train.add_argument("--epochs", type=int, help="override the design's epochs")
    train.add_argument("--history", metavar="history.json", help="write Keras's History dict as JSON")
    train.add_argument(
        "--save",
        metavar="model.keras",
        help="save the trained model; the name picks the format: .keras, .weights.h5, .tflite, .onnx, "
        "or a .savedmodel folder",
    )
    train.add_argument(
        "--distribution",
        choices=["none", "mirrored"],
        help="mirrored: tf.distribute.MirroredStrategy over all local GPUs (default: the design's or none)",
    )
    train.add_argument(
        "--inspect",
        metavar="REPORT.json",
        help="write per-layer gradient/weight/activation statistics (one value per epoch) and diagnoses",
    )
    imp = sub.add_parser(
        "import", help="turn a Keras model (.keras, .h5, JSON config) or model script (.py) into a design"
    )
    imp.add_argument("file", metavar="MODEL")
    imp.add_argument(
        "-o", "--output", metavar="DESIGN.json", help="where to write (default: standard output)"
    )
    imp.add_argument(
        "-v", "--verbose", action="store_true", help="also list every detail that was simplified"
    )
    imp.add_argument(
        "--no-weights", action="store_true", help="train from fresh weights, not the file's pretrained ones"
    )
    sweep = sub.add_parser("sweep", help="train the design once per combination of settings; compare them")
    sweep.add_argument("file", metavar="DESIGN.json")
    sweep.add_argument(
        "--grid",
        action="append",
        metavar="PATH=V1,V2",
        help="a setting and its values: compile.KEY, training.KEY, data.KEY or nodes[NODE_ID].params.NAME; "
        "values comma-separated or one JSON list (repeat --grid for more settings)",
    )
    sweep.add_argument("--epochs", type=int, help="override the design's epochs in every trial")
    sweep.add_argument("--random", type=int, metavar="K", help="K distinct combinations drawn from the grid")
    sweep.add_argument(
        "--seed", type=int, default=0, help="the draw's seed for --random or --search (default 0)"
    )
    sweep.add_argument(
        "--search",
        type=int,
        metavar="N",
        help="N trials, each chosen by Optuna's TPE sampler from the results so far "
        "(--range and --grid name what it may choose)",
    )
    sweep.add_argument(
        "--range",
        action="append",
        metavar="PATH=LO..HI[:log]",
        help="with --search: a number between LO and HI (whole numbers for a count; :log for a log scale)",
    )
    sweep.add_argument(
        "--objective",
        help="with --search: the figure to improve (default val_loss, or loss with no validation)",
    )
    sweep.add_argument(
        "--prune",
        action="store_true",
        help="with --search: stop a trial after an epoch that scores worse than the earlier trials' median",
    )
    sweep.add_argument("--json", metavar="OUT.json", help="write every trial, the best and the objective")
    sweep.add_argument(
        "--lr-range",
        action="store_true",
        help="instead of a grid: the learning-rate range test (rate rising from 1e-7 to 10) and its pick",
    )
    sweep.add_argument(
        "--export",
        metavar="FOLDER",
        help="instead of training: write each trial's script and sweep.py, a loop that trains them "
        "(after a --search: the trials it trained)",
    )
    explain = sub.add_parser(
        "explain-step", help="one training step on one sample: every layer's values, gradients and update"
    )
    explain.add_argument("file", metavar="DESIGN.json")
    explain.add_argument(
        "--sample", type=int, default=0, metavar="I", help="row I of the rows fit trains on (default 0)"
    )
    explain.add_argument(
        "--weights", metavar="MODEL.keras", help="a trained model's weights and optimizer state"
    )
    explain.add_argument("--json", required=True, metavar="OUT.json", help="where to write the step")
    add_flag(sub)
    return p


# Control and invisible formatting characters: a name holding ESC sequences could rewrite the
# terminal, and bidi overrides could make a message read differently from what it says.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


class Escaped:
    """A text stream that writes unsafe characters as escapes (``\\x1b``); newlines, tabs and the
    progress bar's carriage returns pass."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode(), text))

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.stream.flush()


def run(argv: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    out, err = Escaped(out), Escaped(err)  # type: ignore[assignment]  # every word from a file passes here
    args = parser().parse_args(argv)
    refused = gate(args, err)  # a design's own code runs only with --trust-code
    if refused is not None:
        return refused
    if args.command == "check":
        return cmd_check(args.files, args.json, out, err)
    if args.command == "train":
        if args.epochs is not None and args.epochs < 1:
            err.write("--epochs must be at least 1\n")
            return DESIGN_ERRORS
        return cmd_train(
            args.file, args.epochs, args.history, args.save, out, err, args.distribution, args.inspect
        )
    if args.command == "import":
        from cli.import_command import cmd_import

        return cmd_import(args.file, args.output, args.verbose, out, err, keep_weights=not args.no_weights)
    if args.command == "render":
        return cmd_render(args.file, args.output, err)
    if args.command == "sweep":
        if args.epochs is not None and args.epochs < 1:
            err.write("--epochs must be at least 1\n")
            return DESIGN_ERRORS
        from cli.sweep_command import cmd_sweep

        if args.search is not None or args.range or args.objective or args.prune:
            from cli.sweep_command import cmd_search

            return cmd_search(args, out, err)
        if args.lr_range:
            from cli.sweep_command import cmd_lr_range

            return cmd_lr_range(args.file, args.json, out, err)
        return cmd_sweep(
            args.file, args.grid or [], args.epochs, args.random, args.seed, args.json, out, err, args.export
        )
    if args.command == "explain-step":
        from cli.explain_command import cmd_explain

        return cmd_explain(args.file, args.sample, args.weights, args.json, out, err)
    return cmd_export(args.file, args.output, out, err, args.job, _resources(args))
