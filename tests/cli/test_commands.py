"""`python main.py check/export`: output, exit codes, and no tracebacks on bad files."""

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cli.commands import run
from tests.engine.design.test_file_format import HOSTILE, SEED

ROOT = Path(__file__).resolve().parents[2]


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(SEED))
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                **SEED,
                "nodes": [
                    SEED["nodes"][0],
                    {**SEED["nodes"][1], "type": "Conv2D", "params": {"filters": 2, "kernel_size": 3}},
                ],
            }
        )
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    return good, bad, broken


def test_check_prints_a_table_and_exits_0(files):
    code, out, _ = cli("check", str(files[0]))
    assert code == 0
    assert "x     Input  (None, 8)" in out and "total params: 9 (trainable 9)" in out


def test_check_exit_codes(files):
    good, bad, broken = map(str, files)
    assert cli("check", good, bad)[0] == 1
    assert cli("check", good, bad, broken)[0] == 2


def test_check_json_one_object_per_file(files):
    code, out, _ = cli("check", "--json", *map(str, files))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and [x["valid"] for x in lines] == [True, False, False]
    assert lines[0]["nodes"]["y"] == {
        "output_shape": [None, 1],
        "params": 9,
        "flops": 17,  # 2 x 8 multiply-adds + 1 bias
        "param_bytes": 36,
        "activation_bytes": 4,
        "errors": [],
        "warnings": [],
    }
    assert lines[0]["total_params"] == 9 and lines[0]["total_flops"] == 17
    assert lines[0]["training_memory"]["weights_bytes"] == 36 and lines[0]["largest_batch"] > 0
    assert lines[1]["total_flops"] is None and lines[2]["total_flops"] is None
    assert lines[1]["errors"][0]["node"] == "y"
    assert "needs a 4-D input" in lines[1]["nodes"]["y"]["errors"][0]
    assert lines[2]["readable"] is False and "not valid JSON" in lines[2]["errors"][0]


def test_export_writes_a_script(files, tmp_path):
    target = tmp_path / "model.py"
    code, _, err = cli("export", str(files[0]), "-o", str(target))
    assert code == 0 and "wrote" in err
    assert "def build_model():" in target.read_text()
    assert cli("export", str(files[1]), "-o", str(tmp_path / "x.py"))[0] == 1
    assert not (tmp_path / "x.py").exists()
    assert cli("export", str(files[2]))[0] == 2


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_main_py_never_shows_a_traceback(tmp_path, name):
    path = tmp_path / "f.json"
    path.write_bytes(HOSTILE[name])
    for command in (["check", str(path)], ["check", "--json", str(path)], ["export", str(path)]):
        done = subprocess.run(
            [sys.executable, "main.py", *command], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr


def test_check_catches_an_output_that_does_not_match_the_labels(tmp_path):
    from tests.engine.design.test_label_fit import write_trap

    code, out, _ = cli("check", str(write_trap(tmp_path)))
    assert code == 1
    assert (
        "error: 'digit' outputs (None, 6, 6, 10) but the labels are one class id per sample: "
        "add Flatten or GlobalAveragePooling2D before it" in out
    )


def test_train_stops_before_tensorflow_when_file_labels_do_not_fit(tmp_path):
    """With file data, the labels' form is only known once loaded: train says so, no traceback."""
    import numpy as np

    from tests.engine.design.test_label_fit import write_trap

    np.savez(tmp_path / "d.npz", x=np.zeros((20, 8, 8, 1), "float32"), y=np.arange(20) % 10)
    path = write_trap(tmp_path, data={"source": "numpy", "path": "d.npz"})
    code, out, err = cli("train", str(path))
    assert code == 1
    assert "'digit' outputs (None, 6, 6, 10) but the labels are one class id per sample" in err
    assert "Traceback" not in err + out


def negative_label_design(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((8, 4), "float32"), y=np.array([-1, 0, 1, 0, 1, 0, 1, 0]))
    design = {
        "format": "netwright-design",
        "version": 1,
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [4]}},
            {"id": "kind", "type": "Dense", "params": {"units": 2, "activation": "softmax"}},
        ],
        "edges": [{"src": "x", "dst": "kind"}],
        "compile": {"loss": "sparse_categorical_crossentropy"},
        "training": {"epochs": 1, "batch_size": 8},
        "data": {"source": "numpy", "path": "d.npz", "test_split": 0.0},
    }
    path = tmp_path / "neg.json"
    path.write_text(json.dumps(design))
    return path


def test_a_negative_label_is_refused_before_training(tmp_path):
    code, out, err = cli("train", str(negative_label_design(tmp_path)))
    assert code == 1
    assert "y holds the class label -1 (sample 0)" in err
    assert "Traceback" not in err + out


def test_a_keras_failure_in_train_is_a_sentence_not_a_traceback(tmp_path, monkeypatch):
    """What the data guards cannot foresee fails inside Keras: a sentence, the details in the log."""
    import keras

    def fails_inside_keras(*args, **kwargs):
        keras.ops.reshape(np.zeros(4, "float32"), (3,))  # a real Keras error, raised by Keras

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr("engine.training.fit.train", fails_inside_keras)
    path = negative_label_design(tmp_path)
    path.write_text(path.read_text().replace("-1, ", "1, "))
    np.savez(tmp_path / "d.npz", x=np.zeros((8, 4), "float32"), y=np.array([1, 0, 1, 0, 1, 0, 1, 0]))
    err = io.StringIO()
    assert run(["train", str(path)], out=io.StringIO(), err=err) == 1
    text = err.getvalue()
    assert "Traceback" not in text and "site-packages" not in text
    log = tmp_path / "state" / "netwright" / "netwright.log"
    assert f"Technical details: {log}" in text and "Traceback" in log.read_text()


def test_train_on_unscaled_targets_says_what_to_try(tmp_path):
    """diabetes with default settings: the loss sits near 29,000; the run says why and what to try."""
    design = {
        "format": "netwright-design",
        "version": 1,
        "nodes": [
            {"id": "x", "type": "Input", "params": {"shape": [10]}},
            {"id": "h", "type": "Dense", "params": {"units": 10, "activation": "relu"}},
            {"id": "y", "type": "Dense", "params": {"units": 1}},
        ],
        "edges": [{"src": "x", "dst": "h"}, {"src": "h", "dst": "y"}],
        "compile": {"loss": "mse"},
        "training": {"epochs": 3, "batch_size": 64},
        "data": {"source": "builtin", "name": "diabetes", "test_split": 0.0},
    }
    path = tmp_path / "diabetes.json"
    path.write_text(json.dumps(design))
    code, out, err = cli("train", str(path))
    assert code == 0 and out.startswith("training set: loss")
    assert "advice: The targets of diabetes range from 25 to 346" in err
    assert "note: with no test split these results come from the training data" in err
    assert "advice: The loss hardly moved" in err
