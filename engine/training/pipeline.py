"""The training data's fast path: ``tf.data`` pipelines made once per run.

``model.fit(x, y, validation_split=...)`` rebuilds Keras's array pipeline and
slices the arrays on every call; here the arrays become tensors once, each
epoch shuffles only an index vector (no second copy of the data in a shuffle
buffer), batches are gathered in parallel and prefetched while the model
trains.  The split is Keras's own: the last ``validation_split`` of the rows
(prepared data is shuffled before, see engine/data/prepare.py).  Measured with
benchmarks/training_overhead.py: with steps_per_execution, a run of the small
CNN on digits takes about two thirds of the time of the array path.
"""

from __future__ import annotations

import math
from typing import Any

from engine.data.loaders import rows, take


def split_rows(n: int, validation_split: float) -> int:
    """Training rows before the validation tail, as Keras counts them."""
    return int(math.floor(n * (1 - validation_split))) if validation_split else n


def datasets(x: Any, y: Any, batch_size: int, validation_split: float, seed: int) -> tuple[Any, Any]:
    """(training dataset, validation dataset or None), both batched and prefetched.

    ``x`` (and ``y``) may be a dict of arrays, one per model input (output), keyed by
    name: every array is gathered with the same indices, so rows stay aligned.
    """
    import tensorflow as tf

    n_train = split_rows(rows(x), validation_split)
    x_train, y_train = (tf.nest.map_structure(lambda a: tf.constant(a[:n_train]), v) for v in (x, y))

    def gather(indices: Any) -> tuple[Any, Any]:
        return tuple(tf.nest.map_structure(lambda a: tf.gather(a, indices), v) for v in (x_train, y_train))

    train = (
        tf.data.Dataset.range(n_train)
        .shuffle(n_train, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    if n_train == rows(x):
        return train, None
    tail = slice(n_train, None)
    validation = (
        tf.data.Dataset.from_tensor_slices((take(x, tail), take(y, tail)))
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    return train, validation
