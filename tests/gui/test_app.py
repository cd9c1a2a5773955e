"""Starting the window: bad arguments and a missing display get messages, not Qt aborts."""

from gui import app


def test_missing_file_is_reported_before_qt_starts(capsys):
    assert app.run_gui(["no/such/design.json"]) == 2
    assert "no/such/design.json: no such file" in capsys.readouterr().err


def test_no_display_is_explained(monkeypatch, capsys):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(app.sys, "platform", "linux")
    assert app.run_gui([]) == 1
    assert "no display to open the window on" in capsys.readouterr().err
