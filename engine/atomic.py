"""Safe file access: atomic writes, and reads that open only regular files.

A write goes to a temporary file in the target's folder, is flushed to disk and
then renamed over the target, so ``kill -9`` at any moment leaves either the old
file or the complete new one.  A killed write leaves its temporary file behind;
the next write to the same target removes it (temporary names carry the writing
process's id, so a live writer's file is never touched).
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

TEMP_MARK = ".tmp-"


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # on Windows os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or no way to tell: leave its file alone
    return True


def clean_stale_temps(target: str | os.PathLike[str]) -> list[Path]:
    """Remove temporary files that killed writes to ``target`` left behind; returns what was removed."""
    target = Path(target)
    removed = []
    for tmp in target.parent.glob(f".{glob.escape(target.name)}.*{TEMP_MARK}*"):
        pid_text = tmp.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            with contextlib.suppress(OSError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write the new file to; it replaces ``path`` when the block succeeds.

    The temporary name ends with the target's own name, so writers that choose
    the format by suffix (``.keras``, ``.weights.h5``, ``.png``) see the right one:
    ``.model.keras.<pid>.<random>.tmp-model.keras``.  A missing folder raises
    FileNotFoundError before anything is written.
    """
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()  # write the file the link points to; keep the link
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, "the folder does not exist", str(folder))
    if target.exists() and not target.is_file():  # never replace a folder, device or pipe
        raise OSError(errno.EINVAL, "it is not a regular file (a folder, device or pipe)", str(target))
    clean_stale_temps(target)
    tmp = folder / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_MARK}{target.name}"
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if target.exists():  # a replaced file keeps its mode; a new one follows the umask (open's default)
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_folder(folder)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp, open(tmp, "xb") as f:
        f.write(data)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically (see :func:`atomic_path`)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def _size(n: int) -> str:
    return f"{n} bytes" if n < 2**20 else f"{n / 2**20:.1f} MB"


def read_regular_file(path: str | os.PathLike[str], limit: int, what: str = "files") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; OSError or ValueError otherwise.

    Opened non-blocking and checked on the descriptor: a named pipe would block
    forever and a device like /dev/zero never ends.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a pipe, device or socket"
            raise ValueError(f"it is {kind}, not a regular file")
        if info.st_size > limit:
            raise ValueError(f"the file is {_size(info.st_size)}; {what} are at most {_size(limit)}")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"the file grew past {_size(limit)}; {what} are at most {_size(limit)}")
    return data
