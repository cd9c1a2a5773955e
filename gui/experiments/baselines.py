"""Baselines beside a run's results: computed on the training thread, where the run's arrays
live, after each run; shown as one line (and per-class accuracy beside the confusion matrix)."""

from __future__ import annotations

import contextlib
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from engine.experiments.baselines import ACCURACY, baselines, network_score, per_class_accuracy


def per_class_text(matrix: list[list[int]], names: list[str]) -> str:
    shares = per_class_accuracy(matrix)
    parts = [
        f"{name} {'-' if share is None else f'{share:.0%}'}"
        for name, share in zip(names, shares, strict=False)
    ]
    return "Right per class: " + " · ".join(parts)


def baselines_text(answer: dict[str, Any], network: float | None) -> str:
    """``Test accuracy: network 0.967 · logistic regression 0.933 · majority class 0.333``."""
    fmt = (lambda v: f"{v:.3f}") if answer["metric"] == ACCURACY else (lambda v: f"{v:.4g}")
    scores = [("network", network)] if network is not None else []
    scores += [(s["name"], s["score"]) for s in answer["scores"]]
    shown = " · ".join(f"{name} {fmt(score)}" for name, score in scores if score is not None)
    lower = " (lower is better)" if answer["metric"] != ACCURACY else ""
    return f"{answer['split'].capitalize()} {answer['metric']}{lower}: {shown}"


class BaselineProbe(QObject):
    """After each finished run, scikit-learn's simple models on the run's own split (on the worker)."""

    computed = Signal(dict)  # {"answer": baselines(...) or None, "task": ...}

    def __init__(self, session: Any, label: QLabel) -> None:
        super().__init__(label)
        self.session, self.label = session, label
        self.evaluation: dict[str, Any] = {}
        session.finished.connect(self._finished)
        session.cleared.connect(label.hide)
        self.computed.connect(self._show)
        label.hide()

    def _finished(self, run: Any) -> None:
        self.evaluation = (run.result or {}).get("evaluation") or {}
        self.label.hide()
        if self.evaluation and self.session.thread is not None:
            self.session.thread.jobs.put((self._compute, (self.session.thread.worker,)))

    def _compute(self, worker: Any) -> None:  # on the training thread
        try:
            prepared, dataset = worker.prepared, worker.dataset
            answer = baselines(prepared, dataset.task) if prepared is not None else None
            result = {"answer": answer, "task": dataset.task if dataset is not None else None}
        except Exception as exc:  # noqa: BLE001 - a baseline that cannot be fitted is only not shown
            result = {"answer": None, "task": None, "error": str(exc)}
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile: nobody left to show it to
            self.computed.emit(result)

    def _show(self, result: dict) -> None:
        if result["answer"] is None:
            return
        self.label.setText(baselines_text(result["answer"], network_score(self.evaluation, result["task"])))
        self.label.show()
