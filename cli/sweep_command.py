"""``python main.py sweep``: train a design once per combination of settings and compare
(or, with ``--lr-range``, run the learning-rate range test and suggest a rate).

Exit codes as for the other commands: 0 when at least one trial finished, 1 when none
did or the sweep was refused (a bad path or value, named, before anything trains; a
search's range or list the design refuses too), 2 when the design file cannot be read,
the JSON cannot be written or the arguments do not go together (``--search`` 0,
``--range`` without ``--search``, an ``--objective`` no trial logs).  The table numbers
its trials from 1, as the progress lines and the exported ``trial_NN.py`` do.  Ctrl+C once
ends the sweep after the trial in progress and still writes what finished.
"""

from __future__ import annotations

import json
import re
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from cli.commands import DESIGN_ERRORS, OK, UNREADABLE, _read_with_output, strict_json
from engine.atomic import write_text_atomic


def cmd_sweep(
    path: str,
    grid: Sequence[str],
    epochs: int | None,
    random_k: int | None,
    seed: int,
    json_path: str | None,
    out: TextIO,
    err: TextIO,
    export_dir: str | None = None,
) -> int:
    started = time.perf_counter()
    design = _read_with_output(path, json_path, err)
    if design is None:
        return UNREADABLE
    from engine.experiments.paths import PathError, apply_settings, parse_axis
    from engine.experiments.plan import Axis, SweepRefused, grid_size, plan_sweep
    from engine.experiments.sweep import SweepControl, check_data, run_sweep

    if not grid:
        err.write("sweep: name a setting to sweep with --grid PATH=V1,V2 (or ask for --lr-range)\n")
        return DESIGN_ERRORS

    try:
        axes = [Axis(axis_path, tuple(values)) for axis_path, values in map(parse_axis, grid)]
        base = apply_settings(design, {"training.epochs": epochs}) if epochs is not None else design
        planned = plan_sweep(base, axes, random_k, seed)
        base_dir = Path(path).resolve().parent
        check_data(planned, base_dir)
    except (PathError, SweepRefused) as exc:
        problems = exc.problems if isinstance(exc, SweepRefused) else [str(exc)]
        err.write(f"{path}: sweep refused, nothing trained\n" + "".join(f"  error: {p}\n" for p in problems))
        return DESIGN_ERRORS
    if export_dir:
        return _export(planned, export_dir, err)
    drawn = f"{len(planned)} drawn from {grid_size(axes)} (seed {seed})" if random_k else "the whole grid"
    err.write(f"sweep of '{design.name}': {len(planned)} trial(s), {drawn}\n")
    control = SweepControl()
    with _stop_on_interrupt(control, err):
        result = run_sweep(planned, base_dir, listener=_progress(err), control=control)
    return _report(result, started, json_path, out, err)


def _report(result: Any, started: float, json_path: str | None, out: TextIO, err: TextIO) -> int:
    """The table, the time line, the JSON; the exit code (0 when a trial finished)."""
    _table(result, out)
    trained = sum(t.seconds or 0.0 for t in result.trials)
    err.write(
        f"{time.perf_counter() - started:.1f}s in all; the trials took {trained:.1f}s (build through "
        f"evaluation) of the sweep's {result.seconds:.1f}s after TensorFlow loaded"
        f" ({_overhead(result.seconds, trained)} between trials)\n"
    )
    if json_path:
        try:
            write_text_atomic(json_path, strict_json(result.to_dict()) + "\n")
        except OSError as exc:
            err.write(f"--json {json_path}: cannot write: {exc.strerror or exc}\n")
            return UNREADABLE
        err.write(f"wrote {json_path}\n")
    return OK if any(t.status == "done" for t in result.trials) else DESIGN_ERRORS


def cmd_search(args: Any, out: TextIO, err: TextIO) -> int:
    """``sweep --search N``: N trials, each chosen by TPE from the ones before (engine/experiments/search.py).
    Before anything trains: arguments that do not go together, or an objective no trial logs, are one
    line naming them and exit 2; a range or list the design refuses is one line and exit 1."""
    started = time.perf_counter()
    problem = _search_problem(args)
    if problem:
        err.write(f"sweep: {problem}\n")
        return UNREADABLE
    design = _read_with_output(args.file, args.json, err)
    if design is None:
        return UNREADABLE
    from engine.experiments.paths import apply_settings
    from engine.experiments.search import (
        ObjectiveMissing,
        SpaceError,
        check_objective,
        default_objective,
        parse_space,
        planned_count,
        run_search,
        startup_trials,
    )
    from engine.experiments.sweep import SweepControl

    base = apply_settings(design, {"training.epochs": args.epochs}) if args.epochs is not None else design
    try:
        space = parse_space(base, args.range or [], args.grid or [])
    except SpaceError as exc:
        flag = {"range": "--range ", "grid": "--grid "}.get(exc.kind or "", "")
        err.write(f"sweep: {flag}{exc}\n")
        return DESIGN_ERRORS
    try:
        check_objective(base, space, args.objective or default_objective(base))
    except ObjectiveMissing as exc:
        err.write(f"sweep: --objective {exc}\n")
        return UNREADABLE
    planned = planned_count(space, args.search)
    capped = f" (--search {args.search}, but the space holds {planned} settings)" * (planned < args.search)
    err.write(
        f"search of '{design.name}': {planned} trial(s){capped} chosen by TPE (seed {args.seed}; the first "
        f"{startup_trials(planned)} at random; no settings train twice)\n"
    )
    control = SweepControl()
    base_dir = Path(args.file).resolve().parent
    try:
        with _stop_on_interrupt(control, err):
            result = run_search(
                base, space, args.search, base_dir, seed=args.seed, objective=args.objective,
                listener=_progress(err), control=control, prune=args.prune,
            )  # fmt: skip
    except ObjectiveMissing as exc:  # several outputs: their names are known once a trial has trained
        err.write(f"sweep: --objective {exc}\n")
        return UNREADABLE
    if result.search["repeats_skipped"]:
        repeats = result.search["repeats_skipped"]
        err.write(f"search: {repeats} proposal(s) repeated a trial's settings and were not trained\n")
    code = _report(result, started, args.json, out, err)
    if args.export and code != UNREADABLE:
        return _export_search(base, result, args.export, err) or code
    return code


def _search_problem(args: Any) -> str | None:
    """Arguments that cannot go together or are out of range, before the design is read."""
    if args.search is None:
        given = "--range" if args.range else "--objective" if args.objective else "--prune"
        return f"{given} needs --search N"
    if args.search < 1:
        return f"--search {args.search}: ask for at least 1 trial"
    if args.random is not None or args.lr_range:
        return f"--search and {'--random' if args.random is not None else '--lr-range'}: give one"
    if args.objective is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", args.objective):
        return (
            f"--objective {args.objective!r}: name a figure the trials report (val_loss, val_accuracy, ...)"
        )
    return None


def _found(result: Any, out: TextIO) -> None:
    found = result.search
    if found["best_settings"] is None:
        out.write("search: no trial finished\n")
        return
    named = ", ".join(f"{k}={_cell(v)}" for k, v in found["best_settings"].items())
    out.write(
        f"search: best trial {result.best + 1} ({result.objective} {_cell(found['best_value'])}): {named}\n"
    )


def _export_search(base: Any, result: Any, folder: str, err: TextIO) -> int:
    """The trials the search trained, as scripts and a loop over them (as ``--export`` of a grid)."""
    from engine.experiments.plan import plan_trial

    planned = [plan_trial(base, i, t.settings) for i, t in enumerate(result.trials) if t.params is not None]
    return _export(planned, folder, err, result.objective) if planned else OK


def _export(planned: list, folder: str, err: TextIO, objective: str | None = None) -> int:
    from engine.experiments.export import export_sweep
    from engine.experiments.sweep import objective_for
    from engine.keras.codegen import CodegenError

    try:
        written = export_sweep(planned, objective or objective_for(planned), folder)
    except CodegenError as exc:
        err.write(f"cannot export the sweep: {exc}\n")
        return DESIGN_ERRORS
    except OSError as exc:
        err.write(f"--export {folder}: cannot write: {exc.strerror or exc}\n")
        return UNREADABLE
    err.writelines(f"wrote {path}\n" for path in written)
    err.write(f"run it with: python {written[-1]}\n")
    return OK


def _overhead(loop: float, trained: float) -> str:
    return f"{100 * (loop - trained) / loop:.1f}%" if loop > 0 else "-"


class _stop_on_interrupt:
    """Ctrl+C ends the sweep after the current trial (a second one interrupts as usual)."""

    def __init__(self, control: Any, err: TextIO) -> None:
        self.control, self.err, self.previous = control, err, None

    def __enter__(self) -> None:
        def stop(signum: int, frame: Any) -> None:
            self.err.write("\nstopping after this trial (Ctrl+C again to interrupt)\n")
            self.control.stop()
            signal.signal(signal.SIGINT, self.previous)

        try:
            self.previous = signal.signal(signal.SIGINT, stop)
        except ValueError:  # not the main thread (a test driving the command): no handler
            self.previous = None

    def __exit__(self, *exc: Any) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _progress(err: TextIO):
    from engine.experiments.sweep import SweepListener

    def begin(info: dict) -> None:
        named = ", ".join(f"{k}={json.dumps(v)}" for k, v in info["settings"].items())
        err.write(f"trial {info['index'] + 1}/{info['count']}: {named}\n")

    def end(info: dict) -> None:
        if info["status"] != "done":
            err.write(f"  {info['status']}: {info['message']}\n")

    return SweepListener(on_trial_begin=begin, on_trial_end=end)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return json.dumps(value) if not isinstance(value, str) else value


def _table(result: Any, out: TextIO) -> None:
    """One row per trial: its settings, status, the last epoch's metrics, time and cost;
    ``*`` marks the Pareto front (objective against FLOPs), ``best`` the lowest objective."""
    trials = result.trials
    paths = list(trials[0].settings) if trials else []
    metrics = list(dict.fromkeys(k for t in trials for k in (t.metrics or {})))
    head = ["#", *paths, "status", *metrics, "seconds", "params", "FLOPs", "front", ""]
    rows = [head]
    for i, t in enumerate(trials):
        rows.append(
            [
                str(i + 1),  # as the progress lines and trial_NN.py count
                *(_cell(t.settings[p]) for p in paths),
                t.status,
                *(_cell((t.metrics or {}).get(m)) for m in metrics),
                _cell(round(t.seconds, 1) if t.seconds is not None else None),
                f"{t.params:,}" if t.params is not None else "-",
                f"{t.flops:,}" if t.flops is not None else "-",
                "*" if t.pareto else "",
                "best" if i == result.best else "",
            ]
        )
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    for r in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() + "\n")
    from engine.experiments.pareto import lower_is_better

    if result.search is not None:
        _found(result, out)
    way = "lowest" if lower_is_better(result.objective) else "highest"
    out.write(
        f"objective: {result.objective} ({way} is best; * = Pareto front of {result.objective} vs FLOPs)\n"
    )


def cmd_lr_range(path: str, json_path: str | None, out: TextIO, err: TextIO) -> int:
    """The range test's points (every tenth printed), its suggestion and the sweep it seeds."""
    design = _read_with_output(path, json_path, err)
    if design is None:
        return UNREADABLE
    from engine.experiments.lr_range import range_test, seed_values
    from engine.training.errors import explain
    from engine.training.run import NotReady

    try:
        result = range_test(design, Path(path).resolve().parent)
    except NotReady as exc:
        err.write(f"{path}: cannot train\n" + "".join(f"  error: {p}\n" for p in exc.problems))
        return DESIGN_ERRORS
    except Exception as exc:  # noqa: BLE001 - a failure is a sentence, never a traceback
        err.write(f"{path}: {explain(exc, design).text}\n")
        return DESIGN_ERRORS
    out.write("learning rate  loss (smoothed)\n")
    for rate, loss in list(zip(result.rates, result.smoothed, strict=True))[::10]:
        out.write(f"{rate:13.3g}  {loss:.4g}\n")
    out.write(result.message + "\n")
    if result.suggested is not None:
        values = ",".join(f"{v:g}" for v in seed_values(result.suggested))
        out.write(f"sweep around it: --grid compile.optimizer.learning_rate={values}\n")
    if json_path:
        try:
            write_text_atomic(json_path, strict_json(result.to_dict()) + "\n")
        except OSError as exc:
            err.write(f"--json {json_path}: cannot write: {exc.strerror or exc}\n")
            return UNREADABLE
    return OK if result.suggested is not None else DESIGN_ERRORS
