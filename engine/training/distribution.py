"""Training on several local devices with ``tf.distribute.MirroredStrategy``.

``"none"`` trains on one device (TensorFlow's default placement: the first
GPU, else the CPU).  ``"mirrored"`` copies the model onto every local GPU (or,
without GPUs, every logical CPU device: one normally, two in the tests) and
splits each batch between them; the model must be built and compiled inside
the strategy's scope, which :func:`strategy_scope` gives.  Multi-machine
training is the exported script's (``--distribute data-parallel`` on JAX,
docs/distribution.md): MultiWorkerMirroredStrategy is broken under Keras 3
(keras#20585).
"""

from __future__ import annotations

import contextlib
from typing import Any

DISTRIBUTIONS = ("none", "mirrored")
# What each choice is for (the window's tooltips).
DISTRIBUTION_HELP = {
    "none": "One device: the first GPU TensorFlow sees, else the CPU. Right for most models.",
    "mirrored": "Every GPU of this machine (tf.distribute.MirroredStrategy): each batch is split "
    "between them and their gradients summed. For a model that trains slowly on one GPU; "
    "without GPUs it runs on the CPU, no faster.",
}
SEVERAL_MACHINES = (
    "Several machines: export the Keras script with a SLURM or Kubernetes job file "
    "(it trains data-parallel on JAX; docs/distribution.md)."
)


def mirrored_devices() -> list[str]:
    """All local GPUs, else all logical CPU devices."""
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    return [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]


def strategy_scope(distribution: str) -> contextlib.AbstractContextManager[Any]:
    """The scope to build and compile in; a plain no-op for ``"none"``."""
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {', '.join(DISTRIBUTIONS)}, not {distribution!r}")
    if distribution == "none":
        return contextlib.nullcontext()
    import tensorflow as tf

    return tf.distribute.MirroredStrategy(mirrored_devices()).scope()
