"""The training worker: one long-lived Python thread that owns TensorFlow.

Everything TensorFlow touches -- import, build, fit, evaluate, predict, save --
runs on that thread, taken from a job queue.  Only plain data travels back,
through Qt signals that queue to the GUI thread: progress as the typed events of
:mod:`engine.training.events` through one ``event`` signal (a new stream needs
no new signal), results as dicts of numbers and strings.
Stop and Pause go through an :class:`engine.training.fit.Control` (threading
events), so they work while the worker is busy inside ``fit``.

Why not a QThread with queued slots: each slot call on a QThread runs under a
short-lived Python thread state, while TensorFlow's bindings cache the first
one they saw; the second job then waits forever for the GIL (seen with
PySide6 6.11 and TensorFlow 2.21).  A plain Python thread keeps one thread
state for its whole life.
"""

from __future__ import annotations

import copy
import queue
import threading
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.data import prepare as datamod
from engine.design.graph import Design
from engine.keras.generic import resolve as resolve_generic
from engine.training.errors import explain
from engine.training.fit import Control


class TrainingWorker(QObject):
    event = Signal(object)  # an engine.training.events instance
    finished = Signal(dict)  # {"history", "message", "stop_reason", "evaluation", "advice", "diagnoses"}
    failed = Signal(str)
    status = Signal(str)
    saved = Signal(str)
    predicted = Signal(dict)
    forwarded = Signal(dict)  # {"index", "drawn", "sample", "outputs": {node id: array}, "prediction", ...}
    shapes_computed = Signal(list)  # [(engine.schema.generic.Request, KerasShape)], plain data
    explained = Signal(object)  # an engine.training.step_ledger.Ledger: NumPy arrays and numbers
    landscaped = Signal(object)  # an engine.training.landscape.Landscape: NumPy arrays and numbers
    attended = Signal(object)  # an engine.training.saliency.Attention: saliency and Grad-CAM maps

    def __init__(self) -> None:
        super().__init__()
        self.model: Any = None  # the last trained model; lives and dies on this thread
        self.prepared: datamod.Prepared | None = None
        self.dataset: datamod.Dataset | None = None

    def train(self, design: Design, control: Control, options: dict) -> None:
        from engine.training.run import NotReady

        try:
            self._train(design, control, options)
        except NotReady as exc:
            self.failed.emit("Cannot train yet:\n• " + "\n• ".join(exc.problems))
        except datamod.DataError as exc:
            self.failed.emit(f"Cannot train yet:\n• {exc}")
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user as a message
            self.failed.emit(explain(exc, design).text)  # a sentence; the traceback goes to the log

    def _train(self, design: Design, control: Control, options: dict) -> None:
        """The engine's one run (engine/training/run.py), its stages and events shown as they come."""
        from engine.training.run import Hooks, Options, run

        def keep(outcome: Any) -> None:  # the model stays on this thread for predict and save
            self.model, self.prepared, self.dataset = outcome.model, outcome.prepared, outcome.dataset

        outcome = run(
            design,
            Options(
                base_dir=options.get("base_dir"),
                seed=options.get("seed", 0),
                early_stopping_patience=options.get("early_stopping"),
                inspect=bool(options.get("inspect")),
                boundaries=True,
            ),
            Hooks(
                emit=self.event.emit,
                on_stage=lambda stage, text: self.status.emit(text),
                on_trained=keep,
                control=control,
            ),
        )
        self.finished.emit(
            {
                "history": outcome.result.history,
                "message": outcome.result.message,
                "stop_reason": outcome.result.stop_reason,
                "evaluation": outcome.evaluation,
                "advice": outcome.advice,
                "diagnoses": outcome.inspection["diagnoses"] if outcome.inspection is not None else [],
            }
        )

    def save(self, path: str) -> None:
        from engine.training.fit import save_model

        try:
            self.saved.emit(str(save_model(self.model, Path(path))))
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"Could not save the model to {path}: {exc}")

    def predict(self, index: int) -> None:
        """Predict one sample of the evaluation set (test rows, else training rows)."""
        from engine.training.fit import predict_one

        try:
            p = self.prepared
            xs, ys = (p.x_test, p.y_test) if p.test_rows else (p.x, p.y)
            index = max(0, min(index, datamod.rows(xs) - 1))
            predictions = predict_one(self.model, xs, index)
            x = datamod.take(xs, index)  # what was predicted, for the view to show beside the answer
            sample = {k: v.tolist() for k, v in x.items()} if isinstance(x, dict) else x.tolist()
            if isinstance(ys, dict):  # several outputs: each one's prediction, label and class names
                targets = datamod.match_inputs(self.dataset.output_names, list(ys)) or {}
                shown = [
                    {
                        "output": node,
                        "prediction": values,
                        "actual": copy.deepcopy(ys[node][index].tolist()),
                        "class_names": self.dataset.target(targets[node]).class_names,
                    }
                    for node, values in zip(ys, predictions, strict=False)
                ]
                self.predicted.emit({"index": index, "sample": sample, **shown[0], "outputs": shown})
                return
            self.predicted.emit(
                {
                    "index": index,
                    "sample": sample,
                    "prediction": predictions[0],
                    "actual": copy.deepcopy(ys[index].tolist()),
                    "class_names": self.dataset.class_names,
                }
            )
        except Exception as exc:  # noqa: BLE001
            self.failed.emit(f"Prediction failed: {exc}")

    def forward(
        self, design: Design, index: int, base_dir: Path | None, drawn: tuple[str, Any] | None = None
    ) -> None:
        """Every layer's output for one evaluation sample, or for one the learner made
        (``drawn``: a point on the plane or an 8x8 picture, see engine/training/forward.py),
        with the trained model or, before any training, the design built fresh (untrained)."""
        from engine.keras.build import build_model
        from engine.training.forward import drawn_sample, layer_outputs

        try:
            trained = self.model is not None
            prepared, dataset = self.prepared, self.dataset
            if not trained or prepared is None:
                dataset = datamod.load(design.data, base_dir)
                resolve_generic(design)
                problems = datamod.check_fit(design, dataset)
                if problems:
                    self.failed.emit("Cannot show the layers' outputs yet:\n• " + "\n• ".join(problems))
                    return
                prepared = datamod.prepare(design, dataset)
            model = self.model if trained else build_model(design)
            xs = prepared.x_test if prepared.test_rows else prepared.x
            index = max(0, min(index, datamod.rows(xs) - 1))
            if drawn is None:
                x = datamod.take(xs, index)
            else:
                x = drawn_sample(*drawn, prepared.x, prepared.mean, prepared.std)
            outputs = layer_outputs(model, x)
            output = model.outputs[0]._keras_history.operation.name
            self.forwarded.emit(
                {
                    "index": index if drawn is None else None,
                    "drawn": drawn[0] if drawn is not None else None,
                    "sample": None if isinstance(x, dict) else x.tolist(),  # several inputs: no one picture
                    "outputs": outputs,
                    "trained": trained,
                    "prediction": [float(v) for v in np.asarray(outputs[output]).reshape(-1)],
                    "class_names": list(dataset.class_names),
                }
            )
        except datamod.DataError as exc:
            self.failed.emit(f"Cannot show the layers' outputs yet:\n• {exc}")
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user as a message
            self.failed.emit(f"Could not run the sample through the network: {type(exc).__name__}: {exc}")

    def explain_step(self, design: Design, index: int, base_dir: Path | None) -> None:
        """One training step on training row ``index`` with every number written down
        (engine/training/step_ledger.py): the trained model's next step, else the design's first."""
        from engine.training.run import NotReady, ready
        from engine.training.step_ledger import LedgerError, design_ledger, model_ledger

        try:
            if self.model is not None and self.prepared is not None:
                ledger = model_ledger(self.model, design, self.prepared, index)
            else:
                ledger = design_ledger(design, ready(design, base_dir).prepared, index)
            self.explained.emit(ledger)
        except NotReady as exc:
            self.failed.emit("Cannot explain a step yet:\n• " + "\n• ".join(exc.problems))
        except LedgerError as exc:
            self.failed.emit(f"Cannot explain a step: {exc}")
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user as a message
            self.failed.emit(explain(exc, design).text)

    def landscape(self, design: Design, base_dir: Path | None) -> None:
        """The loss landscape of a run of the design, with the path it took
        (engine/training/landscape.py); progress as status lines."""
        from engine.training.landscape import landscape_run
        from engine.training.run import NotReady, ready

        try:
            prepared = ready(design, base_dir).prepared
            report = lambda f: self.status.emit(f"Loss landscape: {f:.0%}")  # noqa: E731
            self.landscaped.emit(landscape_run(design, prepared, progress=report))
        except NotReady as exc:
            self.failed.emit("Cannot draw the loss landscape yet:\n• " + "\n• ".join(exc.problems))
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user as a message
            self.failed.emit(explain(exc, design).text)

    def attend(self, index: int) -> None:
        """Saliency and Grad-CAM of the trained model for evaluation sample ``index``."""
        from engine.training.saliency import attention

        try:
            if self.model is None or self.prepared is None:
                self.failed.emit("Train the design first: saliency shows what the trained network looks at.")
                return
            p = self.prepared
            xs = p.x_test if p.test_rows else p.x
            if isinstance(xs, dict):
                self.failed.emit("Saliency is shown for models with one input.")
                return
            index = max(0, min(index, datamod.rows(xs) - 1))
            self.attended.emit(attention(self.model, xs[index : index + 1]))
        except Exception as exc:  # noqa: BLE001 - any failure must reach the user as a message
            self.failed.emit(f"Could not compute the saliency: {type(exc).__name__}: {exc}")

    def compute_shapes(self, requests: list) -> None:
        """Generic Keras layers' output shapes and weights, built by Keras on this thread."""
        from engine.keras.generic import compute
        from engine.schema.generic import KerasShape

        answers = []
        for request in requests:
            try:
                answers.append((request, compute(request)))
            except Exception as exc:  # noqa: BLE001 - e.g. Keras failing to import: say so on the node
                answers.append((request, KerasShape(error=f"{type(exc).__name__}: {exc}")))
        self.shapes_computed.emit(answers)

    def forget(self) -> None:
        """Drop the trained model (another design is shown), on this thread where it lives."""
        self.model, self.prepared, self.dataset = None, None, None


class TrainingThread:
    """Owns the worker thread and its job queue; the GUI calls these methods."""

    def __init__(self) -> None:
        self.worker = TrainingWorker()
        self.jobs: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="netwright-training", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            method, args = job
            method(*args)

    def train(self, design: Design, control: Control, options: dict) -> None:
        self.jobs.put((self.worker.train, (design, control, options)))

    def save(self, path: str) -> None:
        self.jobs.put((self.worker.save, (path,)))

    def predict(self, index: int) -> None:
        self.jobs.put((self.worker.predict, (index,)))

    def forward(
        self, design: Design, index: int, base_dir: Path | None, drawn: tuple[str, Any] | None = None
    ) -> None:
        self.jobs.put((self.worker.forward, (design, index, base_dir, drawn)))

    def explain_step(self, design: Design, index: int, base_dir: Path | None) -> None:
        self.jobs.put((self.worker.explain_step, (design, index, base_dir)))

    def landscape(self, design: Design, base_dir: Path | None) -> None:
        self.jobs.put((self.worker.landscape, (design, base_dir)))

    def attend(self, index: int) -> None:
        self.jobs.put((self.worker.attend, (index,)))

    def compute_shapes(self, requests: list) -> None:
        self.jobs.put((self.worker.compute_shapes, (requests,)))

    def forget(self) -> None:
        self.jobs.put((self.worker.forget, ()))

    def shutdown(self, control: Control | None, timeout: float = 30.0) -> None:
        """Stop a running fit (within one batch) and end the thread."""
        if control is not None:
            control.stop()
        self.jobs.put(None)
        self.thread.join(timeout)
