"""What to look at when training each bundled template, in one line (shown in the Train view)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from engine.design.graph import Design
from gui.start_page import template_path

OPTIMIZERS_LESSON = (
    "Same design, same seed, four optimizers. Compare the loss curves: which falls fastest, and "
    "which stalls or jumps about? Solid lines are training, dashed lines validation (the data the "
    "network never trains on): a run whose dashed line rises again is overfitting."
)

LESSONS = {
    "seed_example": "Look at the loss falling on 8 features, then at Results: predicted vs actual "
    "hugs the diagonal.",
    "mlp_classifier": "Look at the accuracy climbing and the confusion matrix: which iris species get "
    "confused?",
    "small_cnn": "Look at the Gradients tab: convolutions learn too; Results shows which digits are "
    "mixed up.",
    "residual_block": "Look at the Gradients tab: the skip connection keeps the early layers' gradients "
    "large.",
    "transformer_encoder": "Look at the accuracy: self-attention reads each digit as 8 rows that look "
    "at one another, and learns with no convolution at all.",
    "autoencoder": "Look at the reconstruction loss falling: 64 pixels squeezed through an 8-number code.",
    "lstm_sequence": "Look at the validation MAE: the LSTMs learn to continue sine waves they have "
    "never seen.",
    "deep_sigmoid": "Look at the Gradients tab: the early sigmoid layers get gradients thousands of times "
    "smaller, and the accuracy stays at a coin toss. Then open the ReLU version.",
    "deep_relu": "Look at the Gradients tab: with ReLU and He initialisation every layer gets a healthy "
    "gradient, and the decision boundary takes the classes' shape (a ring on circles).",
    "lstm_seq2seq": "Look at Results: the decoder writes each sequence reversed, one symbol per step; "
    "whole sequences right climbs after the per-step accuracy.",
    "overfitting": "Look at loss vs val_loss drifting apart and the wiggly decision boundary; then add "
    "Dropout(0.5) after each wide layer, train again and compare in Runs.",
}


@cache
def _template_data(stem: str) -> Any:
    """The dataset the template ships with (its lesson speaks of that data)."""
    try:
        return json.loads(template_path(stem).read_text(encoding="utf-8")).get("data")
    except (OSError, ValueError, AttributeError):
        return None


def lesson_for(design: Design) -> str:
    """The template's lesson while the design still trains on the template's dataset: once the
    data is changed ("a ring on circles" while training on moons) the line would mislead."""
    lesson = LESSONS.get(design.name, "")
    shipped = _template_data(design.name) if lesson else None
    if not isinstance(shipped, dict) or not isinstance(design.data, dict):
        return ""
    same = all(design.data.get(k) == shipped.get(k) for k in ("source", "name", "path"))
    return lesson if same else ""
