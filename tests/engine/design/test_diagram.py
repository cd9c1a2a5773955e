"""The design's diagram as SVG and PNG, without Qt, and the render command."""

import io
import xml.etree.ElementTree as ET

from PIL import Image

from cli.commands import run
from engine.design.diagram import HEIGHT, WIDTH, layout, render, to_svg
from engine.design.file_format import load
from tests.engine.keras.test_build_and_export import TEMPLATES

TEMPLATE = {p.stem: p for p in TEMPLATES}
SVG = "{http://www.w3.org/2000/svg}"


def test_svg_has_a_card_per_layer_and_an_arrow_per_connection():
    design = load(TEMPLATE["residual_block"])
    root = ET.fromstring(to_svg(design))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert all(nid in texts for nid in design.nodes)
    assert "(None, 8, 8, 16)" in texts and "2,320 params · 296 kFLOPs" in texts
    assert len(list(root.iter(f"{SVG}line"))) == len(design.edges)


def test_arrows_end_on_the_input_ports_of_the_card_they_feed():
    design = load(TEMPLATE["residual_block"])
    cards, arrows, width, height = layout(design)
    tops = {(round(c.x + WIDTH * k / 3), round(c.y)) for c in cards for k in (1, 2)}
    tops |= {(round(c.x + WIDTH / 2), round(c.y)) for c in cards}
    assert all((round(a.points[1][0]), round(a.points[1][1])) in tops for a in arrows)
    assert all(c.x >= 0 and c.x + WIDTH <= width and c.y + HEIGHT <= height for c in cards)


def test_names_are_text_never_markup(tmp_path):
    design = load(TEMPLATE["seed_example"])
    design.rename_node("h", "<script>x</script>")
    assert "<script>" not in to_svg(design) and "&lt;script&gt;" in to_svg(design)


def test_png_is_drawn_without_qt(tmp_path):
    path = render(load(TEMPLATE["small_cnn"]), tmp_path / "net.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > WIDTH and image.height > 6 * HEIGHT


def test_render_command(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert run(["render", str(TEMPLATE["small_cnn"]), "-o", str(tmp_path / "n.svg")], out, err) == 0
    assert ET.parse(tmp_path / "n.svg").getroot().tag == f"{SVG}svg"
    assert run(["render", str(TEMPLATE["small_cnn"]), "-o", str(tmp_path / "n.gif")], out, err) == 1
    assert "written as .svg or .png, not .gif" in err.getvalue()
    broken = tmp_path / "b.json"
    broken.write_text("{")
    assert run(["render", str(broken), "-o", str(tmp_path / "b.svg")], out, err) == 2
