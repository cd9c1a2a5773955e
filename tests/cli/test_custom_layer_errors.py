"""A trusted custom layer that fails only while training: `train --trust-code` says which node and
which line of its code raised what, exits non-zero, and prints no traceback."""

from __future__ import annotations

import io

from cli.commands import DESIGN_ERRORS, run
from cli.last_resort import guarded
from engine.design.file_format import save
from tests.engine.training.test_errors import noisy_iris


def test_train_names_the_custom_node_and_the_line_that_raised_without_a_traceback(tmp_path):
    path = tmp_path / "noisy.json"
    save(noisy_iris(), path)
    argv = ["train", str(path), "--trust-code"]
    out, err = io.StringIO(), io.StringIO()
    code = guarded(lambda: run(argv, out, err), argv, err)  # what main.py runs, with these streams
    assert code == DESIGN_ERRORS, err.getvalue()
    assert (
        f"{path}: Custom layer 'noise' (Noisy): line 7 of its code raises AttributeError: "
        "'Noisy' object has no attribute 'scale'\n(Technical details: "
    ) in err.getvalue()
    assert "Traceback" not in out.getvalue() + err.getvalue()
