"""The one run the window, the command line and sweeps share: its stages, hooks and refusals."""

import importlib.util

import numpy as np
import pytest

from engine.data import prepare as D
from engine.design.cost import estimate
from engine.design.file_format import load
from engine.keras.codegen import generate
from engine.training import events
from engine.training.run import EVALUATING, LOADING, SAVING, STARTING, Hooks, NotReady, Options, ready, run
from tests.engine.keras.test_build_and_export import TEMPLATES

TEMPLATE = {p.stem: p for p in TEMPLATES}


def test_a_run_goes_through_its_stages_and_reports_typed_events(keras, tmp_path):
    design = load(TEMPLATE["mlp_classifier"])
    seen: list[object] = []
    stages: list[str] = []
    order: list[str] = []
    outcome = run(
        design,
        Options(epochs=2, batch_size=16, save_path=tmp_path / "m.keras"),
        Hooks(
            emit=seen.append,
            on_stage=lambda stage, text: stages.append(stage),
            on_prepared=lambda o: order.append(f"prepared {o.prepared.rows}"),
            on_trained=lambda o: order.append(f"trained {o.result.epochs_done}"),
        ),
    )
    assert stages == [LOADING, STARTING, EVALUATING, SAVING]
    assert order == [f"prepared {outcome.prepared.rows}", "trained 2"]
    assert isinstance(seen[0], events.Begin) and seen[0].epochs == 2
    assert [e.epoch for e in seen if isinstance(e, events.Epoch)] == [0, 1]
    assert outcome.evaluation["evaluated_on"] == "test"
    assert np.array(outcome.evaluation["confusion_matrix"]).sum() == outcome.prepared.test_rows
    assert outcome.saved == tmp_path / "m.keras" and outcome.save_error is None
    assert keras.saving.load_model(outcome.saved).count_params() == outcome.model.count_params()


def test_the_data_a_run_trains_on_is_what_prepare_gives():
    design = load(TEMPLATE["mlp_classifier"])
    outcome = ready(design)
    again = D.prepare(design, D.load(design.data))
    assert np.array_equal(outcome.prepared.x, again.x) and np.array_equal(outcome.prepared.y, again.y)


def test_a_run_that_cannot_start_says_why_before_tensorflow():
    design = load(TEMPLATE["seed_example"])
    design.data = {"source": "builtin", "name": "iris"}
    with pytest.raises(NotReady) as caught:
        run(design)
    assert "Input 'x' expects (8,): set its shape to [4]" in caught.value.problems[0]
    design.data = None
    with pytest.raises(NotReady, match="The design has no dataset"):
        ready(design)


def test_advice_after_a_run_is_the_same_list_for_every_caller(keras):
    """diabetes unscaled: the loss sits high; the scale advice said before the run comes after it too."""
    design = load(TEMPLATE["seed_example"])
    design.nodes["x"].params["shape"] = [10]
    design.data = {"source": "builtin", "name": "diabetes", "test_split": 0.0}
    outcome = run(design, Options(epochs=3, batch_size=64))
    assert outcome.data_advice and outcome.data_advice[0].startswith("The targets of diabetes range")
    assert outcome.advice[0].startswith("The loss hardly moved") and outcome.data_advice[0] in outcome.advice


def test_the_exported_script_fits_as_the_app_does(keras, tmp_path):
    """The script carries the app's fit: the same batches per compiled call, chosen for the run
    (never more than an epoch's batches, so its progress bar counts the epoch's batches)."""
    design = load(TEMPLATE["mlp_classifier"])
    seen: list[object] = []
    outcome = run(design, Options(epochs=1), Hooks(emit=seen.append))
    begin = seen[0]
    assert isinstance(begin, events.Begin) and 1 < begin.steps_per_execution <= begin.steps
    flops = estimate(design).total_flops
    source = generate(design)
    assert f"flops_per_sample={flops}," in source  # what the script's main() passes to its fit
    script = tmp_path / "exported_model.py"
    script.write_text(source)
    spec = importlib.util.spec_from_file_location("exported_model", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (x, y), _ = module.load_data()
    model = module.build_model()
    batch, split = design.training_settings.batch_size, outcome.prepared.validation_split
    history = module.fit(model, x, y, 1, batch, split, flops_per_sample=flops, verbose=0)
    assert model.steps_per_execution == begin.steps_per_execution
    assert history.params["steps"] == begin.steps
