"""Event-loop latency of the window while a model trains, with layer inspection off and on.

A 10 ms QTimer on the GUI thread records how late each tick arrives while the
small CNN trains on digits in the worker thread (live plots and the lab's
views on).  Lateness is the delay beyond the 10 ms interval: what a user feels
when dragging the window or clicking Stop during training.  Each setting
trains as many times as it takes to collect at least ``--ticks`` ticks, so the
p99 is not one unlucky tick.  The GUI thread's own CPU time between ticks is
printed too: on a machine busy with other work, lateness includes waiting for
a CPU, and this part does not.  ``gc.callbacks`` times every garbage collection
on the GUI thread (gui/gui_thread_gc.py collects there) and reports the longest.

    .venv/bin/python benchmarks/ui_latency.py [--ticks 2000] [--tabs]

``--tabs`` also measures, with inspection on, each other tab of the lab in view (the decision
boundary while deep_relu trains on moons).  The last line is the p99 with inspection on and the
Gradients tab in view (the window's default).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import threading
import time
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from training_common import DESIGN, make_window, peak_rss_mb, train_in_window

INTERVAL_MS = 10
DESIGNS = DESIGN.parent
EPOCHS = 60  # about 20 s a run: one run gives the ticks, as a user's one long training does


@dataclass
class GcTimes:
    """The GUI thread's garbage collections: how long each took, by generation."""

    started: float = 0.0
    longest: tuple[float, int] = (0.0, 0)
    count: int = 0
    total_ms: float = 0.0
    on_other_threads: int = 0

    def __call__(self, phase: str, info: dict) -> None:
        if threading.current_thread() is not threading.main_thread():
            self.on_other_threads += phase == "start"
            return
        if phase == "start":
            self.started = time.perf_counter()
            return
        ms = (time.perf_counter() - self.started) * 1000
        self.count += 1
        self.total_ms += ms
        if ms > self.longest[0]:
            self.longest = (ms, info["generation"])


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[int(fraction * (len(ordered) - 1))]


def measure(window, inspect: bool, min_ticks: int, label: str = "") -> float:
    """Train until ``min_ticks`` ticks are in; print the figures and return the p99."""
    window.training.inspect.setChecked(inspect)
    lateness: list[float] = []
    work: list[float] = []  # the GUI thread's own CPU time between ticks (a busy machine adds none)
    last = [time.perf_counter(), time.thread_time()]

    def tick() -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        lateness.append(max(0.0, (now - last[0]) * 1000 - INTERVAL_MS))
        work.append((cpu - last[1]) * 1000)
        last[:] = [now, cpu]

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(tick)
    collections = GcTimes()
    gc.callbacks.append(collections)
    seconds, runs = 0.0, 0
    try:
        while len(lateness) < min_ticks:
            last[:] = [time.perf_counter(), time.thread_time()]
            timer.start()
            seconds += train_in_window(window)
            timer.stop()
            runs += 1
    finally:
        gc.callbacks.remove(collections)
    ordered = sorted(lateness)
    label = label or ("inspection on" if inspect else "inspection off")
    p95, p99 = percentile(ordered, 0.95), percentile(ordered, 0.99)
    print(
        f"{label}: {runs} run(s) of {EPOCHS} epochs of {window.doc.design.name} on "
        f"{window.doc.design.data['name']} in {seconds:.1f} s; {len(ordered)} ticks"
    )
    print(
        f"  lateness: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
        f"max {ordered[-1]:.1f} ms"
    )
    cpu = sorted(work)
    print(
        f"  GUI thread's CPU time per tick: p99 {percentile(cpu, 0.99):.1f} ms, max {cpu[-1]:.1f} ms "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    longest, generation = collections.longest
    print(
        f"  garbage collection on the GUI thread: {collections.count} collections, "
        f"{collections.total_ms:.0f} ms in all, longest {longest:.1f} ms (generation {generation}); "
        f"{collections.on_other_threads} on other threads"
    )
    return p99


def measure_tabs(window, min_ticks: int) -> None:
    """Each other tab in view while a model trains: on digits, and the boundary on moons."""
    panel = window.training
    for tab in (panel.results, panel.runs, panel.data, panel.experiments, panel.landscape):
        panel.tabs.setCurrentWidget(tab)
        measure(window, True, min_ticks, f"{panel.tabs.tabText(panel.tabs.indexOf(tab))} tab")
    window.files.open_path(DESIGNS / "deep_relu.json", ask=False)
    window.doc.set_settings("data", {**window.doc.design.data, "name": "moons"}, "bench")
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": EPOCHS}, "bench")
    window.mode.show_train()
    panel.tabs.setCurrentWidget(panel.boundary)
    measure(window, True, min_ticks, "Decision boundary tab")
    panel.tabs.setCurrentWidget(panel.gradients)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--ticks", type=int, default=2000, help="at least this many ticks per setting")
    args.add_argument("--tabs", action="store_true", help="also each other tab of the lab in view")
    opts = args.parse_args()
    app, window = make_window(2)
    train_in_window(window)  # warm-up: TensorFlow import and first traces
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": EPOCHS}, "bench")
    measure(window, inspect=False, min_ticks=opts.ticks)
    p99 = measure(window, inspect=True, min_ticks=opts.ticks)
    if opts.tabs:
        measure_tabs(window, opts.ticks)
    window.doc.undo_stack.setClean()
    window.close()
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    print(f"p99 latency (inspection on): {p99:.1f} ms")


if __name__ == "__main__":
    main()
