"""Keras's own failures, explained: a sentence naming the layer, the traceback in a log."""

import numpy as np

from engine.design import file_format
from engine.keras.build import build_model
from engine.training.errors import explain
from tests.engine.design.test_label_fit import TRAP


def test_the_rank_trap_raised_by_keras_names_the_output(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    design = file_format.from_dict({**TRAP, "data": None})  # without data the design builds
    model = build_model(design)
    try:
        model.fit(np.zeros((4, 8, 8, 1), "float32"), np.zeros(4, "int64"), epochs=1, verbose=0)
    except Exception as exc:  # noqa: BLE001 - Keras raises a plain ValueError here
        explained = explain(exc, design)
    assert explained.message.startswith(
        "The loss cannot compare the labels with the output of 'digit': the labels have shape (None,) "
        "but 'digit' outputs (None, 6, 6, 10)."
    )
    assert "Flatten" in explained.message and "Traceback" not in explained.message
    assert explained.log_path == tmp_path / "netwright" / "netwright.log"
    assert "must have rank" in explained.log_path.read_text()


def test_an_unknown_failure_keeps_its_first_line_without_paths():
    try:
        raise RuntimeError('boom in /usr/lib/python3/site.py\n  File "/x/y.py", line 3')
    except RuntimeError as exc:
        explained = explain(exc, None, log=False)
    assert explained.message == "Training failed: boom in …"
    assert explained.text == explained.message
