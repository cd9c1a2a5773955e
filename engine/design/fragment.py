"""Copy and paste: a clipboard fragment is a sub-design in the design file's own format.

Copying writes the selected layers, and the connections between them, as a
design file (so the text survives a trip through an editor and any design
file's text can be pasted).  Pasting reads it back through
:func:`engine.design.file_format.loads`, the same defensive loader that opens
files, so a malformed or hostile clipboard is refused with the loader's
reasons instead of corrupting the open design.  ``rekey`` then gives the
pasted layers fresh ids so they never collide with the design's.
"""

from __future__ import annotations

import copy

from engine.design import file_format
from engine.design.file_format import DesignFileError
from engine.design.graph import Design, Edge, Node

SOURCE = "the clipboard"
MAX_CLIPBOARD_CHARS = 10 * 1024 * 1024


def fragment_of(design: Design, ids: list[str] | set[str]) -> Design:
    """The chosen layers and the connections among them, as a design of their own."""
    chosen = set(ids)
    return Design(
        name="clipboard",
        nodes={nid: copy.deepcopy(n) for nid, n in design.nodes.items() if nid in chosen},
        edges=[e for e in design.edges if e.src in chosen and e.dst in chosen],
    )


def to_text(design: Design, ids: list[str] | set[str]) -> str:
    """The clipboard text for the chosen layers (empty when none is chosen)."""
    if not ids:
        return ""
    return file_format.dumps(fragment_of(design, ids))


def from_text(text: str) -> Design:
    """Read clipboard text as layers; raise DesignFileError saying why it is not Netwright layers."""
    if len(text) > MAX_CLIPBOARD_CHARS:
        raise DesignFileError(SOURCE, ["the clipboard holds more than 10 MB of text, more than any design"])
    if not text.lstrip().startswith("{") or f'"{file_format.FORMAT}"' not in text:
        raise DesignFileError(
            SOURCE, ["the clipboard does not hold Netwright layers (copy layers on the canvas first)"]
        )
    fragment = file_format.loads(text, SOURCE)
    if not fragment.nodes:
        raise DesignFileError(SOURCE, ["the clipboard holds no layers"])
    return fragment


def rekey(design: Design, fragment: Design, offset: tuple[float, float]) -> tuple[list[Node], list[Edge]]:
    """The fragment's layers with ids that are free in ``design``, shifted by ``offset``,
    and the connections among them.  Ids keep their stem: ``dense_3`` pastes as ``dense_4``."""
    renames: dict[str, str] = {}
    for n in fragment.nodes.values():
        stem = n.id.rstrip("0123456789").rstrip("_") or n.type
        renames[n.id] = design.unique_id(stem, set(renames.values()))
    nodes = [
        Node(
            renames[n.id],
            n.type,
            copy.deepcopy(n.params),
            (n.pos[0] + offset[0], n.pos[1] + offset[1]),
            renames.get(n.shares, n.shares) if n.shares else None,  # shares within the paste follow it
        )
        for n in fragment.nodes.values()
    ]
    edges = [
        Edge(renames[e.src], renames[e.dst], e.port, e.out)
        for e in fragment.edges
        if e.src in renames and e.dst in renames
    ]
    return nodes, edges
