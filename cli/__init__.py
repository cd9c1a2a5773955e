"""The command line (``python main.py check|export|train …``): the engine without a window."""
