"""What every command module shares: exit codes, the argument types, JSON printing and the usage error."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn

from ..errors import PolicyRulesError, Problem
from .terminal import can_encode

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
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found '{text[:40]}'")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:  # 2021-02-30, 2021-13-01, 0000-01-01
        raise argparse.ArgumentTypeError(
            f"expected a date YYYY-MM-DD: '{text}' is not a calendar date ({exc})"
        ) from None


def print_json(data: Any) -> None:
    """JSON on standard output; where the stream cannot encode the text (an ASCII terminal), as \\u escapes,
    which every JSON reader decodes back."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if not can_encode(sys.stdout, text):
        text = json.dumps(data, ensure_ascii=True, indent=2)
    print(text)


def note(message: str) -> None:
    print(f"policyrules: note: {message}", file=sys.stderr)


def warn(message: str) -> None:
    print(f"policyrules: warning: {message}", file=sys.stderr)
