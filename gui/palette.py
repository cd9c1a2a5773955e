"""The layer palette, built from the catalog: categories, search, drag and double-click.

From the keyboard: type in the search box and press Enter to add the best match (after the
selected card), or Down to walk the matches and Enter on one.  A last group, "Custom", holds
the layers written in Python ("Custom layer…", "Lambda…"): choosing one asks for what the Edit
menu's "Add Custom Layer" / "Add Lambda" do (:func:`gui.custom_code.add_code_actions`)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.schema.catalog import LAYERS, layer_types_by_category
from engine.schema.custom import CUSTOM_HELP
from gui.canvas.scene import LAYER_MIME
from gui.style import category_icon

TYPE_ROLE = Qt.ItemDataRole.UserRole  # a catalog layer type (what a drag carries)
CODE_ROLE = Qt.ItemDataRole.UserRole + 1  # "class" or "lambda": a layer written in Python
CODE_GROUP = "Custom"
CODE_ENTRIES = {  # label -> (kind, help); not dragged: the Edit menu's flow places the node
    "Custom layer…": ("class", CUSTOM_HELP),
    "Lambda…": (
        "lambda",
        "A Lambda layer: one Python expression of its input, e.g. lambda x: x * 2 (custom code: "
        "it runs only once you trust this design).",
    ),
}


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
    code_requested = Signal(str)  # "class" or "lambda": a layer written in Python, as Edit adds it

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
        self.items: dict[str, QTreeWidgetItem] = {}  # entry (layer type, or a code entry's label) -> item
        self.haystacks: dict[str, str] = {}  # entry -> what the search looks in
        for category, types in layer_types_by_category().items():
            group = self._group(category)
            for t in types:
                item = self._entry(group, t, LAYERS[t].help, f"{t} {category} {LAYERS[t].help}")
                item.setData(0, TYPE_ROLE, t)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsDragEnabled)
        group = self._group(CODE_GROUP)
        for label, (kind, help_text) in CODE_ENTRIES.items():
            haystack = f"{label} {CODE_GROUP} code python {kind} {help_text}"
            self._entry(group, label, help_text, haystack).setData(0, CODE_ROLE, kind)
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.activate_first)
        self.search.installEventFilter(self)
        self.tree.itemActivated.connect(self._activate)

    def _group(self, category: str) -> QTreeWidgetItem:
        group = QTreeWidgetItem([category])
        group.setIcon(0, category_icon(category))
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        self.tree.addTopLevelItem(group)
        return group

    def _entry(self, group: QTreeWidgetItem, name: str, help_text: str, haystack: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([name])
        item.setToolTip(0, f"<b>{name.rstrip('…')}</b><br>{help_text}")
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        group.addChild(item)
        self.items[name] = item
        self.haystacks[name] = haystack.lower()
        return item

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
            name = layer_type.lower().replace(" ", "")
            return 0 if name == typed else 1 if name.startswith(typed) else 2 if typed in name else 3

        shown = self.visible_types()
        return min(shown, key=rank) if shown else None  # min keeps the palette's order among equals

    def activate_first(self) -> None:
        """Enter in the search box: the best match, as if double-clicked."""
        best = self.best_match()
        if best is not None:
            self._activate(self.items[best])

    def _activate(self, item: QTreeWidgetItem) -> None:
        layer_type, kind = item.data(0, TYPE_ROLE), item.data(0, CODE_ROLE)
        if layer_type:
            self.activated.emit(layer_type)
        elif kind:
            self.code_requested.emit(kind)

    def filter(self, text: str) -> None:
        """Show entries whose name, category or help contains every word typed."""
        words = text.lower().split()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                haystack = self.haystacks[item.text(0)]
                hide = not all(w in haystack for w in words)
                item.setHidden(hide)
                shown += not hide
            group.setHidden(shown == 0)
            group.setExpanded(True)

    def visible_types(self) -> list[str]:
        """The entries the search shows: layer types, and the code entries' labels."""
        return [t for t, item in self.items.items() if not item.isHidden() and not item.parent().isHidden()]
