"""The training workspace as a learner uses it: Train view, live gradients with a diagnosis,
the decision boundary, an optimizer comparison, results that belong to the design shown."""

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QDockWidget

from engine.training.inspect import BOUNDARY_GRID
from tests.gui.settle import settle
from tests.gui.test_training_panel import TEMPLATES, TIMEOUT, start_and_wait


def open_template(window, name, epochs=1, **data):
    window.files.open_path(TEMPLATES / f"{name}.json", ask=False)
    window.doc.set_settings("training", {**window.doc.design.training, "epochs": epochs}, "e")
    if data:
        window.doc.set_settings("data", {**window.doc.design.data, **data}, "d")
    window.mode.train_action.trigger()
    return window.training


def test_train_view_takes_the_centre_and_design_gives_it_back(window, qtbot):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    palette = window.findChild(QDockWidget, "dock_palette")
    assert palette.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.training and not palette.isVisible()
    assert "Look at the accuracy climbing" in window.training.lesson.text()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.view and palette.isVisible()


def test_deep_sigmoid_shows_vanishing_gradients_live(window, qtbot):
    panel = open_template(window, "deep_sigmoid", epochs=2)
    panel.tabs.setCurrentWidget(panel.gradients)
    start_and_wait(qtbot, panel)
    panel.refresh_views()
    grads = panel.gradients
    assert set(grads.items) == {f"dense{i}" for i in range(1, 9)} | {"ring"}
    xs, ys = grads.items["dense1"].getData()
    assert len(xs) >= 2 and np.all(np.isfinite(ys))
    assert "Vanishing gradients: 'dense1', 'dense2'" in grads.diagnosis.text()
    assert "Try ReLU, He initialisation or BatchNormalization" in grads.diagnosis.text()
    assert grads.layer.count() == 9  # a weight histogram for every layer with weights
    # The update/weight ratio is the other view of the same layers, a point at each epoch's end.
    grads.what.setCurrentIndex(1)
    panel.refresh_views()
    assert grads.lines_box.legend.text().startswith("<b>Update / weight ratios")
    assert set(grads.items) == {f"dense{i}" for i in range(1, 9)} | {"ring"}
    xs, ys = grads.items["dense1"].getData()
    assert list(xs) == [1.0, 2.0] and np.all(np.isfinite(ys))  # log10 of ratios above 0


def test_decision_boundary_forms_on_moons_and_clears_with_another_design(window, qtbot):
    panel = open_template(window, "overfitting", epochs=3)
    window.doc.set_settings("data", {**window.doc.design.data, "name": "moons"}, "d")
    panel.tabs.setCurrentWidget(panel.boundary)
    start_and_wait(qtbot, panel)
    panel.refresh_views()
    image = panel.boundary.image.image
    assert image is not None and image.shape == (BOUNDARY_GRID, BOUNDARY_GRID, 3)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 2  # both classes, with confidence shading
    assert len(panel.boundary.points.data) == 400
    assert panel.results.results.text().startswith("On the test set")
    # Opening another design: its results are not these.
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    assert panel.session.runs == [] and panel.boundary.image.image is None
    assert panel.results.results.text() == "Train the design to see its results here."
    assert panel.curves.items == {}
    assert panel.progress_label.text() == "Not trained yet."


def test_compare_optimizers_overlays_four_runs(window, qtbot):
    panel = open_template(window, "mlp_classifier", epochs=1)
    panel.tabs.setCurrentWidget(panel.runs)
    qtbot.mouseClick(panel.runs.compare_button, Qt.MouseButton.LeftButton)
    lesson = panel.runs.lesson  # what to look at, and what the dashed lines are
    assert not lesson.isHidden() and "dashed lines validation" in lesson.text()
    qtbot.waitUntil(lambda: len(panel.session.runs) == 4 and not panel.session.running, timeout=TIMEOUT)
    panel.refresh_views()
    labels = [panel.runs.table.item(r, 1).text() for r in range(4)]
    assert labels == ["#1 SGD", "#2 SGD + momentum", "#3 RMSprop", "#4 Adam"]
    assert {number for number, key in panel.curves.items if key == "loss"} == {1, 2, 3, 4}
    # Compared runs show their epoch curves only, one named entry each: no unnamed per-batch line.
    assert panel.curves.loss_box.legend.names() == labels
    assert "dashed: validation" in panel.curves.loss_box.legend.text()
    assert not any(key == "batch loss" for _number, key in panel.curves.items)
    optimizers = [run.design.compile["optimizer"] for run in panel.session.runs]
    assert optimizers[1] == {"type": "SGD", "learning_rate": 0.01, "momentum": 0.9}
    assert window.doc.design.compile["optimizer"]["type"] == "Adam"  # the design itself is untouched


def test_compare_losses_overlays_mse_and_cross_entropy(window, qtbot):
    panel = open_template(window, "mlp_classifier", epochs=2)
    panel.tabs.setCurrentWidget(panel.runs)
    qtbot.mouseClick(panel.runs.compare_losses_button, Qt.MouseButton.LeftButton)
    assert "Compare the accuracy curves" in panel.runs.lesson.text() and not panel.runs.lesson.isHidden()
    qtbot.waitUntil(lambda: len(panel.session.runs) == 2 and not panel.session.running, timeout=TIMEOUT)
    panel.refresh_views()
    labels = [panel.runs.table.item(r, 1).text() for r in range(2)]
    assert labels == ["#1 cross-entropy (sparse_categorical_crossentropy)", "#2 MSE on one-hot targets"]
    assert [run.design.compile["loss"] for run in panel.session.runs] == [
        "sparse_categorical_crossentropy",
        "mse",
    ]
    # Both trained (MSE got one-hot rows) and both report accuracy, overlaid on the metric plot.
    assert all(
        run.result["stop_reason"] is None and run.final("accuracy") is not None for run in panel.session.runs
    )
    assert {number for number, key in panel.curves.items if key == "accuracy"} == {1, 2}
    assert panel.results.results.text().startswith("On the test set")
    assert window.doc.design.compile["loss"] == "sparse_categorical_crossentropy"


def test_results_on_training_data_say_so_and_confusion_is_coloured(window, qtbot):
    panel = open_template(window, "mlp_classifier", epochs=1, test_split=0.0)
    start_and_wait(qtbot, panel)
    results = panel.results
    assert results.results.text().startswith("On the training set")
    assert not results.warning.isHidden() and "on the training data" in results.warning.text()
    cells = [results.confusion.item(r, c) for r in range(3) for c in range(3)]
    counts = [int(cell.text()) for cell in cells]
    alphas = [cell.background().color().alpha() for cell in cells]
    biggest = counts.index(max(counts))
    assert alphas[biggest] == max(alphas) and all(
        a == 0 for a, n in zip(alphas, counts, strict=True) if n == 0
    )


def test_flat_regression_gets_advice(window, qtbot):
    panel = open_template(window, "seed_example", epochs=3)
    window.doc.set_settings("data", {"source": "builtin", "name": "diabetes", "test_split": 0.2}, "d")
    window.doc.set_param("x", "shape", [10])  # diabetes has 10 features, not scaled
    start_and_wait(qtbot, panel)
    assert "The loss hardly moved" in panel.results.advice.text()
    assert "The targets of diabetes range from" in panel.results.advice.text()
    assert panel.message.text().startswith("Tip: The loss hardly moved")


def test_wheel_over_a_result_chart_scrolls_the_page(window, qtbot):
    panel = open_template(window, "seed_example", epochs=1)
    panel.tabs.setCurrentWidget(panel.results)
    panel.results.scatter.show()
    panel.resize(900, 300)
    settle(qtbot, panel)
    chart = panel.results.scatter
    before = chart.getViewBox().viewRange()
    bar = panel.results.verticalScrollBar()
    bar.setValue(0)
    centre = QPointF(chart.width() / 2, chart.height() / 2)
    event = QWheelEvent(
        centre,
        chart.mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(chart.viewport(), event)
    assert chart.getViewBox().viewRange() == before
    assert bar.maximum() == 0 or bar.value() > 0


def test_nothing_is_clipped_at_1024_by_700(window, qtbot):
    window.resize(1024, 700)
    panel = open_template(window, "mlp_classifier", epochs=1)
    settle(qtbot, window)
    for button in (panel.train_button, panel.stop_button, panel.png_button):
        assert button.isVisible()
        right = button.mapTo(window, button.rect().bottomRight())
        assert right.x() <= window.width() and right.y() <= window.height()
    assert panel.curves.height() > 300 and panel.curves.width() > 280


def test_activation_dropdown_and_concept_view_show_the_curves(window, qtbot):
    from engine.schema.activations import curve
    from gui.training.activation_curves import ActivationsView

    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    window.scene.select_nodes(["hidden1"])
    combos = [c for c in window.properties.findChildren(QComboBox) if c.findData("relu") >= 0]
    sigmoid = combos[0].findData("sigmoid")
    assert not combos[0].itemIcon(sigmoid).isNull()
    assert "slope is at most 0.25" in combos[0].itemData(sigmoid, Qt.ItemDataRole.ToolTipRole)
    view = ActivationsView(window)
    qtbot.addWidget(view)
    x, y, dy = curve("sigmoid")
    assert abs(dy.max() - 0.25) < 1e-3 and abs(y[len(y) // 2] - 0.5) < 1e-9
    drawn = view.plots["relu"].getPlotItem().listDataItems()
    assert len(drawn) == 2 and drawn[1].getData()[1][-1] == 1.0  # relu's slope is 1 for positives


def test_forward_pass_of_one_sample_shows_on_every_card(window, qtbot):
    from gui.canvas.activation_overlay import ActivationItem

    panel = open_template(window, "small_cnn", epochs=1)
    panel.tabs.setCurrentWidget(panel.results)
    panel.results.sample.setValue(3)
    # Before any training the fresh, untrained network is shown.
    with qtbot.waitSignal(panel.session.forwarded, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(panel.results.forward_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0]["trained"] is False
    assert window.stack.currentWidget() is window.view  # back on the canvas, where the cards are
    shown = {
        nid: child.values
        for nid, card in window.scene.nodes.items()
        for child in card.childItems()
        if isinstance(child, ActivationItem)
    }
    assert set(shown) == set(window.doc.design.nodes)
    assert shown["image"].shape == (8, 8, 1) and shown["conv1"].shape == (8, 8, 8)  # 8 of 16 maps
    assert shown["digit"].shape == (10,) and abs(float(shown["digit"].sum()) - 1) < 1e-4  # softmax
    window.doc.set_param("conv1", "filters", 8)  # an edit makes the pictures stale: they go
    assert not any(
        isinstance(c, ActivationItem) for card in window.scene.nodes.values() for c in card.childItems()
    )


def shown_on_cards(window):
    from gui.canvas.activation_overlay import ActivationItem

    return {
        nid: child.values
        for nid, card in window.scene.nodes.items()
        for child in card.childItems()
        if isinstance(child, ActivationItem)
    }


def test_draw_a_digit_on_the_pad_and_every_card_shows_it(window, qtbot):
    panel = open_template(window, "small_cnn", epochs=1)
    start_and_wait(qtbot, panel)
    panel.tabs.setCurrentWidget(panel.results)
    assert panel.results.draw_button.isVisible()
    qtbot.mouseClick(panel.results.draw_button, Qt.MouseButton.LeftButton)
    dialog = panel.drawing
    assert dialog.isVisible()
    pad = dialog.pad
    qtbot.waitExposed(pad)
    cell = lambda row, col: QPoint(col * 28 + 14, row * 28 + 14)  # noqa: E731 - centre of a cell
    # A stroke down column 3 (a "1"), with real press, move and release events.
    with qtbot.waitSignal(panel.session.forwarded, timeout=TIMEOUT) as blocker:
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=cell(1, 3))
        for row in range(2, 7):
            qtbot.mouseMove(pad, cell(row, 3))
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=cell(7, 3))
    assert blocker.args[0]["drawn"] == "picture" and blocker.args[0]["trained"] is True
    assert pad.ink[1, 3] == pad.ink[7, 3] == 1 and pad.ink.sum() >= 2 and pad.ink[:, :3].sum() == 0
    shown = shown_on_cards(window)
    assert set(shown) == set(window.doc.design.nodes)
    assert np.array_equal(shown["image"][:, :, 0], pad.ink)  # digits' pixels run 0..1: ink as drawn
    digit = shown["digit"]
    assert digit.shape == (10,) and abs(float(digit.sum()) - 1) < 1e-4
    best = int(np.argmax(digit))
    assert dialog.prediction.text().startswith(f"predicted {best} ({digit[best]:.0%})")
    assert "Your drawing through the network" in window.statusBar().currentMessage()
    # Clear: a blank picture goes through, and the input card shows it blank.
    with qtbot.waitSignal(panel.session.forwarded, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert not shown_on_cards(window)["image"].any()
    dialog.close()


def test_click_on_the_decision_boundary_places_a_point_through_the_network(window, qtbot):
    panel = open_template(window, "overfitting", epochs=2)
    panel.tabs.setCurrentWidget(panel.boundary)
    start_and_wait(qtbot, panel)
    panel.refresh_views()
    plot = panel.boundary.plot
    view = plot.getPlotItem().vb
    target = (0.5, -0.25)
    scene = view.mapViewToScene(QPointF(*target))
    pos = plot.mapFromScene(scene)
    with qtbot.waitSignal(panel.session.forwarded, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    result = blocker.args[0]
    assert result["drawn"] == "point"
    x, y = result["sample"]
    assert abs(x - target[0]) < 0.05 and abs(y - target[1]) < 0.05  # within a pixel or two
    marker = panel.boundary.marker.data
    assert len(marker) == 1 and abs(marker["x"][0] - x) < 1e-6
    shown = shown_on_cards(window)
    assert np.allclose(shown["x"], [x, y])
    assert shown["wide1"].shape == (64,)  # a bar strip of the first 64 of 128 units
    moon = shown["moon"]
    assert moon.shape == (2,) and abs(float(moon.sum()) - 1) < 1e-4
    message = window.statusBar().currentMessage()
    assert message.startswith(f"The point ({x:.2f}, {y:.2f}) through the network")
    best = int(np.argmax(moon))
    assert f"predicted {result['class_names'][best]} ({moon[best]:.0%})" in message


def test_image_data_previews_as_labelled_pictures_other_data_as_a_table(window, qtbot):
    from gui.training.data_view import THUMBNAILS

    panel = open_template(window, "small_cnn", epochs=1)
    panel.tabs.setCurrentWidget(panel.data)
    data = panel.data
    qtbot.waitUntil(lambda: data.pictures.count() == THUMBNAILS, timeout=TIMEOUT)
    assert data.data_label.text().startswith("digits: 1797 samples, x (8, 8, 1), 10 classes")
    assert data.pictures.isVisible() and not data.preview.isVisible()
    first = data.pictures.item(0)
    assert first.text() == "0" and not first.icon().isNull()  # digits' first sample is a zero
    image = first.icon().pixmap(56, 56).toImage()
    shades = {image.pixelColor(x, y).lightness() for x in range(0, 56, 7) for y in range(0, 56, 7)}
    assert len(shades) > 3  # a picture in shades of grey, not a blank square
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    qtbot.waitUntil(lambda: data.preview.rowCount() == 20, timeout=TIMEOUT)
    assert not data.preview.isHidden() and data.pictures.isHidden() and data.pictures.count() == 0
