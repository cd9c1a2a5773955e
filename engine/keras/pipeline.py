"""The training data's fast path, and the fit that uses it: written once, for the app and its scripts.

``model.fit(x, y, validation_split=...)`` rebuilds Keras's array pipeline and
slices the arrays on every call; here the arrays become tensors once, each
epoch shuffles only an index vector (no second copy of the data in a shuffle
buffer), batches are gathered in parallel and prefetched while the model
trains.  The split is Keras's own: the last ``validation_split`` of the rows
(prepared data is shuffled before, see engine/data/steps.py).  :func:`fit` adds
the per-run choice of ``steps_per_execution`` (engine/keras/speed.py) and the
optimizer state built before the first trace (:func:`build_state`).

:func:`engine.training.fit.train` calls :func:`fit`, and an exported script
carries these functions (copied by :mod:`engine.keras.codegen` with
``inspect.getsource``), so a script trains exactly as fast as the app
(``benchmarks/training_overhead.py``).  Hence the loaders' style: TensorFlow is
imported inside, no annotations (a script evaluates them with no typing
imports), and the other names used (:data:`SCRIPT_CONSTANTS`, the class-weight
helpers, the speed rule) are defined in the script too.
"""

from __future__ import annotations

import math

from engine.data.class_weights import balanced_class_weight, complete_class_weight
from engine.data.loaders import take
from engine.keras.speed import choose_steps_per_execution
from engine.schema.settings import BALANCED

# Module constants the copied functions read; an exported script defines them with these values.
SCRIPT_CONSTANTS = {"BALANCED": BALANCED}


def split_rows(n, validation_split):
    """Training rows before the validation tail, as Keras counts them."""
    return math.floor(n * (1 - validation_split)) if validation_split else n


def sample_count(a):
    """The rows of an array, or of a dict or list of arrays (one per model input or output)."""
    if isinstance(a, dict):
        a = next(iter(a.values()))
    elif isinstance(a, (list, tuple)):
        a = a[0]
    return len(a)


def datasets(x, y, batch_size, validation_split, seed, shuffle=True, validation_data=None):
    """(training dataset, validation dataset or None), both batched and prefetched.

    ``x`` (and ``y``) may be a dict or a list of arrays, one per model input (output):
    every array is gathered with the same indices, so rows stay aligned.  The validation
    rows are the last ``validation_split`` of them, or ``validation_data`` (x, y) when given.
    """
    import tensorflow as tf

    n_train = split_rows(sample_count(x), validation_split)
    x_train, y_train = (tf.nest.map_structure(lambda a: tf.constant(a[:n_train]), v) for v in (x, y))

    def gather(indices):
        return tuple(tf.nest.map_structure(lambda a: tf.gather(a, indices), v) for v in (x_train, y_train))

    order = tf.data.Dataset.range(n_train)
    if shuffle:  # each epoch another order of the rows: only the indices are shuffled
        order = order.shuffle(n_train, seed=seed, reshuffle_each_iteration=True)
    train = (
        order.batch(batch_size)
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    if validation_data is None and n_train == sample_count(x):
        return train, None
    if validation_data is None:
        validation_data = tuple(tf.nest.map_structure(lambda a: a[n_train:], v) for v in (x, y))
    validation = (
        tf.data.Dataset.from_tensor_slices(tuple(validation_data))
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    return train, validation


def build_state(model, batch_spec):
    """Create the optimizer's, the losses' and the metrics' variables before ``fit``.

    Without a distribution strategy Keras defers this to the first trace of the
    train step, and a ``tf.function`` that creates variables on its first trace is
    traced twice (once to create them, once to run), so every run paid for tracing
    its train step twice: about 0.35 s of a 2.5 s run of a small MLP on two cores
    (``benchmarks/inspect_overhead.py``). Keras builds this state up front itself
    when a strategy is set, with the same method; it needs only the batch's shapes
    and dtypes. Should that private method change, the first trace builds the state
    again as before, which costs time but nothing else.
    """
    symbolic_build = getattr(model, "_symbolic_build", None)
    strategy = getattr(model, "distribute_strategy", None)  # TensorFlow's; other backends have none
    if symbolic_build is None or strategy is None:
        return
    with strategy.scope():
        # A layer Keras cannot run symbolically: the first trace builds the state, as without this.
        try:
            symbolic_build(data_batch=batch_spec)
        except Exception:  # noqa: BLE001
            return


def fit_class_weight(chosen, y, n_train):
    """The weights Keras gets: "balanced" computed from the training rows' labels, explicit
    ones completed with 1.0 for each class they leave out.  Validation allows class weights
    only for a model with one output: ``y`` is one array."""
    if chosen is None:
        return None
    y_train = take(y, slice(0, n_train))
    if chosen == BALANCED:
        return balanced_class_weight(y_train)
    return complete_class_weight(chosen, y_train)


def fit(
    model,
    x,
    y,
    epochs,
    batch_size,
    validation_split=0.0,
    seed=0,
    flops_per_sample=None,
    class_weight=None,
    shuffle=True,
    validation_data=None,
    whole_calls=False,
    **options,
):
    """``model.fit`` on :func:`datasets`: Keras's History.

    ``steps_per_execution`` is chosen for this run from the model's FLOPs per sample and
    the epoch's batches; one batch per call under a distribution (Keras's multi-step loop
    fails on a distributed iterator).  ``class_weight``: None, "balanced" or {class: weight}.
    ``whole_calls``: let a compiled call end on a whole batch when an epoch ends on a short
    one (for a callback that reads each call's last step).  ``options`` go to ``model.fit``
    (callbacks, verbose).
    """
    import keras
    import tensorflow as tf

    n_train = split_rows(sample_count(x), validation_split)
    steps = max(1, math.ceil(n_train / batch_size))
    strategy = getattr(model, "distribute_strategy", None)  # TensorFlow's; other backends have none
    distributed = isinstance(strategy, tf.distribute.MirroredStrategy) or keras.distribution.distribution()
    model.steps_per_execution = (
        1 if distributed else choose_steps_per_execution(flops_per_sample, batch_size, steps)
    )
    if whole_calls and n_train % batch_size and 1 < steps <= model.steps_per_execution:
        model.steps_per_execution = steps - 1
    train, validation = datasets(x, y, batch_size, validation_split, seed, shuffle, validation_data)
    build_state(model, train.element_spec)
    return model.fit(
        train,
        validation_data=validation,
        epochs=epochs,
        class_weight=fit_class_weight(class_weight, y, n_train),
        shuffle=False,  # the dataset shuffles itself
        **options,
    )
