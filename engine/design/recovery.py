"""The recovery file's format: the unsaved design, where it came from and when it was saved.

The window decides when to write and delete it; this module decides what it
holds and reads it defensively.  A recovery file is read after a crash, so it
may be truncated or half-written: every way it can be wrong is a
:class:`RecoveryError` with the reason, never an exception out of the window.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from engine.design import file_format
from engine.design.file_format import DesignFileError
from engine.design.graph import Design

FORMAT = "netwright-recovery"
VERSION = 1
SOURCE = "the recovery file"


class RecoveryError(ValueError):
    """The recovery file cannot be used; the message says why."""


@dataclass
class Recovered:
    design: Design
    path: Path | None  # the file the design was opened from, if any
    saved_at: float  # seconds since the epoch

    def saved_text(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))


def dumps(design: Design, path: Path | None, saved_at: float | None = None) -> str:
    return json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "path": str(path) if path else None,
            "saved_at": time.time() if saved_at is None else saved_at,
            "design": file_format.to_dict(design),
        }
    )


def loads(text: str) -> Recovered:
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise RecoveryError(f"{SOURCE} is not valid JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise RecoveryError(f"{SOURCE} must hold a JSON object")
    if payload.get("format", FORMAT) != FORMAT:
        raise RecoveryError(f"{SOURCE} is not a Netwright recovery file")
    path = payload.get("path")
    if path is not None and (not isinstance(path, str) or not path or "\0" in path):
        raise RecoveryError(f"{SOURCE}: 'path' must be a file path or null")
    saved_at = payload.get("saved_at", 0)
    if not isinstance(saved_at, (int, float)) or isinstance(saved_at, bool) or not math.isfinite(saved_at):
        raise RecoveryError(f"{SOURCE}: 'saved_at' must be a time in seconds")
    if not 0 <= saved_at < 32503680000:  # year 3000: time.localtime must be able to show it
        raise RecoveryError(f"{SOURCE}: 'saved_at' is not a plausible time")
    try:
        design = file_format.from_dict(payload.get("design"), SOURCE)
    except DesignFileError as exc:
        raise RecoveryError("; ".join(exc.problems)) from None
    return Recovered(design, Path(path) if path else None, float(saved_at))


def load(path: Path) -> Recovered:
    try:
        if path.stat().st_size > file_format.MAX_FILE_BYTES:
            raise RecoveryError(f"{SOURCE} is larger than any design (over 50 MB)")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecoveryError(f"{SOURCE} cannot be read ({exc})") from None
    return loads(text)
