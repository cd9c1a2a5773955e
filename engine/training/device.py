"""Which device trains: the first GPU TensorFlow sees, else the CPU.

TensorFlow places every op on GPU:0 by itself when one is visible; this only
names it for the training view (``"GPU: NVIDIA H100 80GB HBM3"`` or ``"CPU"``).
"""

from __future__ import annotations

from typing import Any


def describe(gpu_names: list[str]) -> str:
    """The sentence the training view shows, from the GPUs' names (empty: the CPU)."""
    if not gpu_names:
        return "CPU"
    more = f" (+{len(gpu_names) - 1} more)" if len(gpu_names) > 1 else ""
    return f"GPU: {gpu_names[0]}{more}"


def training_device() -> str:
    import tensorflow as tf

    names = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details: dict[str, Any] = tf.config.experimental.get_device_details(gpu)
        names.append(str(details.get("device_name") or gpu.name))
    return describe(names)
