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

import numpy as np


def split_rows(n: int, validation_split: float) -> int:
    """Training rows before the validation tail, as Keras counts them."""
    return int(math.floor(n * (1 - validation_split))) if validation_split else n


def datasets(
    x: np.ndarray, y: np.ndarray, batch_size: int, validation_split: float, seed: int
) -> tuple[Any, Any]:
    """(training dataset, validation dataset or None), both batched and prefetched."""
    import tensorflow as tf

    n_train = split_rows(len(x), validation_split)
    x_train, y_train = tf.constant(x[:n_train]), tf.constant(y[:n_train])

    def gather(indices: Any) -> tuple[Any, Any]:
        return tf.gather(x_train, indices), tf.gather(y_train, indices)

    train = (
        tf.data.Dataset.range(n_train)
        .shuffle(n_train, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    if n_train == len(x):
        return train, None
    validation = (
        tf.data.Dataset.from_tensor_slices((x[n_train:], y[n_train:]))
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    return train, validation
