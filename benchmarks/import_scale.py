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
reported for three phases: while the file is read (the GUI thread's garbage
collections of what the import thread allocates), while the cards are built
(in steps, see gui/canvas/scene.py), and in the second after (first paints, the
overview map).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/import_scale.py
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
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FAMILIES = ("NASNetMobile", "DenseNet121")
OPENS = 3  # NASNetMobile opened this many times: the stalls are the median of each phase's longest


def saved_models(folder: Path) -> dict[str, Path]:
    """The models, saved by another process: TensorFlow is not in the window's process when a
    model is opened (its half a million objects would make the GUI thread's garbage collections,
    which the stalls include, slower than in the app)."""
    paths = {family: folder / f"{family}.keras" for family in FAMILIES}
    script = "import sys, keras\nfor family, path in zip(sys.argv[1::2], sys.argv[2::2]):\n"
    script += "    getattr(keras.applications, family)(weights=None).save(path)"
    args = [str(a) for item in paths.items() for a in item]
    subprocess.run([sys.executable, "-c", script, *args], check=True)
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
    while window.scene.building:  # the cards are built over a few turns of the event loop
        app.processEvents()
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


def import_stall(path: Path, interval_ms: int = 10) -> dict[str, float]:
    """The longest GUI-thread stall (ms) in each phase of opening ``path`` in the window, and the
    total time (s).  Each gap between two ticks of the timer is counted in one phase: "reading" while
    the file is read on the import thread; "building" from the import's end until every card
    matches the design (cards built on the GUI thread, in one step or in chunks); "after" for the
    second that follows (first paints, the overview map)."""
    from PySide6.QtCore import Qt, QTimer

    app, window = bench_window()
    settled = time.perf_counter() + 0.5  # the new window's first layout passes, as in a window in use
    while time.perf_counter() < settled:
        app.processEvents()
        time.sleep(0.005)
    scene = window.scene
    gaps: list[tuple[float, str]] = []
    last = [time.perf_counter(), True, False]  # time, reading, built at the previous tick

    def built() -> bool:
        return len(scene.nodes) > 10 and not scene.building

    def tick() -> None:
        now, reading, done = time.perf_counter(), window.files.model_import.busy, built()
        phase = "reading" if reading else "building" if not last[2] else "after"
        gaps.append(((now - last[0]) * 1000 - interval_ms, phase))
        last[:] = [now, reading, done]

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(tick)
    start = time.perf_counter()
    timer.start(interval_ms)
    window.files.import_model(path)
    while not built():
        app.processEvents()
        time.sleep(0.001)
    total = time.perf_counter() - start
    end = time.perf_counter() + 1.0  # the first paints and the overview map (drawn 300 ms after a change)
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    window.doc.undo_stack.setClean()
    window.close()
    stalls = {phase: max((ms for ms, p in gaps if p == phase), default=0.0) for phase in PHASES}
    turns = sum(p == "building" for _, p in gaps)
    return {**stalls, "total": total, "turns": turns}


PHASES = ("reading", "building", "after")


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
        opens = [import_stall(paths["NASNetMobile"]) for _ in range(OPENS)]
    for label, (median, p95) in frames.items():
        print(f"pan NASNetMobile at {label:<6}: frame median {median:.1f} ms, p95 {p95:.1f} ms")
    stall = {key: statistics.median(run[key] for run in opens) for key in opens[0]}
    print(
        f"open NASNetMobile in the window (median of {OPENS}): {stall['total']:.2f} s; longest GUI-thread "
        f"stall {stall['reading']:.0f} ms while reading the file, {stall['building']:.0f} ms while building "
        f"the cards ({stall['turns']:.0f} timer ticks), {stall['after']:.0f} ms in the second after"
    )
    pan = max(m for m, _ in frames.values())
    print(
        f"import: {worst:.2f} s at most (target < 3 s); pan frame median {pan:.1f} ms (target < 16 ms); "
        f"opening's longest stall while building the cards {stall['building']:.0f} ms (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
