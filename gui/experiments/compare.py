"""Compare two runs, trials or designs: what changed (the engine's diff), their scores, their curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout

from engine.design.file_format import DesignFileError, load
from engine.experiments.diff import diff_designs
from gui.experiments.plots import TrialCurves, score_colors
from gui.wheel_guard import ComboBox

SHOWN_METRICS = ("loss", "val_loss", "accuracy", "val_accuracy")


def scores_text(candidate: dict[str, Any]) -> str:
    history = candidate.get("history") or {}
    parts = [f"{k} {history[k][-1]:.4g}" for k in SHOWN_METRICS if history.get(k)]
    return f"{candidate['label']}: " + (" · ".join(parts) if parts else "not trained")


class CompareDialog(QDialog):
    """Two of: the design now, the session's finished runs, a sweep's trials, a design file."""

    def __init__(
        self, parent: Any, candidates: list[dict[str, Any]], first: int = 0, second: int = 1
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare")
        self.resize(760, 620)
        self.candidates = list(candidates)
        self.first, self.second = ComboBox(), ComboBox()
        for box in (self.first, self.second):
            box.addItems([c["label"] for c in self.candidates])
        self.first.setCurrentIndex(min(first, len(self.candidates) - 1))
        self.second.setCurrentIndex(min(second, len(self.candidates) - 1))
        self.open_button = QPushButton("Open a design file…")
        self.open_button.clicked.connect(self.open_file)
        self.differences = QListWidget()
        self.scores = QLabel()
        self.scores.setWordWrap(True)
        self.curves = TrialCurves()
        self.curves.setMinimumHeight(200)
        choose = QHBoxLayout()
        choose.addWidget(self.first, 1)
        choose.addWidget(QLabel("→"))
        choose.addWidget(self.second, 1)
        choose.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addWidget(QLabel("What changed:"))
        layout.addWidget(self.differences, 1)
        layout.addWidget(self.scores)
        layout.addWidget(self.curves, 1)
        for box in (self.first, self.second):
            box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def add_candidate(self, candidate: dict[str, Any]) -> int:
        self.candidates.append(candidate)
        for box in (self.first, self.second):
            box.blockSignals(True)
            box.addItem(candidate["label"])
            box.blockSignals(False)
        return len(self.candidates) - 1

    def open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Compare with a design", "", "Designs (*.json)")
        if path:
            self.compare_file(Path(path))

    def compare_file(self, path: Path) -> None:
        """A design file as the second of the two."""
        try:
            design = load(path)
        except (DesignFileError, OSError) as exc:
            self.scores.setText(f"{path.name} cannot be read: {exc}")
            return
        self.second.setCurrentIndex(self.add_candidate({"label": path.name, "design": design}))

    def refresh(self) -> None:
        a, b = (self.candidates[box.currentIndex()] for box in (self.first, self.second))
        self.differences.clear()
        self.differences.addItems(diff_designs(a["design"], b["design"]).lines())
        self.scores.setText(scores_text(a) + "<br>" + scores_text(b))
        colors = score_colors([0.0, 1.0])
        self.curves.show_histories(
            [(c["label"], c.get("history") or {}, color) for c, color in zip((a, b), colors, strict=True)]
        )
