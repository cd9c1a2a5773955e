"""Colours, themes and the per-category icons, in one place."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QComboBox, QFormLayout, QWidget

from engine.schema.catalog import CATEGORY_COLORS

ERROR_COLOR = QColor("#D32F2F")
WARNING_COLOR = QColor("#F0A202")

THEMES = ("light", "dark")

# Text that says how things stand, readable on each theme's background (the light theme's
# dark green and navy are nearly invisible on the dark theme's near-black).
STATUS_COLORS = {
    "light": {"ok": "#2E7D32", "warning": "#B26A00", "error": "#D32F2F", "lesson": "#2F6FD6"},
    "dark": {"ok": "#7BC67E", "warning": "#F0B050", "error": "#FF7B72", "lesson": "#7FAEF5"},
}


def category_color(category: str) -> QColor:
    return QColor(CATEGORY_COLORS.get(category, "#777777"))


@cache
def category_icon(category: str) -> QIcon:
    """A rounded square in the category's colour with its initial: readable at 16 px."""
    pix = QPixmap(32, 32)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(category_color(category))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(2, 2, 28, 28), 7, 7)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(17)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(2, 2, 28, 28), Qt.AlignmentFlag.AlignCenter, category[0])
    p.end()
    return QIcon(pix)


def glyph_icon(glyph: str, color: QColor) -> QIcon:
    """A toolbar icon drawn from one character in the theme's text colour, so it reads on a
    light and on a dark toolbar alike (Qt's stock icons are black)."""
    pix = QPixmap(32, 32)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(24)
    p.setFont(font)
    p.setPen(color)
    p.drawText(QRectF(0, 0, 32, 32), Qt.AlignmentFlag.AlignCenter, glyph)
    p.end()
    return QIcon(pix)


def apply_theme(app: QApplication, theme: str) -> None:
    app.setStyle("Fusion")
    pal = QPalette()
    if theme == "dark":
        colors = {
            QPalette.ColorRole.Window: "#2B2D31",
            QPalette.ColorRole.WindowText: "#E6E6E6",
            QPalette.ColorRole.Base: "#1F2023",
            QPalette.ColorRole.AlternateBase: "#2B2D31",
            QPalette.ColorRole.Text: "#E6E6E6",
            QPalette.ColorRole.Button: "#34363B",
            QPalette.ColorRole.ButtonText: "#E6E6E6",
            QPalette.ColorRole.Highlight: "#3D7BD9",
            QPalette.ColorRole.HighlightedText: "#FFFFFF",
            QPalette.ColorRole.ToolTipBase: "#1F2023",
            QPalette.ColorRole.ToolTipText: "#E6E6E6",
            QPalette.ColorRole.PlaceholderText: "#8A8D93",
            QPalette.ColorRole.Mid: "#44474D",
        }
    else:
        colors = {
            QPalette.ColorRole.Window: "#F3F4F6",
            QPalette.ColorRole.WindowText: "#1F2328",
            QPalette.ColorRole.Base: "#FFFFFF",
            QPalette.ColorRole.AlternateBase: "#F6F8FA",
            QPalette.ColorRole.Text: "#1F2328",
            QPalette.ColorRole.Button: "#FFFFFF",
            QPalette.ColorRole.ButtonText: "#1F2328",
            QPalette.ColorRole.Highlight: "#2F6FD6",
            QPalette.ColorRole.HighlightedText: "#FFFFFF",
            QPalette.ColorRole.ToolTipBase: "#FFFFFF",
            QPalette.ColorRole.ToolTipText: "#1F2328",
            QPalette.ColorRole.PlaceholderText: "#8A8F98",
            QPalette.ColorRole.Mid: "#D0D4DA",
        }
    for role, value in colors.items():
        pal.setColor(role, QColor(value))
    # Disabled widgets must look disabled: muted text in every theme.
    muted = QColor("#6B6F76" if theme == "dark" else "#A0A4AA")
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, muted)
    app.setPalette(pal)
    app.setProperty("netwright_theme", theme)


FIELD_CHARS = 8  # a choice field's narrowest: about this many characters, then its text elides


def narrow_fields(root: QWidget) -> None:
    """Let the choice fields under ``root`` (a side panel's forms) shrink to the panel's width:
    a combo box's minimum is otherwise its longest choice ("sparse_categorical_crossentropy"),
    which gave the Model tab a horizontal scroll bar at 1280 px and cut the labels beside it."""
    for form in root.findChildren(QFormLayout):  # too narrow for label and field: the field goes below
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    for combo in root.findChildren(QComboBox):
        if combo.sizeAdjustPolicy() != QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon:
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(FIELD_CHARS)
            # Qt keeps the minimum it computed under the old policy until the style changes
            QApplication.sendEvent(combo, QEvent(QEvent.Type.StyleChange))
            combo.updateGeometry()


def current_theme() -> str:
    app = QApplication.instance()
    return (app.property("netwright_theme") if app else None) or "light"


def status_color(kind: str) -> str:
    """The colour of 'ok', 'warning', 'error' or 'lesson' text in the current theme."""
    return STATUS_COLORS[current_theme()][kind]


def canvas_colors() -> dict[str, QColor]:
    """The canvas's colours in the current theme: shared, do not change them (copy a QColor
    first).  Made once per theme: every card and edge asks on every paint, and building
    nine QColors each time was a quarter of a frame of a fitted 800-layer model."""
    return _canvas_colors(current_theme() == "dark")


@cache
def _canvas_colors(dark: bool) -> dict[str, QColor]:
    return {
        "background": QColor("#1B1C1F" if dark else "#FAFBFC"),
        "grid": QColor("#26282C" if dark else "#EEF0F3"),
        "card": QColor("#2E3035" if dark else "#FFFFFF"),
        "text": QColor("#E6E6E6" if dark else "#1F2328"),
        "muted": QColor("#9AA0A6" if dark else "#5F6670"),
        "edge": QColor("#8A9099" if dark else "#8C959F"),
        "selected": QColor("#3D7BD9"),
        "error_bg": QColor("#4A2426" if dark else "#FDECEC"),
        "warning_bg": QColor("#4A3D1E" if dark else "#FFF6E0"),
    }
