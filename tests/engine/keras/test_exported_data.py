"""An exported script's load_data() returns the arrays the app trains on, exactly: for every
template and every loss that fits it (the app's check_fit says so), and for a CSV file whose
classes only the file knows.  Data only: nothing is built or trained."""

from pathlib import Path

import numpy as np
import pytest

from engine.data import prepare as datamod
from engine.design.file_format import load
from engine.keras.codegen import generate
from engine.schema.compile_catalog import LOSSES

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted((ROOT / "resources" / "designs").glob("*.json"))


def script_data(design, folder: Path):
    namespace = {"__name__": "exported_model", "__file__": str(folder / "model.py")}
    exec(compile(generate(design, formatter=False), "model.py", "exec"), namespace)  # noqa: S102 - our own output
    return namespace["load_data"]()


def assert_same(script, app, where: str) -> None:
    if isinstance(app, dict):
        assert isinstance(script, dict) and list(script) == list(app), where
        for key in app:
            assert_same(script[key], app[key], f"{where}[{key}]")
        return
    assert script.dtype == app.dtype and script.shape == app.shape, f"{where}: {script.shape} vs {app.shape}"
    assert np.array_equal(script, app), where


def fitting_losses(design, data) -> list:
    """Each loss of the catalog the app would train this design with on this data."""
    fits = []
    for name in LOSSES:
        variant = design.copy()
        variant.compile = {**variant.compile, "loss": name}
        if not datamod.check_fit(variant, data):
            fits.append(variant)
    return fits


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_every_template_and_fitting_loss_exports_the_apps_arrays(path, tmp_path):
    design = load(path)
    data = datamod.load(design.data)
    variants = fitting_losses(design, data)
    assert variants, f"{path.stem}: no loss of the catalog fits its own data"
    for variant in variants:
        app = datamod.prepare(variant, data)
        (x, y), (x_test, y_test) = script_data(variant, tmp_path)
        loss = variant.compile["loss"]
        for name, script, ours in (("x", x, app.x), ("y", y, app.y), ("x_test", x_test, app.x_test)):
            assert_same(script, ours, f"{path.stem} with {loss}: {name}")
        assert_same(y_test, app.y_test, f"{path.stem} with {loss}: y_test")


def test_a_classifier_trained_with_mse_exports_one_hot_targets(tmp_path):
    """What Compare losses does: MSE on classes trains on one-hot rows, in the app and the script."""
    design = load(ROOT / "resources" / "designs" / "mlp_classifier.json")
    design.compile = {**design.compile, "loss": "mse"}
    (_, y), _ = script_data(design, tmp_path)
    assert y.shape[1:] == (3,) and y.dtype == np.float32 and set(np.unique(y)) == {0.0, 1.0}


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy", "mse"])
def test_a_csv_files_classes_shape_the_labels_as_in_the_app(tmp_path, loss):
    rng = np.random.default_rng(4)
    rows = ["a,b,c,d,kind"] + [
        ",".join(f"{v:.3f}" for v in rng.normal(size=4)) + f",{['cat', 'dog', 'emu'][i % 3]}"
        for i in range(45)
    ]
    (tmp_path / "animals.csv").write_text("\n".join(rows) + "\n")
    design = load(ROOT / "resources" / "designs" / "mlp_classifier.json")
    design.data = {"source": "csv", "path": "animals.csv", "target": "kind", "test_split": 0.2}
    design.compile = {**design.compile, "loss": loss}
    data = datamod.load(design.data, tmp_path)
    assert datamod.check_fit(design, data) == []
    app = datamod.prepare(design, data)
    (x, y), (x_test, y_test) = script_data(design, tmp_path)
    for script, ours in ((x, app.x), (y, app.y), (x_test, app.x_test), (y_test, app.y_test)):
        assert_same(script, ours, loss)
