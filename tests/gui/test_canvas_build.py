"""A large design's cards are built over several turns of the event loop, so the window keeps
painting and taking input while it opens (benchmarks/import_scale.py measures the stalls).
Whatever arrives meanwhile (an edit, an undo, a rename, a selection, a second Open) ends with
the canvas showing the document exactly, and in between it never shows what is not there."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from engine.design import file_format, fragment
from engine.design.graph import Design, Edge, Node
from gui.canvas.items import EdgeItem, NodeItem
from gui.canvas.scene import AT_ONCE, node_view

BRANCHES, DEPTH = 20, 20  # 403 layers: several steps of building, a 20-input merge


def wide(prefix: str = "") -> Design:
    """An input feeding BRANCHES chains of DEPTH Dense layers, merged by a Concatenate."""
    design = Design(name=f"{prefix}wide")
    left = 0.0  # the input at the left: opened, the view goes to it, not to the design's middle
    design.add_node(Node(f"{prefix}x", "Input", {"shape": [8]}, (left, 0.0)))
    design.add_node(Node(f"{prefix}cat", "Concatenate", {}, (left, 140.0 * (DEPTH + 1))))
    for b in range(BRANCHES):
        previous = f"{prefix}x"
        for i in range(DEPTH):
            nid = f"{prefix}b{b}_{i}"
            design.add_node(Node(nid, "Dense", {"units": 4}, (240.0 * b, 140.0 * (i + 1))))
            design.connect(Edge(previous, nid))
            previous = nid
        design.connect(Edge(previous, f"{prefix}cat"))
    design.add_node(Node(f"{prefix}out", "Dense", {"units": 2}, (left, 140.0 * (DEPTH + 2))))
    design.connect(Edge(f"{prefix}cat", f"{prefix}out"))
    return design


@pytest.fixture
def files(tmp_path):
    """Two large design files with no layer name in common."""
    paths = tmp_path / "wide.json", tmp_path / "other.json"
    file_format.save(wide(), paths[0])
    file_format.save(wide("o_"), paths[1])
    return paths


def shown_consistently(window) -> None:
    """Mid-build: every card and edge on the canvas belongs to the document, at its place."""
    scene, design = window.scene, window.doc.design
    cards = [i for i in scene.items() if isinstance(i, NodeItem)]
    assert len(cards) == len(scene.nodes) and set(scene.nodes) <= set(design.nodes)
    assert all(scene.nodes[n].pos().toTuple() == design.nodes[n].pos for n in scene.nodes)
    wanted = {(e.src, e.dst) for e in design.edges}
    for edge in (i for i in scene.items() if isinstance(i, EdgeItem)):
        assert edge.key[:2] in wanted and edge.src.scene() is scene and edge.dst.scene() is scene


def built(window, qtbot) -> None:
    """Wait for the build, then the canvas is the document: its cards, their text, its edges."""
    scene, doc = window.scene, window.doc
    qtbot.waitUntil(lambda: not scene.building, timeout=20_000)
    shown_consistently(window)
    assert set(scene.nodes) == set(doc.design.nodes)
    incoming = doc.design.incoming()
    assert all(item.view == node_view(doc, nid, doc.report, incoming) for nid, item in scene.nodes.items())
    edges = sorted((e.key[0], e.key[1], e.index) for e in scene.edge_items)
    assert edges == sorted(
        (e.src, e.dst, incoming[e.dst].index(e) if e.dst.endswith("cat") else 0) for e in doc.design.edges
    )
    assert len([i for i in scene.items() if isinstance(i, EdgeItem)]) == len(doc.design.edges)
    assert not window.view.building_label.isVisible()


def one_turn() -> None:
    QApplication.processEvents()


def test_a_large_design_opens_in_steps_and_ends_as_the_document(window, qtbot, files):
    assert len(wide().nodes) > AT_ONCE
    window.files.open_path(files[0], ask=False)
    scene, view = window.scene, window.view
    assert scene.building and not scene.nodes  # Open returned at once: the cards come next
    assert (
        view.building_label.isVisible()
        and view.building_label.text() == "Building the canvas… 0 of 403 layers"
    )
    one_turn()
    assert scene.building and 0 < len(scene.nodes) < 403
    assert view.building_label.text() == f"Building the canvas… {len(scene.nodes)} of 403 layers"
    shown_consistently(window)
    assert not scene.edge_items  # edges come once every layer has its card
    built(window, qtbot)
    # The fit Open asked for waited for the cards: the deep design opens readable at its input.
    assert view.zoom() >= scene.detail_scale
    assert (
        view.mapToScene(view.viewport().rect()).boundingRect().contains(scene.nodes["x"].sceneBoundingRect())
    )


def test_edits_and_undo_during_the_build_are_shown(window, qtbot, files):
    window.files.open_path(files[0], ask=False)
    doc, scene = window.doc, window.scene
    one_turn()
    assert scene.building
    # A layer dropped mid-build has its card at once, selected; the rest of the build follows.
    nid = window.view.drop_layer(
        "Dense", scene.nodes["x"].pos() + scene.nodes["x"].boundingRect().bottomRight()
    )
    assert scene.nodes[nid].isSelected() and scene.building
    doc.remove(["b0_3"], [])  # its card and both its edges go with it
    doc.rename("b19_19", "last")  # a layer whose card is not built yet
    shown_consistently(window)
    built(window, qtbot)
    assert "b0_3" not in scene.nodes and "last" in scene.nodes and scene.nodes[nid].isSelected()
    assert scene.nodes["b0_4"].view.status == "error"  # lost its input: the card says so
    window.actions_by_name["undo"].trigger()  # the rename, then the removal, mid-build again
    window.actions_by_name["undo"].trigger()
    assert scene.building
    one_turn()
    shown_consistently(window)
    built(window, qtbot)
    assert "b0_3" in scene.nodes and "b19_19" in scene.nodes and scene.nodes["b0_4"].view.status == "ok"


def test_a_layer_selected_before_its_card_is_built_is_selected_when_it_is(window, qtbot, files):
    window.files.open_path(files[0], ask=False)
    window.scene.select_nodes(["out", "b7_7"])
    built(window, qtbot)
    assert sorted(window.scene.selected_node_ids()) == ["b7_7", "out"]
    # Unless a click on the canvas chose something else meanwhile.
    window.files.open_path(files[1], ask=False)
    window.scene.select_nodes(["o_out"])
    view = window.view
    blank = QPoint(10, view.viewport().height() // 2)  # the view shows the first design's input, at its left
    assert view.mapToScene(blank).x() < 0 and not view.items(blank)  # left of every card
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, blank)
    built(window, qtbot)
    assert not window.scene.selected_node_ids()


def test_a_second_open_during_the_build_replaces_the_first(window, qtbot, files):
    window.files.open_path(files[0], ask=False)
    one_turn()
    assert window.scene.building and window.scene.nodes
    window.files.open_path(files[1], ask=False)
    shown_consistently(window)  # nothing of the first design is left on the canvas
    built(window, qtbot)
    assert all(n.startswith("o_") for n in window.scene.nodes)


def test_a_large_designs_summary_is_written_when_its_tab_is_shown(window, qtbot, files):
    window.files.open_path(files[0], ask=False)
    built(window, qtbot)
    table = window.summary.table
    window.bottom_tabs.setCurrentWidget(window.summary)
    assert table.rowCount() == 403 and table.item(402, 0).text() == "out"
    window.doc.remove(["out"], [])  # shown: it follows each edit
    assert table.rowCount() == 402


def test_select_all_copy_and_delete_mid_build_reach_every_layer(window, qtbot, files):
    """The selection is the design's, not only the cards built so far."""
    window.files.open_path(files[0], ask=False)
    one_turn()
    doc, scene, view = window.doc, window.scene, window.view
    assert scene.building and 0 < len(scene.nodes) < 403
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert view.accessibleDescription().startswith("403 layers selected")
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert len(fragment.from_text(QGuiApplication.clipboard().text()).nodes) == 403
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert not doc.design.nodes and not scene.nodes
    window.actions_by_name["undo"].trigger()  # all back, mid-build again
    assert scene.building and len(doc.design.nodes) == 403
    # A layer chosen (from Problems, Find) before its card exists is what Delete removes.
    scene.select_nodes(["out"])
    assert "out" not in scene.nodes and scene.selected_node_ids() == ["out"]
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert "out" not in doc.design.nodes and len(doc.design.nodes) == 402
    built(window, qtbot)
    assert not scene.selected_node_ids()


def column(n: int) -> Design:
    """An input over a chain of n Dense layers, one below the other: fitted whole, unreadable."""
    design = Design(name="column")
    design.add_node(Node("x", "Input", {"shape": [8]}, (0.0, 0.0)))
    for i in range(n):
        design.add_node(Node(f"d{i}", "Dense", {"units": 4}, (0.0, 140.0 * (i + 1))))
        design.connect(Edge(f"d{i - 1}" if i else "x", f"d{i}"))
    return design


def test_a_deep_design_opened_from_a_file_opens_readable_at_its_input(window, qtbot, tmp_path):
    file_format.save(column(AT_ONCE + 30), tmp_path / "column.json")
    window.files.open_path(tmp_path / "column.json", ask=False)
    built(window, qtbot)  # the window's first layout is done too (it fits the canvas once itself)
    window.files.open_path(tmp_path / "column.json", ask=False)  # File > Open in a window in use
    built(window, qtbot)
    view = window.view
    assert view.zoom() >= window.scene.detail_scale  # the cards show their text
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.nodes["x"].sceneBoundingRect())
    qtbot.waitUntil(view.minimap.isVisible)  # the overview map for the rest, drawn once the cards are
