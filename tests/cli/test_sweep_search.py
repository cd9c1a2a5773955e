"""`python main.py sweep --search N`: a real search in a child process, its JSON in the grid sweep's
form plus what it found, its trials exported; bad arguments are one line naming them and exit 2 (a
refused range or list, exit 1); Optuna stays unloaded until a search is asked for."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.commands import run

ROOT = Path(__file__).resolve().parents[2]
MLP = str(ROOT / "resources" / "designs" / "mlp_classifier.json")
RATE, UNITS = "compile.optimizer.learning_rate", "nodes[hidden1].params.units"
QUIET = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "QT_QPA_PLATFORM": "offscreen"}


def test_a_search_writes_the_sweeps_json_with_what_it_found(tmp_path):
    target = tmp_path / "search.json"
    done = subprocess.run(
        [sys.executable, "main.py", "sweep", MLP, "--search", "3", "--range", f"{RATE}=1e-3..0.3:log",
         "--range", f"{UNITS}=2..32", "--grid", "nodes[hidden1].params.activation=relu,tanh",
         "--epochs", "1", "--seed", "4", "--json", str(target), "--export", str(tmp_path / "scripts")],
        cwd=ROOT, env=QUIET, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "optuna" not in done.stderr.lower()  # no sampler chatter
    written = json.loads(target.read_text())
    assert set(written) == {"trials", "best", "objective", "search"} and written["objective"] == "val_loss"
    trials = written["trials"]
    assert len(trials) == 3
    for trial in trials:
        assert set(trial) == {"settings", "status", "metrics", "seconds", "params", "flops", "pareto"}
        assert trial["status"] == "done" and trial["seconds"] > 0 and trial["flops"] > 0
        settings = trial["settings"]
        assert list(settings) == [RATE, UNITS, "nodes[hidden1].params.activation"]
        assert (
            1e-3 <= settings[RATE] <= 0.3 and isinstance(settings[UNITS], int) and 2 <= settings[UNITS] <= 32
        )
    losses = [t["metrics"]["val_loss"] for t in trials]
    assert written["best"] == losses.index(min(losses))
    found = written["search"]
    assert found["sampler"] == "TPE" and found["seed"] == 4 and found["direction"] == "minimize"
    assert found["best_settings"] == trials[written["best"]]["settings"] and found["best_value"] == min(
        losses
    )
    table = done.stdout.splitlines()
    assert table[0].split()[:4] == ["#", RATE, UNITS, "nodes[hidden1].params.activation"]
    assert table[1 + written["best"]].endswith("best") and len(table) == 6
    assert [row.split()[0] for row in table[1:4]] == ["1", "2", "3"]  # as "trial 1/3" and trial_01.py
    assert table[4].startswith(f"search: best trial {written['best'] + 1} (val_loss ")
    assert f"trial {written['best'] + 1}/3: " in done.stderr
    assert (
        "search of 'mlp_classifier': 3 trial(s) chosen by TPE (seed 4; the first 2 at random; "
        "no settings train twice)" in done.stderr
    )
    exported = sorted(p.name for p in (tmp_path / "scripts").iterdir())  # the trials it trained, after it
    assert exported == ["sweep.py", "trial_01.py", "trial_02.py", "trial_03.py"]
    assert "OBJECTIVE = 'val_loss'\nSIGN = 1" in (tmp_path / "scripts" / "sweep.py").read_text()


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--search", "0", "--range", f"{UNITS}=2..8"], "sweep: --search 0: ask for at least 1 trial"),
        (["--range", f"{UNITS}=2..8"], "sweep: --range needs --search N"),
        (["--prune"], "sweep: --prune needs --search N"),
        (
            ["--search", "2", "--random", "2", "--range", f"{UNITS}=2..8"],
            "sweep: --search and --random: give one",
        ),
    ],
)
def test_a_bad_argument_is_one_line_naming_it_and_exit_2(arguments, message):
    code, out, err = cli("sweep", MLP, *arguments)
    assert (code, out, err) == (2, "", message + "\n")


def test_an_objective_no_trial_logs_is_one_line_naming_what_they_log_before_any_trains(tmp_path):
    target = tmp_path / "x.json"
    argv = ["--search", "3", "--range", "training.batch_size=4..32", "--objective", "val_acc"]
    code, out, err = cli("sweep", MLP, *argv, "--json", str(target))
    assert (code, out) == (2, "")
    assert err == (
        "sweep: --objective 'val_acc' is not a figure the trials log "
        "(they log loss, accuracy, val_loss, val_accuracy)\n"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("grid", "arguments", "message"),
    [
        (
            [],
            ["--range", f"{UNITS}=8..2"],
            f"sweep: --range '{UNITS}=8..2': LO must be below HI",
        ),
        (
            [],
            ["--range", f"{RATE}=0..1:log"],
            f"sweep: --range '{RATE}=0..1:log': a logarithmic range must start above 0",
        ),
        (
            [],
            ["--range", "nodes[nope].params.units=2..8"],
            "sweep: --range 'nodes[nope].params.units=2..8': nodes[nope].params.units: "
            "the design has no node 'nope'",
        ),
        (
            ["--grid", "training.batch_size=8", "--grid", "training.batch_size=16"],
            [],
            "sweep: --grid training.batch_size is swept twice",
        ),
    ],
)
def test_a_range_or_list_the_design_refuses_exits_1_as_the_grid_sweeps_refusal(grid, arguments, message):
    code, out, err = cli("sweep", MLP, "--search", "2", *grid, *arguments)
    assert (code, out, err) == (1, "", message + "\n")
    grid_code, _out, grid_err = cli("sweep", MLP, "--grid", "nodes[nope].params.units=2,8")
    assert grid_code == 1 and "sweep refused, nothing trained" in grid_err


def test_a_search_of_fewer_settings_than_asked_trains_each_once(tmp_path):
    target = tmp_path / "s.json"
    argv = ["--search", "4", "--grid", "training.batch_size=8,32", "--epochs", "1", "--seed", "1"]
    code, out, err = cli("sweep", MLP, *argv, "--json", str(target))
    assert code == 0, err
    assert "search of 'mlp_classifier': 2 trial(s) (--search 4, but the space holds 2 settings)" in err
    assert "search: 1 proposal(s) repeated a trial's settings and were not trained" in err
    written = json.loads(target.read_text())
    assert [t["settings"]["training.batch_size"] for t in written["trials"]] == [32, 8]
    assert written["search"]["repeats_skipped"] == 1 and written["search"]["planned"] == 2


def test_the_window_and_the_command_line_start_without_optuna():
    probe = (
        "import sys, cli.commands, cli.sweep_command, engine.experiments.search, gui.main_window; "
        "print('optuna' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=QUIET, capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
