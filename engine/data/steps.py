"""The preparation steps, written once: the app runs them and exported scripts carry them.

:func:`engine.data.prepare.prepare` calls :func:`prepare_arrays`, and
:mod:`engine.keras.codegen` copies these functions into the script with
``inspect.getsource`` (as it copies the loaders), so the arrays a script's
``load_data()`` returns are the arrays the app trains on, exactly
(tests/engine/keras/test_exported_data.py).  Hence the loaders' style: plain
NumPy, no annotations, and the names used here (the loaders' functions and the
loss kinds of :data:`SCRIPT_CONSTANTS`) are defined in the script too.
"""

from __future__ import annotations

import numpy as np

from engine.data.loaders import hold_out, memory_budget, shuffle, size_text, standardize
from engine.schema.compile_catalog import BINARY, CATEGORICAL, REGRESSION

# Module constants the copied functions read; an exported script defines them with these values.
SCRIPT_CONSTANTS = {"BINARY": BINARY, "CATEGORICAL": CATEGORICAL, "REGRESSION": REGRESSION}


def label_classes(y):
    """How many classes integer labels 0..k-1 have (the loaders checked them); 0 for numbers."""
    return int(y.max()) + 1 if y.dtype == np.int64 and y.size else 0


def shape_labels(y, y_test, loss_task, classes):
    """Labels as the loss compares them with the model's output.

    ``classes`` is how many classes the labels have (0: numbers to predict).  Class ids
    become one-hot rows for a categorical loss and for a regression loss (MSE on classes,
    with one output unit per class), a column of 0/1 floats for binary crossentropy;
    anything else stays as it is (integer ids for a sparse loss, numbers for regression).
    """
    if classes and loss_task in (CATEGORICAL, REGRESSION):
        need = (y.size + y_test.size) * classes * 4
        if need > memory_budget():
            raise ValueError(
                f"One-hot labels for {y.size + y_test.size:,} samples of {classes:,} classes need "
                f"{size_text(need)}: use sparse_categorical_crossentropy with integer labels"
            )
        one_hot = np.eye(classes, dtype="float32")
        return one_hot[y], one_hot[y_test]
    if classes and loss_task == BINARY:
        return y.astype("float32").reshape(-1, 1), y_test.astype("float32").reshape(-1, 1)
    return y, y_test


def prepare_arrays(x, y, seed, test_split, standardized, labels, inputs=None):
    """Shuffle (seeded, before any split: Keras's validation_split takes the last rows), hold
    out the last ``test_split`` of the rows for testing, standardise with the training rows'
    statistics, and shape the labels for the loss.

    ``labels`` is ``(loss kind, classes)`` for one target, or for several (y a dict of
    arrays) ``{output: (array name, loss kind, classes)}``: each output's labels, keyed by
    the model output they train.  ``inputs`` ``{model Input: array name}`` keys named
    arrays by the Inputs they feed (Keras matches a dict by input name).  Returns
    ``(x, y), (x_test, y_test), (mean, std)``; mean and std are None unless standardised.
    """
    x, y = shuffle(x, y, seed)
    (x, y), (x_test, y_test) = hold_out(x, y, test_split)
    mean = std = None
    if standardized:
        x, x_test, mean, std = standardize(x, x_test)
    if inputs is not None:
        x, x_test = ({node: a[name] for node, name in inputs.items()} for a in (x, x_test))
    if isinstance(y, dict):
        shaped = {
            node: shape_labels(y[name], y_test[name], loss_task, classes)
            for node, (name, loss_task, classes) in labels.items()
        }
        y, y_test = ({node: pair[i] for node, pair in shaped.items()} for i in (0, 1))
    else:
        y, y_test = shape_labels(y, y_test, *labels)
    return (x, y), (x_test, y_test), (mean, std)
