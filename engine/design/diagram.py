"""The design as a picture: SVG (text, pure Python) or PNG (Pillow), without Qt.

One layout feeds both: a card per layer at its canvas position (or the
automatic layout when the design has none), showing its type, name, output
shape, parameters and FLOPs, and an arrow per connection into the input port
it feeds.  Used by ``python main.py render DESIGN.json -o net.svg|net.png`` and
by the window's File > Export Diagram.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from engine.design.cost import human_count, node_cost
from engine.design.graph import Design
from engine.design.layout import layered_positions
from engine.design.validation import validate
from engine.schema.catalog import CATEGORY_COLORS, LAYERS
from engine.schema.generic import shown_type
from engine.schema.layer_rules import fmt_shape

WIDTH, HEIGHT, HEADER, MARGIN = 200, 86, 24, 40
ERROR, TEXT, MUTED, EDGE, CARD, BACKGROUND = "#D32F2F", "#1F2328", "#5F6670", "#8C959F", "#FFFFFF", "#FAFBFC"
FORMATS = (".svg", ".png")


@dataclass(frozen=True)
class Card:
    x: float
    y: float
    type: str
    name: str
    lines: tuple[str, ...]
    color: str
    error: bool


@dataclass(frozen=True)
class Arrow:
    points: tuple[tuple[float, float], tuple[float, float]]


def layout(design: Design) -> tuple[list[Card], list[Arrow], float, float]:
    """Cards and arrows in picture coordinates, and the picture's width and height."""
    report = validate(design)
    placed = {nid: node.pos for nid, node in design.nodes.items()}
    if len(set(placed.values())) < len(placed):  # positions missing or stacked: lay out afresh
        placed = layered_positions(design)
    xs = [p[0] for p in placed.values()] or [0.0]
    ys = [p[1] for p in placed.values()] or [0.0]
    left, top = min(xs) - MARGIN, min(ys) - MARGIN
    incoming = design.incoming()
    cards = []
    for nid, node in design.nodes.items():
        info = report.nodes.get(nid)
        x, y = placed[nid][0] - left, placed[nid][1] - top
        lines = []
        if info is not None and info.output_shape is not None:
            lines.append(fmt_shape(info.output_shape))
            cost = node_cost(design, report, nid, incoming)
            flops = f" · {human_count(cost.flops, 'FLOPs')}" if cost and cost.flops else ""
            lines.append(f"{info.params:,} params{flops}")
        spec = LAYERS.get(node.type)
        color = CATEGORY_COLORS.get(spec.category if spec else "", "#777777")
        kind = shown_type(node.type, node.params)
        cards.append(Card(x, y, kind, nid, tuple(lines), color, bool(info and info.errors)))
    arrows = []
    for nid, edges in incoming.items():
        for i, edge in enumerate(edges):
            if edge.src not in placed:
                continue
            sx, sy = placed[edge.src][0] - left + WIDTH / 2, placed[edge.src][1] - top + HEIGHT
            dx = placed[nid][0] - left + WIDTH * (i + 1) / (len(edges) + 1)
            arrows.append(Arrow(((sx, sy), (dx, placed[nid][1] - top))))
    return cards, arrows, max(xs) - left + WIDTH + MARGIN, max(ys) - top + HEIGHT + MARGIN


def to_svg(design: Design) -> str:
    cards, arrows, width, height = layout(design)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, sans-serif">',
        f"<title>{escape(design.name)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE}"/></marker></defs>',
        f'<rect width="100%" height="100%" fill="{BACKGROUND}"/>',
    ]
    for a in arrows:
        (x1, y1), (x2, y2) = a.points
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{EDGE}" '
            'stroke-width="2" marker-end="url(#arrow)"/>'
        )
    for c in cards:
        border = ERROR if c.error else c.color
        out.append(f'<g transform="translate({c.x:.1f},{c.y:.1f})">')
        out.append(
            f'<rect width="{WIDTH}" height="{HEIGHT}" rx="8" fill="{CARD}" stroke="{border}"'
            ' stroke-width="2"/>'
        )
        out.append(
            f'<path d="M8,0 H{WIDTH - 8} A8,8 0 0 1 {WIDTH},8 V{HEADER} H0 V8 A8,8 0 0 1 8,0 z"'
            f' fill="{c.color}"/>'
        )
        out.append(
            f'<text x="8" y="17" font-size="13" font-weight="bold" fill="#FFFFFF">{escape(c.type)}</text>'
        )
        out.append(
            f'<text x="{WIDTH - 8}" y="17" font-size="12" fill="#FFFFFF" text-anchor="end">'
            f"{escape(c.name)}</text>"
        )
        for i, line in enumerate(c.lines):
            colour = TEXT if i == 0 else MUTED
            out.append(
                f'<text x="8" y="{HEADER + 24 + 20 * i}" font-size="12" fill="{colour}">{escape(line)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_png(design: Design, path: str | Path, scale: float = 2.0) -> None:
    """Draw the same layout with Pillow, at ``scale`` pixels per canvas unit."""
    from PIL import Image, ImageDraw, ImageFont

    cards, arrows, width, height = layout(design)
    image = Image.new("RGB", (round(width * scale), round(height * scale)), BACKGROUND)
    draw = ImageDraw.Draw(image)

    def font(size: float, bold: bool = False):
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        try:
            return ImageFont.truetype(name, round(size * scale))
        except OSError:  # no DejaVu installed: Pillow's own scalable font
            return ImageFont.load_default(size=round(size * scale))

    def s(*values: float) -> list[float]:
        return [v * scale for v in values]

    for a in arrows:
        (x1, y1), (x2, y2) = a.points
        draw.line(s(x1, y1, x2, y2 - 6), fill=EDGE, width=round(2 * scale))
        draw.polygon([tuple(s(x2, y2)), tuple(s(x2 - 5, y2 - 8)), tuple(s(x2 + 5, y2 - 8))], fill=EDGE)
    title, small = font(13, bold=True), font(12)
    for c in cards:
        box = s(c.x, c.y, c.x + WIDTH, c.y + HEIGHT)
        draw.rounded_rectangle(
            box, radius=8 * scale, fill=CARD, outline=ERROR if c.error else c.color, width=round(2 * scale)
        )
        draw.rounded_rectangle(
            s(c.x, c.y, c.x + WIDTH, c.y + HEADER),
            radius=8 * scale,
            fill=c.color,
            corners=(True, True, False, False),
        )
        draw.text(tuple(s(c.x + 8, c.y + 5)), c.type, font=title, fill="#FFFFFF")
        draw.text(tuple(s(c.x + WIDTH - 8, c.y + 5)), c.name, font=small, fill="#FFFFFF", anchor="ra")
        for i, line in enumerate(c.lines):
            draw.text(
                tuple(s(c.x + 8, c.y + HEADER + 12 + 20 * i)),
                line,
                font=small,
                fill=TEXT if i == 0 else MUTED,
            )
    image.save(path, format="PNG")


def render(design: Design, path: str | Path) -> Path:
    """Write the diagram as SVG or PNG, as the path's suffix says."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        path.write_text(to_svg(design), encoding="utf-8")
    elif path.suffix.lower() == ".png":
        to_png(design, path)
    else:
        raise ValueError(
            f"{path.name}: the diagram is written as .svg or .png, not {path.suffix or 'no suffix'}"
        )
    return path
