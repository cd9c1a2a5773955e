"""GUI scale: what one parameter edit costs on big designs, and time to first window.

For designs of 100 and 800 nodes (a chain and a branchy DAG, from
engine_scale.py), one edit through the document -- validation, canvas
refresh, problems and summary, then the repaint it triggers -- is timed over
many edits (until the canvas's last step); the live code view, written on a
worker thread after a 250 ms pause in typing, is timed separately: until its
script is shown, and the GUI thread's longest step meanwhile.  Time to first window is measured from
process start to the first painted frame, in fresh processes.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_scale.py
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

from benchmarks.engine_scale import branchy, chain  # noqa: E402

PROBE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui.main_window import MainWindow
w = MainWindow(); w.show(); w.files.start(sys.argv[1])
QTimer.singleShot(0, app.quit)
app.exec()
"""


def edit_times(window, app, node_id: str, repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        window.doc.set_param(node_id, "units", 17 + i % 2)
        app.processEvents()  # the repaint the edit triggers
        while window.scene.building:  # a large design's cards are refreshed in steps: until the last
            app.processEvents()
        times.append((time.perf_counter() - start) * 1000)
    return times


def code_view_times(window, app) -> tuple[float, float]:
    """The Code tab after a pause in editing: ms until the script is shown, and the GUI thread's
    longest step meanwhile (the script is written on a worker thread)."""
    code = window.code
    start = time.perf_counter()
    code.refresh()
    stall = (time.perf_counter() - start) * 1000
    while code.shown != code.requests:
        step = time.perf_counter()
        app.processEvents()
        stall = max(stall, (time.perf_counter() - step) * 1000)
    return (time.perf_counter() - start) * 1000, stall


def first_window_ms(runs: int = 5) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": tempfile.mkdtemp()}
    design = str(ROOT / "resources" / "designs" / "residual_block.json")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", PROBE, design], cwd=ROOT, env=env, check=True, capture_output=True
        )
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setApplicationName("NetwrightBench")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication([])
    from engine.design.layout import layered_positions
    from gui.app import freeze_startup_objects
    from gui.main_window import MainWindow

    window = MainWindow()
    window.resize(1400, 900)
    window.show()
    window.show_canvas()
    freeze_startup_objects()  # as gui.app.run_gui does
    print(
        f"{'design':<10}{'nodes':>7}{'edit median ms':>16}{'edit p95 ms':>13}{'code view ms':>14}"
        f"{'longest GUI step ms':>21}"
    )
    worst = 0.0
    for make in (chain, branchy):
        for n in (100, 800):
            design = make(n)
            for nid, pos in layered_positions(design).items():
                design.nodes[nid].pos = pos
            window.doc.replace(design, None)
            window.view.fit()
            app.processEvents()
            target = next(nid for nid, node in design.nodes.items() if node.type == "Dense")
            times = sorted(edit_times(window, app, target, 40))
            code_ms, code_stall = code_view_times(window, app)
            median, p95 = statistics.median(times), times[int(0.95 * len(times)) - 1]
            worst = max(worst, median)
            print(f"{make.__name__:<10}{n:>7}{median:>16.1f}{p95:>13.1f}{code_ms:>14.1f}{code_stall:>21.1f}")
    window.doc.undo_stack.setClean()
    print(
        f"time to first window: {first_window_ms():.0f} ms (process start to first frame; target < 1000 ms)"
    )
    print(f"800-node edit: {worst:.1f} ms median (validation + canvas refresh + repaint)")


if __name__ == "__main__":
    main()
