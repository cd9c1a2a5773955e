"""`python main.py sweep`: a real small sweep, its JSON as the issue specifies it, and its refusals."""

import io
import json
from pathlib import Path

from cli.commands import run
from engine.design.file_format import load, save
from engine.experiments.paths import apply_settings

ROOT = Path(__file__).resolve().parents[2]
MLP = str(ROOT / "resources" / "designs" / "mlp_classifier.json")


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_small_sweep_writes_the_specified_json_with_checks_flops(tmp_path):
    target = tmp_path / "sweep.json"
    units = "nodes[hidden1].params.units"
    code, out, err = cli(
        "sweep", MLP, "--grid", f"{units}=[2,64]", "--grid", "compile.optimizer.learning_rate=0.05",
        "--epochs", "2", "--json", str(target),
    )  # fmt: skip
    assert code == 0, err
    written = json.loads(target.read_text())
    assert set(written) == {"trials", "best", "objective"} and written["objective"] == "val_loss"
    trials = written["trials"]
    assert [t["settings"] for t in trials] == [
        {units: 2, "compile.optimizer.learning_rate": 0.05},
        {units: 64, "compile.optimizer.learning_rate": 0.05},
    ]
    for trial in trials:
        assert set(trial) == {"settings", "status", "metrics", "seconds", "params", "flops", "pareto"}
        assert trial["status"] == "done" and trial["seconds"] > 0
        assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(trial["metrics"])
        design_file = tmp_path / "trial.json"
        save(apply_settings(load(MLP), trial["settings"]), design_file)
        checked = json.loads(cli("check", "--json", str(design_file))[1])
        assert (trial["flops"], trial["params"]) == (checked["total_flops"], checked["total_params"])
    small, large = trials
    assert small["flops"] < large["flops"]
    losses = [t["metrics"]["val_loss"] for t in trials]
    assert written["best"] == losses.index(min(losses))
    assert small["pareto"]  # the cheapest trial is never dominated
    assert large["pareto"] == (large["metrics"]["val_loss"] < small["metrics"]["val_loss"])
    table = out.splitlines()
    assert table[0].split()[:3] == ["#", units, "compile.optimizer.learning_rate"]
    assert "objective: val_loss" in out and "best" in out


def test_a_bad_value_is_refused_by_name_and_nothing_trains(tmp_path):
    target = tmp_path / "sweep.json"
    code, _, err = cli("sweep", MLP, "--grid", "nodes[hidden1].params.units=8,-3", "--json", str(target))
    assert code == 1 and not target.exists()
    assert "sweep refused, nothing trained" in err and "nodes[hidden1].params.units=-3" in err
    assert "trial 1" not in err


def test_a_bad_path_is_refused_by_name(tmp_path):
    code, _, err = cli("sweep", MLP, "--grid", "training.patience=1,2")
    assert code == 1 and "training.patience: training has no setting 'patience'" in err
    code, _, err = cli("sweep", MLP, "--grid", "hidden1.units=1,2")
    assert code == 1 and "'hidden1.units' is not a setting path" in err


def test_an_unreadable_design_exits_2(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert cli("sweep", str(broken), "--grid", "training.batch_size=8")[0] == 2


def test_without_a_grid_or_the_range_test_nothing_runs():
    code, _, err = cli("sweep", MLP)
    assert code == 1 and "--grid PATH=V1,V2 (or ask for --lr-range)" in err


def test_export_writes_each_trials_script_and_the_loop_without_training(tmp_path):
    folder = tmp_path / "out"
    code, _, err = cli("sweep", MLP, "--grid", "training.batch_size=8,16", "--export", str(folder))
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["sweep.py", "trial_01.py", "trial_02.py"]
    assert "TRIALS = [{'module': 'trial_01'" in (folder / "sweep.py").read_text()
    assert f"run it with: python {folder / 'sweep.py'}" in err
