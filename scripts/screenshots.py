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


def grab(name: str) -> None:
    if QApplication.platformName() == "offscreen":
        return
    subprocess.run(["import", "-window", "root", str(DOCS / name)], check=True)
    print("wrote", DOCS / name)


def main() -> None:
    QCoreApplication.setOrganizationName("NetwrightScreenshots")
    QCoreApplication.setApplicationName("NetwrightScreenshots")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication([])
    from gui.main_window import MainWindow
    from gui.style import apply_theme

    apply_theme(app, "light")
    w = MainWindow()
    w.setGeometry(0, 0, 1600, 1000)
    w.show()
    w.start()
    settle(app)
    grab("screenshot-start.png")

    w.open_path(TEMPLATES / "residual_block.json", ask=False)
    w.scene.select_nodes(["conv_b"])
    w.bottom_tabs.setCurrentWidget(w.summary)
    settle(app)
    grab("screenshot-template.png")

    w.open_path(TEMPLATES / "small_cnn.json", ask=False)
    w.scene.select_nodes(["conv2"])
    w.doc.set_param("conv2", "kernel_size", 5)
    w.doc.set_param("conv2", "padding", "valid")
    w.bottom_tabs.setCurrentWidget(w.problems)
    settle(app)
    grab("screenshot-error.png")

    w.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    w.scene.select_nodes(["species"])
    w.right_tabs.setCurrentWidget(w.model_settings)
    w.bottom_tabs.setCurrentWidget(w.code)
    bottom = next(d for d in w.findChildren(QDockWidget) if d.objectName() == "dock_bottom")
    w.resizeDocks([bottom], [520], Qt.Orientation.Vertical)
    settle(app)
    grab("screenshot-code.png")

    w.open_path(TEMPLATES / "small_cnn.json", ask=False)
    w.doc.set_settings("training", {**w.doc.design.training, "epochs": 8}, "Change training settings")
    w.doc.set_settings("data", {**w.doc.design.data, "test_split": 0.2}, "Change data options")
    bottom = next(d for d in w.findChildren(QDockWidget) if d.objectName() == "dock_bottom")
    w.resizeDocks([bottom], [560], Qt.Orientation.Vertical)
    w.train()
    finished = QEventLoop()
    w.training.thread.worker.finished.connect(finished.quit)
    w.training.thread.worker.failed.connect(finished.quit)
    QTimer.singleShot(300_000, finished.quit)
    finished.exec()
    settle(app)
    grab("screenshot-training.png")
    w.resizeDocks([bottom], [200], Qt.Orientation.Vertical)

    import keras

    densenet = Path(tempfile.mkdtemp()) / "DenseNet121.keras"
    keras.applications.DenseNet121(weights=None).save(densenet)
    w.import_model(densenet)
    w.scene.select_nodes(["conv2_block1_concat"])
    w.bottom_tabs.setCurrentWidget(w.summary)
    settle(app)
    grab("screenshot-import.png")

    apply_theme(app, "dark")
    w.open_path(TEMPLATES / "residual_block.json", ask=False)
    w.set_theme("dark")
    w.bottom_tabs.setCurrentWidget(w.problems)
    settle(app)
    grab("screenshot-dark.png")
    w.doc.undo_stack.setClean()
    w.close()


if __name__ == "__main__":
    main()
