"""The layer palette, built from the catalog: categories, search, drag and double-click.

From the keyboard: type in the search box and press Enter to add the best match (after the
selected card), or Down to walk the matches and Enter on one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.schema.catalog import LAYERS, layer_types_by_category
from gui.canvas.scene import LAYER_MIME
from gui.style import category_icon

TYPE_ROLE = Qt.ItemDataRole.UserRole


class LayerTree(QTreeWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setIndentation(12)

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 - Qt's name
        data = QMimeData()
        types = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        if types:
            data.setData(LAYER_MIME, types[0].encode("utf-8"))
            data.setText(types[0])
        return data

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt's name
        return [LAYER_MIME]


class Palette(QWidget):
    activated = Signal(str)  # a layer type, on double-click or Enter

    def __init__(self) -> None:
        super().__init__()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search layers…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search layers")
        self.search.setToolTip("Type to filter; Enter adds the first match after the selected layer")
        self.tree = LayerTree()
        self.tree.setAccessibleName("Layer types")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.items: dict[str, QTreeWidgetItem] = {}
        for category, types in layer_types_by_category().items():
            group = QTreeWidgetItem([category])
            group.setIcon(0, category_icon(category))
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            self.tree.addTopLevelItem(group)
            for t in types:
                item = QTreeWidgetItem([t])
                item.setData(0, TYPE_ROLE, t)
                item.setToolTip(0, f"<b>{t}</b><br>{LAYERS[t].help}")
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                )
                group.addChild(item)
                self.items[t] = item
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.activate_first)
        self.search.installEventFilter(self)
        self.tree.itemActivated.connect(self._activate)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Down in the search box goes on to the first match in the list."""
        if obj is self.search and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down:
            shown = self.visible_types()
            if shown:
                self.tree.setCurrentItem(self.items[shown[0]])
                self.tree.setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return super().eventFilter(obj, event)

    def best_match(self) -> str | None:
        """The layer Enter adds: a name equal to what was typed, else one starting with it, else
        one containing it, else the first whose description matches (``dense`` is Dense, not
        a layer whose help mentions dense layers)."""
        typed = self.search.text().strip().lower().replace(" ", "")

        def rank(layer_type: str) -> int:
            name = layer_type.lower()
            return 0 if name == typed else 1 if name.startswith(typed) else 2 if typed in name else 3

        shown = self.visible_types()
        return min(shown, key=rank) if shown else None  # min keeps the palette's order among equals

    def activate_first(self) -> None:
        """Enter in the search box: the best match, as if double-clicked."""
        best = self.best_match()
        if best is not None:
            self.activated.emit(best)

    def _activate(self, item: QTreeWidgetItem) -> None:
        layer_type = item.data(0, TYPE_ROLE)
        if layer_type:
            self.activated.emit(layer_type)

    def filter(self, text: str) -> None:
        """Show layers whose name, category or help contains every word typed."""
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                spec = LAYERS[item.data(0, TYPE_ROLE)]
                haystack = f"{spec.type} {spec.category} {spec.help}".lower()
                hide = not all(w in haystack for w in words)
                item.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)
            group.setExpanded(True)

    def visible_types(self) -> list[str]:
        return [t for t, item in self.items.items() if not item.isHidden() and not item.parent().isHidden()]
