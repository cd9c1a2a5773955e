"""``--trust-code``: the command line runs a design's own code only when told to.

``import``, ``export`` and ``render`` never run a design's code and need no
flag (export writes the code as text).  ``check``, ``train``, ``sweep`` and
``explain-step`` compute with Keras, which would run it: without
``--trust-code`` they name the nodes that hold code and exit 1; with it, the
code is trusted for this process only (nothing is written to the user's trust
store, see :mod:`engine.trust`).
"""

from __future__ import annotations

import argparse
from typing import TextIO

from engine.design.file_format import DesignFileError, load
from engine.schema.custom import class_of, code_nodes
from engine.trust import holds_code, trust

COMMANDS = ("check", "train", "sweep", "explain-step")
HELP = "run the Python code the design holds (custom layers, Lambdas); without it, such a design is refused"


def add_flag(sub: argparse._SubParsersAction) -> None:
    """``--trust-code`` on every subcommand that would run a design's code."""
    for name in COMMANDS:
        if name in sub.choices:
            sub.choices[name].add_argument("--trust-code", action="store_true", help=HELP)


def gate(args: argparse.Namespace, err: TextIO) -> int | None:
    """1 when a design holds code the user did not trust on this command line, else None (go on).

    With ``--trust-code`` each design's code is trusted for this process.  A file that cannot
    be read is left to the command, which says why in its own words.
    """
    if args.command not in COMMANDS:
        return None
    refused = False
    for path in getattr(args, "files", None) or [args.file]:
        try:
            design = load(path)
        except (DesignFileError, OSError, ValueError):
            continue
        if not holds_code(design):
            continue
        if args.trust_code:
            trust(design, remember=False)
            continue
        refused = True
        nodes = ", ".join(f"'{n}' ({class_of(design.nodes[n].params)})" for n in code_nodes(design.nodes))
        err.write(
            f"{path}: the design holds Python code in {nodes}; {args.command} would run it.\n"
            f"  Read the code (python main.py export {path}), then add --trust-code to run it.\n"
        )
    return 1 if refused else None
