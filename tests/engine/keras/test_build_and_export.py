"""Design -> Keras model, and design -> script -> Keras model: the two must be equal.

Keras is the oracle: layer classes, parameters, connections, names, weights
counts and compile settings compared through ``get_config()``.
"""

import ast
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from engine.design.file_format import load
from engine.design.validation import validate
from engine.keras.build import build_model
from engine.keras.codegen import generate, identifiers, lit
from engine.keras.importer import import_config
from engine.schema.compile_catalog import LOSSES, METRICS, OPTIMIZERS
from tests.engine.random_designs import random_design

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted((ROOT / "resources" / "designs").glob("*.json"))
ALLOWED_IMPORTS = {
    *("argparse", "contextlib", "csv", "io", "math", "os", "pathlib", "stat", "sys", "zipfile"),
    *("keras", "numpy", "sklearn.datasets", "PIL"),
    "tensorflow",  # only inside distribution_scope("mirrored") and the training pipeline's functions
    "psutil",  # only off Linux, to read the memory available; a script without it assumes 8 GiB
}


def valid_random_designs(n):
    designs, seed = [], 10_000
    rng = random.Random(1)
    while len(designs) < n:
        d = random_design(seed)
        seed += 1
        if not validate(d).valid:
            continue
        opt = rng.choice(sorted(OPTIMIZERS))
        d.compile = {
            "optimizer": {"type": opt, "learning_rate": rng.choice([0.001, 0.05])},
            "loss": rng.choice(sorted(LOSSES)),
            "metrics": rng.sample(sorted(METRICS), 2),
        }
        designs.append(d)
    return designs


def designs_covering_the_catalog():
    """Valid random designs until every catalog type appears in at least one."""
    from engine.schema.catalog import LAYERS

    designs, missing = [], set(LAYERS)
    for seed in range(20_000, 26_000):
        d = random_design(seed)
        if not (missing & {n.type for n in d.nodes.values()}) or not validate(d).valid:
            continue
        missing -= {n.type for n in d.nodes.values()}
        designs.append(d)
        if not missing:
            break
    assert not missing, f"no valid random design uses {sorted(missing)}"
    return designs


def exec_script(source):
    namespace = {"__name__": "exported_model"}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 - testing our own output
    return namespace


def imports_of(source):
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module)
    return names


def comparable_config(model):
    """The model's config, less what Keras draws at random: RandomCrop picks a seed
    when given none (the other augmentation layers keep None)."""
    config = model.get_config()
    for layer in config.get("layers", []):
        if layer["class_name"] == "RandomCrop":
            layer["config"]["seed"] = None
    return config


def assert_same_model(a, b):
    assert type(a) is type(b)
    assert comparable_config(a) == comparable_config(b)
    assert a.count_params() == b.count_params()
    # Optimizer names are Keras's per-session counters (adam, adam_1), not design content.
    assert {**a.optimizer.get_config(), "name": ""} == {**b.optimizer.get_config(), "name": ""}
    assert a.get_compile_config()["loss"] == b.get_compile_config()["loss"]
    assert a.get_compile_config()["metrics"] == b.get_compile_config()["metrics"]


@pytest.mark.parametrize("design", valid_random_designs(40), ids=lambda d: d.name)
def test_built_model_equals_exported_scripts_model(keras, design):
    source = generate(design)
    assert imports_of(source) <= ALLOWED_IMPORTS
    # Keras names automatic operations (a mask's not_equal) with session-wide counters:
    # start both builds from the same count.
    keras.utils.clear_session()
    built = build_model(design)
    keras.utils.clear_session()
    assert_same_model(built, exec_script(source)["build_model"]())


@pytest.mark.parametrize("design", designs_covering_the_catalog(), ids=lambda d: d.name)
def test_every_layer_type_builds_as_its_exported_script_does_and_imports_back(keras, design):
    source = generate(design)
    keras.utils.clear_session()
    built = build_model(design, compile=False)
    keras.utils.clear_session()
    exported = exec_script(source)["build_model"]()
    assert comparable_config(built) == comparable_config(exported)
    assert built.count_params() == exported.count_params() == validate(design).total_params
    # ... and the saved model imports back to a design that agrees with it.
    back = validate(import_config(json.loads(built.to_json())).design)
    assert back.valid and back.total_params == built.count_params()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_templates_are_valid_and_export_equal(keras, path):
    design = load(path)
    report = validate(design)
    assert report.valid and not report.warnings, [p.message for p in report.problems]
    model = build_model(design)
    assert model.count_params() == report.total_params
    exported = exec_script(generate(design))["build_model"]()
    assert_same_model(model, exported)
    assert exported.steps_per_execution == 1  # the script's fit chooses it per run, as the app does


def test_seed_example_is_sequential_dense_relu_then_dense_adam_mse(keras):
    source = generate(load(ROOT / "resources" / "designs" / "seed_example.json"))
    assert "keras.Sequential(" in source and "keras.Model(" not in source
    assert 'keras.layers.Dense(10, activation="relu", name="h")' in source
    assert 'keras.layers.Dense(1, name="y")' in source
    assert 'model.compile(optimizer=keras.optimizers.Adam(), loss="mse", metrics=[])' in source
    # 191 FLOPs a sample: the script's fit chooses the batches per call from it, for each run.
    assert "flops_per_sample=191," in source and "estimated from this model's FLOPs per sample" in source
    assert 'if __name__ == "__main__":\n    main()' in source


def test_generated_code_is_ruff_format_clean(tmp_path):
    from ruff.__main__ import find_ruff_bin

    for i, design in enumerate(valid_random_designs(8)):
        (tmp_path / f"m{i}.py").write_text(generate(design))
    done = subprocess.run(
        [find_ruff_bin(), "format", "--check", "--isolated", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run(
        [find_ruff_bin(), "check", "--isolated", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


def test_nothing_from_the_design_becomes_code(keras):
    design = load(ROOT / "resources" / "designs" / "seed_example.json")
    design.name = '"""\nimport os; os.system("echo pwned") #\\'
    design.rename_node("h", "h.os-system")
    source = generate(design)
    tree = ast.parse(source)
    assert imports_of(source) <= ALLOWED_IMPORTS
    assert not any(isinstance(n, ast.Attribute) and n.attr == "system" for n in ast.walk(tree))
    assert "os.system" not in ast.get_docstring(tree)  # no design string in a docstring
    assert exec_script(source)["build_model"]().get_layer("h.os-system")


def test_identifiers_are_valid_and_unique():
    names = identifiers(["class", "a-b", "a_b", "9x", "model", "keras"])
    assert all(n.isidentifier() for n in names.values())
    assert len(set(names.values())) == 6
    assert names["class"] == "class_" and names["model"] != "model"


def test_literals_round_trip():
    for value in ["it's", 'say "hi"', "\\n", 1e-7, (1,), ((1, 2), (3, 4)), None, True, [1, "a"]]:
        assert ast.literal_eval(lit(value)) == value


def test_exported_script_trains_on_its_dataset(tmp_path):
    """The script runs on its own, with only Keras, NumPy and scikit-learn: load, build, fit."""
    design = load(ROOT / "resources" / "designs" / "mlp_classifier.json")
    script = tmp_path / "model.py"
    script.write_text(generate(design))
    done = subprocess.run(
        [sys.executable, str(script), "--epochs", "2", "--batch-size", "16"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Epoch 2/2" in done.stdout


@pytest.mark.parametrize("source", ["builtin", "csv", "numpy", "npy", "images"])
def test_exported_load_data_repeats_the_apps_preparation(tmp_path, source):
    """The script reads, shuffles, splits and standardises exactly as the app trains."""
    import numpy as np

    from engine.data import prepare as datamod

    design = load(ROOT / "resources" / "designs" / "mlp_classifier.json")
    options = {"seed": 7, "test_split": 0.2, "standardize": True}
    if source == "builtin":
        design.data = {"source": "builtin", "name": "iris", **options}
    elif source == "csv":
        rng = np.random.default_rng(1)
        rows = ["a,b,c,d,species"] + [
            ",".join(f"{v:.3f}" for v in rng.normal(size=4)) + f",{['cat', 'dog', 'emu'][i % 3]}"
            for i in range(60)
        ]
        (tmp_path / "animals.csv").write_text("\n".join(rows) + "\n")
        design.data = {"source": "csv", "path": "animals.csv", "target": "species", **options}
    elif source == "numpy":
        rng = np.random.default_rng(2)
        np.savez(tmp_path / "arrays.npz", x=rng.normal(size=(50, 4)), y=rng.integers(0, 3, size=50))
        design.data = {"source": "numpy", "path": "arrays.npz", **options}
    elif source == "images":
        from tests.engine.data.test_prepare import make_image_folder

        make_image_folder(tmp_path / "pets")
        design = load(ROOT / "resources" / "designs" / "small_cnn.json")
        design.data = {"source": "images", "path": "pets", "grayscale": True, "image_size": [8, 8], **options}
    else:
        rng = np.random.default_rng(3)
        np.save(tmp_path / "flowers_x.npy", rng.normal(size=(40, 4)))
        np.save(tmp_path / "flowers_y.npy", rng.integers(0, 3, size=40))
        design.data = {"source": "numpy", "path": "flowers_x.npy", "y_path": "flowers_y.npy", **options}
    source_code = generate(design)
    assert imports_of(source_code) <= ALLOWED_IMPORTS
    namespace = {"__name__": "exported_model", "__file__": str(tmp_path / "model.py")}
    exec(compile(source_code, "model.py", "exec"), namespace)  # noqa: S102 - testing our own output
    (x, y), (x_test, y_test) = namespace["load_data"]()
    app = datamod.prepare(design, datamod.load(design.data, tmp_path))
    for script_array, app_array in ((x, app.x), (y, app.y), (x_test, app.x_test), (y_test, app.y_test)):
        assert np.array_equal(script_array, app_array)


def test_exported_script_distributes_mirrored(tmp_path):
    """mirrored builds inside a MirroredStrategy scope and trains. (data-parallel, which restarts
    itself on JAX, on one process and on two: tests/engine/keras/test_distributed_script.py.)"""
    import os

    design = load(ROOT / "resources" / "designs" / "mlp_classifier.json")
    script = tmp_path / "model.py"
    script.write_text(generate(design))
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2", "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("KERAS_BACKEND", None)
    done = subprocess.run(
        [sys.executable, str(script), "--epochs", "1", "--distribute", "mirrored"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Total params: 403" in done.stdout and "val_loss" in done.stdout
