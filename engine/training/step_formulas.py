"""The arithmetic of one weight's step, as lines a learner can check with a calculator.

Two parts: the chain rule that gives the weight's gradient (∂L/∂w = δ_j · a_i for
a Dense kernel) and the optimizer's update that turns it into the new weight.
The update formulas are Keras's own, as its optimizers compute them (Adam puts
ε outside the bias correction, RMSprop inside the square root, SGD's momentum
slot holds −η·g sums), so the numbers shown reproduce the ledger's ``after``;
:func:`update` also returns the value its formula gives so tests can hold it to that.
An optimizer, or a setting (weight decay, clipping, EMA, amsgrad), without a formula
here is named and its result shown as Keras computed it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.training.step_ledger import LayerStep, Ledger

# f′(z) as words, for the activations whose derivative is elementwise.
DERIVATIVES = {
    "relu": "f′(z) = 1 if z > 0 else 0",
    "sigmoid": "f′(z) = a·(1 − a)",
    "tanh": "f′(z) = 1 − a²",
    "elu": "f′(z) = 1 if z > 0 else a + 1",
    "softplus": "f′(z) = sigmoid(z)",
}
PLAIN_SETTINGS = ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue")


@dataclass(frozen=True)
class Arithmetic:
    lines: list[str]
    value: float  # what the formula gives: the gradient, or the new weight


def num(v: float) -> str:
    """A number as the cards show it: three significant digits, signs kept."""
    return f"{float(v) + 0.0:.3g}"  # + 0.0: -0.0 (a ReLU's zero gradient) shows as 0


def chain_rule(step: LayerStep, weight: str, index: tuple[int, ...]) -> Arithmetic:
    """How backpropagation reaches this weight's gradient, for a Dense layer on a vector
    (kernel[i, j] and bias[j]); for other layers, the gradient as the tape gave it."""
    grad = float(step.weights[weight].grad[index])
    delta = step.delta if step.delta is not None else step.grad_output
    dense = step.type == "Dense" and isinstance(step.input, np.ndarray) and step.input.ndim == 1
    if not dense or weight not in ("kernel", "bias"):
        return Arithmetic([f"∂L/∂{weight}{list(index)} = {num(grad)} (from the tape)"], grad)
    j = index[-1]
    lines = _delta_lines(step, j)
    if weight == "kernel":
        i = index[0]
        a_i, d_j = float(step.input[i]), float(delta[j])
        value = d_j * a_i
        lines.append(f"∂L/∂w = δ_j · a_i = {num(d_j)} × {num(a_i)} = {num(value)}   (i = {i}, j = {j})")
    else:
        value = float(delta[j])
        lines.append(f"∂L/∂b = δ_j = {num(value)}   (j = {j})")
    if not np.isclose(value, grad, rtol=1e-4, atol=1e-7):
        lines.append(f"+ the regularisation term {num(grad - value)} = {num(grad)}")
    return Arithmetic(lines, grad)


def _delta_lines(step: LayerStep, j: int) -> list[str]:
    g = float(step.grad_output[j])
    if step.delta is None:
        return [f"δ_j = ∂L/∂a_j = {num(g)}   (no activation: z = a)"]
    d = float(step.delta[j])
    rule = DERIVATIVES.get(step.activation or "")
    if rule and g != 0:
        return [f"δ_j = ∂L/∂a_j · f′(z_j) = {num(g)} × {num(d / g)} = {num(d)}   ({step.activation}: {rule})"]
    if step.activation == "softmax":
        return [
            f"δ_j = Σ_k ∂L/∂a_k · ∂a_k/∂z_j = {num(d)}   (softmax mixes the units: z_j = {num(step.z[j])})"
        ]
    return [f"δ_j = ∂L/∂z_j = {num(d)}   ({step.activation}, z_j = {num(step.z[j])})"]


def update(ledger: Ledger, layer: str, weight: str, index: tuple[int, ...]) -> Arithmetic:
    """The optimizer's step for this one weight, with its numbers, and the new weight."""
    opt = ledger.optimizer
    record = ledger.layer(layer).weights[weight]
    w, g, after = float(record.before[index]), float(record.grad[index]), float(record.after[index])
    lr = opt.learning_rate

    def slot(kind: str) -> tuple[float, float]:
        s = opt.slot(layer, weight, kind)
        return (float(s.before[index]), float(s.after[index])) if s is not None else (0.0, 0.0)

    special = [k for k in PLAIN_SETTINGS if opt.settings.get(k)] + (
        ["use_ema"] if opt.settings.get("use_ema") else []
    )
    rule = {"SGD": _sgd, "RMSprop": _rmsprop, "Adam": _adam}.get(opt.type)
    if rule is None or special or opt.settings.get("amsgrad"):
        why = f" (with {', '.join(special)})" if special else ""
        return Arithmetic([f"Keras's {opt.type}{why}: w ← {num(w)} → {num(after)}"], after)
    return rule(opt.settings, opt.iterations, lr, w, g, slot)


def _sgd(s: dict, iterations: int, lr: float, w: float, g: float, slot) -> Arithmetic:
    mu = float(s.get("momentum") or 0.0)
    if not mu:
        new = w - lr * g
        return Arithmetic([f"w ← w − η·g = {num(w)} − {num(lr)} × {num(g)} = {num(new)}"], new)
    m_before, _ = slot("momentum")
    m = mu * m_before - lr * g
    lines = [f"m ← μ·m − η·g = {num(mu)} × {num(m_before)} − {num(lr)} × {num(g)} = {num(m)}"]
    if s.get("nesterov"):
        new = w + mu * m - lr * g
        lines.append(
            f"w ← w + μ·m − η·g = {num(w)} + {num(mu)} × {num(m)} − {num(lr)} × {num(g)} = {num(new)}"
        )
    else:
        new = w + m
        lines.append(f"w ← w + m = {num(w)} + {num(m)} = {num(new)}")
    return Arithmetic(lines, new)


def _rmsprop(s: dict, iterations: int, lr: float, w: float, g: float, slot) -> Arithmetic:
    rho, eps, mu = float(s["rho"]), float(s["epsilon"]), float(s.get("momentum") or 0.0)
    v_before, _ = slot("velocity")
    v = rho * v_before + (1 - rho) * g * g
    lines = [f"v ← ρ·v + (1 − ρ)·g² = {num(rho)} × {num(v_before)} + {num(1 - rho)} × {num(g)}² = {num(v)}"]
    denominator = v + eps
    if s.get("centered"):
        avg_before, _ = slot("average_gradient")
        avg = rho * avg_before + (1 - rho) * g
        denominator = v - avg * avg + eps
        lines.append(f"ḡ ← ρ·ḡ + (1 − ρ)·g = {num(avg)};  v − ḡ² + ε = {num(denominator)}")
        shown = "√(v − ḡ² + ε)"
    else:
        shown = "√(v + ε)"
    step = lr * g / np.sqrt(denominator)
    lines.append(f"Δ = η·g / {shown} = {num(lr)} × {num(g)} / {num(np.sqrt(denominator))} = {num(step)}")
    if mu:
        m_before, _ = slot("momentum")
        step = mu * m_before + step
        lines.append(f"m ← μ·m + Δ = {num(step)}")
    new = w - step
    lines.append(
        f"w ← w − {'m' if mu else 'Δ'} = {num(w)} − {num(step)} = {num(new)}   (ε = {num(eps)} inside the √)"
    )
    return Arithmetic(lines, new)


def _adam(s: dict, iterations: int, lr: float, w: float, g: float, slot) -> Arithmetic:
    b1, b2, eps = float(s["beta_1"]), float(s["beta_2"]), float(s["epsilon"])
    t = iterations + 1
    m_before, _ = slot("momentum")
    v_before, _ = slot("velocity")
    m = m_before + (g - m_before) * (1 - b1)
    v = v_before + (g * g - v_before) * (1 - b2)
    alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    new = w - alpha * m / (np.sqrt(v) + eps)
    return Arithmetic(
        [
            f"m ← β₁·m + (1 − β₁)·g = {num(b1)} × {num(m_before)} + {num(1 - b1)} × {num(g)} = {num(m)}",
            f"v ← β₂·v + (1 − β₂)·g² = {num(b2)} × {num(v_before)} + {num(1 - b2)} × {num(g)}² = {num(v)}",
            f"α = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) = {num(lr)} × √(1 − {num(b2)}^{t}) / (1 − {num(b1)}^{t})"
            f" = {num(alpha)}   (t = {t})",
            f"w ← w − α·m/(√v + ε) = {num(w)} − {num(alpha)} × {num(m)} / ({num(np.sqrt(v))} + {num(eps)})"
            f" = {num(new)}   (Keras: ε outside the bias correction)",
        ],
        float(new),
    )
