"""A sweep exported as scripts: each trial's script is the exporter's, and the loop trains them."""

import importlib.util
import json
import sys
from pathlib import Path

from engine.design.file_format import load
from engine.experiments.export import export_sweep
from engine.experiments.paths import apply_settings, parse_path
from engine.experiments.plan import Axis, plan_sweep
from engine.keras.codegen import generate

MLP = Path(__file__).resolve().parents[3] / "resources" / "designs" / "mlp_classifier.json"


def test_the_exported_loop_trains_every_trial_and_writes_the_sweeps_json(tmp_path, monkeypatch):
    base = apply_settings(load(MLP), {"training.epochs": 1})
    planned = plan_sweep(base, [Axis(parse_path("nodes[hidden1].params.units"), (2, 32))])
    written = export_sweep(planned, "val_loss", tmp_path / "sweep")
    assert [p.name for p in written] == ["trial_01.py", "trial_02.py", "sweep.py"]
    assert written[1].read_text() == generate(planned[1].design)  # the exporter's script, as is
    spec = importlib.util.spec_from_file_location("netwright_sweep", written[2])
    loop = importlib.util.module_from_spec(spec)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the loop adds its folder; undone after
    for name in ("trial_01", "trial_02"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    spec.loader.exec_module(loop)
    loop.main()
    result = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    assert result["objective"] == "val_loss" and result["best"] in (0, 1)
    assert [t["settings"] for t in result["trials"]] == [
        {"nodes[hidden1].params.units": 2},
        {"nodes[hidden1].params.units": 32},
    ]
    assert [t["flops"] for t in result["trials"]] == [t.flops for t in planned]
    assert all(t["status"] == "done" and "val_loss" in t["metrics"] for t in result["trials"])
    assert result["trials"][0]["pareto"]  # the cheaper trial is never dominated
