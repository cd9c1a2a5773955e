"""Training time of the window's path and of the exported script against a plain Keras script.

(a) the window: Train pressed in an offscreen window; the worker thread
builds, fits (progress callbacks, the live pyqtgraph plot, steps_per_execution
chosen by engine/keras/speed.py) and evaluates.  (b) the plain script a Keras
user writes: the same model, ``compile(optimizer, loss, metrics)`` and
``fit(x, y, epochs, batch_size, validation_split)`` with Keras's defaults
otherwise, then ``evaluate`` and ``predict`` as the window does.  (c) the
exported script: its ``build_model()`` trained by its own ``fit`` (the copy of
engine/keras/pipeline.py that its main() calls: the tf.data pipeline, and
steps_per_execution chosen for the run from the FLOPs the script carries),
then evaluated and predicted like (b), one batch per predict call.  Runs
alternate after one warm-up each; ratios are of the medians.  The exported
ratio should not exceed the window's, and the window's should be 0.90 or less.

    .venv/bin/python benchmarks/training_overhead.py [REPEATS]
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

from training_common import make_window, peak_rss_mb, train_in_window

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 11
EPOCHS = 5


def timed_fit(model_factory, design, prepared) -> float:
    import keras

    start = time.perf_counter()
    keras.utils.set_random_seed(0)
    model = model_factory()
    model.fit(
        prepared.x,
        prepared.y,
        epochs=EPOCHS,
        batch_size=design.training["batch_size"],
        validation_split=prepared.validation_split,
        verbose=0,
        shuffle=True,
    )
    model.evaluate(prepared.x, prepared.y, verbose=0)
    model.predict(prepared.x, verbose=0)
    return time.perf_counter() - start


def timed_script_fit(namespace: dict, design, prepared, flops: int | None) -> float:
    """The exported script's training as its main() does it, without the progress bar."""
    import keras

    start = time.perf_counter()
    keras.utils.set_random_seed(0)
    model = namespace["build_model"]()
    namespace["fit"](
        model,
        prepared.x,
        prepared.y,
        EPOCHS,
        design.training["batch_size"],
        validation_split=prepared.validation_split,
        flops_per_sample=flops,
        class_weight=namespace["TRAINING"].get("class_weight"),
        verbose=0,
    )
    model.evaluate(prepared.x, prepared.y, verbose=0)
    model.steps_per_execution = 1
    model.predict(prepared.x, verbose=0)
    return time.perf_counter() - start


def spread(values: list[float]) -> str:
    return f"min {min(values):.2f} s, max {max(values):.2f} s"


def main() -> None:
    from engine.data import prepare as datamod
    from engine.design.cost import estimate
    from engine.keras.build import build_model
    from engine.keras.codegen import generate

    app, window = make_window(EPOCHS)
    design = window.doc.design.copy()
    prepared = datamod.prepare(design, datamod.load(design.data))
    # The script as a file, imported as a person runs it (tf.function reads its functions' source).
    script = Path(tempfile.mkdtemp()) / "exported_model.py"
    script.write_text(generate(design))
    spec = importlib.util.spec_from_file_location("exported_model", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    namespace = vars(module)
    runners = {
        "gui": lambda: train_in_window(window),
        "plain": lambda: timed_fit(lambda: build_model(design), design, prepared),
        "exported": lambda: timed_script_fit(namespace, design, prepared, estimate(design).total_flops),
    }
    for run in runners.values():  # warm-up: TensorFlow import and first traces
        run()
    times: dict[str, list[float]] = {name: [] for name in runners}
    for i in range(REPEATS):
        for name, run in runners.items():
            times[name].append(run())
        print(f"run {i + 1}: " + ", ".join(f"{n} {t[-1]:.2f} s" for n, t in times.items()), flush=True)
    window.doc.undo_stack.setClean()
    window.close()
    median = {name: statistics.median(t) for name, t in times.items()}
    print(
        "median: "
        + ", ".join(f"{n} {m:.2f} s" for n, m in median.items())
        + f" ({EPOCHS} epochs of small_cnn on digits, {len(prepared.x)} samples, {REPEATS} runs each)"
    )
    for name, t in times.items():
        print(f"spread {name}: {spread(t)}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    print(f"exported script ratio: {median['exported'] / median['plain']:.2f} (exported / plain)")
    print(f"overhead ratio: {median['gui'] / median['plain']:.2f}")


if __name__ == "__main__":
    main()
