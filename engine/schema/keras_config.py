"""Reading Keras's serialised form: its automatic names and the tensor references in a call.

The script reader writes a model config in this form and the importer reads
configs in it (from scripts, ``.keras``, ``.h5`` and JSON files); both use
these, so a class name turns into the same layer or loss name whichever way a
model arrives.
"""

from __future__ import annotations

import re
from typing import Any


def snake_case(name: str) -> str:
    """Keras's own ``to_snake_case``: the automatic name for a class.

    ``GlobalAveragePooling1D`` -> ``global_average_pooling1d``,
    ``SparseCategoricalCrossentropy`` -> ``sparse_categorical_crossentropy``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def is_tensor_ref(ref: Any) -> bool:
    """A ``keras_history`` entry: ``[layer name, node index, tensor index]``."""
    return (
        isinstance(ref, list)
        and len(ref) == 3
        and isinstance(ref[0], str)
        and all(isinstance(i, int) for i in ref[1:])
    )


def tensor_refs(value: Any) -> list[list[Any]]:
    """The ``keras_history`` references inside a call's argument, in order."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            config = value.get("config")
            ref = config.get("keras_history") if isinstance(config, dict) else None
            return [ref] if is_tensor_ref(ref) else []
        return [r for v in value.values() for r in tensor_refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in tensor_refs(v)]
    return []


def short_repr(value: Any) -> str:
    """A value quoted in a message: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def config_of(layer: Any) -> dict[str, Any]:
    """A serialised object's ``config`` (empty when it has none or it is not a dict)."""
    cfg = layer.get("config") if isinstance(layer, dict) else None
    return cfg if isinstance(cfg, dict) else {}
