"""The run history: each run's optimizer, settings, epochs, final scores and time; tick a run to
overlay its curves, or compare optimizers (or losses) on the same design and seed in one action."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.schema.settings import DataSettings
from engine.training.compare import LOSSES_LESSON
from gui.training.lessons import OPTIMIZERS_LESSON
from gui.training.session import Run, TrainingSession

COLUMNS = ["Show", "Run", "Epochs", "Batch", "Loss", "Val loss", "Metric", "Time"]


def dataset_text(run: Run) -> str:
    """The run's dataset in a word: the built-in's name, else the file's name, else the source."""
    data = DataSettings.of(run.design.data)
    path = data.extra.get("path")
    return str(data.name or (Path(str(path)).name if path else None) or data.source or "no data")


def run_titles(runs: list[Run]) -> dict[int, str]:
    """'#2 Adam lr 0.001' per run number; the dataset is added when the runs were not all
    trained on the same one, so overlaid curves of different data never share a name."""
    datasets = {run.number: dataset_text(run) for run in runs}
    mixed = len(set(datasets.values())) > 1
    return {
        run.number: f"#{run.number} {run.label}" + (f" · {datasets[run.number]}" if mixed else "")
        for run in runs
    }


class RunsView(QWidget):
    compare_requested = Signal()
    compare_losses_requested = Signal()

    def __init__(self, session: TrainingSession) -> None:
        super().__init__()
        self.session = session
        self.compare_button = QPushButton("Compare optimizers (SGD, SGD + momentum, RMSprop, Adam)")
        self.compare_button.setToolTip(
            "Trains this design four times with the same seed and overlays the curves"
        )
        self.compare_button.clicked.connect(self.compare_requested)
        self.compare_losses_button = QPushButton("Compare losses (MSE vs cross-entropy)")
        self.compare_losses_button.setToolTip(
            "Trains this classifier twice with the same seed, with cross-entropy and with MSE on "
            "one-hot targets, and overlays the curves"
        )
        self.compare_losses_button.clicked.connect(self._compare_losses)
        self.lesson = QLabel()
        self.lesson.setWordWrap(True)
        self.lesson.setStyleSheet("color: #2F6FD6;")
        self.lesson.hide()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()  # every column as wide as its text: no run name cut
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setHorizontalScrollMode(QTableWidget.ScrollMode.ScrollPerPixel)
        self.table.itemChanged.connect(self._ticked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.compare_losses_button)
        layout.addLayout(buttons)
        layout.addWidget(self.lesson)
        layout.addWidget(QLabel("Tick runs to overlay their curves on the plots."))
        layout.addWidget(self.table)
        session.finished.connect(lambda _run: self.refresh())
        session.started.connect(lambda _run: self.refresh())
        session.cleared.connect(self.refresh)
        session.cleared.connect(self.lesson.hide)
        self.compare_button.clicked.connect(lambda: self._show_lesson(OPTIMIZERS_LESSON))

    def _show_lesson(self, text: str) -> None:
        self.lesson.setText(text)
        self.lesson.show()

    def _compare_losses(self) -> None:
        self._show_lesson(LOSSES_LESSON)
        self.compare_losses_requested.emit()

    def refresh(self) -> None:
        self.table.blockSignals(True)
        runs = self.session.runs
        titles = run_titles(runs)
        self.table.setRowCount(len(runs))
        for r, run in enumerate(runs):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked if run.overlay else Qt.CheckState.Unchecked)
            tick.setData(Qt.ItemDataRole.UserRole, run.number)
            metric = next((k for k in run.epochs if k not in ("loss",) and not k.startswith("val_")), None)
            cells = [
                titles[run.number],
                str(len(run.epochs.get("loss", []))) + ("" if run.finished else " …"),
                str(run.design.training_settings.batch_size),
                _fmt(run.final("loss")),
                _fmt(run.final("val_loss")),
                f"{metric} {_fmt(run.final(metric))}" if metric else "",
                f"{run.seconds:.1f} s",
            ]
            self.table.setItem(r, 0, tick)
            for c, text in enumerate(cells, start=1):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.blockSignals(False)

    def _ticked(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        number = item.data(Qt.ItemDataRole.UserRole)
        for run in self.session.runs:
            if run.number == number:
                run.overlay = item.checkState() == Qt.CheckState.Checked
        self.session.revision += 1


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"
