"""What every command module shares: exit codes, the argument types, JSON printing and the usage error."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from datetime import date
from typing import IO, Any, NoReturn

from ..errors import PolicyRulesError, Problem
from ..facts import ValueProblem, parse_date
from ..textsafe import printable
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
    """The `--as-of` argument type: a date in the forms a fact's date takes (facts.values, as at every door)."""
    try:
        return parse_date(text)
    except ValueProblem as exc:
        raise argparse.ArgumentTypeError(f"{exc}, found '{text[:40]}'") from None


def print_json(data: Any) -> None:
    """JSON on standard output; where the stream cannot encode the text (an ASCII terminal), as \\u escapes,
    which every JSON reader decodes back; control characters as JSON escapes too (textsafe)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if not can_encode(sys.stdout, text):
        text = json.dumps(data, ensure_ascii=True, indent=2)
    print(printable(text))  # the same JSON, nothing a terminal acts on


def note(message: str) -> None:
    print(f"policyrules: note: {message}", file=sys.stderr)


def warn(message: str) -> None:
    print(f"policyrules: warning: {message}", file=sys.stderr)


class SafeStream:
    """A text stream that writes everything through textsafe.printable: whatever a command prints (a name from a
    register, a record, an error echoing its input) cannot move the cursor, retitle or clear the terminal. The
    rest (buffer, encoding, isatty…) is the wrapped stream's; `raw` is the stream itself, for the progress bar's
    own escape sequences."""

    def __init__(self, raw: IO[str]) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        return self.raw.write(printable(text))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


@contextlib.contextmanager
def safe_streams() -> Iterator[None]:
    """Standard output and error as SafeStreams while a command runs."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(out), SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def raw_stream(stream: Any) -> Any:
    """The stream under a SafeStream (for output that is the library's own escape sequences, never input text)."""
    return stream.raw if isinstance(stream, SafeStream) else stream
