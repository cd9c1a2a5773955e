"""A real main window per test, with settings and the recovery file in a temporary folder."""

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths


@pytest.fixture(autouse=True)
def no_modal_questions(monkeypatch):
    """A question nobody answers would block the run: answer Discard unless a test says otherwise."""
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)
    )


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    QCoreApplication.setOrganizationName("NetwrightTests")
    QCoreApplication.setApplicationName("NetwrightTests")
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    from gui import file_actions, main_window

    monkeypatch.setattr(file_actions, "recovery_path", lambda: tmp_path / "recovery.json")
    win = main_window.MainWindow()
    win.resize(main_window.DEFAULT_SIZE)  # offscreen's screen is 800x800; the tests assume the default
    qtbot.addWidget(win)
    win.show()
    win.show_canvas()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def answer(monkeypatch):
    """Answer the next QMessageBox.question with the given button, recording what was asked."""
    from PySide6.QtWidgets import QMessageBox

    asked = []

    def set_answer(button):
        def question(parent, title, text, *args, **kwargs):
            asked.append(text)
            return button

        monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
        return asked

    return set_answer
