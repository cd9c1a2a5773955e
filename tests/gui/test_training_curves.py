"""Loss and metric curves: each plot's legend sits above it, never over a curve's latest values."""

from engine.design.graph import Design
from gui.training.curves import CurvesView
from gui.training.session import Run, TrainingSession


def test_legends_sit_above_the_plots_not_on_the_curves(qtbot):
    session = TrainingSession()
    run = Run(1, "Adam", design=Design(name="d"))
    run.epochs = {
        "loss": [0.9, 0.5, 0.3, 0.2, 0.15, 0.12],
        "accuracy": [0.4, 0.7, 0.85, 0.9, 0.93, 0.95],
    }
    session.runs, session.run = [run], run
    view = CurvesView(session)
    qtbot.addWidget(view)
    view.resize(500, 600)
    view.show()
    session.revision += 1
    view.refresh()
    for box, name in ((view.loss_box, "loss"), (view.metric_box, "accuracy")):
        assert box.plot.legend is None
        assert box.legend.names() == [name]
        assert box.legend.geometry().bottom() < box.widget.geometry().top()
