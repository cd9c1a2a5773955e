"""Start-up loads only what the first frame needs (issue 24, start-up).

The window path of ``main.py`` must not wait for the command line's modules,
NumPy (it comes with grandalf's layout, the activation overlay, the data
loaders), the diagram writer's XML, pyqtgraph or TensorFlow: each loads when
first used.  benchmarks/startup_x11.py measures the time; this keeps the
imports that cost it from coming back.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LATER = ("numpy", "grandalf", "cli.commands", "xml.sax", "pyqtgraph", "tensorflow", "keras")

PROBE = """
import sys
from PySide6.QtWidgets import QApplication
def first_frame(self=None):
    QApplication.processEvents()
    print(" ".join(name for name in sys.argv[1:] if name in sys.modules))
    return 0
QApplication.exec = first_frame
import main
sys.exit(main.main([]))
"""


def test_the_first_frame_waits_for_no_heavy_module(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *LATER],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []


LATER_PROBE = """
import sys, time
from PySide6.QtWidgets import QApplication
def run_a_while(self=None):
    end = time.monotonic() + 30
    while "gui.training_panel" not in sys.modules and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)
    time.sleep(1)  # the import's last modules
    print(" ".join(name for name in sys.argv[1:] if name in sys.modules))
    return 0
QApplication.exec = run_a_while
import main
sys.exit(main.main([]))
"""


def test_the_train_views_modules_arrive_after_the_first_frame_and_tensorflow_does_not(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", LATER_PROBE, "gui.training_panel", "pyqtgraph", "tensorflow", "keras"],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["gui.training_panel", "pyqtgraph"]
