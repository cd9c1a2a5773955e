"""`train --history` killed with kill -9 mid-write: the next run removes the temporary file it left."""

import json
import subprocess
import sys
from pathlib import Path

from tests.cli.test_commands import cli

ROOT = Path(__file__).resolve().parents[2]
KILLED_WRITE = """
import os, sys
from engine.atomic import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_text('{"loss": [0.5')
    os.kill(os.getpid(), 9)
"""


def test_a_killed_history_write_leaves_no_temporary_file_after_the_next_run(tmp_path):
    history = tmp_path / "history.json"
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(history)], cwd=ROOT, check=False)
    assert killed.returncode == -9
    left = [p.name for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].startswith(".history.json.") and not history.exists()
    design = json.loads((ROOT / "resources" / "designs" / "seed_example.json").read_text())
    design["nodes"][0]["params"]["shape"] = [0]  # refused at once: no training, no new history
    path = tmp_path / "design.json"
    path.write_text(json.dumps(design))
    code, _out, err = cli("train", str(path), "--history", str(history))
    assert code != 0 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["design.json"]
