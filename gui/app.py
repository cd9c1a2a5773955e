"""Start the window.  TensorFlow is not imported here: the window appears at once."""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from gui.style import apply_theme

RESOURCES = Path(__file__).resolve().parents[1] / "resources"  # package data when installed (pyproject.toml)
DESKTOP_FILE = "netwright"  # resources/netwright.desktop, installed by scripts/install_desktop.sh
WARM_UP_AFTER_MS = 1500  # once the window is up and the file it opens is shown
LATER_MODULES = ("gui.training_panel",)  # the Train view: pyqtgraph and the lab's views, 0.27 s


def has_display() -> bool:
    """Qt aborts the process when it has no screen to open; say so politely instead."""
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def freeze_startup_objects() -> None:
    """Keep the long-lived start-up objects (modules, Qt wrappers) out of the garbage collector.

    Without this, every full collection walks them all: about 26 ms, a visible
    hitch every few dozen edits on big designs (benchmarks/gui_scale.py).  No
    collection first: it would cost the first frame 20-40 ms for the few cycles
    the imports left; the collector's first full collection after a training
    unfreezes and frees them (gui/gui_thread_gc.py).
    """
    gc.freeze()


def _import_later_modules() -> None:
    for name in LATER_MODULES:
        with contextlib.suppress(Exception):  # a module that fails here fails, with its message, when used
            importlib.import_module(name)


def warm_up_later() -> None:
    """Import the modules the first frame did without (the Train view's) on a thread, once the
    window is up, so the first switch to Train only builds it: it waited 0.5 s, half of it
    importing.  Imports only: no Qt object is made off the GUI thread, and the GUI thread,
    with the short switch interval (gui/gui_thread_gc.py), keeps painting meanwhile."""

    def start() -> None:
        threading.Thread(target=_import_later_modules, name="netwright-warm-up", daemon=True).start()

    QTimer.singleShot(WARM_UP_AFTER_MS, start)


def identify(app: QGuiApplication) -> None:
    """The icon on every window and in the taskbar, and the desktop entry the taskbar groups the
    windows under (its name, launcher icon and file types)."""
    QGuiApplication.setDesktopFileName(DESKTOP_FILE)
    app.setWindowIcon(QIcon(str(RESOURCES / "icons" / "netwright.png")))


def run_gui(argv: list[str]) -> int:
    files = [a for a in argv if not a.startswith("-")]
    if files and not Path(files[0]).exists():
        print(f"netwright: {files[0]}: no such file", file=sys.stderr)
        return 2
    if not has_display():
        print(
            "netwright: no display to open the window on (DISPLAY is not set).\n"
            "Run it in a desktop session, or use the command line: python main.py --help",
            file=sys.stderr,
        )
        return 1
    QCoreApplication.setOrganizationName("Netwright")
    QCoreApplication.setApplicationName("Netwright")
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    identify(app)
    apply_theme(app, str(QSettings().value("ui/theme", "light")))  # before any widget takes colours
    from gui.main_window import MainWindow

    window = MainWindow()
    sys.excepthook = window.report_internal_error  # a slot that raises: a sentence, not a traceback
    freeze_startup_objects()
    window.show()
    window.files.start(files[0] if files else None)
    warm_up_later()
    return app.exec()
