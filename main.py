"""Netwright: ``python main.py [DESIGN.json]`` opens the window; ``check``/``export`` run headless.

Installed (``pip install .``), the same entry point is the ``netwright`` command.
"""

import sys


def main(argv: list[str]) -> int:
    from cli import COMMANDS  # the names only: the command line's modules load for a command, not the window

    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help")):
        from cli.commands import run
        from cli.last_resort import guarded

        return guarded(lambda: run(argv), argv)
    from gui.app import run_gui

    return run_gui(argv)


def entry() -> None:
    """The installed ``netwright`` command (pyproject.toml's [project.scripts])."""
    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    entry()
