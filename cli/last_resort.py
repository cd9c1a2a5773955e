"""The command line's last resort: one line and a log file, never a traceback.

Every command catches what it can foresee and says it in a sentence with an
exit code.  What nobody foresaw ends here: the details go to the one log file
(the window's too), and the terminal gets one line naming the error and that file.  A closed pipe
(``check … | head -1``) ends quietly, and Ctrl+C says "interrupted".
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from engine.log_file import write_log

UNEXPECTED = 3  # exit code: a failure nobody foresaw (see the log file)
BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that went away
INTERRUPTED = 130  # 128 + SIGINT


def log_failure(exc: BaseException, argv: list[str]) -> Path | None:
    """The command, the Python and the traceback, in the one log (engine/log_file.py)."""
    details = (
        f"netwright {' '.join(argv)}\nPython {sys.version.split()[0]} on {sys.platform}\n\n"
        + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    )
    return write_log(details)


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit's flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def guarded(command: Callable[[], int], argv: list[str], err: TextIO | None = None) -> int:
    """Run ``command`` and return its exit code; nothing it raises reaches the terminal as a traceback."""
    err = err or sys.stderr
    try:
        code = command()
        sys.stdout.flush()  # inside the guard: a closed pipe shows up here, not at exit
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        _say(err, "netwright: interrupted")
        return INTERRUPTED
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - the last resort: one line, details in the log
        log = log_failure(exc, argv)
        message = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        where = f" (details in {log})" if log else ""
        _say(
            err,
            f"netwright: unexpected error: {type(exc).__name__}{': ' + message if message else ''}{where}",
        )
        return UNEXPECTED


def _say(err: TextIO, line: str) -> None:
    try:
        err.write(line + "\n")
        err.flush()
    except (OSError, ValueError):
        pass
