"""Is the network worth it?  Simple models scored on the same split as the network.

After a run, scikit-learn's majority-class (or mean) predictor and a logistic (or linear)
regression are fitted on the run's training rows and scored on its test rows (its training
rows when it has no test split), the arrays the network saw (:class:`engine.data.prepare.Prepared`,
standardised as the design asks).  Classification compares accuracy, regression the mean
squared error of the first target.  Several inputs or outputs have no single table to fit:
no baselines then.  Large data is subsampled for the fit so the answer comes in seconds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine.schema.datasets import CLASSIFICATION

MAX_FIT_ROWS = 20_000  # rows the linear model is fitted on at most (a seeded sample beyond that)
ACCURACY, MSE = "accuracy", "mean squared error"


def _table(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).reshape(len(x), -1)


def _classes(y: np.ndarray) -> np.ndarray:
    """Class ids from the labels as prepared for the loss (ids, one-hot rows or a 0/1 column)."""
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] > 1:
        return y.reshape(len(y), -1).argmax(axis=1)
    return y.reshape(len(y)).round().astype(int)


def per_class_accuracy(matrix: list[list[int]]) -> list[float | None]:
    """Each true class's share predicted right (the confusion matrix's row recall); None for a
    class with no samples."""
    return [row[i] / sum(row) if sum(row) else None for i, row in enumerate(matrix)]


def network_score(evaluation: dict[str, Any], task: str) -> float | None:
    """The network's figure on the split the baselines use: test accuracy, or the MSE of the
    plotted predicted-vs-actual pairs (the first target, at most the first 5,000 rows)."""
    if task == CLASSIFICATION:
        return evaluation.get("accuracy")
    predicted, actual = evaluation.get("predicted"), evaluation.get("actual")
    if not predicted or not actual:
        return None
    return float(np.mean((np.asarray(predicted) - np.asarray(actual)) ** 2))


def baselines(prepared: Any, task: str, seed: int = 0) -> dict[str, Any] | None:
    """``{"metric", "split", "scores": [{"name", "score"}]}``, or None with several inputs or outputs."""
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.linear_model import LinearRegression, LogisticRegression

    if any(isinstance(a, dict) for a in (prepared.x, prepared.y)):
        return None
    tested = prepared.test_rows > 0
    x_fit, y_fit = _table(prepared.x), np.asarray(prepared.y)
    x_eval, y_eval = (_table(prepared.x_test), np.asarray(prepared.y_test)) if tested else (x_fit, y_fit)
    if len(x_fit) > MAX_FIT_ROWS:
        rows = np.random.default_rng(seed).choice(len(x_fit), MAX_FIT_ROWS, replace=False)
        x_fit, y_fit = x_fit[rows], y_fit[rows]
    if task == CLASSIFICATION:
        y_fit, y_eval = _classes(y_fit), _classes(y_eval)
        models = [
            ("majority class", DummyClassifier(strategy="most_frequent")),
            ("logistic regression", LogisticRegression(max_iter=500)),
        ]
        metric = ACCURACY
    else:
        y_fit, y_eval = (np.asarray(y, dtype=np.float64).reshape(len(y), -1)[:, 0] for y in (y_fit, y_eval))
        models = [("mean", DummyRegressor()), ("linear regression", LinearRegression())]
        metric = MSE
    scores = []
    for name, model in models:
        if task == CLASSIFICATION and len(np.unique(y_fit)) < 2 and name != "majority class":
            continue  # one class in the training rows: nothing to fit a logistic regression to
        model.fit(x_fit, y_fit)
        guess = model.predict(x_eval)
        score = (
            float(np.mean(guess == y_eval)) if metric == ACCURACY else float(np.mean((guess - y_eval) ** 2))
        )
        scores.append({"name": name, "score": score if math.isfinite(score) else None})
    return {"metric": metric, "split": "test" if tested else "training", "scores": scores}
