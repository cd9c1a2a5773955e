"""The start page: New, Open, recent files and the templates.

It scrolls rather than squeezes: in a small window the descriptions keep
their wrapped height and the page gets a scroll bar, so nothing clips or
overlaps.  A template opens as a new, untitled design; the shipped file is
never the document.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

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
    "transformer_encoder": (
        "Transformer encoder",
        "Self-attention, Add & LayerNormalization and a feed-forward block read digits row by row.",
    ),
    "lstm_seq2seq": (
        "LSTM encoder–decoder",
        "Two inputs: an LSTM reads a sequence, its final states start a decoder that writes it reversed.",
    ),
}

CONTENT_WIDTH = 820  # wider reads badly; narrower windows wrap the text


def template_path(stem: str) -> Path:
    return TEMPLATES_DIR / f"{stem}.json"


class StartPage(QScrollArea):
    new_requested = Signal()
    open_requested = Signal()
    file_requested = Signal(str)  # a recent file: opened as itself
    template_requested = Signal(str)  # a template: opened as a new, untitled design

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        page.setMaximumWidth(CONTENT_WIDTH)
        outer = QVBoxLayout(page)
        outer.setContentsMargins(40, 30, 40, 30)
        title = QLabel("<h1>Netwright</h1><p>Design, check and export Keras models visually.</p>")
        title.setWordWrap(True)
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
        self.template_buttons: dict[str, QPushButton] = {}
        for stem, (name, blurb) in TEMPLATES.items():
            button = QPushButton(name)
            button.setToolTip(blurb)
            button.setMinimumWidth(170)
            button.clicked.connect(
                lambda _=False, s=stem: self.template_requested.emit(str(template_path(s)))
            )
            text = QLabel(blurb)
            text.setWordWrap(True)
            row = QHBoxLayout()
            row.setSpacing(16)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            row.addWidget(text, 1)
            outer.addLayout(row)
            self.template_buttons[stem] = button
        outer.addWidget(QLabel("<h3>Recent files</h3>"))
        self.recent = QListWidget()
        self.recent.setMinimumHeight(90)
        self.recent.itemActivated.connect(lambda item: self.file_requested.emit(item.text()))
        outer.addWidget(self.recent, 1)
        holder = QWidget()
        centred = QHBoxLayout(holder)
        centred.setContentsMargins(0, 0, 0, 0)
        centred.addWidget(page)
        self.setWidget(holder)

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        self.recent.addItems(paths)
