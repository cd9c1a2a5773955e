"""What ``Inspect layers`` costs: the same fit with and without the inspector callback.

Engine path (no window), so only the instrumentation differs, and everything it
does is inside the timed fit: the hooks traced into the train step (which hand
out values the step computes anyway), the samples read within epochs, every
epoch end (gradient, weight and update norms, activation statistics, weight
histograms, diagnoses), the decision-boundary pictures (deep_sigmoid's circles
are 2-D) and the set-up.  The machine's noise (a run's time varies by 5-30%
from one fit to the next on two shared cores) is larger than what is measured,
so runs come in pairs, with and without, in alternating order, each fit from a
cleared Keras session; the figure is the median of the pairs' ratios, with the
best and the median times beside it, for wall time and the process's CPU time.
Beside it, with less noise: the median time of the first compiled call (which
traces and compiles the train step: the hooked step has more outputs), and the
time the inspector's own callbacks took, as a share of the run.
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

REPEATS = 15
CASES = {  # (template, epochs): short runs weigh set-up and tracing, long ones the per-epoch work
    ("deep_sigmoid", 10),
    ("deep_sigmoid", 60),
    ("mlp_classifier", 30),
    ("small_cnn", 5),
}


def fit_seconds(design, prepared, task, epochs: int, inspect: bool) -> tuple[float, float, float, float]:
    """Wall and CPU seconds of the fit, the seconds the inspector's callbacks spent, and the
    seconds of the first compiled call."""
    import gc

    import keras

    from engine.training.fit import train
    from engine.training.inspect import inspector

    keras.backend.clear_session()  # each fit starts from the same state: runs do not drift
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    clock = first_call_clock(keras)
    extra = [inspector(prepared, task=task)] if inspect else []
    train(design, prepared, epochs=epochs, extra_callbacks=[clock, *extra])
    own = extra[0].seconds if extra else 0.0
    return time.perf_counter() - start, time.process_time() - cpu, own, clock.seconds


def first_call_clock(keras):
    """A callback timing the first compiled call, from the start of training to its end."""

    class Clock(keras.callbacks.Callback):
        seconds = 0.0

        def on_train_begin(self, logs=None):
            self.begun = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if not self.seconds:
                self.seconds = time.perf_counter() - self.begun

    return Clock()


def main() -> None:
    from engine.data import prepare as datamod
    from engine.design.file_format import load

    worst = 0.0
    for name, epochs in sorted(CASES):
        design = load(ROOT / "resources" / "designs" / f"{name}.json")
        data = datamod.load(design.data)
        prepared = datamod.prepare(design, data)
        fit_seconds(design, prepared, data.task, 1, True)  # warm-up: TensorFlow and its first traces
        off, on = [], []
        for i in range(REPEATS):  # pairs, in alternating order, so drift and order cancel out
            for inspect in (False, True) if i % 2 == 0 else (True, False):
                (on if inspect else off).append(fit_seconds(design, prepared, data.task, epochs, inspect))
        wall = [min(r[0] for r in runs) for runs in (off, on)]
        cpu = [min(r[1] for r in runs) for runs in (off, on)]
        median = [statistics.median(r[0] for r in runs) for runs in (off, on)]
        paired = statistics.median(b[0] / a[0] for a, b in zip(off, on, strict=True)) - 1
        own = statistics.median(r[2] for r in on)
        first = [statistics.median(r[3] for r in runs) for runs in (off, on)]
        share = statistics.median(r[2] / r[0] for r in on)
        worst = max(worst, paired)
        print(
            f"{name}, {epochs} epochs: wall best off {wall[0]:.2f} s, on {wall[1]:.2f} s "
            f"= {wall[1] / wall[0] - 1:+.1%}; medians {median[0]:.2f} / {median[1]:.2f} s "
            f"= {median[1] / median[0] - 1:+.1%}; median of pairs {paired:+.1%}; "
            f"CPU best {cpu[0]:.2f} / {cpu[1]:.2f} s = {cpu[1] / cpu[0] - 1:+.1%}; "
            f"first call (tracing) {first[0]:.2f} / {first[1]:.2f} s; "
            f"inspector's callbacks {own:.2f} s = {share:.1%} of the run"
        )
    print(
        f"inspection overhead (worst of {len(CASES)} runs, median of {REPEATS} pairs each, wall time): "
        f"{worst:+.1%}"
    )


if __name__ == "__main__":
    main()
