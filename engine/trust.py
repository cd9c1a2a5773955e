"""Which designs' code the user trusts: a mark per content hash of the code, kept in their settings.

Nothing read from a file is executed unless its user trusts it.  A design that
holds code (custom layers, Lambdas: :mod:`engine.schema.custom`) is trusted as
editors trust a workspace or Jupyter a notebook: the user says so once, and a
"trusted" mark is kept for the hash of *the code only* (each custom node's
class name and source, in a canonical order), so moving a card or renaming a
node does not ask again while changing one character of code does.

The marks live in ``$XDG_CONFIG_HOME/netwright/trusted.json`` (``~/.config`` by
default; ``%APPDATA%`` on Windows), written atomically.  A trust given for this
process only (the command line's ``--trust-code``) is kept in memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from engine.atomic import read_regular_file, write_text_atomic
from engine.schema.custom import class_of, code_nodes, source_of

FILE_NAME = "trusted.json"
MAX_BYTES = 4 * 1024 * 1024
_SESSION: set[str] = set()
_LOCK = threading.Lock()


def settings_folder() -> Path:
    """The user's Netwright settings folder (not created here)."""
    base = (
        os.environ.get("XDG_CONFIG_HOME")
        or (os.environ.get("APPDATA") if os.name == "nt" else None)
        or os.path.join(os.path.expanduser("~"), ".config")
    )
    return Path(base) / "netwright"


def store_path() -> Path:
    return settings_folder() / FILE_NAME


def holds_code(design: Any) -> bool:
    return bool(code_nodes(design.nodes))


def code_hash(design: Any) -> str:
    """The hash of the design's code alone: each custom node's class and source, sorted."""
    params = [design.nodes[nid].params for nid in code_nodes(design.nodes)]
    parts = sorted({(class_of(p), source_of(p)) for p in params})
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def is_trusted(design: Any) -> bool:
    """True when the design holds no code, or its code is trusted (this process, or the store)."""
    if not holds_code(design):
        return True
    digest = code_hash(design)
    with _LOCK:
        if digest in _SESSION:
            return True
    return digest in _read().get("trusted", {})


def trust(design: Any, remember: bool = True) -> None:
    """Trust the design's code now; ``remember`` keeps the mark in the user's settings."""
    digest = code_hash(design)
    with _LOCK:
        _SESSION.add(digest)
        if not remember:
            return
        data = _read()
        marks = data.setdefault("trusted", {})
        classes = sorted({class_of(design.nodes[n].params) for n in code_nodes(design.nodes)})
        marks[digest] = {"classes": classes, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        path = store_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps({**data, "version": 1}, indent=1))


def forget(design: Any) -> None:
    """Withdraw trust from the design's code (this process and the store)."""
    digest = code_hash(design)
    with _LOCK:
        _SESSION.discard(digest)
        data = _read()
        if data.get("trusted", {}).pop(digest, None) is not None:
            write_text_atomic(store_path(), json.dumps(data, indent=1))


def _read() -> dict[str, Any]:
    """The store, or an empty one when it is missing or unreadable (then nothing is trusted)."""
    try:
        raw = json.loads(read_regular_file(store_path(), MAX_BYTES, "trust stores").decode("utf-8"))
    except (OSError, ValueError):
        return {"version": 1, "trusted": {}}
    if not isinstance(raw, dict) or not isinstance(raw.get("trusted"), dict):
        return {"version": 1, "trusted": {}}
    return raw
