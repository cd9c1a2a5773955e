"""Activation functions as curves, with their derivatives and one sentence on what each does.

For the activation dropdown's pictures and the concept view: the same
functions Keras applies (``keras.activations``), written in NumPy so the
window draws them without TensorFlow.  The derivative is taken numerically on
the drawn grid, which is what the picture needs.  Softmax and log-softmax act
on a whole vector, so they have no curve of one variable.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

SQRT2 = math.sqrt(2.0)
erf = np.vectorize(math.erf)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),  # Keras's default negative slope
    "relu6": lambda x: np.clip(x, 0.0, 6.0),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "tanh": np.tanh,
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0))),
    "gelu": lambda x: 0.5 * x * (1.0 + erf(x / SQRT2)),
    "swish": lambda x: x * _sigmoid(x),
    "silu": lambda x: x * _sigmoid(x),
    "hard_silu": lambda x: x * np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "softplus": _softplus,
    "softsign": lambda x: x / (1.0 + np.abs(x)),
    "exponential": np.exp,
}

NOTES = {
    "linear": "Passes the value through: a stack of linear layers is still one linear map.",
    "relu": "Zero for negatives, the value itself for positives: its slope of 1 keeps gradients "
    "alive through deep nets, but a unit stuck below zero stops learning (a dead ReLU).",
    "leaky_relu": "Like ReLU with a small slope for negatives, so no unit can die.",
    "relu6": "ReLU capped at 6, for low-precision mobile models.",
    "sigmoid": "Squashes to 0..1: good for a probability at the output, but flat at both ends, "
    "where the slope is near zero and gradients vanish in deep nets (its slope is at most 0.25).",
    "hard_sigmoid": "A piecewise-linear sigmoid: cheaper, just as flat at the ends.",
    "tanh": "Squashes to -1..1, centred on zero (better than sigmoid in hidden layers), but "
    "saturates the same way.",
    "elu": "Smooth below zero, tending to -1: keeps mean activations near zero and never dies.",
    "selu": "Scaled ELU that keeps activations normalised in deep dense nets (with lecun_normal).",
    "gelu": "A smooth ReLU that weighs each value by how likely it is positive: used in transformers.",
    "swish": "x times sigmoid(x): smooth, slightly negative dip, often a little better than ReLU.",
    "silu": "Another name for swish.",
    "hard_silu": "A piecewise-linear swish, cheaper to compute.",
    "mish": "x times tanh(softplus(x)): smooth and self-regularising, close to swish.",
    "softplus": "A smooth ReLU: log(1 + e^x), always positive.",
    "softsign": "Like tanh but approaches its limits slowly, so it saturates later.",
    "exponential": "e^x: grows fast, so it easily overflows; rarely used in hidden layers.",
    "softmax": "Turns a vector into probabilities that sum to 1: the output for one of several classes.",
    "log_softmax": "The log of softmax, numerically safer when paired with a log-likelihood loss.",
}


def curve(name: str, low: float = -4.0, high: float = 4.0, n: int = 161) -> tuple | None:
    """(x, f(x), f'(x)) on a grid, or None for a function of a whole vector (softmax)."""
    fn = FUNCTIONS.get(name)
    if fn is None:
        return None
    x = np.linspace(low, high, n)
    y = np.asarray(fn(x), dtype=float)
    return x, y, np.gradient(y, x)
