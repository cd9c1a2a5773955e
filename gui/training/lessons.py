"""What to look at when training each bundled template, in one line (shown in the Train view)."""

from __future__ import annotations

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
