"""The `policyrules` command: the only code that parses arguments, prints to the terminal or chooses an exit code."""

from .main import main

__all__ = [
    "main",
]
