"""Comparisons a learner runs in one action: the same design and seed, one setting varied.

Each function returns ``(label, design)`` pairs, deep copies of the design with
only that setting changed, which the window trains one after another and
overlays.  Whether a variant fits the data is checked as for any run
(:func:`engine.data.prepare.check_fit`), and the labels take the form each loss
needs in :func:`engine.data.prepare.prepare` (class ids for sparse cross-entropy,
one-hot rows for categorical cross-entropy and for MSE on classes).
"""

from __future__ import annotations

import copy

from engine.design.graph import Design

OPTIMIZERS = (
    ("SGD", {"type": "SGD", "learning_rate": 0.01}),
    ("SGD + momentum", {"type": "SGD", "learning_rate": 0.01, "momentum": 0.9}),
    ("RMSprop", {"type": "RMSprop", "learning_rate": 0.001}),
    ("Adam", {"type": "Adam", "learning_rate": 0.001}),
)

CROSS_ENTROPIES = ("sparse_categorical_crossentropy", "categorical_crossentropy")
LOSSES_LESSON = (
    "Same design, same seed, two losses. Compare the accuracy curves (the two losses are on "
    "different scales): cross-entropy keeps a large gradient while the softmax is confidently "
    "wrong, so it usually climbs sooner; MSE's gradient shrinks as the outputs saturate."
)


def optimizer_variants(design: Design) -> list[tuple[str, Design]]:
    """SGD, SGD + momentum, RMSprop and Adam at their usual learning rates."""
    out = []
    for label, optimizer in OPTIMIZERS:
        variant = copy.deepcopy(design)
        settings = variant.compile_settings.with_optimizer_config(optimizer)
        variant.set_compile(settings)
        out.append((label, variant))
    return out


def loss_variants(design: Design) -> list[tuple[str, Design]]:
    """Cross-entropy (the design's own, or sparse categorical) and MSE on one-hot targets.

    For a classifier with a softmax output of one unit per class; the metrics
    are kept, so accuracy is comparable across the two runs.
    """
    own = design.compile_settings.loss
    crossentropy = own if own in CROSS_ENTROPIES else "sparse_categorical_crossentropy"
    out = []
    for label, loss in ((f"cross-entropy ({crossentropy})", crossentropy), ("MSE on one-hot targets", "mse")):
        variant = copy.deepcopy(design)
        variant.set_compile(variant.compile_settings.with_loss(loss))
        out.append((label, variant))
    return out
