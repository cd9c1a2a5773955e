"""The Experiments view: choose settings and values, run the sweep, compare its trials.

What a trial's settings do to the design, which trials are on the Pareto front and which
is best are the engine's answers (engine/experiments); this widget asks for them, shows
them, and applies a chosen trial's settings to the design as one undo step.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.design.cost import human_bytes, human_count
from engine.experiments.lr_range import seed_values
from engine.experiments.paths import (
    PathError,
    apply_settings,
    offered_paths,
    parse_path,
    read_setting,
    suggested_values,
    values_text,
)
from engine.experiments.plan import grid_size
from engine.experiments.search import is_range, parse_span
from gui.document import Document
from gui.experiments.compare import CompareDialog
from gui.experiments.plots import ParallelPlot, RatePlot, TradeoffPlot, TrialCurves, _short, score_colors
from gui.experiments.runner import SweepAsk, SweepRunner, parse_axes
from gui.wheel_guard import ComboBox, SpinBox

POSITION = Qt.ItemDataRole.UserRole
SORT_KEY = Qt.ItemDataRole.UserRole + 1


class SortItem(QTableWidgetItem):
    """A cell that sorts by its value (numbers as numbers; a missing value last), not its text."""

    def __init__(self, text: str, key: Any) -> None:
        super().__init__(text)
        self.setData(SORT_KEY, key)
        self.setFlags(self.flags() & ~Qt.ItemFlag.ItemIsEditable)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        a, b = self.data(SORT_KEY), other.data(SORT_KEY)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        if a is None or b is None:
            return b is None and a is not None
        return str(a) < str(b)


def _time_text(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


class ExperimentsView(QWidget):
    def __init__(self, doc: Document, session: Any, base_dir: Callable[[], Path]) -> None:
        super().__init__()
        self.doc, self.base_dir = doc, base_dir
        self.runner = SweepRunner(session)
        self.session = session
        self.trials: list[dict[str, Any]] = []  # position order, plain dicts from the worker
        self.paths: list[str] = []
        self.objective = "val_loss"
        self.best: int | None = None
        self.live: dict[str, list[float]] = {}  # the running trial's curves so far
        self.finding_rate = False
        self.sweep_base: Any = None
        self.comparing: CompareDialog | None = None
        self._request = 0
        self.plan_ok = False  # whether the rows make a plan: Run and Export wait for one
        self.planned_trials = 0  # the running sweep's or search's count, to say how many Stop skipped
        self._build()
        r = self.runner
        r.estimated.connect(self._estimated)
        r.started.connect(self._started)
        r.trial_begun.connect(self._trial_begun)
        r.epoch.connect(self._epoch)
        r.trial_ended.connect(self._trial_ended)
        r.finished.connect(self._finished)
        r.refused.connect(self._refused)
        r.failed.connect(self._failed)
        r.rate_point.connect(self._rate_point)
        r.rate_found.connect(self._rate_found)
        r.rate_failed.connect(self._rate_failed)
        r.exported.connect(self._exported)
        doc.changed.connect(lambda _r: self._design_changed())
        for signal in (session.started, session.finished, session.failed):  # one thread trains at a time
            signal.connect(lambda *_a: self._update_buttons())
        self._design_changed()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.path_box = ComboBox()
        self.path_box.setEditable(True)
        self.path_box.setToolTip("compile.KEY, training.KEY, data.KEY or nodes[NODE_ID].params.NAME")
        self.add_button = QPushButton("Add setting")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(lambda: self.add_axis(self.path_box.currentText()))
        self.remove_button.clicked.connect(self._remove_axis)
        self.axes = QTableWidget(0, 2)
        self.axes.setHorizontalHeaderLabels(
            ["Setting", "Values (comma-separated or a JSON list; LO..HI or LO..HI:log to search a range)"]
        )
        self.axes.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.axes.horizontalHeader().setStretchLastSection(True)
        self.axes.verticalHeader().hide()
        self.axes.setMaximumHeight(100)
        self.axes.itemChanged.connect(lambda _item: self._plan_changed())
        self.random = QCheckBox("Random")
        self.random.setToolTip("Draw this many distinct combinations from the grid, with the seed")
        self.random_k = SpinBox()
        self.random_k.setRange(1, 10_000)
        self.random_k.setValue(8)
        self.seed = SpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setPrefix("seed ")
        self.search = QCheckBox("Search")
        self.search.setToolTip(
            "Run this many trials, each chosen by Optuna's TPE sampler from the results so far (with the "
            "seed): a setting's values LO..HI (LO..HI:log for a rate) are a range, a list its choices"
        )
        self.search_n = SpinBox()
        self.search_n.setRange(1, 10_000)
        self.search_n.setValue(20)
        for w in (self.random_k, self.seed, self.search_n):
            w.valueChanged.connect(lambda _v: self._plan_changed())
        self.random.toggled.connect(lambda on: self._choose(self.random, on))
        self.search.toggled.connect(lambda on: self._choose(self.search, on))
        self.plan_label = QLabel("Add a setting to sweep (or right-click a layer's field: Sweep this…).")
        self.plan_label.setWordWrap(True)
        self.run_button = QPushButton("Run sweep")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("End the sweep after the trial in progress; finished trials are kept")
        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(self.runner.stop)
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setToolTip(
            "What changed between two trials, runs or designs (the design now, a file), with their curves"
        )
        self.compare_button.clicked.connect(self.compare)
        self.export_button = QPushButton("Export scripts…")
        self.export_button.setToolTip(
            "Each trial's Keras script and sweep.py, a loop that trains them elsewhere"
        )
        self.export_button.clicked.connect(self.export_scripts)
        self.apply_button = QPushButton("Apply to design")
        self.apply_button.setToolTip("Put the selected trial's settings into the design (one undo step)")
        self.apply_button.clicked.connect(self.apply_selected)
        self.rate_button = QPushButton("Find learning rate")
        self.rate_button.setToolTip(
            "The learning-rate range test: a short run whose rate rises from 1e-7 to 10; "
            "it suggests where the loss falls fastest"
        )
        self.rate_button.clicked.connect(self.find_rate)
        self.rate_plot = RatePlot()
        self.rate_label = QLabel("Find learning rate runs a short test on the design's data.")
        self.rate_label.setWordWrap(True)
        self.use_rate_button = QPushButton("Use this rate")
        self.use_rate_button.setToolTip("Set the optimizer's learning rate to the suggestion (one undo step)")
        self.seed_rate_button = QPushButton("Sweep around it")
        self.seed_rate_button.setToolTip(
            "Add compile.optimizer.learning_rate with rates up to the suggestion"
        )
        self.use_rate_button.clicked.connect(self.use_rate)
        self.seed_rate_button.clicked.connect(self.sweep_around_rate)
        self.suggested_rate: float | None = None
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = QTableWidget(0, 0)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.tradeoff = TradeoffPlot()
        self.tradeoff.scatter.sigClicked.connect(self._point_clicked)
        self.parallel = ParallelPlot()
        self.curves = TrialCurves()
        self.pictures = QTabWidget()
        self.pictures.addTab(self.tradeoff, "Score vs FLOPs")
        self.pictures.addTab(self.parallel, "Parallel coordinates")
        self.pictures.addTab(self.curves, "Curves")
        rate_page = QWidget()
        rate_layout = QVBoxLayout(rate_page)
        rate_layout.setContentsMargins(0, 0, 0, 0)
        rate_layout.addWidget(self.rate_plot, 1)
        rate_row = QHBoxLayout()
        rate_row.addWidget(self.rate_label, 1)
        rate_row.addWidget(self.use_rate_button)
        rate_row.addWidget(self.seed_rate_button)
        rate_layout.addLayout(rate_row)
        self.pictures.addTab(rate_page, "Learning rate")
        self.rate_page = rate_page

        adding = QHBoxLayout()
        adding.addWidget(self.path_box, 1)
        adding.addWidget(self.add_button)
        adding.addWidget(self.remove_button)
        running = QHBoxLayout()
        for w in (self.random, self.random_k, self.search, self.search_n, self.seed):
            running.addWidget(w)
        running.addStretch()
        for w in (self.rate_button, self.run_button, self.stop_button, self.export_button):
            running.addWidget(w)
        chosen = QHBoxLayout()  # what to do with the trials chosen in the table
        chosen.addWidget(self.status, 1)
        chosen.addWidget(self.compare_button)
        chosen.addWidget(self.apply_button)
        self.split = split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.pictures)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(adding)
        layout.addWidget(self.axes)
        layout.addLayout(running)
        layout.addWidget(self.plan_label)
        layout.addLayout(chosen)
        layout.addWidget(split, 1)
        self._update_buttons()

    # ------------------------------------------------------------ the plan

    def _design_changed(self) -> None:
        current = self.path_box.currentText()
        self.path_box.blockSignals(True)
        self.path_box.clear()
        self.path_box.addItems(offered_paths(self.doc.design))
        self.path_box.setCurrentText(current)
        self.path_box.blockSignals(False)
        self._plan_changed()

    def add_axis(self, path_text: str, values: list[Any] | None = None) -> None:
        """A row for ``path_text`` (values around its current value unless given); a path
        already listed gets its values replaced."""
        try:
            path = parse_path(path_text)
        except PathError as exc:
            self.plan_label.setText(str(exc))
            return
        if values is None:
            values = suggested_values(read_setting(self.doc.design, path))
        row = next((r for r in range(self.axes.rowCount()) if self.axes.item(r, 0).text() == path.text), None)
        self.axes.blockSignals(True)
        if row is None:
            row = self.axes.rowCount()
            self.axes.insertRow(row)
            name = QTableWidgetItem(path.text)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.axes.setItem(row, 0, name)
        self.axes.setItem(row, 1, QTableWidgetItem(values_text(values)))
        self.axes.blockSignals(False)
        self._plan_changed()

    def _remove_axis(self) -> None:
        rows = sorted(
            {i.row() for i in self.axes.selectedItems()} or {self.axes.rowCount() - 1}, reverse=True
        )
        for row in rows:
            if row >= 0:
                self.axes.removeRow(row)
        self._plan_changed()

    def axis_texts(self) -> list[tuple[str, str]]:
        return [
            (self.axes.item(r, 0).text(), self.axes.item(r, 1).text()) for r in range(self.axes.rowCount())
        ]

    def _random_k(self) -> int | None:
        return self.random_k.value() if self.random.isChecked() else None

    def _search_n(self) -> int | None:
        return self.search_n.value() if self.search.isChecked() else None

    def _choose(self, box: QCheckBox, on: bool) -> None:
        """Random and Search are two ways to choose the trials: ticking one clears the other."""
        other = self.search if box is self.random else self.random
        if on and other.isChecked():
            other.setChecked(False)  # its own toggled signal plans again
            return
        self._plan_changed()

    def _count(self, texts: list[tuple[str, str]]) -> int:
        """How many trials, from the rows' syntax alone (validation is the worker's estimate)."""
        if self._search_n():
            for p, v in texts:
                if is_range(v):
                    parse_span(f"{p}={v}", self.doc.design)
                else:
                    parse_axes([(p, v)])
            return self._search_n()
        if any(is_range(v) for _p, v in texts):
            raise PathError("LO..HI is a range to search: tick Search, or list the values")
        count = grid_size(parse_axes(texts))
        k = self._random_k()
        return min(k, count) if k else count

    def _plan_changed(self) -> None:
        """The count at once (plain arithmetic); the time from the worker, which plans every trial."""
        texts = self.axis_texts()
        self._request = 0
        self.plan_ok = False
        if not texts:
            self.plan_label.setText("Add a setting to sweep (or right-click a layer's field: Sweep this…).")
            self._update_buttons()
            return
        try:
            self.planned_count = self._count(texts)
        except PathError as exc:
            self.plan_label.setText(f"<span style='color:#D32F2F'>{exc}</span>")
            self._update_buttons()
            return
        self.plan_ok = True
        self.plan_label.setText(f"{self.planned_count} trial(s) planned; estimating the time…")
        self._update_buttons()
        if not self.runner.running:
            QTimer.singleShot(0, self._ask_estimate)

    def _ask(self, search: bool = True) -> SweepAsk:
        """The rows and choices as they stand (Export writes the grid's trials: no search)."""
        search_n = self._search_n() if search else None
        return SweepAsk(
            tuple(self.axis_texts()), self._random_k(), self.seed.value(), self.base_dir(), search_n
        )

    def _ask_estimate(self) -> None:
        if self.axis_texts() and not self.runner.running:
            self._request = self.runner.estimate(self.doc.design, self._ask())

    def _estimated(self, answer: dict) -> None:
        if answer["request"] != self._request:
            return  # the plan changed since it was asked
        if "problems" in answer:
            text = "<br>".join(answer["problems"])
            self.plan_label.setText(f"<span style='color:#D32F2F'>Cannot sweep: {text}</span>")
            self.plan_ok = False
            self._update_buttons()
            return
        chosen = " (each chosen from the ones before)" if self._search_n() else ""
        took = _time_text(answer["seconds"])
        self.plan_label.setText(f"{answer['count']} trial(s) planned{chosen}, about {took} on this machine")

    # ------------------------------------------------------------ running

    def run(self) -> None:
        if self.runner.running or not self.axis_texts():
            return
        self.sweep_base = copy.deepcopy(self.doc.design)  # each trial's design is this with its settings
        self.status.setText("Checking every trial's design and data…")
        self.runner.run(self.doc.design, self._ask())
        self._update_buttons()

    def _started(self, info: dict) -> None:
        self.trials, self.best, self.live = [], None, {}
        self.paths, self.objective = info["paths"], info["objective"]
        self.planned_trials = info["count"]
        self._fill_table()
        self.status.setText(f"Running {info['count']} trial(s)…")
        self._update_buttons()

    def _trial_begun(self, info: dict) -> None:
        self.live = {}
        named = ", ".join(f"{_short(k)}={json.dumps(v)}" for k, v in info["settings"].items())
        took = [t["seconds"] for t in self.trials if t.get("seconds")]
        left = info["count"] - info["index"]
        # After a trial or two the measured time says more than the estimate did.
        remaining = f" (about {_time_text(left * sum(took) / len(took))} left)" if took else ""
        self.status.setText(f"Trial {info['index'] + 1} of {info['count']}{remaining}: {named}")

    def _epoch(self, info: dict) -> None:
        for key, value in info["logs"].items():
            self.live.setdefault(key, []).append(value)
        if not self._selected():  # nothing chosen: the Curves tab follows the trial in progress
            self.curves.show_histories([("this trial", self.live, score_colors([0.0])[0])])
        text = self.status.text().split(" · ")[0]
        self.status.setText(
            f"{text} · epoch {info['epoch'] + 1}, loss {info['logs'].get('loss', math.nan):.4f}"
        )

    def _trial_ended(self, trial: dict) -> None:
        self.trials.append(trial)
        self._fill_table()

    def _finished(self, result: dict) -> None:
        self.trials, self.best, self.objective = result["trials"], result["best"], result["objective"]
        done = sum(t["status"] == "done" for t in self.trials)
        # A grid lists the trials Stop skipped as "stopped"; a search never makes the ones it did not start.
        planned = max(self.planned_trials, len(self.trials))
        ran = len(self.trials) - sum(t["status"] == "stopped" for t in self.trials)
        took = _time_text(result["seconds"])
        self.status.setText(
            (f"Stopped after {ran} of {planned} trials; {done} finished in {took}" if ran < planned else
             f"{done} of {planned} trial(s) finished in {took}")
            + (f". Best: trial {self.best + 1} (lowest {self.objective})." if self.best is not None else ".")
        )  # fmt: skip
        self._fill_table()
        self.tradeoff.show_trials(self.trials, self.objective)
        self.parallel.show_trials(self.trials, self.paths, self.objective)
        if len({t["flops"] for t in self.trials}) == 1 and len(self.trials) > 1:
            self.pictures.setCurrentWidget(self.parallel)  # one cost for all: score vs FLOPs is one column
        self._update_buttons()
        self._plan_changed()

    def _refused(self, problems: list) -> None:
        self.status.setText(
            "<span style='color:#D32F2F'>Sweep refused, nothing trained:<br>"
            + "<br>".join(problems)
            + "</span>"
        )
        self._update_buttons()

    def _failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#D32F2F'>{message}</span>")
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.runner.running or self.finding_rate
        self.run_button.setEnabled(not running and self.plan_ok and not self.session.running)
        self.rate_button.setEnabled(not running and not self.session.running)
        # A search picks its trials as it runs: `main.py sweep --search N --export DIR` writes them after.
        self.export_button.setEnabled(self.plan_ok and not self.search.isChecked())
        self.stop_button.setEnabled(self.runner.running)
        self.use_rate_button.setEnabled(self.suggested_rate is not None)
        self.seed_rate_button.setEnabled(self.suggested_rate is not None)
        self.apply_button.setEnabled(bool(self._selected()) and len(self._selected()) == 1)

    # ------------------------------------------------------------ the learning-rate range test

    def find_rate(self) -> None:
        if self.runner.running or self.finding_rate:
            return
        self.finding_rate = True
        self.pictures.setCurrentWidget(self.rate_page)
        self.rate_label.setText("Range test running: the rate rises from 1e-7 to 10…")
        self.runner.find_rate(self.doc.design, self.base_dir())
        self._update_buttons()

    def _rate_point(self, rate: float, loss: float) -> None:
        self.rate_label.setText(f"Range test running: rate {rate:.2g}, loss {loss:.4g}")

    def _rate_found(self, result: dict) -> None:
        self.finding_rate = False
        self.suggested_rate = result["suggested"]
        self.rate_plot.show_result(result)
        self.rate_label.setText(result["message"][0].upper() + result["message"][1:] + ".")
        self._update_buttons()

    def _rate_failed(self, message: str) -> None:
        self.finding_rate = False
        self.rate_label.setText(f"<span style='color:#D32F2F'>{message}</span>")
        self._update_buttons()

    def use_rate(self) -> None:
        """The suggested rate into the design's optimizer, as one undo step."""
        if self.suggested_rate is None:
            return
        changed = apply_settings(self.doc.design, {"compile.optimizer.learning_rate": self.suggested_rate})
        self.doc.set_settings("compile", changed.compile, f"Learning rate {self.suggested_rate:g}")

    def sweep_around_rate(self) -> None:
        if self.suggested_rate is not None:
            self.add_axis("compile.optimizer.learning_rate", seed_values(self.suggested_rate))

    def export_scripts(self, folder: Path | None = None) -> None:
        """The planned sweep as scripts in a folder the person picks (``folder`` when given)."""
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(
                self, "Export the sweep's scripts into", str(self.base_dir())
            )
            if not chosen:
                return
            folder = Path(chosen)
        self.status.setText(f"Writing the sweep's scripts into {folder}…")
        self.runner.export(self.doc.design, self._ask(search=False), folder)

    def _exported(self, paths: list) -> None:
        self.status.setText(
            f"Wrote {len(paths) - 1} trial script(s) and {Path(paths[-1]).name} in {Path(paths[-1]).parent}: "
            f"python {paths[-1]} trains them one after another."
        )

    # ------------------------------------------------------------ comparing

    def compare_candidates(self) -> tuple[list[dict[str, Any]], int, int]:
        """The design now, the session's finished runs and the sweep's trials; the two to start
        with: two selected trials, else the last two runs, else the design and what came last."""
        out = [{"label": "the design now", "design": self.doc.design}]
        runs = [r for r in self.session.runs if r.finished]
        out += [
            {"label": f"run {r.number}: {r.label}", "design": r.design, "history": r.epochs} for r in runs
        ]
        first_trial = len(out)
        if self.sweep_base is not None:
            for i, trial in enumerate(self.trials):
                try:
                    design = apply_settings(self.sweep_base, trial["settings"])
                except PathError:
                    continue
                out.append({"label": f"trial {i + 1}", "design": design, "history": trial.get("history")})
        chosen = self._selected()
        if len(chosen) >= 2 and len(out) - first_trial == len(self.trials):
            return out, first_trial + chosen[0], first_trial + chosen[1]
        if len(runs) >= 2:
            return out, len(runs) - 1, len(runs)
        return out, 0, len(out) - 1

    def compare(self) -> None:
        candidates, first, second = self.compare_candidates()
        self.comparing = CompareDialog(self.window(), candidates, first, second)
        self.comparing.show()

    # ------------------------------------------------------------ the trials

    def _columns(self) -> list[str]:
        metrics = [m for t in self.trials for m in (t.get("metrics") or {})]
        others = [m for m in dict.fromkeys(metrics) if m.startswith("val_") and m != self.objective][:2]
        return [
            "#",
            *self.paths,
            "status",
            self.objective,
            *others,
            "seconds",
            "params",
            "FLOPs",
            "memory",
            "front",
        ]

    def _fill_table(self) -> None:
        columns = self._columns()
        chosen = self._selected()
        self.table.setSortingEnabled(False)
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(self.trials))
        self.table.setHorizontalHeaderLabels([_short(c) for c in columns])
        for c, name in enumerate(columns):
            self.table.horizontalHeaderItem(c).setToolTip(name)
        for row, trial in enumerate(self.trials):
            for c, name in enumerate(columns):
                item = self._cell(trial, row, name)
                item.setData(POSITION, row)
                self.table.setItem(row, c, item)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()
        self._select(chosen)

    def _cell(self, trial: dict, position: int, column: str) -> SortItem:
        metrics = trial.get("metrics") or {}
        if column == "#":
            return SortItem(str(position + 1) + (" ★" if position == self.best else ""), position)
        if column in trial["settings"]:
            value = trial["settings"][column]
            return SortItem(
                json.dumps(value), value if isinstance(value, (int, float)) else json.dumps(value)
            )
        if column == "status":
            item = SortItem(trial["status"], trial["status"])
            item.setToolTip(trial.get("message", ""))
            return item
        if column in ("seconds", "params", "FLOPs"):
            value = {"seconds": trial["seconds"], "params": trial["params"], "FLOPs": trial["flops"]}[column]
            text = "-" if value is None else (f"{value:.1f}" if column == "seconds" else human_count(value))
            return SortItem(text, value)
        if column == "memory":  # what a training step holds (engine/design/cost.py), as the summary counts it
            memory = trial.get("memory")
            return SortItem("-" if memory is None else human_bytes(memory), memory)
        if column == "front":
            return SortItem("yes" if trial["pareto"] else "", int(trial["pareto"]))
        value = metrics.get(column)
        return SortItem("-" if value is None else f"{value:.4g}", value)

    def _selected(self) -> list[int]:
        rows = {i.row() for i in self.table.selectedItems()}
        return sorted(self.table.item(r, 0).data(POSITION) for r in rows if self.table.item(r, 0) is not None)

    def _select(self, positions: list[int]) -> None:
        self.table.clearSelection()
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(POSITION) in positions:
                self.table.selectRow(row)
                self.table.scrollToItem(self.table.item(row, 0))

    def _point_clicked(self, _scatter: Any, points: Any, *_args: Any) -> None:
        if len(points):
            self._select([points[0].data()])

    def _selection_changed(self) -> None:
        chosen = self._selected()
        self.tradeoff.select(chosen)
        finished = [p for p in chosen if p < len(self.trials)]
        scores = [float(i) for i in range(max(1, len(finished)))]
        colors = score_colors(scores) if finished else []
        self.curves.show_histories(
            [
                (f"trial {p + 1}", self.trials[p].get("history") or {}, c)
                for p, c in zip(finished, colors, strict=False)
            ]
        )
        self._update_buttons()

    def apply_selected(self) -> None:
        """The selected trial's settings into the design, as one undo step."""
        chosen = self._selected()
        if len(chosen) != 1:
            return
        position = chosen[0]
        settings = self.trials[position]["settings"]
        try:
            changed = apply_settings(self.doc.design, settings)
        except PathError as exc:  # the design changed since the sweep (a node renamed or removed)
            self.status.setText(f"<span style='color:#D32F2F'>Cannot apply: {exc}</span>")
            return
        stack = self.doc.undo_stack
        stack.beginMacro(f"Apply trial {position + 1}'s settings")
        for section in ("compile", "training", "data"):
            if getattr(changed, section) != getattr(self.doc.design, section):
                self.doc.set_settings(section, getattr(changed, section), f"Apply trial {position + 1}")
        for text in settings:
            path = parse_path(text)
            if path.section == "nodes":
                node, name = path.keys
                self.doc.set_param(node, name, changed.nodes[node].params[name])
        stack.endMacro()
        self.status.setText(f"Applied trial {position + 1}'s settings to the design (Ctrl+Z undoes it).")
