"""Import at scale: Keras applications onto the canvas, and panning a big design.

NASNetMobile (771 layers) and DenseNet121 (429) are built with ``weights=None``
and saved as ``.keras`` files first; then ``import_file`` (reading the zip,
mapping every layer through the catalog, Sugiyama layout) plus validation is
timed, median of 5 runs, without the TensorFlow import.  Panning: the imported
NASNetMobile in the real window (offscreen raster), the view scrolled by 40 px
per frame, each frame painted synchronously; median and p95 frame times, at
100 % zoom and zoomed out to fit the whole model.  Responsiveness: NASNetMobile
opened through the window (File → Open's path, read on another thread) while
a 10 ms QTimer on the GUI thread records how late each tick arrives (the method
of benchmarks/ui_latency.py); the longest gap is the longest the window stood still,
including showing the finished design on the canvas.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/import_scale.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FAMILIES = ("NASNetMobile", "DenseNet121")


def saved_models(folder: Path) -> dict[str, Path]:
    import keras

    paths = {}
    for family in FAMILIES:
        path = folder / f"{family}.keras"
        getattr(keras.applications, family)(weights=None).save(path)
        paths[family] = path
    return paths


def import_times(path: Path, runs: int = 5) -> tuple[float, int]:
    from engine.design.validation import validate
    from engine.keras.importer import import_file

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = import_file(path)
        validate(result.design)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(result.design.nodes)


def bench_window():
    """The application and a shown window on the canvas, with settings of this run's own."""
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    QCoreApplication.setApplicationName("NetwrightBench")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    window.show_canvas()
    return app, window


def pan_frames(path: Path, frames: int = 60) -> dict[str, tuple[float, float]]:
    from engine.keras.importer import import_file

    app, window = bench_window()
    window.doc.replace(import_file(path).design, None)
    app.processEvents()
    view = window.view
    out = {}
    for label, zoom_to_fit in (("100 %", False), ("fit", True)):
        view.resetTransform()
        if zoom_to_fit:
            view.fit()
        app.processEvents()
        bar = view.verticalScrollBar()
        bar.setValue(bar.minimum())
        times = []
        for i in range(frames):
            start = time.perf_counter()
            bar.setValue(bar.value() + (40 if (i // 20) % 2 == 0 else -40))
            view.viewport().repaint()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        out[label] = (statistics.median(times), times[int(0.95 * len(times)) - 1])
    window.doc.undo_stack.setClean()
    window.close()
    return out


def import_stall(path: Path, interval_ms: int = 10) -> tuple[float, float, float]:
    """(longest GUI-thread stall while reading the file, longest while showing it, total s)."""
    from PySide6.QtCore import Qt, QTimer

    app, window = bench_window()
    app.processEvents()
    late: list[tuple[float, bool]] = []  # (ms late, the file was still being read)
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(((now - last[0]) * 1000 - interval_ms, window.files.model_import.busy))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    start = time.perf_counter()
    timer.start(interval_ms)
    window.files.import_model(path)
    while window.files.model_import.busy or len(window.doc.design.nodes) < 10:
        app.processEvents()
        time.sleep(0.001)
    for _ in range(20):  # the first paints of the new design
        app.processEvents()
        time.sleep(interval_ms / 1000)
    total = time.perf_counter() - start
    timer.stop()
    reading = max((ms for ms, busy in late if busy), default=0.0)
    showing = max((ms for ms, busy in late if not busy), default=0.0)
    window.doc.undo_stack.setClean()
    window.close()
    return reading, showing, total


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = saved_models(Path(folder))
        print(f"{'model':<14}{'layers':>8}{'import + layout + check (s)':>30}")
        worst = 0.0
        for family, path in paths.items():
            seconds, nodes = import_times(path)
            worst = max(worst, seconds)
            print(f"{family:<14}{nodes:>8}{seconds:>30.2f}")
        frames = pan_frames(paths["NASNetMobile"])
        reading, showing, total = import_stall(paths["NASNetMobile"])
    for label, (median, p95) in frames.items():
        print(f"pan NASNetMobile at {label:<6}: frame median {median:.1f} ms, p95 {p95:.1f} ms")
    print(
        f"open NASNetMobile in the window: {total:.2f} s; longest GUI-thread stall {reading:.0f} ms while "
        f"reading the file, {showing:.0f} ms while putting the design on the canvas"
    )
    pan = max(m for m, _ in frames.values())
    print(f"import: {worst:.2f} s at most (target < 3 s); pan frame median {pan:.1f} ms (target < 16 ms)")


if __name__ == "__main__":
    main()
