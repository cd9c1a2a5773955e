"""The command line under faults: closed pipes, missing folders, diverging runs, huge models,
hostile data files and the unforeseen.  A sentence and an exit code each, never a traceback."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cli.commands import strict_json
from cli.last_resort import UNEXPECTED, guarded
from tests.cli.test_commands import cli

ROOT = Path(__file__).resolve().parents[2]
MLP = ROOT / "resources" / "designs" / "mlp_classifier.json"


def main_py(*argv, timeout=120, **kwargs):
    return subprocess.run(
        [sys.executable, "main.py", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def design_with(tmp_path, **changes):
    raw = json.loads(MLP.read_text())
    for key, value in changes.items():
        raw[key] = value
    path = tmp_path / "design.json"
    path.write_text(json.dumps(raw))
    return path


def test_a_closed_pipe_ends_quietly():
    many = " ".join(["resources/designs/*.json"] * 100)  # more than a pipe's buffer holds
    reader = f"{sys.executable} main.py check {many} | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", reader], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.count("\n") == 1 and done.stderr == ""
    assert done.returncode == 141


def test_output_folders_that_do_not_exist_are_refused_before_training(tmp_path):
    for option in ("--history", "--save"):
        code, _, err = cli("train", str(MLP), option, str(tmp_path / "no" / "out.json"))
        assert code == 2 and f"{option} " in err and "does not exist" in err
    code, _, err = cli("train", str(MLP), "--save", str(tmp_path))
    assert code == 2 and "is a folder" in err
    code, _, err = cli("train", str(MLP), "--history", "/dev/null")
    assert code == 2 and "is not a regular file" in err


def test_history_is_strict_json():
    text = strict_json({"loss": [1.0, math.inf, math.nan], "val_loss": [-math.inf]})

    def refuse(name):
        raise ValueError(name)

    assert json.loads(text, parse_constant=refuse) == {"loss": [1.0, None, None], "val_loss": [None]}


def test_a_diverging_run_writes_strict_json_and_keeps_the_old_model_on_a_failed_save(tmp_path, monkeypatch):
    path = design_with(
        tmp_path,
        compile={
            "optimizer": {"type": "SGD", "learning_rate": 1e30},
            "loss": "sparse_categorical_crossentropy",
        },
        training={"epochs": 2, "batch_size": 64, "validation_split": 0.0},
        data={"source": "builtin", "name": "iris"},
    )
    saved = tmp_path / "model.keras"
    saved.write_bytes(b"the previous model")

    def failing_save(self, filepath, *args, **kwargs):
        Path(filepath).write_bytes(b"half a model")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("keras.Model.save", failing_save)
    code, _, err = cli("train", str(path), "--history", str(tmp_path / "h.json"), "--save", str(saved))
    assert "diverged" in err and "cannot save the model: No space left on device" in err
    assert code == 2 and saved.read_bytes() == b"the previous model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["design.json", "h.json", "model.keras"]
    history = json.loads((tmp_path / "h.json").read_text(), parse_constant=lambda c: pytest.fail(c))
    assert None in history["loss"]


def test_models_too_large_for_memory_are_a_sentence(tmp_path):
    raw = json.loads(MLP.read_text())
    for node in raw["nodes"]:
        if node["type"] == "Dense":
            node["params"]["units"] = 10**12
            break
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(raw))
    code, _, err = cli("train", str(path))
    assert code == 1 and "Training needs about" in err and "make the model smaller" in err


def test_non_finite_numbers_in_a_file_are_located(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(MLP.read_text().replace('"epochs": ', '"epochs": 1e400, "x": ', 1))
    for command in ("check", "export"):
        code, out, err = cli(command, str(path))
        assert code == 2 and "training.epochs is not a finite number" in out + err


def test_the_last_resort_prints_one_line_and_logs_the_details(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))

    def broken():
        raise RuntimeError("something nobody foresaw\nsecond line")

    assert guarded(broken, ["check", "x.json"]) == UNEXPECTED
    line = capsys.readouterr().err
    assert line.count("\n") == 1 and "unexpected error: RuntimeError: something nobody foresaw" in line
    log = Path(line.split("details in ")[1].rstrip(")\n"))
    assert log == tmp_path / "netwright" / "netwright.log"  # the window's log too
    assert "Traceback" in log.read_text() and "netwright check x.json" in log.read_text()


@pytest.mark.parametrize(
    "case",
    [
        "fifo",
        "dev_zero",
        "npy_bomb",
        "png_bomb",
        "labels",
        "complex",
        "image_size",
        "split",
        "seed",
        "features",
    ],
)
def test_main_py_train_on_hostile_data_says_what_and_where(tmp_path, case):
    from tests.engine.data.test_hostile_data import npy_header, png_header
    from tests.engine.data.test_prepare import make_image_folder

    data = {"source": "numpy", "path": "d.npz"}
    np.savez(tmp_path / "d.npz", x=np.ones((20, 4)), y=np.arange(20) % 3)
    expected = {
        "fifo": "not a regular file",
        "dev_zero": "not a regular file",
        "npy_bomb": "claims an array",
        "png_bomb": "decompression bomb",
        "labels": "class label -5",
        "complex": "complex numbers",
        "image_size": "data.image_size must be",
        "split": "leaves no training rows",
        "seed": "data.seed must be",
        "features": "data.features must be a list",
    }[case]
    if case == "fifo":
        os.mkfifo(tmp_path / "pipe.csv")
        data = {"source": "csv", "path": "pipe.csv"}
    elif case == "dev_zero":
        data = {"source": "csv", "path": "/dev/zero"}
    elif case == "npy_bomb":
        (tmp_path / "x.npy").write_bytes(npy_header((10**6, 10**6)))
        np.save(tmp_path / "y.npy", np.zeros(3, dtype=int))
        data = {"source": "numpy", "path": "x.npy", "y_path": "y.npy"}
    elif case in ("png_bomb", "image_size"):
        make_image_folder(tmp_path / "pets")
        (tmp_path / "pets" / "cat" / "bomb.png").write_bytes(png_header(100_000, 100_000))
        data = {"source": "images", "path": "pets", **({"image_size": "big"} if case == "image_size" else {})}
    elif case == "labels":
        np.savez(tmp_path / "d.npz", x=np.ones((3, 4)), y=np.array([0, -5, 1]))
    elif case == "complex":
        np.savez(tmp_path / "d.npz", x=np.ones((3, 4)) * 1j, y=np.array([0, 1, 1]))
    elif case == "split":
        data["test_split"] = 0.99
    elif case == "seed":
        data["seed"] = -3
    else:
        data = {"source": "csv", "path": "d.csv", "features": "a"}
    path = design_with(tmp_path, data=data)
    done = main_py("train", str(path), timeout=60)
    assert done.returncode in (1, 2), done.stderr
    assert expected in done.stderr and "Traceback" not in done.stdout + done.stderr


def test_names_cannot_rewrite_the_terminal(tmp_path):
    raw = json.loads(MLP.read_text())
    old = raw["nodes"][1]["id"]
    raw["nodes"][1]["id"] = new = "h\x1b[2J\x1b]0;owned\x07\u202e"
    raw["edges"] = [{k: (new if v == old else v) for k, v in e.items()} for e in raw["edges"]]
    path = tmp_path / "ansi.json"
    path.write_text(json.dumps(raw))
    code, out, err = cli("check", str(path))
    assert code == 1
    assert "\x1b" not in out + err and "\u202e" not in out + err and "\x07" not in out + err
    assert "h\\x1b[2J\\x1b]0;owned\\x07\\u202e" in out
