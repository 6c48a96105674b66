"""`python -m policyrules`: the same as the `policyrules` console script (the command lives in cli/)."""

from .cli import __main__  # noqa: F401  importing it runs the command and exits
