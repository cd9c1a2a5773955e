"""Take the README's screenshots of the real window on a virtual X screen.

Run: bash scripts/screenshots.sh   (starts Xvfb, then this script; writes docs/*.png)
Each shot sets up a state through the same document API the window uses,
then grabs the whole X screen with ImageMagick's ``import -window root``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDockWidget  # noqa: E402

TEMPLATES = ROOT / "resources" / "designs"
DOCS = ROOT / "docs"


def settle(app: QApplication, ms: int = 600) -> None:
    """Let the window paint (and the code view's debounce fire) before a grab."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def grab(name: str, window=None) -> None:
    """The X screen, cropped to ``window`` (placed at 0, 0) when given: a 1024x700 shot is 1024x700."""
    if QApplication.platformName() == "offscreen":
        return
    crop = []
    if window is not None:
        frame = window.frameGeometry()
        crop = ["-crop", f"{frame.width()}x{frame.height()}+{frame.x()}+{frame.y()}", "+repage"]
    subprocess.run(["import", "-window", "root", *crop, str(DOCS / name)], check=True)
    print("wrote", DOCS / name)


def wait_for(signal, seconds: int = 300) -> None:
    """Run the event loop until ``signal`` is emitted (or ``seconds`` pass)."""
    loop = QEventLoop()
    signal.connect(lambda *_args: loop.quit())
    QTimer.singleShot(seconds * 1000, loop.quit)
    loop.exec()


def screenshot_window():
    """(the application, a shown 1280x800 window in the light theme), with settings, autosave and
    recovery of this run's own: another run's recovery file would otherwise stop this one at the
    "Restore unsaved work?" question."""
    QCoreApplication.setOrganizationName("NetwrightScreenshots")
    QCoreApplication.setApplicationName("NetwrightScreenshots")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication([])
    from gui import file_actions
    from gui.main_window import MainWindow
    from gui.style import apply_theme

    recovery = Path(tempfile.mkdtemp()) / "recovery.json"
    file_actions.recovery_path = lambda: recovery
    apply_theme(app, "light")
    w = MainWindow()
    w.setGeometry(0, 0, 1280, 800)
    w.show()
    return app, w


def main() -> None:
    from gui.style import apply_theme

    app, w = screenshot_window()
    w.files.start()
    settle(app)
    grab("screenshot-start.png", w)

    # A small screen: the panels keep their labels and fields whole.
    w.setGeometry(0, 0, 1024, 700)
    w.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    w.scene.select_nodes(["hidden1"])
    w.bottom_tabs.setCurrentWidget(w.problems)
    settle(app)
    grab("screenshot-1024x700.png", w)
    w.right_tabs.setCurrentWidget(w.model_settings)
    settle(app)
    grab("screenshot-1024x700-model.png", w)
    w.right_tabs.setCurrentWidget(w.properties)
    w.setGeometry(0, 0, 1280, 800)

    w.files.open_path(TEMPLATES / "residual_block.json", ask=False)
    w.scene.select_nodes(["conv_b"])
    w.bottom_tabs.setCurrentWidget(w.summary)
    settle(app)
    grab("screenshot-template.png", w)

    w.files.open_path(TEMPLATES / "small_cnn.json", ask=False)
    w.scene.select_nodes(["conv2"])
    w.doc.set_param("conv2", "kernel_size", 5)
    w.doc.set_param("conv2", "padding", "valid")
    w.bottom_tabs.setCurrentWidget(w.problems)
    settle(app)
    grab("screenshot-error.png", w)

    w.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    w.scene.select_nodes(["species"])
    w.right_tabs.setCurrentWidget(w.model_settings)
    w.bottom_tabs.setCurrentWidget(w.code)
    bottom = next(d for d in w.findChildren(QDockWidget) if d.objectName() == "dock_bottom")
    w.resizeDocks([bottom], [400], Qt.Orientation.Vertical)
    settle(app)
    grab("screenshot-code.png", w)

    w.files.open_path(TEMPLATES / "small_cnn.json", ask=False)
    w.doc.set_settings("training", {**w.doc.design.training, "epochs": 8}, "Change training settings")
    w.doc.set_settings("data", {**w.doc.design.data, "test_split": 0.2}, "Change data options")
    bottom = next(d for d in w.findChildren(QDockWidget) if d.objectName() == "dock_bottom")
    w.resizeDocks([bottom], [420], Qt.Orientation.Vertical)
    w.train()
    finished = QEventLoop()
    w.training.thread.worker.finished.connect(finished.quit)
    w.training.thread.worker.failed.connect(finished.quit)
    QTimer.singleShot(300_000, finished.quit)
    finished.exec()
    settle(app)
    grab("screenshot-training.png", w)
    w.resizeDocks([bottom], [130], Qt.Orientation.Vertical)

    import keras

    densenet = Path(tempfile.mkdtemp()) / "DenseNet121.keras"
    keras.applications.DenseNet121(weights=None).save(densenet)
    w.files.import_model(densenet)
    while w.files.model_import.busy:  # the import runs on its own thread
        settle(app, 200)
    w.scene.select_nodes(["conv2_block1_concat"])
    w.bottom_tabs.setCurrentWidget(w.summary)
    w.resizeDocks([bottom], [240], Qt.Orientation.Vertical)  # a few of the summary's rows
    settle(app)
    grab("screenshot-import.png", w)

    apply_theme(app, "dark")
    w.resizeDocks([bottom], [130], Qt.Orientation.Vertical)
    w.files.open_path(TEMPLATES / "residual_block.json", ask=False)
    w.set_theme("dark")
    w.bottom_tabs.setCurrentWidget(w.problems)
    settle(app)
    grab("screenshot-dark.png", w)
    w.doc.undo_stack.setClean()
    w.close()


if __name__ == "__main__":
    main()
