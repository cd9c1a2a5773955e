"""Exporting the Keras script, alone or with a job file that starts it on several machines.

The save dialog's file types are the choices (as ``main.py export --job``): the script for
one machine, or the script and a SLURM or Kubernetes job file beside it.  A job then asks
what to request (:class:`JobDialog`); the file's text and name come from
:func:`engine.keras.job_files.job_file`, the command line's own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.atomic import write_text_atomic
from engine.keras.job_files import (
    JOB_HELP,
    PORTS,
    JobFileError,
    JobResources,
    default_image,
    job_file,
    job_path,
)
from gui.wheel_guard import SpinBox

# The save dialog's file types, one per job kind (``main.py export --job``).
EXPORT_FILTERS = {
    "Keras script, for one machine (*.py)": "none",
    "Keras script + SLURM job file, for several machines (*.py)": "slurm",
    "Keras script + Kubernetes job file, for several machines (*.py)": "kubernetes",
}
KIND_NAMES = {"slurm": "SLURM", "kubernetes": "Kubernetes"}


def job_kind(chosen_filter: str) -> str:
    """The job kind of the file type chosen in the save dialog ("none" for any other)."""
    return EXPORT_FILTERS.get(chosen_filter, "none")


class JobDialog(QDialog):
    """What the job asks for (nodes, GPUs, ...); on OK, writes the script and the job file.

    ``written`` carries the paths written; ``failed`` a sentence when a file cannot be written.
    """

    written = Signal(list)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None, script: Path, source: str, kind: str) -> None:
        super().__init__(parent)
        self.script, self.source, self.kind = Path(script), source, kind
        self.setWindowTitle(f"Export for several machines: {KIND_NAMES[kind]}")
        default = JobResources()
        self.nodes = self._spin(1, 4096, default.nodes, "machines, one training process each")
        self.gpus = self._spin(0, 64, default.gpus_per_node, "each process uses all its machine's GPUs")
        self.cpus = self._spin(1, 1024, default.cpus_per_node, "")
        self.memory = self._spin(1, 4096, default.memory_gb, "")
        self.hours = self._spin(1, 720, default.hours, "the time limit SLURM enforces")
        self.port = self._spin(*PORTS, default.port, "the port the first machine listens on")
        self.image = QLineEdit()
        self.image.setPlaceholderText(default_image(self.script.name))
        self.image.setToolTip("An image holding the script and its data in /workspace, Keras and JAX")
        form = QFormLayout()
        form.addRow("machines (nodes)", self.nodes)
        form.addRow("GPUs per machine", self.gpus)
        form.addRow("CPUs per machine", self.cpus)
        form.addRow("memory per machine (GB)", self.memory)
        if kind == "slurm":
            form.addRow("time limit (hours)", self.hours)
        form.addRow("coordinator port", self.port)
        if kind == "kubernetes":
            form.addRow("container image", self.image)
        self.about = QLabel(self._files_text())
        self.about.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #D32F2F;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._write)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def _spin(self, low: int, high: int, value: int, tip: str) -> QSpinBox:
        spin = SpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        spin.setToolTip(tip)
        return spin

    def _files_text(self) -> str:
        job = job_path(self.script, self.kind).name
        return f"Writes {self.script.name} and, beside it, {job}: {JOB_HELP[self.kind]}."

    def resources(self) -> JobResources:
        return JobResources(
            nodes=self.nodes.value(),
            gpus_per_node=self.gpus.value(),
            cpus_per_node=self.cpus.value(),
            memory_gb=self.memory.value(),
            hours=self.hours.value(),
            port=self.port.value(),
            image=self.image.text().strip(),
        )

    def _write(self) -> None:
        """The job file is made first (a refused resource writes nothing), then both files."""
        try:
            made = job_file(self.kind, self.script, self.resources())
        except JobFileError as exc:
            self.problem.setText(str(exc))
            return
        assert made is not None  # a kind other than "none"
        where, text = made
        try:
            write_text_atomic(self.script, self.source)
            write_text_atomic(where, text)
        except OSError as exc:
            self.failed.emit(f"{exc.filename or where} could not be written: {exc.strerror or exc}")
            self.reject()
            return
        self.accept()
        self.written.emit([self.script, where])
