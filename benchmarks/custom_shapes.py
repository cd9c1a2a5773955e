"""Custom layers' shapes: what trusting a design's code costs before its shapes show.

For the keras-io-style vision transformer (tests/engine/keras/custom_scripts/vit.py):
the untrusted check (pure Python, no code run), and the child process that runs the
code (Python's spawn, import of Keras, every custom and generic layer's shape), beside a
bare ``python -c "import keras"`` for what the import alone costs.  The child's time
limit (20 s) counts only what follows the import.

    .venv/bin/python benchmarks/custom_shapes.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # trust for this run only
    from engine import trust
    from engine.design.validation import validate
    from engine.keras.custom_layers import shapes_in_child
    from engine.keras.importer import import_file

    design = import_file(ROOT / "tests" / "engine" / "keras" / "custom_scripts" / "vit.py").design
    checks = []
    for _ in range(20):
        start = time.perf_counter()
        validate(design)
        checks.append(time.perf_counter() - start)
    check_ms = statistics.median(checks) * 1000
    print(f"untrusted check of the ViT design ({len(design.nodes)} nodes): {check_ms:.1f} ms")
    trust.trust(design, remember=False)
    imports = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import keras"], check=True, capture_output=True)
        imports.append(time.perf_counter() - start)
    print(f"bare 'import keras' in a new process (s): {', '.join(f'{t:.1f}' for t in imports)}")
    totals = []
    for _ in range(3):
        start = time.perf_counter()
        answers = shapes_in_child(design)
        totals.append(time.perf_counter() - start)
    print(f"shapes answered by the child: {len(answers)}")
    print(f"child runs (s): {', '.join(f'{t:.1f}' for t in totals)}")
    median = statistics.median(totals)
    print(f"median seconds from trust to every shape (spawn, Keras import, code): {median:.1f}")


if __name__ == "__main__":
    main()
