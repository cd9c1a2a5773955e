"""Export for several machines from the window, and the distribution choice that says what it is for."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from engine.design.file_format import load
from gui.export_dialog import EXPORT_FILTERS
from gui.start_page import template_path

SLURM, KUBERNETES = (f for f, kind in EXPORT_FILTERS.items() if kind != "none")


def choose_file(monkeypatch, path, file_type):
    """The save dialog answers as a person would: a file name and one of the offered file types."""
    offered = []

    def answer(parent, title, start, filters, *rest):
        offered.append(filters.split(";;"))
        return str(path), file_type

    monkeypatch.setattr("gui.file_actions.QFileDialog.getSaveFileName", answer)
    return offered


def type_into(qtbot, spin, value: int) -> None:
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), str(value))
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Tab)


def test_export_for_several_machines_writes_the_script_and_a_slurm_job(window, qtbot, tmp_path, monkeypatch):
    window.files.open_path(template_path("mlp_classifier"), ask=False)
    offered = choose_file(monkeypatch, tmp_path / "iris.py", SLURM)
    window.files.export_code()
    assert offered == [list(EXPORT_FILTERS)]  # the same choices as main.py export --job
    dialog = window.files.job_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert "Writes iris.py and, beside it, iris.sbatch: a SLURM batch file" in dialog.about.text()
    type_into(qtbot, dialog.nodes, 3)
    type_into(qtbot, dialog.gpus, 2)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (tmp_path / "iris.sbatch").exists())
    job = (tmp_path / "iris.sbatch").read_text()
    assert "#SBATCH --nodes=3" in job and "#SBATCH --gpus-per-node=2" in job
    assert "iris.py --distribute data-parallel" in job
    assert "def main():" in (tmp_path / "iris.py").read_text()
    assert "iris.sbatch" in window.statusBar().currentMessage()


def test_a_kubernetes_job_with_a_bad_image_name_writes_nothing(window, qtbot, tmp_path, monkeypatch):
    window.files.open_path(template_path("mlp_classifier"), ask=False)
    choose_file(monkeypatch, tmp_path / "iris.py", KUBERNETES)
    window.files.export_code()
    dialog = window.files.job_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.image, "not an image")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert "'not an image' is not an image name" in dialog.problem.text() and dialog.isVisible()
    assert list(tmp_path.glob("iris*")) == []
    dialog.image.clear()
    qtbot.keyClicks(dialog.image, "registry.example/iris:1")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert '"registry.example/iris:1"' in (tmp_path / "iris.k8s.yaml").read_text()


def test_a_script_for_one_machine_is_written_without_asking_more(window, tmp_path, monkeypatch):
    window.files.open_path(template_path("mlp_classifier"), ask=False)
    choose_file(monkeypatch, tmp_path / "iris.py", next(iter(EXPORT_FILTERS)))
    window.files.export_code()
    assert [p.name for p in tmp_path.iterdir()] == ["iris.py"]


def test_the_distribution_choice_says_what_each_option_is_for(window, qtbot, tmp_path):
    window.files.open_path(template_path("mlp_classifier"), ask=False)
    combo = window.model_settings.distribution
    tips = [combo.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(combo.count())]
    assert [combo.itemText(i) for i in range(combo.count())] == ["none", "mirrored"]
    assert "One device" in tips[0] and "MirroredStrategy" in tips[1]
    assert "Several machines: export the Keras script with a SLURM or Kubernetes job" in combo.toolTip()
    combo.setCurrentIndex(1)  # as a pick in the list does
    assert window.doc.design.training_settings.distribution == "mirrored"
    assert "Every GPU of this machine" in combo.toolTip()
    window.doc.undo_stack.undo()
    assert window.doc.design.training_settings.distribution == "none" and combo.currentText() == "none"
    window.files._save_to(tmp_path / "d.json")
    assert "distribution" not in load(tmp_path / "d.json").training
