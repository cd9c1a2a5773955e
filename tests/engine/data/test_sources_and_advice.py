"""Which source a chosen file becomes, the preparation defaults, and advice about scale."""

from pathlib import Path

import numpy as np
import pytest

from engine.data import advice, sources
from engine.data.prepare import DataError, load_builtin
from engine.schema.datasets import BUILTIN


def test_file_extensions_map_to_sources_with_a_test_split_held_out(tmp_path):
    (tmp_path / "t.CSV").write_text("a,b\n1,2\n")
    assert sources.spec_for_path(tmp_path / "t.CSV", tmp_path) == {
        "source": "csv",
        "path": "t.CSV",
        "seed": 0,
        "test_split": 0.2,
        "standardize": False,
    }
    assert sources.spec_for_path(tmp_path / "d.npz", tmp_path)["source"] == "numpy"
    np.save(tmp_path / "x.npy", np.zeros((2, 2)))
    with pytest.raises(DataError, match="put the labels beside it"):
        sources.spec_for_path(tmp_path / "x.npy", tmp_path)
    np.save(tmp_path / "y.npy", np.zeros(2))
    assert sources.spec_for_path(tmp_path / "x.npy", tmp_path)["y_path"] == "y.npy"
    with pytest.raises(DataError, match="Netwright reads CSV"):
        sources.spec_for_path(tmp_path / "model.keras", tmp_path)
    assert sources.spec_for_path(tmp_path, tmp_path.parent)["source"] == "images"


def test_a_change_of_source_keeps_the_seed_and_split():
    previous = {"source": "builtin", "name": "iris", "seed": 7, "test_split": 0.3, "standardize": False}
    spec = sources.spec_for_builtin("wine", previous)
    assert spec == {"source": "builtin", "name": "wine", "seed": 7, "test_split": 0.3, "standardize": True}
    assert sources.spec_for_path(Path("/data/f.csv"), Path("/data"), previous)["seed"] == 7


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_standardising_is_the_default_exactly_where_the_scale_calls_for_it(name):
    data = load_builtin(name)
    assert advice.features_unscaled(data.x) == (name in sources.UNSCALED_BUILTIN)


def test_diabetes_gets_advice_about_its_targets():
    data = load_builtin("diabetes")
    [text] = advice.scale_advice(data.x, data.y, data.task, standardized=False, name="diabetes")
    assert "targets of diabetes range from 25 to 346" in text and "learning rate" in text
    wine = load_builtin("wine")
    assert "switch on 'standardise features'" in advice.scale_advice(wine.x, wine.y, wine.task, False)[0]
    assert advice.scale_advice(wine.x, wine.y, wine.task, True) == []


def test_a_loss_that_does_not_move_is_explained():
    data = load_builtin("diabetes")
    flat = {"loss": [29000.0, 28900.0, 28850.0, 28800.0]}
    notes = advice.training_advice(flat, data)
    assert notes[0].startswith("The loss hardly moved (29,000 to 28,800)")
    assert "targets of diabetes" in notes[1]
    assert advice.training_advice({"loss": [2.0, 1.0, 0.5]}, data) == []


def test_options_are_kept_per_source_and_a_target_is_a_name_or_a_number():
    csv = {"source": "csv", "path": "f.csv", "target": "old"}
    out = sources.with_options(csv, seed=3, test_split=0.25, standardize=True, target=" 2 ", grayscale=True)
    assert out == {
        "source": "csv",
        "path": "f.csv",
        "target": 2,
        "seed": 3,
        "test_split": 0.25,
        "standardize": True,
        "drop_invalid": False,
    }
    assert (
        sources.with_options(csv, seed=0, test_split=0, standardize=False, target="kind")["target"] == "kind"
    )
    assert "target" not in sources.with_options(csv, seed=0, test_split=0, standardize=False)
    builtin = sources.with_options(
        {"source": "builtin", "name": "iris"}, seed=1, test_split=0.2, standardize=False
    )
    assert builtin == {
        "source": "builtin",
        "name": "iris",
        "seed": 1,
        "test_split": 0.2,
        "standardize": False,
    }
