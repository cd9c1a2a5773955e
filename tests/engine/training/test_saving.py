"""Saving a trained model or its weights goes through a temporary file: the target is whole or old."""

from pathlib import Path

import pytest

from engine.design.file_format import load
from engine.keras.build import build_model
from engine.training.fit import save_model

ROOT = Path(__file__).resolve().parents[3]


def test_models_and_weights_are_saved_whole_and_leave_no_temporary_files(tmp_path):
    import keras

    model = build_model(load(ROOT / "resources" / "designs" / "seed_example.json"))
    assert save_model(model, tmp_path / "m.keras") == tmp_path / "m.keras"
    assert save_model(model, tmp_path / "m.weights.h5") == tmp_path / "m.weights.h5"
    assert save_model(model, tmp_path / "other") == tmp_path / "other.keras"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.keras", "m.weights.h5", "other.keras"]
    assert keras.models.load_model(tmp_path / "m.keras", compile=False).count_params() == model.count_params()
    model.load_weights(tmp_path / "m.weights.h5")


def test_a_save_into_a_missing_folder_fails_before_writing(tmp_path):
    model = build_model(load(ROOT / "resources" / "designs" / "seed_example.json"))
    with pytest.raises(FileNotFoundError, match="folder does not exist"):
        save_model(model, tmp_path / "missing" / "m.keras")
