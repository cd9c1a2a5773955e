"""Atomic file writes: a crash or a full disk never leaves a half-written file."""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from pathlib import Path

_umask_lock = threading.Lock()


def _new_file_mode(target: Path) -> int:
    """The mode a plainly created file would get: the target's own when it exists, else 0666
    less the user's umask (mkstemp's 0600 would hide saved designs from the user's group)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        with _umask_lock:  # os.umask can only be read by setting it
            mask = os.umask(0o022)
            os.umask(mask)
        return 0o666 & ~mask


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write to a temporary file beside the target, flush it to disk, then rename it over."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, _new_file_mode(target))
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
