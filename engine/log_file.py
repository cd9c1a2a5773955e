"""Netwright's one log file, for the window and the command line alike.

A failure shown to a person as one sentence keeps its traceback here, so a bug
report can carry it.  Both faces write through stdlib ``logging`` to one
rotating file, ``$XDG_STATE_HOME/netwright/netwright.log``
(``~/.local/state/netwright``), so there is one place to look.  The handler is
made per call: the folder follows ``$XDG_STATE_HOME`` as it is at that moment
(the tests point it at a temporary folder), and no file stays open between
failures.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "netwright.log"
MAX_LOG_BYTES = 1024 * 1024  # then it rotates to netwright.log.1
BACKUPS = 1

logger = logging.getLogger("netwright")
logger.propagate = False  # a failure is said once, in a sentence; the terminal never gets the traceback


def log_dir() -> Path:
    """Where the log lives: $XDG_STATE_HOME/netwright, else ~/.local/state/netwright."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(Path.home(), ".local", "state")
    return Path(base) / "netwright"


def write_log(details: str) -> Path | None:
    """Append ``details`` with a time stamp; the log's path, or None if it cannot be written."""
    path = log_dir() / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=MAX_LOG_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("--- %(asctime)s\n%(message)s", "%Y-%m-%d %H:%M:%S"))
    failed: list[bool] = []
    handler.handleError = lambda record: failed.append(True)  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        logger.error(details)
    finally:
        logger.removeHandler(handler)
        handler.close()
    return None if failed else path
