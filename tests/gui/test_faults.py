"""The window under faults: crashed sessions, saves that fail, data that cannot be loaded."""

import json
import math
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QMessageBox

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "resources" / "designs"


def crashed_session(window, tmp_path):
    """A session that autosaved unsaved work and then died (its window is just dropped)."""
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.set_param("h", "units", 33)
    window.files.autosave()
    window.doc.undo_stack.setClean()
    return tmp_path / "recovery.json"


def new_session(qtbot):
    from gui.main_window import MainWindow

    again = MainWindow()
    qtbot.addWidget(again)
    return again


def test_recovery_is_offered_even_when_a_file_is_given(window, answer, tmp_path, qtbot):
    recovery = crashed_session(window, tmp_path)
    asked = answer(QMessageBox.StandardButton.Yes)
    again = new_session(qtbot)
    again.files.start(str(TEMPLATES / "small_cnn.json"))
    assert asked and "Restore it?" in asked[0]
    assert again.doc.design.nodes["h"].params["units"] == 33 and again.doc.dirty
    assert "small_cnn.json was not opened" in again.statusBar().currentMessage()
    assert recovery.exists()  # restored but not yet saved: still the only copy on disk
    again.doc.undo_stack.setClean()


def test_declining_the_recovery_discards_it_and_opens_the_file(window, answer, tmp_path, qtbot):
    recovery = crashed_session(window, tmp_path)
    answer(QMessageBox.StandardButton.No)
    again = new_session(qtbot)
    again.files.start(str(TEMPLATES / "small_cnn.json"))
    assert again.doc.design.name == "small_cnn" and not recovery.exists()


def test_restored_work_keeps_its_recovery_file_until_it_is_saved(window, answer, tmp_path, qtbot):
    recovery = crashed_session(window, tmp_path)
    answer(QMessageBox.StandardButton.Yes)
    again = new_session(qtbot)
    again.files.start()
    assert recovery.exists()
    again.doc.path = tmp_path / "restored.json"
    assert again.files.save() and not recovery.exists()
    assert json.loads((tmp_path / "restored.json").read_text())["nodes"][1]["params"]["units"] == 33


def test_an_unreadable_recovery_file_is_kept_aside_not_deleted(window, tmp_path, qtbot):
    (tmp_path / "recovery.json").write_text("{half a json")
    again = new_session(qtbot)
    again.files.start()
    aside = list(tmp_path.glob("recovery-unreadable-*.json"))
    assert len(aside) == 1 and aside[0].read_text() == "{half a json"


def test_a_save_that_fails_says_why_instead_of_raising(window, tmp_path, monkeypatch):
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: warned.append(text)))
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.doc.design.training["validation_split"] = math.inf  # not from a file: loading refuses it
    window.doc.path = tmp_path / "d.json"
    assert window.files.save() is False
    assert warned and "could not be written" in warned[0] and not (tmp_path / "d.json").exists()
    window.doc.design.training["validation_split"] = 0.0
    window.doc.path = tmp_path / "no such folder" / "d.json"
    assert window.files.save() is False and "folder does not exist" in warned[1]
    window.doc.undo_stack.setClean()


def test_the_preview_reports_data_that_cannot_be_loaded(window, qtbot, tmp_path, monkeypatch):
    np.savez(tmp_path / "d.npz", x=np.ones((4, 2)) * 1j, y=np.arange(4) % 2)
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    monkeypatch.setattr(window.training, "_base_dir", lambda: tmp_path)
    window.doc.set_settings("data", {"source": "numpy", "path": "d.npz"}, "d")
    window.mode.show_train()
    window.training.tabs.setCurrentWidget(window.training.data)
    label = window.training.data.data_label
    qtbot.waitUntil(lambda: "x holds complex numbers" in label.text(), timeout=10_000)

    def unforeseen(*args):
        raise RuntimeError("a loader bug")

    monkeypatch.setattr("engine.data.prepare.load", unforeseen)
    window.doc.set_settings("data", {"source": "numpy", "path": "other.npz"}, "d")
    qtbot.waitUntil(lambda: "RuntimeError: a loader bug" in label.text(), timeout=10_000)
    window.doc.undo_stack.setClean()


def test_an_export_the_generator_refuses_says_why(window, monkeypatch):
    from engine.keras.codegen import CodegenError

    warned = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: warned.append(text)))

    def refuse(design):
        raise CodegenError("nan is not a finite number; a design may only hold finite numbers")

    monkeypatch.setattr("engine.keras.codegen.generate", refuse)
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.files.export_code()
    assert warned == [
        "The design cannot be exported: nan is not a finite number; a design may only hold finite numbers"
    ]
