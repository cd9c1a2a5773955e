"""Loss and metric curves: the legends sit in the corner the curves leave free."""

from gui.training.curves import CurvesView
from gui.training.session import Run, TrainingSession
from tests.gui.settle import settle


def test_legends_keep_off_a_falling_loss_and_a_rising_accuracy(qtbot):
    session = TrainingSession()
    run = Run(1, "Adam", design=None)
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
    settle(qtbot, view)

    def legend_in_lower_half(plot):
        box = plot.getViewBox().sceneBoundingRect()
        return plot.legend.sceneBoundingRect().center().y() > box.center().y()

    assert not legend_in_lower_half(view.loss_plot)
    assert legend_in_lower_half(view.metric_plot)
    # A metric that falls (an error) moves its legend back to the top.
    run.epochs["accuracy"] = run.epochs["accuracy"][::-1]
    session.revision += 1
    view.refresh()
    settle(qtbot, view)
    assert not legend_in_lower_half(view.metric_plot)
