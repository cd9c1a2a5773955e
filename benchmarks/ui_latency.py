"""Event-loop latency of the window while a model trains.

A 10 ms QTimer on the GUI thread records how late each tick arrives while the
small CNN trains on digits in the worker thread (live plots on).  Lateness is
the delay beyond the 10 ms interval: what a user feels when dragging the
window or clicking Stop during training.

    .venv/bin/python benchmarks/ui_latency.py
"""

from __future__ import annotations

import statistics
import time

from PySide6.QtCore import Qt, QTimer
from training_common import make_window, peak_rss_mb, train_in_window

INTERVAL_MS = 10
EPOCHS = 10


def main() -> None:
    app, window = make_window(EPOCHS)
    train_in_window(window)  # warm-up: TensorFlow import and first traces
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - INTERVAL_MS))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(tick)
    timer.start()
    seconds = train_in_window(window)
    timer.stop()
    window.doc.undo_stack.setClean()
    window.close()
    ordered = sorted(lateness)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    print(f"trained {EPOCHS} epochs of small_cnn on digits in {seconds:.1f} s; {len(ordered)} ticks")
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"lateness: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    print(f"p99 latency: {p99:.1f} ms")


if __name__ == "__main__":
    main()
