"""Training overhead of the GUI path against a plain ``model.fit``.

(a) the window's path: Train pressed in an offscreen window, the worker
thread builds, fits (with the progress callbacks and the live pyqtgraph plot
updating) and evaluates; (b) a plain script: the same model, data and
settings, ``model.fit`` then ``evaluate`` on the main thread.  Runs alternate
after one warm-up each; the ratio is of the medians.

    .venv/bin/python benchmarks/training_overhead.py
"""

from __future__ import annotations

import statistics
import time

from training_common import make_window, peak_rss_mb, train_in_window

REPEATS = 11
EPOCHS = 5


def plain_fit(design, prepared) -> float:
    import keras

    from engine.keras.build import build_model

    start = time.perf_counter()
    keras.utils.set_random_seed(0)
    model = build_model(design)
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


def main() -> None:
    from engine.data import prepare as datamod

    app, window = make_window(EPOCHS)
    design = window.doc.design.copy()
    prepared = datamod.prepare(design, datamod.load(design.data))
    train_in_window(window)  # warm-up: TensorFlow import and first traces
    plain_fit(design, prepared)
    gui, plain = [], []
    for i in range(REPEATS):
        gui.append(train_in_window(window))
        plain.append(plain_fit(design, prepared))
        print(f"run {i + 1}: gui {gui[-1]:.2f} s, plain {plain[-1]:.2f} s")
    window.doc.undo_stack.setClean()
    window.close()
    print(
        f"median: gui {statistics.median(gui):.2f} s, plain {statistics.median(plain):.2f} s "
        f"({EPOCHS} epochs of small_cnn on digits, {len(prepared.x)} samples)"
    )
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    print(f"overhead ratio: {statistics.median(gui) / statistics.median(plain):.2f}")


if __name__ == "__main__":
    main()
