"""Training-memory estimate (engine/design/cost.py) against the measured peak.

For each template, in a fresh process: build the model, make random data
shaped like its input (4 batches), then fit 2 epochs at a large batch size
while a thread samples the process's RSS every 2 ms.  "measured" is the peak
RSS during fit less the RSS just before it (TensorFlow loaded, model built,
data in memory), so it holds what training itself adds: weights' gradients,
optimizer slots, activations, plus TensorFlow's traced functions and buffers.

    .venv/bin/python benchmarks/training_memory.py [BATCH]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BATCH = int(sys.argv[1]) if len(sys.argv) > 1 else 1024

CHILD = r"""
import json, os, sys, threading, time
sys.path.insert(0, sys.argv[1])
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, psutil
from engine.design.file_format import load
from engine.keras.build import build_model
design, batch = load(sys.argv[2]), int(sys.argv[3])
model = build_model(design)
rng = np.random.default_rng(0)
shape = tuple(model.inputs[0].shape[1:])
x = rng.random((4 * batch, *shape), dtype="float32")
out_shape = tuple(model.outputs[0].shape[1:])
if design.compile.get("loss") == "sparse_categorical_crossentropy":
    y = rng.integers(0, out_shape[-1], size=4 * batch)
else:
    y = rng.random((4 * batch, *out_shape), dtype="float32")
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


def main() -> None:
    from engine.design.cost import estimate, human_bytes, training_memory
    from engine.design.file_format import load

    print(f"template         FLOPs/sample  estimate (batch {BATCH})  measured during fit  measured/estimate")
    for path in sorted((ROOT / "resources" / "designs").glob("*.json")):
        design = load(path)
        cost = estimate(design)
        memory = training_memory(cost, BATCH, dict(design.compile.get("optimizer", {"type": "Adam"})))
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT), str(path), str(BATCH)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            print(f"{path.stem}: failed: {done.stderr[-300:]}")
            continue
        measured = json.loads(done.stdout.strip().splitlines()[-1])["measured"]
        print(
            f"{path.stem:<16} {cost.total_flops:>12,}  {human_bytes(memory.total):>21}  "
            f"{human_bytes(measured):>19}  {measured / memory.total:>17.2f}"
        )


if __name__ == "__main__":
    main()
