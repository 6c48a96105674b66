"""What every command module shares: exit codes, the argument types, JSON printing and the usage error."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from ..errors import PolicyRulesError, Problem

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

Handler = Callable[[argparse.Namespace], int]


class UsageError(PolicyRulesError):
    """A bad command-line argument."""


class Parser(argparse.ArgumentParser):
    """argparse that raises the library's error (exit 2, located message) instead of exiting by itself."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError([Problem("", message)])


def as_of(text: str) -> date:
    """The `--as-of` argument type: a date YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found '{text}'") from None


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def note(message: str) -> None:
    print(f"policyrules: note: {message}", file=sys.stderr)


def warn(message: str) -> None:
    print(f"policyrules: warning: {message}", file=sys.stderr)


def write_text_file(path: Path, text: str) -> None:
    """Write a report the user named: to a temporary file beside it, then renamed over it, so that a failed
    write never leaves half a file (or destroys the previous one)."""
    directory = path.parent if str(path.parent) else Path(".")
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a report is an ordinary file
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        raise PolicyRulesError([Problem("", f"cannot write: {exc.strerror}", str(path))]) from None
