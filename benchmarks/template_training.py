"""Every template trained with its own defaults: time and the result it reaches.

The promise: each trains to a good result in under ~20 s on 2 cores.  Engine
path, as ``python main.py train`` runs it (load, prepare, fit, evaluate).

    .venv/bin/python benchmarks/template_training.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    import keras  # noqa: F401 - TensorFlow's import is the app's start, not the first template's training

    from engine.data import prepare as datamod
    from engine.design.file_format import load
    from engine.training.fit import evaluate, train

    slowest = 0.0
    for path in sorted((ROOT / "resources" / "designs").glob("*.json")):
        design = load(path)
        if not design.data:
            print(f"{path.stem}: no dataset")
            continue
        start = time.perf_counter()
        data = datamod.load(design.data)
        prepared = datamod.prepare(design, data)
        result = train(design, prepared)
        report = evaluate(result.model, prepared, data, design)
        seconds = time.perf_counter() - start
        slowest = max(slowest, seconds)
        scores = ", ".join(f"{k} {v:.4g}" for k, v in report["metrics"].items())
        history = result.history
        first, last = history["loss"][0], history["loss"][-1]
        print(
            f"{path.stem}: {seconds:.1f} s, {result.epochs_done} epochs, loss {first:.4g} → {last:.4g}, "
            f"{report['evaluated_on']} set: {scores}"
        )
    print(f"slowest template: {slowest:.1f} s")


if __name__ == "__main__":
    main()
