"""What ``Inspect layers`` costs: the same fit with and without the inspector callback.

Engine path (no window), so only the instrumentation differs: per-layer gradient
norms and update/weight ratios every few batches (within a time budget), and at
each epoch end gradients, weight norms and histograms, activation statistics and
the diagnoses.  Runs alternate after a warm-up; the overhead is of the medians.
With inspection off no callback is attached, so it costs nothing.

    .venv/bin/python benchmarks/inspect_overhead.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPEATS = 3
CASES = {  # template: epochs (short runs are the worst case: fixed costs weigh more)
    "deep_sigmoid": 10,
    "mlp_classifier": 30,
    "small_cnn": 5,
}


def fit_seconds(design, prepared, task, epochs: int, inspect: bool) -> tuple[float, float]:
    """Wall seconds of the fit, and the seconds the inspector itself spent (tracing included)."""
    from engine.training.fit import train
    from engine.training.inspect import inspector

    start = time.perf_counter()
    extra = [inspector(prepared, task=task)] if inspect else []
    train(design, prepared, epochs=epochs, extra_callbacks=extra)
    return time.perf_counter() - start, extra[0].seconds if extra else 0.0


def main() -> None:
    from engine.data import prepare as datamod
    from engine.design.file_format import load

    worst = 0.0
    for name, epochs in CASES.items():
        design = load(ROOT / "resources" / "designs" / f"{name}.json")
        data = datamod.load(design.data)
        prepared = datamod.prepare(design, data)
        fit_seconds(design, prepared, data.task, 1, True)  # warm-up: TensorFlow and first traces
        off, on, own = [], [], []
        for _ in range(REPEATS):
            off.append(fit_seconds(design, prepared, data.task, epochs, False)[0])
            wall, spent = fit_seconds(design, prepared, data.task, epochs, True)
            on.append(wall)
            own.append(spent)
        a, b, c = statistics.median(off), statistics.median(on), statistics.median(own)
        overhead = (b - a) / a
        worst = max(worst, overhead)
        print(
            f"{name}: {epochs} epochs, off {a:.2f} s, on {b:.2f} s, wall overhead {overhead:+.1%}; "
            f"inspector's own time {c:.2f} s = {c / a:.1%} of the plain fit"
        )
    print(f"inspection overhead (worst of {len(CASES)} templates, median of {REPEATS}): {worst:+.1%}")


if __name__ == "__main__":
    main()
