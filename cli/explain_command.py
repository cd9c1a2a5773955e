"""``python main.py explain-step``: one training step on one sample, every number written down.

The sample is row ``--sample`` of the rows ``fit`` trains on, after the app's
shuffling, split, standardisation and label shaping (``engine.training.run.ready``,
as a run prepares it); the weights are the design's fresh seeded ones, or a trained model's with its
optimizer state (``--weights``).  The JSON layout is :func:`engine.training.step_ledger.as_json`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from engine.atomic import write_text_atomic

OK, DESIGN_ERRORS, UNREADABLE = 0, 1, 2


def cmd_explain(path: str, index: int, weights: str | None, json_path: str, out: TextIO, err: TextIO) -> int:
    from cli.commands import _read_with_output, strict_json

    design = _read_with_output(path, json_path, err)
    if design is None:
        return UNREADABLE
    if weights and not Path(weights).is_file():
        err.write(f"--weights {weights}: no such file\n")
        return UNREADABLE
    from engine.training.run import NotReady, ready

    try:
        prepared = ready(design, Path(path).resolve().parent).prepared
    except NotReady as exc:
        err.write(f"{path}: cannot explain a step\n" + "".join(f"  error: {p}\n" for p in exc.problems))
        return DESIGN_ERRORS
    from engine.training.errors import explain
    from engine.training.step_ledger import LedgerError, as_json, design_ledger
    from engine.training.trained_state import TrainedStateError

    try:
        ledger = design_ledger(design, prepared, index, weights)
    except (LedgerError, TrainedStateError) as exc:
        err.write(f"{path}: cannot explain a step: {exc}\n")
        return DESIGN_ERRORS
    except Exception as exc:  # noqa: BLE001 - a failure is a sentence, never a traceback
        err.write(f"{path}: {explain(exc, design).text}\n")
        return DESIGN_ERRORS
    try:
        write_text_atomic(json_path, strict_json(as_json(ledger)) + "\n")
    except OSError as exc:
        err.write(f"--json {json_path}: cannot write: {exc.strerror or exc}\n")
        return UNREADABLE
    err.writelines(f"note: {n}\n" for n in ledger.notes)
    checked = ledger.fd_max_rel_error
    out.write(
        f"sample {index}: loss {ledger.loss:.6g}, "
        f"{ledger.optimizer.type} step {ledger.optimizer.iterations + 1}"
        + (f", finite-difference max relative error {checked:.2e}" if checked is not None else "")
        + f"; wrote {json_path}\n"
    )
    return OK
