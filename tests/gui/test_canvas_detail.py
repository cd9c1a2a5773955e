"""Level of detail: a small design keeps its card text when zoomed out; a big one draws blocks.

Drawing the text of hundreds of cards made panning a fitted 771-layer model take
about 50 ms a frame (benchmarks/import_scale.py), so big designs switch to plain
blocks sooner.
"""

from pathlib import Path

from PySide6.QtCore import QRectF

from engine.design.graph import Design, Edge, Node

TEMPLATES = Path(__file__).resolve().parents[2] / "resources" / "designs"


def card_colours(window, node_id: str, zoom: float) -> int:
    """How many colours the card shows on screen at ``zoom`` (a plain block shows one)."""
    view = window.view
    view.zoom_by(zoom / view.zoom())
    item = window.scene.nodes[node_id]
    view.centerOn(item)
    rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    w, h = rect.width(), rect.height()
    inner = QRectF(rect).adjusted(w / 4, h / 4, -w / 4, -h / 4).toRect()  # the card's middle
    image = view.viewport().grab(inner).toImage()
    return len({image.pixel(x, y) for x in range(image.width()) for y in range(image.height())})


def chain(n: int) -> Design:
    design = Design()
    design.add_node(Node("x", "Input", {"shape": [4]}, (0, 0)))
    previous = "x"
    for i in range(n):
        design.add_node(Node(f"d{i}", "Dense", {"units": 4}, (0, 140 * (i + 1))))
        design.connect(Edge(previous, f"d{i}"))
        previous = f"d{i}"
    return design


def test_a_small_design_keeps_its_text_at_a_quarter_zoom(window):
    window.files.open_path(TEMPLATES / "mlp_classifier.json", ask=False)
    node = next(iter(window.doc.design.nodes))
    assert card_colours(window, node, 0.25) > 3


def test_a_big_design_draws_plain_blocks_at_a_quarter_zoom(window, qtbot):
    window.doc.replace(chain(150), None)
    qtbot.waitUntil(lambda: not window.scene.building)  # a big design's cards are built over a few turns
    assert card_colours(window, "d75", 0.25) == 1
    assert card_colours(window, "d75", 0.5) > 3  # closer in, the text comes back
