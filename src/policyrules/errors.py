"""Errors that carry their location: file, key path, line, what was expected and what was found."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .textsafe import printable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located well enough to fix it without a debugger."""

    path: str
    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        field = f"{self.path}: " if self.path else ""
        return printable(f"{where}{field}{self.message}")  # a found value may be anything: show, never act

    def to_json(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message}


class PolicyRulesError(Exception):
    """Base of every error the library raises for bad input; the CLI turns these into exit code 2."""

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        self.problems: tuple[Problem, ...] = (
            (Problem(path="", message=problems),) if isinstance(problems, str) else tuple(problems)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


class FactsError(PolicyRulesError):
    """A facts document does not follow the contract (sections 1 and 2)."""


class PackError(PolicyRulesError):
    """A policy pack is malformed or inconsistent with its sources."""


class EvaluationError(PolicyRulesError):
    """The question cannot be answered as asked, e.g. an evaluation date outside the pack's force window."""


class EngineUnavailable(PolicyRulesError):
    """The requested engine cannot run on this interpreter."""


def did_you_mean(found: str, known: Iterable[str]) -> str:
    """A ' (did you mean …?)' suffix naming the nearest known name, or '' when nothing is close."""
    close = difflib.get_close_matches(found, list(known), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""


def format_path(loc: Iterable[object]) -> str:
    """('enterprise', 'violations', 0, 'kind') -> 'enterprise.violations[0].kind'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
