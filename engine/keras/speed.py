"""How many batches one compiled call runs (Keras's ``steps_per_execution``).

A small model on a CPU spends much of each step in per-call Python work
(callbacks, the iterator, the function call), not in arithmetic.  Running
several batches per call removes that overhead; but Stop, Pause and the live
curves act between calls, so one call must stay short.  The choice: as many
batches as fit in :data:`TARGET_EXECUTION_S`, estimated from the design's
FLOPs (``engine.design.cost``) and the batch size, capped at one epoch, for
each run (:func:`engine.keras.pipeline.fit`, which exported scripts carry with
this rule).  Without a cost (no FLOPs known) it is 1, Keras's default.

The constants were measured on the CI kind of machine (2 shared cores,
TensorFlow 2.21 CPU) with ``benchmarks/training_overhead.py``.
"""

from __future__ import annotations

import math

TARGET_EXECUTION_S = 0.05  # one call: tens of ms, so Stop lands within ~50 ms and curves stay live
STEP_FLOOR_S = 0.0005  # in-graph time of one step of even the smallest model
CPU_FLOPS_PER_S = 8e9  # float32 rate of small Keras training steps on the 2-core CI machine
TRAIN_FLOPS_FACTOR = 3  # forward + backward (two products per forward one) per sample
MAX_STEPS_PER_EXECUTION = 64


def step_seconds(flops_per_sample: int, batch_size: int, flops_per_s: float = CPU_FLOPS_PER_S) -> float:
    """Estimated time of one training step inside the compiled function."""
    return STEP_FLOOR_S + TRAIN_FLOPS_FACTOR * flops_per_sample * batch_size / flops_per_s


def choose_steps_per_execution(
    flops_per_sample: int | None, batch_size: int, steps_per_epoch: int, flops_per_s: float = CPU_FLOPS_PER_S
) -> int:
    """Batches per compiled call so that one call takes about :data:`TARGET_EXECUTION_S`.

    1 when a step alone takes that long (nothing to gain) or the cost is unknown
    (a variable-length input); never more than an epoch (Keras truncates there).
    """
    if not flops_per_sample:
        return 1
    per_step = step_seconds(flops_per_sample, batch_size, flops_per_s)
    n = math.floor(TARGET_EXECUTION_S / per_step)
    return max(1, min(n, steps_per_epoch, MAX_STEPS_PER_EXECUTION))
