"""The exported script's data-parallel path, run as on a cluster: two processes joined by JAX's
own runtime on 127.0.0.1 train together, and agree with one process at the same global batch."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.design.file_format import load
from engine.keras.codegen import generate
from engine.keras.data_parallel import process_share, share_rows

ROOT = Path(__file__).resolve().parents[3]
LOSS_LINE = re.compile(r"^process (\d+) of (\d+): epoch (\d+) (.*)$", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def script_env(**extra: str) -> dict[str, str]:
    """The environment a job file gives the script: JAX chosen up front (no restart on TF)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KERAS_", "XLA_"))}
    return {**env, "KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "3", "JAX_PLATFORMS": "cpu", **extra}


def run_all(commands: list[tuple[list[str], dict[str, str]]], cwd: Path, timeout: float = 240) -> list:
    """Start every command at once, wait for all; on any timeout every process is killed (SIGKILL:
    JAX catches SIGTERM), so a process waiting on a collective cannot hang the suite."""
    procs = [
        subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for cmd, env in commands
    ]
    try:
        outputs = [p.communicate(timeout=timeout) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    return [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs, strict=True)]


def losses(stdout: str) -> list[dict[str, float]]:
    """Each epoch's losses as the script prints them (``process I of N: epoch E loss X val_loss Y``)."""
    out = []
    for _, _, epoch, scores in LOSS_LINE.findall(stdout):
        words = scores.split()
        assert int(epoch) == len(out) + 1
        out.append({k: float(v) for k, v in zip(words[::2], words[1::2], strict=True)})
    return out


def test_two_processes_train_together_as_one(tmp_path):
    """Both processes exit 0 and print the same per-epoch losses, equal to one process's at the same
    global batch (shuffling off); only process 0 prints the summary, evaluates and saves.

    The one process has two host devices too, and starts on TensorFlow: it restarts itself on JAX."""
    script = tmp_path / "model.py"
    script.write_text(generate(load(ROOT / "resources" / "designs" / "mlp_classifier.json")))
    args = [sys.executable, str(script), "--distribute", "data-parallel", "--epochs", "2"]
    args += ["--batch-size", "16", "--no-shuffle"]
    address = f"127.0.0.1:{free_port()}"
    cluster = [
        (
            [*args, "--save", str(tmp_path / "two.keras")],
            script_env(
                KERAS_DISTRIBUTION_JOB_ADDRESSES=address,
                KERAS_DISTRIBUTION_NUM_PROCESSES="2",
                KERAS_DISTRIBUTION_PROCESS_ID=str(i),
            ),
        )
        for i in range(2)
    ]
    one_process = {k: v for k, v in script_env().items() if k != "KERAS_BACKEND"}
    one_process["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
    (rc0, out0, err0), (rc1, out1, err1), (rc, out, err) = run_all(
        [*cluster, ([*args, "--save", str(tmp_path / "one.keras")], one_process)], tmp_path
    )
    assert (rc0, rc1, rc) == (0, 0, 0), (err0[-2000:], err1[-2000:], err[-2000:])
    assert "process 0 of 2: data-parallel over 2 devices" in out0
    assert "process 1 of 2: data-parallel over 2 devices" in out1
    assert "process 0 of 1: data-parallel over 2 devices" in out
    two, other, one = losses(out0), losses(out1), losses(out)
    assert len(two) == 2 and set(two[0]) == {"loss", "val_loss"}
    assert two == other  # every step's loss is the global batch's: bit for bit the same
    for a, b in zip(two, one, strict=True):
        assert a == pytest.approx(b, rel=1e-5)
    assert "Total params" in out0 and "Total params" not in out1
    assert "test:" in out0 and "test:" not in out1
    assert out0.count("saved") == 1 and "saved" not in out1
    assert (tmp_path / "two.keras").is_file()


def test_shares_side_by_side_are_the_one_process_batches():
    """Of each global batch every process takes its block: put side by side they are the batch one
    process trains on, row for row; every process gets as many rows, a whole number of its devices."""
    for total in range(0, 60):
        for count in (1, 2, 3, 4):
            for batch in (1, 2, 5):
                for multiple in (1, 2):
                    shares = [share_rows(total, batch, i, count, multiple) for i in range(count)]
                    each = len(shares[0])
                    assert all(len(s) == each for s in shares) and each % multiple == 0
                    assert total - each * count < count * multiple  # only the rows that cannot divide
                    steps = [np.split(s, range(batch, each, batch)) for s in shares]
                    together = np.concatenate([np.concatenate(step) for step in zip(*steps, strict=True)])
                    assert np.array_equal(together, np.arange(each * count))


def test_each_process_gets_its_share_and_a_batch_that_does_not_divide_is_refused(monkeypatch):
    monkeypatch.setenv("KERAS_DISTRIBUTION_NUM_PROCESSES", "2")
    monkeypatch.setenv("KERAS_DISTRIBUTION_PROCESS_ID", "1")
    x, y = {"a": np.arange(41.0)[:, None]}, [np.arange(41), np.arange(41)]
    x_share, y_share, batch, validation = process_share(x, y, 8, 0.25, devices=2)
    # 30 training rows in batches of 4 per process: process 1 takes rows 4-7, 12-15, 20-23, then 27-29
    assert batch == 4 and x_share["a"][:, 0].tolist() == [
        4,
        5,
        6,
        7,
        12,
        13,
        14,
        15,
        20,
        21,
        22,
        23,
        27,
        28,
        29,
    ]
    assert y_share[0].tolist() == y_share[1].tolist() == x_share["a"][:, 0].tolist()
    assert validation["validation_data"][1][0].tolist() == [34, 35, 36, 37, 39]  # 11 rows: one dropped
    with pytest.raises(SystemExit, match="--batch-size 9 does not divide between the 2 devices"):
        process_share(x, y, 9, 0.25, devices=2)
    monkeypatch.setenv("KERAS_DISTRIBUTION_PROCESS_ID", "2")
    with pytest.raises(SystemExit, match="KERAS_DISTRIBUTION_PROCESS_ID=2 must be from 0 to"):
        process_share(x, y, 8, 0.25, devices=2)
