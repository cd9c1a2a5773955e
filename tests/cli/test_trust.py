"""The command line never runs a design's code unless --trust-code says so (marker-file tests)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from cli.commands import run
from engine.design.file_format import save
from tests.engine.custom_fixtures import code_design, marker_source

LONG = pytest.mark.skipif(not os.environ.get("NETWRIGHT_LONG_TESTS"), reason="NETWRIGHT_LONG_TESTS=1 runs it")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def marked(tmp_path) -> tuple[Path, Path]:
    marker = tmp_path / "ran"
    path = tmp_path / "code.json"
    save(code_design(marker_source(marker)), path)
    return path, marker


def test_check_train_sweep_and_explain_refuse_code_without_trust_and_name_the_nodes(marked, tmp_path):
    path, marker = marked
    for argv in (
        ("check", str(path)),
        ("train", str(path)),
        ("sweep", str(path), "--grid", "training.epochs=1,2"),
        ("explain-step", str(path), "--json", str(tmp_path / "step.json")),
    ):
        code, out, err = cli(*argv)
        assert code == 1, (argv, err)
        assert f"{path}: the design holds Python code in 'scale' (Scale); {argv[0]} would run it" in err
        assert "--trust-code" in err
    assert not marker.exists() and not (tmp_path / "step.json").exists()


def test_export_render_and_import_never_run_the_code(marked, tmp_path):
    path, marker = marked
    script = tmp_path / "exported.py"
    assert cli("export", str(path), "-o", str(script))[0] == 0
    text = script.read_text()
    assert text.index("class Scale(layers.Layer):") < text.index("def build_model():")
    assert "Scale(factor=3.0, name='scale')" in text or 'Scale(factor=3.0, name="scale")' in text
    assert cli("render", str(path), "-o", str(tmp_path / "net.svg"))[0] == 0
    code, out, err = cli("import", str(script), "-o", str(tmp_path / "again.json"))
    assert code == 0, err
    assert "class Scale(layers.Layer)" in (tmp_path / "again.json").read_text()
    assert not marker.exists()


def test_a_script_that_would_write_at_import_is_only_read(tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "model.py"
    script.write_text(
        "import pathlib\nimport keras\nfrom keras import layers\n"
        f"pathlib.Path({str(marker)!r}).write_text('module ran')\n\n\n"
        + marker_source(marker).split("\n\n\n", 1)[1]
        + "\n\ninputs = keras.Input(shape=(4,))\nx = Scale(2.0)(inputs)\n"
        "model = keras.Model(inputs, layers.Dense(1)(x))\n"
    )
    code, out, err = cli("import", str(script))
    assert code == 0, err
    assert '"type": "CustomLayer"' in out and "class Scale(layers.Layer)" in out
    assert not marker.exists()


@LONG
def test_check_with_trust_code_runs_it_in_a_child_and_shows_the_shapes(marked):
    path, marker = marked
    code, out, err = cli("check", str(path), "--trust-code")
    assert code == 0, out + err
    assert "(None, 8)" in out and "(None, 2)" in out
    assert marker.read_text() == "layer made"


@LONG
def test_train_with_trust_code_runs_the_whole_pipeline(tmp_path):
    """small.py's Gate class and Lambda, on iris: the run's checks, data and fit, code trusted."""
    from engine.keras.importer import import_file

    scripts = Path(__file__).parents[1] / "engine" / "keras" / "custom_scripts"
    design = import_file(scripts / "small.py").design
    design.nodes["input_layer"].params["shape"] = [4]
    design.data = {"source": "builtin", "name": "iris"}
    design.training["epochs"] = 1
    path = tmp_path / "iris_code.json"
    save(design, path)
    code, out, err = cli("train", str(path), "--trust-code", "--history", str(tmp_path / "h.json"))
    assert code == 0, err
    assert "Training finished: 1 epoch" in out + err
    assert (tmp_path / "h.json").exists()
