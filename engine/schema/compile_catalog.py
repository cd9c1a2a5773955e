"""Losses, optimizers and metrics, catalogued like layers.

Optimizer hyperparameters are :class:`~engine.schema.params.Param` entries named
after the Keras optimizer's constructor arguments, so the property editor,
validation, build and codegen treat them exactly like layer parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.schema.params import BOOL, CHOICE, FLOAT, FLOATS, INT, Param

# Tasks a loss expects; validation compares them with the output layer and data.
REGRESSION = "regression"
BINARY = "binary"  # one sigmoid unit (or several independent ones), labels 0/1
CATEGORICAL = "categorical"  # softmax over classes, one-hot labels
SPARSE = "sparse"  # softmax over classes, integer labels


@dataclass(frozen=True)
class LossSpec:
    name: str  # the Keras identifier written in the design file
    help: str
    task: str
    aliases: tuple[str, ...] = ()


LOSSES: dict[str, LossSpec] = {
    spec.name: spec
    for spec in (
        LossSpec(
            "mse",
            "Mean squared error: the usual loss for predicting numbers.",
            REGRESSION,
            ("mean_squared_error",),
        ),
        LossSpec(
            "mae",
            "Mean absolute error: like MSE but less hurt by outliers.",
            REGRESSION,
            ("mean_absolute_error",),
        ),
        LossSpec("mape", "Mean absolute percentage error.", REGRESSION, ("mean_absolute_percentage_error",)),
        LossSpec(
            "msle",
            "Mean squared logarithmic error: for positive targets spanning magnitudes.",
            REGRESSION,
            ("mean_squared_logarithmic_error",),
        ),
        LossSpec("huber", "Huber loss: squared for small errors, linear for large ones.", REGRESSION),
        LossSpec(
            "log_cosh", "Logarithm of the hyperbolic cosine of the error; smooth like Huber.", REGRESSION
        ),
        LossSpec(
            "binary_crossentropy", "Cross-entropy for yes/no labels (0 or 1) with a sigmoid output.", BINARY
        ),
        LossSpec(
            "categorical_crossentropy", "Cross-entropy for one-hot labels with a softmax output.", CATEGORICAL
        ),
        LossSpec(
            "sparse_categorical_crossentropy",
            "Cross-entropy for integer class labels (0, 1, 2, ...) with a softmax output.",
            SPARSE,
        ),
        LossSpec("hinge", "Hinge loss for labels -1/1 (as in support vector machines).", BINARY),
        LossSpec("squared_hinge", "Squared hinge loss for labels -1/1.", BINARY),
        LossSpec("categorical_hinge", "Hinge loss for one-hot labels.", CATEGORICAL),
        LossSpec(
            "kl_divergence",
            "Kullback-Leibler divergence between probability distributions.",
            CATEGORICAL,
            ("kld",),
        ),
        LossSpec("poisson", "Poisson loss, for predicting counts.", REGRESSION),
        LossSpec(
            "cosine_similarity", "Negative cosine similarity between prediction and target.", REGRESSION
        ),
    )
}
LOSS_ALIASES = {alias: spec.name for spec in LOSSES.values() for alias in spec.aliases}


def loss_spec(name: Any) -> LossSpec | None:
    if not isinstance(name, str):
        return None
    return LOSSES.get(LOSS_ALIASES.get(name, name))


# The losses that take ``from_logits`` (raw scores instead of probabilities), with the
# Keras class that takes it as a constructor argument.
LOGITS_LOSSES: dict[str, str] = {
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
}


METRICS: dict[str, str] = {
    "accuracy": "Fraction of correct predictions (Keras picks the right kind for the loss).",
    "binary_accuracy": "Accuracy for yes/no outputs (threshold 0.5).",
    "categorical_accuracy": "Accuracy for one-hot labels.",
    "sparse_categorical_accuracy": "Accuracy for integer class labels.",
    "top_k_categorical_accuracy": "Whether the true class is among the 5 top predictions.",
    "mae": "Mean absolute error.",
    "mse": "Mean squared error.",
    "mape": "Mean absolute percentage error.",
    "root_mean_squared_error": "Square root of the mean squared error, in the target's units.",
    "auc": "Area under the ROC curve (binary classification).",
    "precision": "Of the predicted positives, the fraction that are positive.",
    "recall": "Of the actual positives, the fraction found.",
    "true_positives": "How many positives were predicted positive (yes/no outputs).",
    "false_positives": "How many negatives were predicted positive (false alarms).",
    "true_negatives": "How many negatives were predicted negative.",
    "false_negatives": "How many positives were predicted negative (missed).",
}


def _thresholds() -> Param:
    return Param(
        "thresholds",
        FLOAT,
        None,
        "Predictions above this count as positive (Keras uses 0.5 when empty).",
        min=0,
        max=1,
        nullable=True,
    )


@dataclass(frozen=True)
class MetricSpec:
    """A metric that takes arguments: its Keras class and those arguments.

    In the design a metric is its name (``"precision"``) or an object with the
    name as ``type`` and arguments (``{"type": "precision", "thresholds": 0.3}``).
    """

    name: str  # the identifier in METRICS
    class_name: str
    params: tuple[Param, ...]


METRIC_CLASSES: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec("true_positives", "TruePositives", (_thresholds(),)),
        MetricSpec("false_positives", "FalsePositives", (_thresholds(),)),
        MetricSpec("true_negatives", "TrueNegatives", (_thresholds(),)),
        MetricSpec("false_negatives", "FalseNegatives", (_thresholds(),)),
        MetricSpec("precision", "Precision", (_thresholds(),)),
        MetricSpec("recall", "Recall", (_thresholds(),)),
        MetricSpec(
            "auc",
            "AUC",
            (
                Param("num_thresholds", INT, 200, "Thresholds the curve is measured at.", min=2),
                Param("curve", CHOICE, "ROC", "Which curve's area: ROC or precision-recall.", ("ROC", "PR")),
            ),
        ),
    )
}


COUNT_METRICS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def is_count(key: str) -> bool:
    """Whether a history or evaluation key (``val_digit_true_positives``) holds a confusion count:
    a number of samples, on its own scale, not a fraction like accuracy."""
    return key.endswith(COUNT_METRICS)


def metric_text(key: str, value: float) -> str:
    """``key value`` as a person reads it: counts as whole numbers, other values to 4 decimals,
    or 3 significant digits when smaller (a learning rate of 1e-05 is not 0.0000)."""
    if is_count(key) and value == value:
        return f"{key} {value:.0f}"
    return f"{key} {value:.3g}" if 0 < abs(value) < 1e-3 else f"{key} {value:.4f}"


def metric_name(metric: Any) -> Any:
    """A metric's identifier, whether written as a name or as an object with arguments."""
    return metric.get("type") if isinstance(metric, dict) else metric


@dataclass(frozen=True)
class OptimizerSpec:
    type: str  # the Keras optimizer class name
    help: str
    params: tuple[Param, ...]


def _lr(default: float) -> Param:
    return Param(
        "learning_rate",
        FLOAT,
        default,
        "Step size of each update; too high diverges, too low crawls.",
        min=0,
        min_exclusive=True,
    )


def _eps() -> Param:
    return Param(
        "epsilon", FLOAT, 1e-07, "Small constant that avoids division by zero.", min=0, min_exclusive=True
    )


def _betas(beta_2: float = 0.999) -> tuple[Param, Param]:
    return (
        Param("beta_1", FLOAT, 0.9, "Decay of the running mean of gradients (momentum).", min=0, max=1),
        Param("beta_2", FLOAT, beta_2, "Decay of the running mean of squared gradients.", min=0, max=1),
    )


def _momentum() -> Param:
    return Param(
        "momentum", FLOAT, 0.0, "Keeps a fraction of the previous update (0.9 is common).", min=0, max=1
    )


OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.type: spec
    for spec in (
        OptimizerSpec(
            "SGD",
            "Stochastic gradient descent, optionally with (Nesterov) momentum.",
            (
                _lr(0.01),
                _momentum(),
                Param("nesterov", BOOL, False, "Use Nesterov momentum (looks ahead before stepping)."),
            ),
        ),
        OptimizerSpec(
            "Adam",
            "Adaptive moments: a robust default for most networks.",
            (_lr(0.001), *_betas(), _eps(), Param("amsgrad", BOOL, False, "Use the AMSGrad variant.")),
        ),
        OptimizerSpec(
            "AdamW",
            "Adam with decoupled weight decay (regularises weights).",
            (
                _lr(0.001),
                Param("weight_decay", FLOAT, 0.004, "Strength of the weight decay.", min=0),
                *_betas(),
                _eps(),
                Param("amsgrad", BOOL, False, "Use the AMSGrad variant."),
            ),
        ),
        OptimizerSpec(
            "RMSprop",
            "Divides each step by a running average of recent gradient sizes.",
            (
                _lr(0.001),
                Param("rho", FLOAT, 0.9, "Decay of the running average.", min=0, max=1),
                _momentum(),
                _eps(),
                Param("centered", BOOL, False, "Normalise by the gradient variance."),
            ),
        ),
        OptimizerSpec(
            "Adagrad",
            "Per-weight step sizes that shrink for often-updated weights.",
            (
                _lr(0.001),
                Param("initial_accumulator_value", FLOAT, 0.1, "Starting value of the accumulators.", min=0),
                _eps(),
            ),
        ),
        OptimizerSpec(
            "Adadelta",
            "Adagrad variant whose step sizes do not shrink forever.",
            (_lr(0.001), Param("rho", FLOAT, 0.95, "Decay rate.", min=0, max=1), _eps()),
        ),
        OptimizerSpec("Nadam", "Adam with Nesterov momentum.", (_lr(0.001), *_betas(), _eps())),
        OptimizerSpec("Adamax", "Adam variant based on the infinity norm.", (_lr(0.001), *_betas(), _eps())),
        OptimizerSpec(
            "Lion",
            "Sign-based optimizer; use a 3-10x smaller learning rate than Adam.",
            (_lr(0.001), *_betas(0.99)),
        ),
    )
}


# Learning-rate schedules (keras.optimizers.schedules): the optimizer's learning rate
# follows one of these, step by step, instead of staying constant.
@dataclass(frozen=True)
class ScheduleSpec:
    type: str  # the Keras class name in keras.optimizers.schedules
    help: str
    params: tuple[Param, ...]


def _increasing_steps(steps: tuple[float, ...]) -> str:
    if any(not s.is_integer() or s < 0 for s in steps):
        return "must be whole step counts >= 0"
    if any(b >= a for b, a in zip(steps, steps[1:], strict=False)):
        return "must increase from one step to the next"
    return ""


def _positive_rates(rates: tuple[float, ...]) -> str:
    return "must all be learning rates > 0" if any(r <= 0 for r in rates) else ""


def _initial_lr() -> Param:
    return Param(
        "initial_learning_rate",
        FLOAT,
        0.01,
        "The learning rate at step 0.",
        min=0,
        min_exclusive=True,
        required=True,
    )


def _decay_steps() -> Param:
    return Param(
        "decay_steps", INT, 1000, "Training steps (batches) over which it decays.", min=1, required=True
    )


SCHEDULES: dict[str, ScheduleSpec] = {
    spec.type: spec
    for spec in (
        ScheduleSpec(
            "ExponentialDecay",
            "Multiplies the rate by decay_rate every decay_steps steps.",
            (
                _initial_lr(),
                _decay_steps(),
                Param(
                    "decay_rate",
                    FLOAT,
                    0.9,
                    "Factor per decay_steps steps.",
                    min=0,
                    min_exclusive=True,
                    required=True,
                ),
                Param("staircase", BOOL, False, "Drop in steps instead of smoothly."),
            ),
        ),
        ScheduleSpec(
            "CosineDecay",
            "Lowers the rate along half a cosine wave over decay_steps steps.",
            (
                _initial_lr(),
                _decay_steps(),
                Param("alpha", FLOAT, 0.0, "The final rate, as a fraction of the initial one.", min=0, max=1),
            ),
        ),
        ScheduleSpec(
            "PiecewiseConstantDecay",
            "Constant rates between step boundaries: values[i] until boundaries[i].",
            (
                Param(
                    "boundaries",
                    FLOATS,
                    [1000],
                    "The steps where the rate changes, increasing.",
                    required=True,
                    extra={"validate": _increasing_steps},
                ),
                Param(
                    "values",
                    FLOATS,
                    [0.01, 0.001],
                    "The rates: one more than there are boundaries.",
                    required=True,
                    extra={"validate": _positive_rates},
                ),
            ),
        ),
    )
}


def schedule_problems(spec: ScheduleSpec, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(parameter, message) for what a schedule's checked values say together."""
    if spec.type != "PiecewiseConstantDecay" or None in (values.get("boundaries"), values.get("values")):
        return []
    bounds, rates = values["boundaries"], values["values"]
    if len(rates) == len(bounds) + 1:
        return []
    return [
        (
            "values",
            f"'values' must hold one rate more than 'boundaries' has steps ({len(bounds) + 1}), "
            f"not {len(rates)}",
        )
    ]


# keras.callbacks.ReduceLROnPlateau's arguments, as a training option: the learning rate
# drops by ``factor`` once the monitored loss has not improved for ``patience`` epochs.
REDUCE_LR_PARAMS: tuple[Param, ...] = (
    Param(
        "monitor",
        CHOICE,
        "val_loss",
        "What must improve: the validation loss, or the training loss.",
        ("val_loss", "loss"),
    ),
    Param(
        "factor",
        FLOAT,
        0.1,
        "The rate is multiplied by this when it drops.",
        min=0,
        max=1,
        min_exclusive=True,
    ),
    Param("patience", INT, 10, "Epochs without improvement before the rate drops.", min=0),
    Param("min_delta", FLOAT, 0.0001, "The least change that counts as an improvement.", min=0),
    Param("cooldown", INT, 0, "Epochs to wait after a drop before watching again.", min=0),
    Param("min_lr", FLOAT, 0.0, "The rate never drops below this.", min=0),
)
