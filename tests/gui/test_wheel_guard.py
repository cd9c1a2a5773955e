"""Every value field the window builds is wheel-guarded (gui/wheel_guard.py): the wheel scrolls
the page over an unfocused dropdown or spin box instead of editing it, without an
application-wide event filter."""

import ast
from pathlib import Path

from PySide6.QtWidgets import QAbstractSpinBox, QComboBox

from gui.wheel_guard import WheelGuarded

GUI = Path(__file__).resolve().parents[2] / "gui"
PLAIN = {"QComboBox", "QSpinBox", "QDoubleSpinBox"}


def test_gui_builds_no_plain_value_field():
    found = []
    for path in GUI.rglob("*.py"):
        if path.name == "wheel_guard.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            named = node.func if isinstance(node, ast.Call) else None
            bases = node.bases if isinstance(node, ast.ClassDef) else []
            for name in [named, *bases]:
                if isinstance(name, ast.Name) and name.id in PLAIN:
                    found.append(f"{path.relative_to(GUI.parent)}:{node.lineno} {name.id}")
    assert found == []  # use gui.wheel_guard's ComboBox, SpinBox, DoubleSpinBox


def test_every_value_field_of_the_window_is_guarded(window):
    for tab in range(window.right_tabs.count()):
        window.right_tabs.setCurrentIndex(tab)  # panels built on first show are built
    window.mode.show_train()
    fields = window.findChildren(QComboBox) + window.findChildren(QAbstractSpinBox)
    plain = [f"{type(f).__name__} {f.objectName() or f.toolTip()[:40]}" for f in fields]
    plain = [name for name, f in zip(plain, fields, strict=True) if not isinstance(f, WheelGuarded)]
    assert len(fields) > 10 and plain == []
