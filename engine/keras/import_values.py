"""Keras config values in the catalog's form, and which of them are only Keras's defaults.

The importer reads every layer argument and optimizer setting through
:func:`from_keras`; an argument equal to what Keras would use anyway is left out
(:func:`is_quiet`, :func:`is_keras_default`), so an imported design lists what the
model's author chose, not every value a saving writes.
"""

from __future__ import annotations

import math
from typing import Any

from engine.schema.catalog import LAYERS
from engine.schema.keras_config import config_of, short_repr, snake_case
from engine.schema.params import CHOICE, INITIALIZERS, INT, LAYER, REGULARIZERS, Param, ParamError

# Keras's defaults for arguments the catalog does not carry, as their config
# shows them; tests/engine/keras/test_importer.py checks them against Keras.
KERAS_DEFAULTS: dict[str, Any] = {
    "beta_initializer": "zeros",
    "gamma_initializer": "ones",
    "moving_mean_initializer": "zeros",
    "moving_variance_initializer": "ones",
    "depthwise_initializer": "glorot_uniform",
    "pointwise_initializer": "glorot_uniform",
    "recurrent_initializer": "orthogonal",
    "embeddings_initializer": "uniform",
    "bias_initializer": "zeros",
    "renorm_momentum": 0.99,
    "renorm": False,
    "momentum": 0.99,
    "epsilon": 0.001,
    "center": True,
    "scale": True,
    "interpolation": "nearest",
    "unit_forget_bias": True,
    "reset_after": True,
    "unroll": False,
    "data_format": "channels_last",
    "kernel_initializer": "glorot_uniform",
    "use_cudnn": "auto",
}


SKIP = object()


def from_keras(p: Param, value: Any) -> tuple[Any, str]:
    """A Keras config value in the catalog's form, and a note when something was simplified."""
    if p.kind == LAYER:
        if not isinstance(value, dict) or not isinstance(value.get("class_name"), str):
            return SKIP, f"`{p.name}` is not a layer config"
        inner_type = value["class_name"]
        if inner_type not in LAYERS:
            return SKIP, f"wraps a {inner_type}, which the catalog does not describe"
        inner_cfg = config_of(value)
        inner: dict[str, Any] = {}
        for q in LAYERS[inner_type].params:
            if q.name in inner_cfg:
                v, _ = from_keras(q, inner_cfg[q.name])
                if v is not SKIP:
                    inner[q.name] = v
        return {"type": inner_type, "params": inner}, ""
    if isinstance(value, dict) and "class_name" in value:
        return _object_value(p, value)
    if isinstance(value, float):
        value = tidy_float(value)
    if p.kind == INT and isinstance(value, list) and len(value) in (1, 2) and len(set(map(repr, value))) == 1:
        value = value[0]  # Keras saves an axis as a one-item list ("axis": [2]), a salt as a pair
    try:
        p.check(value)
    except ParamError as exc:
        return SKIP, f"{exc} (kept Netwright's default)"
    return (list(value) if isinstance(value, tuple) else value), ""


def _object_value(p: Param, value: dict[str, Any]) -> tuple[Any, str]:
    """Initializers, regularizers and activations saved as objects -> the catalog's names."""
    cls = str(value.get("class_name"))
    cfg = value.get("config") if isinstance(value.get("config"), dict) else {}
    name = snake_case(cls)
    if p.kind == CHOICE and name in p.choices:
        odd = {k: v for k, v in cfg.items() if not is_quiet(v) and not _default_arg(name, k, v)}
        return name, (f"`{p.name}` {cls}({short_repr(odd)}) simplified to '{name}'" if odd else "")
    if p.kind == CHOICE and name in ("l1_l2",) and "l2" in p.choices:
        return "l2", f"`{p.name}` L1L2 simplified to 'l2'"
    if name in INITIALIZERS or name in REGULARIZERS:
        return SKIP, f"`{p.name}` {cls} is not offered here; kept Netwright's default"
    return SKIP, f"`{p.name}` {cls} is not in the catalog; kept Netwright's default"


def _default_arg(kind: str, key: str, value: Any) -> bool:
    """Arguments equal to what the catalog's plain name means (l2 = 0.01, seeds unset...)."""
    defaults = {
        "l1": {"l1": 0.01},
        "l2": {"l2": 0.01},
        "random_normal": {"mean": 0.0, "stddev": 0.05},
        "random_uniform": {"minval": -0.05, "maxval": 0.05},
        "truncated_normal": {"mean": 0.0, "stddev": 0.05},
        "orthogonal": {"gain": 1.0},
        "variance_scaling": {},
    }
    if key in ("seed", "input_axes", "output_axes"):
        return True
    expected = defaults.get(kind, {}).get(key)
    return (
        expected is not None
        and isinstance(value, (int, float))
        and math.isclose(value, expected, rel_tol=1e-6)
    )


def is_keras_default(key: str, value: Any) -> bool:
    """True when ``value`` is what Keras uses for ``key`` when the argument is left out."""
    if key not in KERAS_DEFAULTS:
        return False
    default = KERAS_DEFAULTS[key]
    if isinstance(value, dict) and "class_name" in value:
        cfg, kind = config_of(value), snake_case(str(value["class_name"]))
        plain = all(is_quiet(v) or _default_arg(kind, k, v) for k, v in cfg.items())
        return plain and kind in (
            default,
            {"uniform": "random_uniform"}.get(default),
        )
    if isinstance(value, float) and isinstance(default, float):
        return math.isclose(value, default, rel_tol=1e-6)
    return value == default and type(value) is type(default)


def tidy_float(v: float) -> float:
    """Undo float32 round-off in saved configs (0.0010000000474974513 -> 0.001)."""
    if not math.isfinite(v) or v == 0:
        return v
    return float(f"{v:.7g}")


def is_quiet(value: Any) -> bool:
    if isinstance(value, dict):
        return value.get("class_name") == "DTypePolicy" or not value
    return any(value == q and type(value) is type(q) for q in QUIET_VALUES if q is not None) or value is None


QUIET_VALUES = (None, False, 0, 0.0, "", [], {}, "channels_last", "float32", 1)
