"""Names a screen reader announces (toolbar buttons, panels, the canvas and what is selected on
it) and the property editor's tab order.

Qt gives a widget with visible text an accessible name of its own, but a button
drawn as a glyph, a dock's contents, a graphics view and a tab page have none,
and the cards on the canvas are not widgets at all: the canvas's description
says which card is selected, and changes (Qt announces the change) as the
arrow keys move the selection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea, QTabWidget, QToolBar, QWidget

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def plain(text: str) -> str:
    """A menu text without its mnemonic ampersand and trailing ellipsis: "&Open…" -> "Open"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def name_toolbar(bar: QToolBar) -> None:
    """Each toolbar button by its action's name, with the shortcut in the description."""
    for action in bar.actions():
        button = bar.widgetForAction(action)
        if button is None or action.isSeparator():
            continue
        button.setAccessibleName(plain(action.iconText() or action.text()))
        keys = action.shortcut().toString()
        tip = action.statusTip() or action.toolTip()
        button.setAccessibleDescription(f"{tip} ({keys})" if keys else tip)


def name_panels(window: MainWindow) -> None:
    """Docks and their contents by their titles; tab pages by their tab's text."""
    for dock in window.findChildren(QDockWidget):
        dock.setAccessibleName(f"{dock.windowTitle()} panel")
        if dock.widget() is not None and not dock.widget().accessibleName():
            dock.widget().setAccessibleName(dock.windowTitle())
    for tabs in window.findChildren(QTabWidget):
        for i in range(tabs.count()):
            page: QWidget = tabs.widget(i)
            if not page.accessibleName():
                page.setAccessibleName(plain(tabs.tabText(i)))
    window.view.setAccessibleName("Design canvas")
    window.view.setAccessibleDescription("No layer selected. Arrow keys move from layer to layer.")
    window.start_page.setAccessibleName("Start page")
    window.params_label.setAccessibleName("Design summary")


def describe_selection(window: MainWindow) -> None:
    """The canvas's description names the selected layers (announced as it changes)."""
    ids = window.scene.selected_node_ids()
    design = window.doc.design
    if not ids:
        text = "No layer selected. Arrow keys move from layer to layer."
    elif len(ids) == 1 and ids[0] in design.nodes:
        node = design.nodes[ids[0]]
        item = window.scene.nodes.get(ids[0])
        view = item.view if item is not None else None
        shape = f", output {view.shape}" if view is not None and view.shape not in ("", "—") else ""
        summary = f", {view.summary}" if view is not None and view.summary else ""
        text = f"{node.type} layer {node.id} selected{summary}{shape}"
    else:
        text = f"{len(ids)} layers selected: {', '.join(ids[:8])}{'…' if len(ids) > 8 else ''}"
    window.view.setAccessibleDescription(text)


def order_fields(panel: QWidget) -> None:
    """Tab from ``panel`` goes through its fields top to bottom, then on as before.

    A panel that rebuilds its form for each selection creates the fields last of all, which
    puts them at the end of the window's tab chain (after the Problems list): chained here
    right after the panel, in the order the form adds them."""
    page = panel.widget() if isinstance(panel, QScrollArea) else panel
    if page is None or page.window() is not panel.window() or panel.window() is panel:
        return  # not in its window yet: ordered when it is rebuilt there
    # Hidden or disabled fields stay in the chain: Tab skips them while they are.  A combo box's
    # popup list is a window of its own, a spin box's text a part of the field.
    fields: list[QWidget] = []
    for w in page.findChildren(QWidget):
        if (
            w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and w.window() is panel.window()
            and not any(f.isAncestorOf(w) for f in fields)
        ):
            fields.append(w)
    previous = panel
    for field in fields:
        QWidget.setTabOrder(previous, field)
        previous = field


def install(window: MainWindow) -> None:
    name_toolbar(window.toolbar)
    name_panels(window)
