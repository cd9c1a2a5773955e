"""The command line (``python main.py check|export|train …``): the engine without a window."""

# The subcommands' names, apart from their parser: main.py tells a command from a design file to
# open with these, without importing the command line's modules (NumPy, codegen) before the window.
COMMANDS = ("check", "export", "train", "import", "render", "sweep", "explain-step")
