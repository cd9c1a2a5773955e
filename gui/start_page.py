"""The start page: New, Open, recent files and the templates."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "resources" / "designs"

# Title and one-line description of each bundled template, in the order offered.
TEMPLATES = {
    "seed_example": (
        "Seed example",
        "Input → Dense(10, relu) → Dense(1), Adam, MSE: the Keras example from the study notes.",
    ),
    "mlp_classifier": ("MLP classifier", "A multi-layer perceptron that classifies iris flowers."),
    "small_cnn": ("Small CNN", "Convolutions and pooling that read 8×8 handwritten digits."),
    "residual_block": (
        "Residual block",
        "A skip connection: the block learns a correction added to its input.",
    ),
    "autoencoder": ("Autoencoder", "Squeezes digits through an 8-number code and rebuilds them."),
    "lstm_sequence": ("LSTM sequence model", "Two stacked LSTMs that predict the next value of a sequence."),
    "deep_sigmoid": (
        "Deep sigmoid net",
        "Eight sigmoid layers on circles: watch the gradients vanish in the early layers.",
    ),
    "deep_relu": ("Deep ReLU net", "The same depth with ReLU and He initialisation: every layer learns."),
    "overfitting": (
        "Overfitting net",
        "A big network on 120 points: train and validation loss part ways; Dropout helps.",
    ),
}


class StartPage(QWidget):
    new_requested = Signal()
    open_requested = Signal()
    file_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(60, 40, 60, 40)
        title = QLabel("<h1>Netwright</h1><p>Design, check and export Keras models visually.</p>")
        outer.addWidget(title)
        buttons = QHBoxLayout()
        new = QPushButton("New design")
        new.clicked.connect(self.new_requested)
        open_ = QPushButton("Open…")
        open_.clicked.connect(self.open_requested)
        buttons.addWidget(new)
        buttons.addWidget(open_)
        buttons.addStretch()
        outer.addLayout(buttons)
        outer.addWidget(QLabel("<h3>Start from a template</h3>"))
        grid = QGridLayout()
        self.template_buttons: dict[str, QPushButton] = {}
        for i, (stem, (title, blurb)) in enumerate(TEMPLATES.items()):
            button = QPushButton(title)
            button.setToolTip(blurb)
            button.clicked.connect(
                lambda _=False, p=TEMPLATES_DIR / f"{stem}.json": self.file_requested.emit(str(p))
            )
            text = QLabel(blurb)
            text.setWordWrap(True)
            grid.addWidget(button, i, 0)
            grid.addWidget(text, i, 1)
            self.template_buttons[stem] = button
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        outer.addWidget(QLabel("<h3>Recent files</h3>"))
        self.recent = QListWidget()
        self.recent.itemActivated.connect(lambda item: self.file_requested.emit(item.text()))
        outer.addWidget(self.recent)

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        self.recent.addItems(paths)
