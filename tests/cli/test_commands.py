"""`python main.py check/export`: output, exit codes, and no tracebacks on bad files."""

import io
import json
import subprocess
import sys
from pathlib import Path

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
