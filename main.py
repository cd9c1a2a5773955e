"""Netwright: ``python main.py [DESIGN.json]`` opens the window; ``check``/``export`` run headless."""

import sys


def main(argv: list[str]) -> int:
    from cli.commands import COMMANDS, run
    from cli.last_resort import guarded

    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help")):
        return guarded(lambda: run(argv), argv)
    from gui.app import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
