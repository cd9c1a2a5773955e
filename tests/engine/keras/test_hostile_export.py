"""Hostile strings and numbers in a design never become code in its exported script.

Each payload tries to end the literal, docstring or comment it lands in and run
code that creates a marker file.  Every string the generator writes from a
design is tried: the design's name, node ids, data paths, column names, the
dataset name.  The script must compile, hold each design string only inside a
string literal, and leave no marker when imported or when ``load_data()`` runs.
"""

import ast
import io
import json
import math
import tokenize
from pathlib import Path

import pytest

from engine.design.file_format import DesignFileError, from_dict, loads, to_dict
from engine.keras import codegen
from engine.keras.codegen import CodegenError, generate, lit

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "resources" / "designs" / "seed_example.json"


def payloads(marker: Path) -> list[str]:
    run = f"__import__('pathlib').Path({str(marker)!r}).touch(); PWNED = 1"
    return [
        f'"""\n{run}\n"""',
        f"'''\n{run}\n'''",
        f'"\n{run}\n#',
        f"'\r{run}\r'",
        f"\u2028{run}\u2029",
        f"\x00{run}",
        f"\\\n{run}",
        f"\\'; {run}; '",
        f'{{{run}}}" + f"{{{run}}}',
        f"# comment\n{run}",
        f"\x0b\x0c\x1c\x1d\x1e\x85{run}",
    ]


def design_dict() -> dict:
    return json.loads(SEED.read_text())


def code_outside_literals(source: str) -> str:
    """The script's text with every string literal taken out (comments stay)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return " ".join(t.string for t in tokens if t.type != tokenize.STRING)


def string_constants(source: str) -> list[str]:
    return [
        n.value
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def assert_inert(source: str, design_strings: list[str], marker: Path, tmp_path: Path) -> None:
    tree = ast.parse(source)  # compiles
    assert "PWNED" not in code_outside_literals(source)
    docstrings = [
        ast.get_docstring(n) or "" for n in ast.walk(tree) if isinstance(n, (ast.Module, ast.FunctionDef))
    ]
    constants = string_constants(source)
    for text in design_strings:
        assert not any(text in d for d in docstrings)
        assert any(text in c for c in constants), "a design string is written only as a literal"
    namespace = {"__name__": "exported_model", "__file__": str(tmp_path / "model.py")}
    exec(compile(source, "model.py", "exec"), namespace)  # noqa: S102 - importing the script
    if "load_data" in namespace:
        with pytest.raises(Exception):  # noqa: B017 - the hostile file does not exist: any refusal will do
            namespace["load_data"]()
    assert not marker.exists()


@pytest.mark.parametrize("source", ["csv", "numpy", "images"])
def test_payloads_in_every_design_string_stay_literals(tmp_path, source):
    marker = tmp_path / "pwned"
    for payload in payloads(marker):
        raw = design_dict()
        raw["name"] = payload
        text = payload.replace("\x00", "")  # no file path or column name holds NUL: refused, tested below
        data = {"source": source, "path": text + ".data", "seed": 3, "test_split": 0.25}
        if source == "csv":
            data |= {"target": text, "features": [text + "f", 0]}
        elif source == "numpy":
            data |= {"y_path": text + ".y.npy"}
        else:
            data |= {"image_size": [8, 8], "grayscale": True}
        raw["data"] = data
        script = generate(from_dict(raw))
        strings = [text + ".data"] + ([text] if source == "csv" else [])
        assert_inert(script, strings, marker, tmp_path)
        assert payload not in (ast.get_docstring(ast.parse(script)) or "")


def test_payloads_as_node_ids_and_dataset_names_are_refused_not_written(tmp_path):
    marker = tmp_path / "pwned"
    for payload in payloads(marker):
        raw = design_dict()
        raw["nodes"][1]["id"] = payload
        raw["edges"] = [{"src": "x", "dst": payload}, {"src": payload, "dst": "y"}]
        with pytest.raises(CodegenError, match="errors"):
            generate(from_dict(raw))
        raw = design_dict()
        raw["data"] = {"source": "builtin", "name": payload}
        with pytest.raises(CodegenError, match="Unknown built-in dataset"):
            generate(from_dict(raw))
        raw["data"] = {"source": "csv", "path": "\x00" + payload, "target": "\x00"}
        with pytest.raises(CodegenError, match=r"data\.path is not a usable file path(.|\n)*data\.target"):
            generate(from_dict(raw))
    assert not marker.exists()


@pytest.mark.parametrize(
    "where",
    ["data.seed", "data.test_split", "training.validation_split", "compile.optimizer.learning_rate", "node"],
)
@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, 1e400], ids=["inf", "-inf", "nan", "1e400"])
def test_numbers_are_finite_or_refused(where, value):
    raw = design_dict()
    raw["data"] = {"source": "builtin", "name": "diabetes"}
    section, _, key = where.partition(".")
    if section == "data":
        raw["data"][key] = value
    elif section == "training":
        raw["training"][key] = value
    elif section == "compile":
        raw["compile"]["optimizer"] = {"type": "Adam", "learning_rate": value}
    else:
        raw["nodes"][1]["params"]["units"] = value
    with pytest.raises(CodegenError):
        generate(from_dict(raw))


def test_non_finite_numbers_are_refused_when_a_design_is_read():
    raw = design_dict()
    raw["nodes"][1]["params"]["units"] = 1.5
    text = json.dumps(raw).replace("1.5", "1e400")
    with pytest.raises(DesignFileError, match=r"node 'h'\.params\.units is not a finite number"):
        loads(text)
    raw = design_dict()
    raw["compile"]["optimizer"] = {"type": "Adam", "learning_rate": 0.5}
    with pytest.raises(DesignFileError, match=r"compile\.optimizer\.learning_rate is not a finite"):
        loads(json.dumps(raw).replace("0.5", "-1e999"))


def test_literals_of_hostile_values_round_trip_and_refuse_what_is_not_plain():
    class Sneaky(str):
        def __repr__(self):
            return "__import__('os')"

    for value in ['"""', "\u2028\u2029\x00\r\n\\", -0.0, 5e-324, 2**200, ("a",), {"k": [None, True]}]:
        assert ast.literal_eval(lit(value)) == value
    assert ast.literal_eval(lit(Sneaky("x"))) == "x"
    for bad in (math.inf, math.nan, 10**5000, object(), {1, 2}, b"bytes"):
        with pytest.raises(CodegenError):
            lit(bad)


def test_the_exporter_refuses_a_script_that_does_not_compile(monkeypatch):
    monkeypatch.setattr(codegen, "_model_part", lambda design: "def build_model(:\n    pass")
    with pytest.raises(CodegenError, match="does not compile"):
        generate(from_dict(design_dict()))


def test_a_design_round_trips_hostile_strings_through_its_file():
    payload = payloads(Path("/nonexistent/pwned"))[0]
    raw = design_dict()
    raw["name"] = payload
    design = from_dict(raw)
    assert loads(json.dumps(to_dict(design))).name == payload


def test_payloads_in_any_layer_parameter_or_compile_setting_are_refused_or_inert(tmp_path):
    """Every parameter of every layer in valid random designs, the compile settings and the
    wrapped layer of Bidirectional: a payload there is a validation error or a literal."""
    from tests.engine.keras.test_build_and_export import valid_random_designs

    marker = tmp_path / "pwned"
    hostile = [payloads(marker)[i] for i in (0, 4, 6)]
    for design in valid_random_designs(6):
        targets = [(node.params, name) for node in design.nodes.values() for name in list(node.params)]
        targets += [(design.compile, "loss"), (design.compile["optimizer"], "type")]
        targets += [(design.compile, "metrics"), (design.training, "epochs")]
        for holder, key in targets:
            original = holder[key]
            for payload in hostile:
                holder[key] = [payload] if key == "metrics" else payload
                try:
                    source = generate(design, formatter=False)
                except CodegenError:
                    continue
                assert "PWNED" not in code_outside_literals(source)
                exec(compile(source, "model.py", "exec"), {"__name__": "exported_model"})  # noqa: S102
            holder[key] = original
    assert not marker.exists()
