"""The exported script's distribution code: these functions are copied into every script
(``inspect.getsource`` in :mod:`engine.keras.codegen`), so they use only the names a script
has (``np``, ``os``, ``contextlib``, and the data helpers ``rows`` and ``take``); Keras is
imported inside, so that importing the exporter does not load it.

``--distribute data-parallel`` runs Keras on JAX with ``keras.distribution.DataParallel``.  On
several machines (one process each, started with ``KERAS_DISTRIBUTION_JOB_ADDRESSES``,
``KERAS_DISTRIBUTION_NUM_PROCESSES`` and ``KERAS_DISTRIBUTION_PROCESS_ID``) Keras does not split
NumPy arrays between the processes (it refuses to unless the data is a ``tf.data.Dataset``), so
each process feeds its own share of the rows (:func:`process_share`) and JAX puts the shares
side by side as one global batch.  Every step is a collective all processes must join: the
shares have equal length, and only the first process evaluates and writes files, on a copy of
the model of its own (:func:`local_model`).
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from engine.data.loaders import rows, take

# What the script carries, in this order (engine.keras.codegen copies their source).
SCRIPT_FUNCTIONS = (
    "distribution_scope",
    "processes",
    "share_rows",
    "process_share",
    "epoch_losses",
    "local_model",
)


def distribution_scope(kind):
    """Where the model is built: one device, all local GPUs, or every device on JAX.

    mirrored: tf.distribute.MirroredStrategy over the local GPUs (else the CPU).
    data-parallel: keras.distribution.DataParallel on the JAX backend, each batch split
    over every device; on several machines set KERAS_DISTRIBUTION_JOB_ADDRESSES,
    KERAS_DISTRIBUTION_NUM_PROCESSES and KERAS_DISTRIBUTION_PROCESS_ID on each one
    (see docs/distribution.md in Netwright).
    """
    import keras

    if kind == "mirrored":
        import tensorflow as tf

        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices]).scope()
    if kind == "data-parallel":
        index, count = processes()
        if count > 1:
            if not os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES"):
                raise SystemExit("KERAS_DISTRIBUTION_JOB_ADDRESSES must name the first process's HOST:PORT")
            keras.distribution.initialize()  # several processes (machines): JAX's own runtime joins them
        # With several processes each feeds its own share of the rows (process_share): Keras must not
        # split them again (it can only split a tf.data.Dataset).
        distribution = keras.distribution.DataParallel(auto_shard_dataset=count == 1)
        keras.distribution.set_distribution(distribution)
        devices = len(keras.distribution.list_devices())
        print(f"process {index} of {count}: data-parallel over {devices} devices", flush=True)
    return contextlib.nullcontext()


def processes():
    """(this process's number, how many processes train together), from the variables a
    several-machine run sets; (0, 1) for one process."""
    try:
        count = int(os.environ.get("KERAS_DISTRIBUTION_NUM_PROCESSES", "1"))
        index = int(os.environ.get("KERAS_DISTRIBUTION_PROCESS_ID", "0"))
    except ValueError:
        raise SystemExit("KERAS_DISTRIBUTION_NUM_PROCESSES and _PROCESS_ID must be whole numbers") from None
    if count < 1 or not 0 <= index < count:
        raise SystemExit(
            f"KERAS_DISTRIBUTION_PROCESS_ID={index} must be from 0 to KERAS_DISTRIBUTION_NUM_PROCESSES-1"
            f" ({count - 1})"
        )
    return index, count


def share_rows(total, batch, index, count, multiple):
    """The row numbers process ``index`` of ``count`` trains on, at ``batch`` rows a step.

    Of every global batch (``count`` x ``batch`` rows) it takes the index-th block, so the
    processes' blocks side by side are the one-process batch, row for row (a dropout mask
    falls on the same rows).  Every process gets the same number of rows, a whole number of
    ``multiple`` (its devices): the rows that do not divide evenly are dropped, or a process
    would wait at a step the others never take.
    """
    each = total // count
    each -= each % multiple
    full = each // batch * batch  # rows in whole batches; the last, shorter batch is split alike
    order = np.arange(each * count)
    whole = order[: full * count].reshape(-1, count, batch)[:, index].ravel()
    return np.concatenate([whole, order[full * count :].reshape(count, -1)[index]])


def process_share(x, y, global_batch, validation_split, devices=None):
    """(x, y, batch size, validation keyword) for this process's ``model.fit``.

    The validation rows are cut where Keras's ``validation_split`` cuts (the last rows), then
    both parts are shared out by :func:`share_rows`; the batch is ``global_batch`` divided
    between the processes.  ``devices``: how many train together (default: all of them).
    """
    index, count = processes()
    if devices is None:
        import keras

        devices = len(keras.distribution.list_devices())
    if global_batch % devices:
        raise SystemExit(
            f"--batch-size {global_batch} does not divide between the {devices} devices:"
            f" use a multiple of {devices}"
        )
    batch, multiple = global_batch // count, max(1, devices // count)

    def part(a, rows_taken):
        return [take(v, rows_taken) for v in a] if isinstance(a, (list, tuple)) else take(a, rows_taken)

    total = rows(x[0] if isinstance(x, (list, tuple)) else x)
    cut = int(total * (1.0 - validation_split))
    train = share_rows(cut, batch, index, count, multiple)
    if not len(train):
        raise SystemExit(f"{cut} training rows are too few to share between {devices} devices")
    held = cut + share_rows(total - cut, batch, index, count, multiple)
    validation = {"validation_data": (part(x, held), part(y, held))} if len(held) else {}
    return part(x, train), part(y, train), batch, validation


def epoch_losses(kind):
    """For data-parallel, a callback that prints this process's losses after every epoch: every
    process prints them, and they agree, since each step's loss is the global batch's."""
    import keras

    if kind != "data-parallel":
        return []
    index, count = processes()

    def show(epoch, logs):
        scores = " ".join(f"{k} {v!r}" for k, v in logs.items() if k.endswith("loss"))
        print(f"process {index} of {count}: epoch {epoch + 1} {scores}", flush=True)

    return [keras.callbacks.LambdaCallback(on_epoch_end=show)]


def local_model(model, build):
    """The trained model on this process's devices alone, for the first process to evaluate.

    Under several processes every use of the trained model is a step all of them must take; the
    others have finished, so the first process evaluates a fresh model (``build()``) holding
    the trained weights, which are the same on every process.
    """
    import keras

    if processes()[1] == 1:
        return model
    weights = model.get_weights()
    keras.distribution.set_distribution(None)
    copy = build()
    copy.set_weights(weights)
    return copy
