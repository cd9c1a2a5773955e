"""The decision boundary redraws once an epoch, and its samples once a run: the batches in
between change nothing it shows (a brush per sample each refresh cost most of a frame)."""

import numpy as np

from engine.design.graph import Design
from engine.training.events import Boundary
from gui.training.boundary import BoundaryView
from gui.training.session import Run, TrainingSession


def plane(epoch: int, points: np.ndarray) -> Boundary:
    grid = np.linspace(-1, 1, 4)
    values = (np.add.outer(grid, grid) > epoch * 0.3).astype(int)
    return Boundary(epoch, grid, grid, values, np.full(values.shape, 0.9), points, np.array([0, 1, 1]))


def test_the_plane_changes_each_epoch_and_the_samples_once_a_run(qtbot):
    session = TrainingSession()
    run = Run(1, "Adam", design=Design(name="d"))
    session.runs, session.run = [run], run
    view = BoundaryView(session)
    qtbot.addWidget(view)
    view.show()
    points = np.array([[0.1, 0.2], [0.5, -0.3], [-0.7, 0.4]])
    run.boundary = plane(0, points)
    session.revision += 1
    view.refresh()
    drawn, picture = view.points.data, view.image.image.copy()
    assert list(view.points.getData()[0]) == [0.1, 0.5, -0.7]
    assert "after epoch 1" in view.plot.getPlotItem().titleLabel.text

    session.revision += 1  # a batch: the same boundary
    view.refresh()
    assert view.points.data is drawn

    run.boundary = plane(5, points)  # the next epoch: a new picture over the same samples
    session.revision += 1
    view.refresh()
    assert "after epoch 6" in view.plot.getPlotItem().titleLabel.text
    assert not np.array_equal(view.image.image, picture)
    assert view.points.data is drawn

    other = Run(2, "SGD", design=Design(name="d"))  # another run, other samples: drawn anew
    other.boundary = plane(0, points * 2)
    session.runs, session.run = [run, other], other
    session.revision += 1
    view.refresh()
    assert list(view.points.getData()[0]) == [0.2, 1.0, -1.4]


def test_a_regression_curve_after_a_plane_is_framed_by_its_own_data(qtbot):
    session = TrainingSession()
    view = BoundaryView(session)
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    run = Run(1, "Adam", design=Design(name="d"))
    session.runs, session.run = [run], run
    run.boundary = plane(0, np.array([[-3.0, -3.0], [3.0, 3.0], [0.0, 0.0]]))  # moons: a wide plane
    session.revision += 1
    view.refresh()
    sine = Run(2, "Adam", design=Design(name="d"))  # then sine: one curve in -1..1
    xs = np.linspace(-1, 1, 50)
    sine.boundary = Boundary(0, xs, None, np.sin(3 * xs), None, np.c_[xs, xs], np.sin(3 * xs))
    session.runs, session.run = [run, sine], sine
    session.revision += 1
    view.refresh()
    box = view.plot.getPlotItem().getViewBox()
    box.updateAutoRange()
    (x0, x1), (y0, y1) = box.viewRange()
    assert not view.image.isVisible()  # the old plane's rectangle no longer counts
    assert -1.3 < x0 < -1 and 1 < x1 < 1.3 and -1.3 < y0 < -0.9 and 0.9 < y1 < 1.3
