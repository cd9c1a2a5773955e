"""Live plots move their axes in round steps, not on every new value, and the workspace redraws
one plot per tick: what keeps the window responsive while a model trains
(benchmarks/ui_latency.py measures it)."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from engine.design.graph import Design
from gui.training.curves import CurvesView
from gui.training.plots import OVERSHOOT, SteadyViewBox, nice_bounds
from gui.training.session import Run, TrainingSession
from tests.gui.test_newcomer import fake_run
from tests.gui.test_training_workspace import open_template

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@given(finite, st.floats(min_value=1e-6, max_value=1e6))
def test_nice_bounds_hold_the_data_in_round_steps_without_much_margin(low, span):
    high = low + span
    lo, hi = nice_bounds(low, high)
    step = next(  # the bounds are whole multiples of one round step
        m * 10**k for k in range(-8, 8) for m in (1, 2, 5) if m * 10**k >= (high - low) / 8
    )
    slack = OVERSHOOT * step * (1 + 1e-9) + 1e-9 * abs(low)  # a pen's pixels past a bound: on it
    assert lo <= low + slack and hi >= high - slack
    for bound in (lo, hi):
        assert math.isclose(bound, round(bound / step) * step, rel_tol=1e-9, abs_tol=1e-9 * step)
    assert hi - lo <= 1.63 * (high - low) + 1e-9 * max(1.0, abs(low))


def test_a_falling_loss_changes_its_bounds_a_few_times_not_at_every_value():
    loss = 2.3 * np.exp(-np.linspace(0, 4, 600)) + 0.05
    seen = [nice_bounds(float(loss[: i + 1].min()), float(loss[: i + 1].max())) for i in range(1, 600)]
    changes = sum(1 for a, b in zip(seen, seen[1:], strict=False) if a != b)
    assert changes <= 30  # pyqtgraph's own auto-range rescales at every one of the 600


def test_ten_epochs_padded_by_a_pen_stay_on_a_ten_epoch_axis():
    assert nice_bounds(0.97, 10.03) == (0.0, 10.0)  # not 0..12 for a line's pixel padding


def test_nice_bounds_leave_a_point_or_a_non_finite_range_alone():
    assert nice_bounds(3.0, 3.0) == (3.0, 3.0)
    assert nice_bounds(0.0, math.inf) == (0.0, math.inf)


def running(epochs_planned: int, losses: list[float]) -> Run:
    run = Run(1, "Adam", design=Design(name="d"))
    run.epochs_planned = epochs_planned
    run.epochs = {"loss": losses}
    return run


def test_the_run_in_progress_fills_a_fixed_axis_that_stays_while_it_grows(qtbot):
    session = TrainingSession()
    run = running(20, [0.9, 0.5])
    session.runs, session.run = [run], run
    view = CurvesView(session)
    qtbot.addWidget(view)
    view.resize(500, 600)
    view.show()
    box = view.loss_plot.getViewBox()
    assert isinstance(box, SteadyViewBox)

    def redraw() -> list[list[float]]:
        session.revision += 1
        view.refresh()
        box.updateAutoRange()  # as before the next paint
        return box.viewRange()

    first = redraw()
    assert first[0][0] <= 0 and first[0][1] >= 20  # the whole run's epochs, from the start
    run.epochs["loss"] += [0.6, 0.55, 0.52]
    assert redraw() == first  # new values inside the bounds: no rescale, no axes laid out again
    run.result = {"history": run.epochs}  # finished: the axis fits what was trained
    finished = redraw()
    assert finished[0][1] < 20 and finished[1] == first[1]


def test_the_workspace_redraws_one_plot_per_tick(window, qtbot):
    panel = open_template(window, "deep_sigmoid")
    panel.tabs.setCurrentWidget(panel.gradients)
    parts = panel._refresh_parts()
    assert len(parts) == 6  # loss, metrics, counts, then the gradient lines, strip and histogram
    epochs = {"loss": [0.7], "accuracy": [0.5]}
    run = fake_run(panel, 1, epochs, grad_x=[0.5], grad_norm={"dense1": [0.1], "ring": [0.1]})
    run.result = None  # still training
    grads, curves = panel.gradients, panel.curves

    def shown() -> dict[str, object]:
        return {
            "loss": len(curves.items[(1, "loss")].getData()[0]),
            "accuracy": len(curves.items[(1, "accuracy")].getData()[0]),
            "gradient lines": len(grads.items["dense1"].getData()[0]),
            "strip": [round(h, 3) for h in grads.bars.opts["height"]],
        }

    # An epoch ends with a new gradient sample: four plots have something new to show.
    epochs["loss"].append(0.6)
    epochs["accuracy"].append(0.6)
    run.grad_x.append(1.0)
    run.grad_norm["dense1"].append(0.05)
    run.grad_norm["ring"].append(0.2)
    panel.session.revision += 1
    before, changed = shown(), []
    for _tick in parts:
        panel._refresh_in_turn()
        now = shown()
        changed.append({name for name in now if now[name] != before[name]})
        before = now
    assert before == {"loss": 2, "accuracy": 2, "gradient lines": 2, "strip": [0.5, 1.102]}
    assert all(len(plots) <= 1 for plots in changed)  # never two in one turn of the event loop
    assert panel.plot_timer.interval() == 1000 // (10 * len(parts))  # each still redrawn at 10 Hz


def finished(epochs: dict[str, list[float]], planned: int) -> Run:
    run = running(planned, [])
    run.epochs = epochs
    run.result = {"history": epochs}
    return run


def shown_range(session, run, qtbot) -> tuple[list[list[float]], list[list[float]]]:
    session.runs, session.run = [run], run
    view = CurvesView(session)
    qtbot.addWidget(view)
    view.resize(500, 600)
    view.show()
    session.revision += 1
    view.refresh()
    for box in (view.loss_plot, view.metric_plot):
        box.getViewBox().updateAutoRange()
    return view.loss_plot.getViewBox().viewRange(), view.metric_plot.getViewBox().viewRange()


def test_forty_epochs_and_an_accuracy_of_one_end_on_their_round_bounds(qtbot):
    """A line's pen widens its bounds by a few pixels: the axis still ends at 40 epochs and 1.0."""
    accuracy = list(np.linspace(0.5, 1.0, 40))
    run = finished({"loss": list(np.linspace(1.0, 0.1, 40)), "accuracy": accuracy}, 40)
    loss, metric = shown_range(TrainingSession(), run, qtbot)
    assert 40 <= loss[0][1] <= 40 * 1.06 and metric[0][1] <= 40 * 1.06  # not 45 or 50
    assert 1.0 <= metric[1][1] <= 1.0 + 0.1 * (metric[1][1] - metric[1][0])  # not 1.1 (0.2 of it)


def test_a_run_that_diverged_in_its_first_epoch_shows_that_epoch_from_zero(qtbot):
    run = finished({"loss": [2.3]}, planned=20)
    run.epochs_planned = 20
    loss, _metric = shown_range(TrainingSession(), run, qtbot)
    assert -0.1 <= loss[0][0] <= 0 and 1 <= loss[0][1] <= 1.1  # not -9 .. 11 around one point


def test_the_weight_histogram_lists_the_layers_of_the_run_shown(qtbot):
    from engine.training.events import EpochStats
    from gui.training.gradients import GradientsView

    session = TrainingSession()
    view = GradientsView(session)
    qtbot.addWidget(view)
    view.show()
    for number, layers in ((1, ["hidden1", "hidden2", "out"]), (2, ["conv", "dense", "out"])):
        run = running(3, [0.5])  # the same number of layers, other names: another design's run
        run.number = number
        run.epoch_stats = EpochStats(0, {}, {}, {}, {name: ([0.0, 1.0], [4]) for name in layers})
        session.runs, session.run = [run], run
        session.revision += 1
        view.refresh()
        assert [view.layer.itemText(i) for i in range(view.layer.count())] == layers
        assert view.histogram_item is not None and list(view.histogram_item.getData()[1]) == [4]


def test_the_inspection_hint_shows_only_when_no_gradients_will_come(qtbot):
    from gui.training.gradients import GradientsView

    session = TrainingSession()
    view = GradientsView(session)
    qtbot.addWidget(view)
    view.show()
    run = running(3, [0.5])
    session.runs, session.run, session.options = [run], run, {"inspect": True}
    session.revision += 1
    view.refresh()
    assert view.hint.isHidden()  # the first samples are coming: no hint, no relayout when they do
    run.grad_x, run.grad_norm = [0.5], {"dense": [0.1]}
    view.refresh()
    assert view.hint.isHidden()
    other = running(3, [0.5])  # a run without inspection, finished: nothing will come
    other.number, other.result = 2, {"history": {}}
    session.runs, session.run, session.options = [run, other], other, {"inspect": False}
    view.refresh()
    assert not view.hint.isHidden() and "Inspect layers" in view.hint.text()
