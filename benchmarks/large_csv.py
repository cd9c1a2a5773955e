"""A large CSV from file to results: reading (time, peak memory), one epoch, and what follows.

Issue 11 saw a 200 MB CSV train one epoch in ~50 s and then keep the process
busy for minutes: evaluation and prediction over every row at the training
batch size of 32.  This measures each phase of ``python main.py train`` on a
generated regression CSV (9 columns) in-process.

    .venv/bin/python benchmarks/large_csv.py [ROWS]     (default 400000, ~31 MB)
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.data import prepare as datamod  # noqa: E402
from engine.design.file_format import load  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        rng = np.random.default_rng(0)
        with open(path, "w") as f:  # in chunks, so writing does not raise the memory peak measured below
            f.write("a,b,c,d,e,f,g,h,y\n")
            for start in range(0, rows, 50_000):
                x = rng.normal(size=(min(50_000, rows - start), 8))
                np.savetxt(
                    f, np.c_[x, x.sum(axis=1) + rng.normal(size=len(x)) * 0.1], delimiter=",", fmt="%.5f"
                )
        size = path.stat().st_size / 2**20
        design = load(ROOT / "resources" / "designs" / "seed_example.json")
        design.data = {"source": "csv", "path": str(path)}
        design.training["epochs"] = 1
        before = peak_mb()
        start = time.perf_counter()
        data = datamod.load(design.data)
        read_s = time.perf_counter() - start
        print(
            f"read {size:.0f} MB CSV, {rows:,} rows: {read_s:.1f} s, peak memory +{peak_mb() - before:.0f} MB"
        )
        prepared = datamod.prepare(design, data)
        from engine.training.fit import evaluate, train

        start = time.perf_counter()
        result = train(design, prepared)
        train_s = time.perf_counter() - start
        print(f"train 1 epoch (batch 32): {train_s:.1f} s")
        start = time.perf_counter()
        evaluate(result.model, prepared, data, design)
        eval_s = time.perf_counter() - start
        print(f"evaluate + predict after training, {len(prepared.x):,} rows: {eval_s:.1f} s")
        print(f"after-training work: {eval_s / train_s:.0%} of the epoch's time")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400_000)
