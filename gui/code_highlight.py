"""Python syntax colours for the Code tab, from Pygments' lexer.

The whole script is lexed once per change, before it is shown (it is
regenerated, never typed into), so multi-line strings colour correctly; each
block then looks up the spans that fall on it.
"""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

# Token kinds (Pygments' top-level names) and their colours: light theme, dark theme.
COLOURS = {
    "Keyword": ("#7A3E9D", "#C792EA"),
    "Name.Builtin": ("#1F6FB2", "#82AAFF"),
    "Name.Function": ("#1F6FB2", "#82AAFF"),
    "Name.Class": ("#1F6FB2", "#82AAFF"),
    "Name.Decorator": ("#B05A00", "#F78C6C"),
    "Literal.String": ("#2E7D32", "#C3E88D"),
    "Literal.Number": ("#B05A00", "#F78C6C"),
    "Comment": ("#6A737D", "#8A9099"),
    "Operator.Word": ("#7A3E9D", "#C792EA"),
}


def _kind(token) -> str | None:
    """The most specific entry of COLOURS that ``token`` belongs to."""
    while token is not None and len(token):
        name = ".".join(token)
        if name in COLOURS:
            return name
        token = token.parent
    return None


def spans_of(source: str) -> list[tuple[int, int, str]]:
    """(offset, length, kind) of each coloured token of ``source``: plain Python, so a worker
    thread can lex a long script while the window goes on."""
    from pygments import lex
    from pygments.lexers.python import PythonLexer

    spans, offset = [], 0
    for token, text in lex(source, PythonLexer(stripnl=False, ensurenl=False)):
        kind = _kind(token)
        if kind is not None and text:
            spans.append((offset, len(text), kind))
        offset += len(text)
    return spans


class PythonHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, dark: bool = False) -> None:
        super().__init__(document)
        self.dark = dark
        self.starts: list[int] = []
        self.spans: list[tuple[int, int, str]] = []
        self.formats: dict[str, QTextCharFormat] = {}
        self._make_formats()
        self.prepare(document.toPlainText())

    def set_dark(self, dark: bool) -> None:
        if dark != self.dark:
            self.dark = dark
            self._make_formats()
            self.rehighlight()

    def _make_formats(self) -> None:
        self.formats = {}
        for kind, colours in COLOURS.items():
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colours[1] if self.dark else colours[0]))
            if kind == "Keyword":
                fmt.setFontWeight(QFont.Weight.Bold)
            self.formats[kind] = fmt

    def prepare(self, source: str) -> None:
        """Lex the text about to be shown; call before putting it in the document, so the
        blocks are coloured from it as they arrive."""
        self.use_spans(spans_of(source))

    def use_spans(self, spans: list[tuple[int, int, str]]) -> None:
        """Colour the next text put in the document with ``spans`` (from :func:`spans_of`)."""
        self.spans = spans
        self.starts = [s[0] for s in spans]

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        block = self.currentBlock()
        start, end = block.position(), block.position() + len(text)
        i = max(0, bisect_right(self.starts, start) - 1)
        while i < len(self.spans) and self.spans[i][0] < end:
            s, n, kind = self.spans[i]
            lo, hi = max(s, start), min(s + n, end)
            if lo < hi:
                self.setFormat(lo - start, hi - lo, self.formats[kind])
            i += 1
