"""Start the window.  TensorFlow is not imported here: the window appears at once."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from gui.style import apply_theme


def run_gui(argv: list[str]) -> int:
    QCoreApplication.setOrganizationName("Netwright")
    QCoreApplication.setApplicationName("Netwright")
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    from gui.main_window import MainWindow

    window = MainWindow()
    apply_theme(app, str(window.settings.value("ui/theme", "light")))
    files = [a for a in argv if not a.startswith("-")]
    if files and not Path(files[0]).exists():
        print(f"netwright: {files[0]}: no such file", file=sys.stderr)
        return 2
    window.show()
    window.start(files[0] if files else None)
    return app.exec()
