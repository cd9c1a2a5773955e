"""Losses, optimizers and metrics, catalogued like layers.

Optimizer hyperparameters are :class:`~engine.spec.params.Param` entries named
after the Keras optimizer's constructor arguments, so the property editor,
validation, build and codegen treat them exactly like layer parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.spec.params import BOOL, FLOAT, Param

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


def loss_spec(name: str) -> LossSpec | None:
    return LOSSES.get(LOSS_ALIASES.get(name, name))


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
}


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

DEFAULT_COMPILE = {"optimizer": {"type": "Adam"}, "loss": "mse", "metrics": []}
DEFAULT_TRAINING = {"epochs": 10, "batch_size": 32, "validation_split": 0.2}
