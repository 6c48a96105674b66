"""A facts file as read from disk (or standard input): the model, the raw data, and the line of every key,
so that a problem found later can still point into the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import FactsError, Problem
from ..yamlio import Lines, Path_, read_text, read_yaml
from .model import Facts
from .parse import parse_facts


@dataclass(frozen=True)
class FactsDocument:
    """A facts document as read: the model, the raw data, and where each key sits in the file."""

    facts: Facts
    data: dict[str, Any]
    file: str
    lines: Lines

    def locate(self, exc: FactsError) -> FactsError:
        """The same problems, with this document's file name and line numbers filled in."""
        return FactsError([Problem(p.path, p.message, self.file, _line_of(p.path, self.lines)) for p in exc.problems])


def load_facts(source: str | Path) -> FactsDocument:
    """Read and validate a facts document (YAML or JSON; '-' reads standard input)."""
    text, name = read_text(source)
    data, lines = read_yaml(text, name, FactsError)
    try:
        facts = parse_facts(data, name)
    except FactsError as exc:
        raise FactsDocument(Facts.model_construct(), {}, name, lines).locate(exc) from None
    return FactsDocument(facts, data, name, lines)


def _line_of(dotted: str, lines: Lines) -> int | None:
    path: Path_ = tuple(
        int(part) if part.isdigit() else part for part in re.split(r"\.|\[|\]\.?", dotted) if part != ""
    )
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)
