"""Class weights for imbalanced classification, from the training labels.

The exported script copies these functions (as it copies the loaders), so the
app and the script weigh the classes the same way.  Plain NumPy: the "balanced"
rule is scikit-learn's (``compute_class_weight("balanced")``), which the tests
use as the oracle, without making the script depend on scikit-learn.
"""

from __future__ import annotations

import numpy as np


def class_labels(y):
    """One integer class per row, from class ids, one-hot rows or a 0/1 column."""
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] > 1:
        return y.argmax(axis=-1).reshape(-1)
    return np.rint(y.reshape(-1)).astype("int64")


def balanced_class_weight(y):
    """Each class present weighs n_samples / (n_classes * its count): rare classes count more."""
    classes, counts = np.unique(class_labels(y), return_counts=True)
    weights = counts.sum() / (len(classes) * counts)
    return {int(c): float(w) for c, w in zip(classes, weights, strict=True)}


def complete_class_weight(weights, y):
    """``weights`` with 1.0 for every class in ``y`` it leaves out (Keras needs one up to the largest)."""
    labels = class_labels(y)
    largest = int(labels.max()) if len(labels) else -1
    return {**{c: 1.0 for c in range(largest + 1)}, **{int(c): float(w) for c, w in weights.items()}}
