"""The Code tab writes the script on a worker thread after a pause in editing: the window goes on
while a large design's script is generated and coloured, and only the newest design's is shown."""

import threading

from benchmarks.engine_scale import chain
from engine.keras.codegen import generate
from gui import code_view
from gui.code_view import write_script


def show_code(window, qtbot):
    window.bottom_tabs.setCurrentWidget(window.code)
    qtbot.waitUntil(window.code.isVisible)


def test_the_script_is_written_off_the_gui_thread_and_the_newest_wins(window, qtbot, monkeypatch):
    threads = []
    real = code_view.write_script
    monkeypatch.setattr(
        code_view, "write_script", lambda d: threads.append(threading.current_thread()) or real(d)
    )
    window.doc.replace(chain(60), None)
    show_code(window, qtbot)
    qtbot.waitUntil(lambda: "def build_model" in window.code.text.toPlainText(), timeout=30_000)
    assert threads and all(t is not threading.main_thread() for t in threads)
    first = window.code.text.toPlainText()
    node = next(nid for nid, n in window.doc.design.nodes.items() if n.type == "Dense")
    window.doc.set_param(node, "units", 91)  # two edits in a row: only the last design's script
    window.doc.set_param(node, "units", 92)
    qtbot.waitUntil(
        lambda: "92" in window.code.text.toPlainText() and window.code.text.toPlainText() != first
    )
    assert window.code.text.toPlainText() == generate(window.doc.design)


def test_an_error_in_the_design_is_written_as_comments_and_disables_export(window, qtbot):
    window.doc.replace(chain(5), None)
    show_code(window, qtbot)
    node = next(nid for nid, n in window.doc.design.nodes.items() if n.type == "Dense")
    window.doc.set_param(node, "units", 0)
    qtbot.waitUntil(lambda: "has errors" in window.code.text.toPlainText(), timeout=30_000)
    assert not window.code.export_button.isEnabled() and not window.code.copy_button.isEnabled()
    script = write_script(window.doc.design)
    assert not script.ok and script.spans and script.spans[0][2] == "Comment"
    assert window.code.text.toPlainText() == script.source


def test_the_colours_are_those_of_the_tokens(window, qtbot):
    window.doc.replace(chain(3), None)
    show_code(window, qtbot)
    qtbot.waitUntil(lambda: "def build_model" in window.code.text.toPlainText(), timeout=30_000)
    text = window.code.text.toPlainText()
    block = window.code.text.document().findBlock(text.index("def build_model"))
    formats = block.layout().formats()
    assert any(f.start == 0 and f.format.fontWeight() > 400 for f in formats)  # 'def', a keyword


def test_copy_right_after_an_edit_copies_that_edits_script(window, qtbot):
    from PySide6.QtGui import QGuiApplication

    window.doc.replace(chain(5), None)
    show_code(window, qtbot)
    qtbot.waitUntil(lambda: "def build_model" in window.code.text.toPlainText(), timeout=30_000)
    node = next(nid for nid, n in window.doc.design.nodes.items() if n.type == "Dense")
    window.doc.set_param(node, "units", 0)  # an error: Export goes off at once, not after the script
    assert not window.code.export_button.isEnabled()
    window.doc.set_param(node, "units", 77)  # fixed: on again, and Copy takes the new script
    assert window.code.export_button.isEnabled()
    window.code.copy_button.click()
    assert QGuiApplication.clipboard().text() == generate(window.doc.design)
