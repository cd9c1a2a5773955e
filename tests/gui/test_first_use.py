"""First use without a stumble (issue 10): each trap a newcomer hit, driven as they drove it."""

import json
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox

from engine.design import file_format
from gui.canvas.items import NodeItem
from tests.engine.design.test_label_fit import TRAP, write_trap
from tests.gui.settle import settle

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "resources" / "designs"


def click_item(widget, item):
    """A real left click on a list or tree item."""
    rect = widget.visualItemRect(item)
    QTest.mouseClick(
        widget.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center()
    )


def cards_overlap(window) -> bool:
    cards = [
        i.sceneBoundingRect().adjusted(8, 8, -8, -8) for i in window.scene.items() if isinstance(i, NodeItem)
    ]
    return any(a.intersects(b) for i, a in enumerate(cards) for b in cards[i + 1 :])


# ---------------------------------------------------------------- 1: the output-vs-labels trap


def test_the_rank_trap_is_a_problem_with_a_one_click_fix(window, tmp_path):
    window.files.open_path(write_trap(tmp_path), ask=False)
    messages = [window.problems.item(i).text() for i in range(window.problems.count())]
    assert messages[0] == (
        "'digit' outputs (None, 6, 6, 10) but the labels are one class id per sample: "
        "add Flatten or GlobalAveragePooling2D before it"
    )
    assert window.scene.nodes["digit"].view.status == "error"
    fix = window.problems.fix_items()[0]
    assert fix.text().strip() == "Fix: Add Flatten before 'digit'"
    click_item(window.problems, fix)
    design = window.doc.design
    assert sorted((e.src, e.dst) for e in design.edges) == [
        ("conv", "flatten"),
        ("flatten", "digit"),
        ("x", "conv"),
    ]
    assert window.doc.report.valid and window.scene.nodes["digit"].view.shape == "(None, 10)"
    assert not cards_overlap(window)
    assert window.doc.undo_stack.undoText() == "Add Flatten before digit"
    window.actions_by_name["undo"].trigger()
    assert "flatten" not in design.nodes and not window.doc.report.valid


def test_training_the_trap_in_the_window_says_why_without_a_traceback(window, qtbot, tmp_path):
    """With file data the check can only run once the labels are loaded: before TensorFlow."""
    import numpy as np

    np.savez(tmp_path / "d.npz", x=np.zeros((20, 8, 8, 1), "float32"), y=np.arange(20) % 10)
    window.files.open_path(write_trap(tmp_path, data={"source": "numpy", "path": "d.npz"}), ask=False)
    assert window.doc.report.valid  # the design alone cannot know the labels' form
    window.actions_by_name["train"].trigger()
    qtbot.waitUntil(lambda: "outputs" in window.training.message.text(), timeout=60_000)
    text = window.training.message.text()
    assert "'digit' outputs (None, 6, 6, 10) but the labels are one class id per sample" in text
    assert "Traceback" not in text and 'File "' not in text


# ---------------------------------------------------------------- 2: templates open as new designs


def test_a_template_from_the_start_page_opens_untitled_and_save_asks_where(window, qtbot, monkeypatch):
    shipped = (TEMPLATES / "seed_example.json").read_bytes()
    window.show_start_page()
    qtbot.mouseClick(window.start_page.template_buttons["seed_example"], Qt.MouseButton.LeftButton)
    assert window.doc.path is None
    assert "resources" not in window.windowTitle() and window.windowTitle().startswith("seed_example")
    assert window.files.recent_files() == []
    window.doc.set_param("h", "units", 12)
    asked = []
    monkeypatch.setattr(
        "gui.file_actions.QFileDialog.getSaveFileName", lambda *a, **k: asked.append(a) or ("", "")
    )
    window.actions_by_name["save"].trigger()
    assert asked and (TEMPLATES / "seed_example.json").read_bytes() == shipped


# ---------------------------------------------------------------- 3: the wheel scrolls, it does not edit


def wheel(widget, dy=-120):
    pos = QPointF(widget.rect().center())
    event = QWheelEvent(
        pos,
        QPointF(widget.mapToGlobal(pos.toPoint())),
        QPoint(0, 0),
        QPoint(0, dy),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_an_unfocused_dropdown_scrolls_the_page(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.resize(1024, 700)
    window.right_tabs.setCurrentWidget(window.model_settings)
    settings = window.model_settings
    qtbot.waitUntil(settings.optimizer.isVisible)
    bar = settings.verticalScrollBar()
    before, steps = settings.optimizer.currentText(), window.doc.undo_stack.count()
    scroll_before = bar.value()
    for _ in range(3):
        wheel(settings.optimizer)
    assert settings.optimizer.currentText() == before and window.doc.undo_stack.count() == steps
    assert bar.maximum() == 0 or bar.value() > scroll_before  # the page scrolled instead
    assert settings.optimizer.focusPolicy() == Qt.FocusPolicy.StrongFocus
    settings.optimizer.setFocus()
    qtbot.waitUntil(settings.optimizer.hasFocus)
    wheel(settings.optimizer)
    assert settings.optimizer.currentText() != before  # a focused field still takes the wheel


def test_the_wheel_over_a_layer_spin_box_does_not_change_it(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.scene.select_nodes(["h"])
    spin = window.properties.fields["units"].editor
    assert isinstance(spin, QSpinBox)
    wheel(spin, 120)
    assert window.doc.design.nodes["h"].params["units"] == 10


# ---------------------------------------------------------------- 4: double-click insert


def test_double_click_inserts_between_the_selection_and_its_child(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.scene.select_nodes(["h"])
    tree = window.palette.tree
    item = window.palette.items["Dropout"]
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    # A double-click as the window system delivers it: press and release, then the double-click.
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    design = window.doc.design
    assert sorted((e.src, e.dst) for e in design.edges) == [("dropout", "y"), ("h", "dropout"), ("x", "h")]
    assert not cards_overlap(window)
    assert window.doc.undo_stack.undoText() == "Add Dropout"
    window.actions_by_name["undo"].trigger()
    assert sorted((e.src, e.dst) for e in design.edges) == [("h", "y"), ("x", "h")]
    assert not cards_overlap(window)


# ---------------------------------------------------------------- 8: discoverability


def test_toolbar_start_page_and_empty_canvas_hint(window):
    names = [a.text().replace("&", "") for a in window.toolbar.actions() if not a.isSeparator()]
    for wanted in ("Start Training", "Stop", "Undo", "Fit to Window", "Auto-layout", "Start Page"):
        assert any(n.startswith(wanted) for n in names), wanted
    assert window.empty_hint.isVisible() and "Drag a layer" in window.empty_hint.text()
    window.actions_by_name["start_page"].trigger()
    assert window.stack.currentWidget() is window.start_page
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    assert not window.empty_hint.isVisible()
    window.doc.remove(["x", "h"], [])
    assert window.params_label.text().startswith("1 layer ·")


def test_a_typed_value_applies_after_a_pause_as_one_undo_step(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.scene.select_nodes(["x"])
    shape = window.properties.fields["shape"].editor
    shape.setFocus()
    shape.selectAll()
    qtbot.keyClicks(shape, "4")
    qtbot.waitUntil(lambda: window.doc.design.nodes["x"].params["shape"] == [4], timeout=3000)
    steps = window.doc.undo_stack.count()
    qtbot.keyClicks(shape, "2")
    qtbot.waitUntil(lambda: window.doc.design.nodes["x"].params["shape"] == [42], timeout=3000)
    assert window.doc.undo_stack.count() == steps  # typing on merges into the same step
    assert shape.text() == "42"
    window.scene.select_nodes(["h"])
    units = window.properties.fields["units"].editor
    units.setFocus()
    units.selectAll()
    qtbot.keyClicks(units, "64")
    qtbot.waitUntil(lambda: window.doc.design.nodes["h"].params["units"] == 64, timeout=3000)


def test_saved_and_exported_files_follow_the_umask(window, tmp_path, monkeypatch):
    import os
    import stat

    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    old = os.umask(0o022)
    try:
        window.files._save_to(tmp_path / "d.json")
        seen = []
        monkeypatch.setattr(
            "gui.file_actions.QFileDialog.getSaveFileName",
            lambda *a, **k: seen.append(a[2]) or (str(tmp_path / "m.py"), ""),
        )
        window.files.export_code()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "d.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "m.py").stat().st_mode) == 0o644
    assert seen == [str(tmp_path / "d.py")]  # the export dialog opens beside the design


# ---------------------------------------------------------------- 9: theme and code colours


def card_lightness(window, node_id) -> float:
    """The mean lightness of a card's body as the screen shows it (text included)."""
    window.view.viewport().repaint()
    image = window.view.viewport().grab().toImage()
    item = window.scene.nodes[node_id]
    values = []
    for x in range(10, 190, 6):
        for y in range(30, 80, 6):
            point = window.view.mapFromScene(item.mapToScene(QPointF(x, y)))
            values.append(image.pixelColor(point).lightness())
    return sum(values) / len(values)


def test_switching_to_dark_repaints_existing_cards_and_ticks_the_theme(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.set_theme("light")
    assert card_lightness(window, "h") > 180
    window.set_theme("dark")
    assert card_lightness(window, "h") < 110
    ticked = [a.data() for a in window.theme_actions.actions() if a.isChecked()]
    assert ticked == ["dark"]
    window.set_theme("light")
    assert [a.data() for a in window.theme_actions.actions() if a.isChecked()] == ["light"]


def test_code_tab_is_syntax_coloured(window, qtbot):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    window.bottom_tabs.setCurrentWidget(window.code)
    qtbot.waitUntil(lambda: "def build_model" in window.code.text.toPlainText())
    document = window.code.text.document()
    block = document.findBlock(window.code.text.toPlainText().index("def build_model"))
    formats = block.layout().formats()
    assert formats and any(f.format.foreground().color().name() != "#000000" for f in formats)


# ---------------------------------------------------------------- 10 and bad input: clipboard, recovery


def clipboard_layers(**node_changes) -> str:
    node = {"id": "a", "type": "Dense", "params": {"units": 3}, "pos": [0, 0], **node_changes}
    return json.dumps({"format": "netwright-design", "version": 1, "nodes": [node], "edges": []})


def test_a_hostile_clipboard_is_refused_and_the_design_stays_whole(window):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    before = file_format.dumps(window.doc.design)
    for text, reason in (
        (clipboard_layers(pos=["a", "b"]), "pos must be a list of two numbers"),
        (clipboard_layers(params=[1, 2]), "params must be an object"),
        ("[" * 100000, "does not hold Netwright layers"),
    ):
        QGuiApplication.clipboard().setText(text)
        window.actions_by_name["paste"].trigger()
        assert reason in window.statusBar().currentMessage()
        assert file_format.dumps(window.doc.design) == before
    window.doc.set_param("h", "units", 5)  # validation still runs after the refused pastes
    assert window.doc.report.nodes["h"].params == 8 * 5 + 5


def test_pasting_a_design_files_text_adds_its_layers(window):
    window.files.open_path(TEMPLATES / "seed_example.json", ask=False)
    QGuiApplication.clipboard().setText((TEMPLATES / "seed_example.json").read_text())
    window.actions_by_name["paste"].trigger()
    assert sorted(window.scene.selected_node_ids()) == ["h_1", "x_1", "y_1"]


def test_a_hostile_recovery_file_is_set_aside_with_a_message(window, tmp_path, qtbot):
    from gui.main_window import MainWindow

    (tmp_path / "recovery.json").write_text(
        json.dumps({"path": None, "saved_at": "yesterday", "design": TRAP})
    )
    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    again.files.start()
    assert again.stack.currentWidget() is again.start_page
    assert "could not be restored" in again.statusBar().currentMessage()
    assert "'saved_at' must be a time" in again.statusBar().currentMessage()


def test_value_fields_take_focus_only_from_a_click_or_tab(window):
    for field in window.model_settings.findChildren(QComboBox) + window.model_settings.findChildren(QSpinBox):
        field.ensurePolished()
        assert field.focusPolicy() == Qt.FocusPolicy.StrongFocus


# ---------------------------------------------------------------- 7: small windows


def test_a_small_window_refits_the_canvas_and_a_larger_one_restores_it(window, qtbot):
    window.resize(1280, 800)
    window.files.open_path(TEMPLATES / "small_cnn.json", ask=False)
    settle(qtbot, window)
    window.view.fit()
    big = window.view.zoom()

    def all_visible() -> bool:
        shown = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
        return shown.contains(window.scene.itemsBoundingRect())

    assert all_visible()
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: all_visible() and window.view.zoom() < big)
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: abs(window.view.zoom() - big) < 0.01)
    assert all_visible()


def test_the_start_page_wraps_instead_of_clipping_at_1024x700(window, qtbot):
    from PySide6.QtWidgets import QLabel

    window.resize(1024, 700)
    window.show_start_page()
    settle(qtbot, window)
    labels = [w for w in window.start_page.findChildren(QLabel) if w.wordWrap() and w.isVisible()]
    assert len(labels) >= 6
    for label in labels:
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    tops = sorted(label.geometry().top() for label in labels)
    bottoms = sorted(label.geometry().bottom() for label in labels)
    assert all(b < t for b, t in zip(bottoms, tops[1:], strict=False))  # no two overlap


def test_an_unexpected_error_in_the_window_is_a_sentence_and_a_log_entry(window, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    try:
        {}["missing"]
    except KeyError as exc:
        window.report_internal_error(type(exc), exc, exc.__traceback__)
    shown = window.statusBar().currentMessage()
    assert shown.startswith("Something went wrong: 'missing' (details: ")
    assert "Traceback" not in shown
    assert "Traceback" in (tmp_path / "state" / "netwright" / "netwright.log").read_text()


def test_a_first_start_fits_a_screen_smaller_than_the_default_window(window):
    """With no saved geometry the window is at most the screen's available size, so the
    properties and the status bar are not off screen (seen at 1024x700 on Xvfb)."""
    from gui import main_window

    available = window.screen().availableGeometry().size()
    assert available.width() < main_window.DEFAULT_SIZE.width()  # offscreen: 800x800
    fresh = main_window.MainWindow()
    try:
        assert fresh.width() <= available.width() and fresh.height() <= available.height()
    finally:
        fresh.doc.undo_stack.setClean()
        fresh.close()
        fresh.deleteLater()


def test_the_design_view_fits_1024_by_700_with_a_design_open(window, qtbot):
    """The summary's totals wrap: unwrapped, their longest line made the window at least
    1,213 px wide, so the properties and the status bar ran off a 1024-px screen."""
    window.files.open_path(TEMPLATES / "deep_sigmoid.json", ask=False)
    window.bottom_tabs.setCurrentWidget(window.summary)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024 and window.height() == 700)
    assert window.minimumSizeHint().width() <= 1024
