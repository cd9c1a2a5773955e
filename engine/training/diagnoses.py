"""Diagnoses from layer statistics: what went wrong inside the network, in plain words.

Pure functions of the numbers the inspector records, so they are tested and
reused without Keras.  Gradient sizes are compared per weight (root mean
square), not as totals, so a wide layer is not mistaken for a healthy one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

VANISHING_RATIO = 1e-2  # a layer's gradient under 1% of the last layer's: learning has stalled there
EXPLODING_RATIO = 1e2
EXPLODING_NORM = 1e3
DEAD_FRACTION = 0.4  # this share of ReLU units that never activate
SATURATED_FRACTION = 0.5  # this share of sigmoid/tanh outputs pinned near their limits


def diagnose(
    order: Sequence[str],
    grad_rms: dict[str, float],
    grad_norm: dict[str, float],
    activation: dict[str, dict[str, Any]],
    outputs: Sequence[str],
) -> list[dict[str, Any]]:
    """Diagnoses for one moment of training.

    ``order`` lists the trainable layers from input to output; ``outputs`` the
    model's output layers, whose saturation is only a confident prediction.
    """
    found: list[dict[str, Any]] = []
    trainable = [n for n in order if n in grad_rms]
    if len(trainable) >= 2:
        last = grad_rms[trainable[-1]]
        broken = [n for n in trainable if not math.isfinite(grad_norm.get(n, 0.0))]
        if last > 0 and math.isfinite(last):
            small = [n for n in trainable[:-1] if grad_rms[n] < VANISHING_RATIO * last]
            large = [n for n in trainable[:-1] if grad_rms[n] > EXPLODING_RATIO * last]
        else:
            small, large = [], []
        large += [n for n in trainable if grad_norm.get(n, 0.0) > EXPLODING_NORM and n not in large]
        if small:
            worst = min(grad_rms[n] / last for n in small)
            # No gradient at all: the layer is cut off from the loss (stop_gradient, an unused
            # branch) or every unit before it is dead.
            size = (
                "no gradient at all, against"
                if worst == 0
                else f"gradients up to {1 / worst:,.0f}× smaller than"
            )
            found.append(
                {
                    "kind": "vanishing_gradients",
                    "nodes": small,
                    "message": (
                        f"Vanishing gradients: {_names(small)} get {size} "
                        f"the last layer '{trainable[-1]}', so they barely learn. "
                        "Try ReLU, He initialisation or BatchNormalization."
                    ),
                }
            )
        if large or broken:
            nodes = broken + [n for n in large if n not in broken]
            found.append(
                {
                    "kind": "exploding_gradients",
                    "nodes": nodes,
                    "message": (
                        f"Exploding gradients in {_names(nodes)}: updates this large throw the weights "
                        "around. Lower the learning rate, standardise the inputs, or add gradient "
                        "clipping or BatchNormalization."
                    ),
                }
            )
    dead = [n for n in order if activation.get(n, {}).get("dead", 0.0) >= DEAD_FRACTION]
    if dead:
        share = max(activation[n]["dead"] for n in dead)
        found.append(
            {
                "kind": "dead_relu",
                "nodes": dead,
                "message": (
                    f"Dead ReLUs: up to {share:.0%} of the units in {_names(dead)} never activate "
                    "on any sample, so they no longer learn. Lower the learning rate, use He "
                    "initialisation, or try LeakyReLU or ELU."
                ),
            }
        )
    saturated = [
        n
        for n in order
        if n not in outputs and activation.get(n, {}).get("saturated", 0.0) >= SATURATED_FRACTION
    ]
    if saturated:
        found.append(
            {
                "kind": "saturation",
                "nodes": saturated,
                "message": (
                    f"Saturated units: most outputs of {_names(saturated)} sit at the flat ends of "
                    "sigmoid/tanh, where the derivative is near zero. Standardise the inputs, use "
                    "Glorot initialisation or BatchNormalization, or switch to ReLU."
                ),
            }
        )
    return found


def _names(nodes: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in nodes]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
