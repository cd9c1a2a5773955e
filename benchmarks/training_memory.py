"""Training-memory estimate (engine/design/cost.py) against the measured peak.

For each template, in a fresh process: build the model, make random data
shaped like its input (twice the larger batch, the same rows at both batch
sizes), then fit 2 epochs while a thread samples the process's RSS every 2 ms.  "measured" is the peak
RSS during fit less the RSS just before it (TensorFlow loaded, model built,
data in memory), so it holds what training itself adds: weights' gradients,
optimizer slots, activations, plus TensorFlow's traced functions and buffers.

    .venv/bin/python benchmarks/training_memory.py [SMALL_BATCH LARGE_BATCH]

Each template runs at two batch sizes: the fixed part of TensorFlow's memory
(traced functions, buffers: tens of MB) swamps a tiny model's estimate, so the
last column compares what the larger batch adds, measured and estimated.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BATCHES = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (1024, 8192)

CHILD = r"""
import json, os, sys, threading, time
sys.path.insert(0, sys.argv[1])
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, psutil
from engine.design.file_format import load
from engine.keras.build import build_model
design, batch, rows = load(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
model = build_model(design)
rng = np.random.default_rng(0)
shape = tuple(model.inputs[0].shape[1:])
x = rng.random((rows, *shape), dtype="float32")
out_shape = tuple(model.outputs[0].shape[1:])
if design.compile.get("loss") == "sparse_categorical_crossentropy":
    y = rng.integers(0, out_shape[-1], size=rows)
else:
    y = rng.random((rows, *out_shape), dtype="float32")
proc = psutil.Process()
before, peak, done = proc.memory_info().rss, [0], threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], proc.memory_info().rss)
        time.sleep(0.002)
t = threading.Thread(target=sample); t.start()
model.fit(x, y, batch_size=batch, epochs=2, verbose=0)
done.set(); t.join()
print(json.dumps({"measured": peak[0] - before, "peak": peak[0]}))
"""


def measure(path: Path, batch: int) -> int | None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), str(path), str(batch), str(2 * BATCHES[1])],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        print(f"{path.stem} at batch {batch}: failed: {done.stderr[-300:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["measured"]


def main() -> None:
    import statistics

    from engine.design.cost import estimate, human_bytes, training_memory
    from engine.design.file_format import load

    small, large = BATCHES
    print(
        f"template        FLOPs/sample  estimate@{small}  measured@{small}  estimate@{large}  "
        f"measured@{large}  added by the larger batch: measured/estimate"
    )
    ratios = []
    for path in sorted((ROOT / "resources" / "designs").glob("*.json")):
        design = load(path)
        cost = estimate(design)
        optimizer = dict(design.compile.get("optimizer", {"type": "Adam"}))
        est = [training_memory(cost, b, optimizer).total for b in BATCHES]
        got = [measure(path, b) for b in BATCHES]
        if None in got:
            continue
        ratio = (got[1] - got[0]) / (est[1] - est[0])
        ratios.append(ratio)
        print(
            f"{path.stem:<15} {cost.total_flops:>12,}  {human_bytes(est[0]):>12}  {human_bytes(got[0]):>12}  "
            f"{human_bytes(est[1]):>12}  {human_bytes(got[1]):>12}  {ratio:>10.2f}"
        )
    print(f"added memory, measured / estimated: median {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
