"""Cells to facts: a register cell decoded for its fact's kind, and a row of cells made a facts document."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from ..errors import Problem
from .columns import Column

TRUE_WORDS = frozenset({"true", "1", "是", "yes", "y", "t", "√", "✓", "有"})
FALSE_WORDS = frozenset({"false", "0", "否", "no", "n", "f", "×", "✗", "无"})

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_LIST_SPLIT = re.compile(r"\s*[,;，；、]\s*|\s+")


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def cell_value(kind: str, value: object) -> object:
    """A cell as the fact model wants it. Raises ValueError for a list or group cell that is not JSON.
    A value this cannot read is passed on unchanged, so validation reports it with its path."""
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        word = _text(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        return word
    if kind == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        text = _text(value)
        match = _DATE_RE.match(text)
        if match:
            y, m, d = (int(g) for g in match.groups())
            try:
                return date(y, m, d).isoformat()
            except ValueError:
                return text
        return text
    if kind in ("events", "group", "optional_group"):
        text = _text(value)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            expected = 'a JSON array, e.g. [{"date": "2021-10-12"}]' if kind == "events" else "a JSON object"
            raise ValueError(f"expected {expected}; not valid JSON ({exc.msg} at character {exc.pos + 1})") from None
        return parsed
    if kind == "enum_list":
        text = _text(value)
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a valid JSON array ({exc.msg})") from None
        return [part for part in _LIST_SPLIT.split(text) if part]
    return _text(value)


def _str_reader(kind: str) -> Callable[[str], object]:
    """The fast path for a text cell (every CSV cell, most XLSX ones) of a field of this kind."""
    if kind == "bool":
        words = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}

        def read_bool(text: str) -> object:
            word = text.strip().lower()
            return words.get(word, word)

        return read_bool
    if kind == "date":

        def read_date(text: str) -> object:
            if len(text) == 10 and text[4] == "-" and text[7] == "-":
                return text  # ISO already; the model checks it
            return cell_value("date", text)

        return read_date
    if kind in ("text", "grade", "enum"):
        return str.strip
    return lambda text: cell_value(kind, text)


class RowReader:
    """Turns a row of cells into a facts document (contract §1-2), reporting the cells it cannot read."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        width = max((c.index for c in columns), default=-1) + 1
        # one step per cell position (None: an ignored column), so blank cells cost one test each
        self._plan: list[tuple[tuple[str, ...], str, str, Callable[[str], object]] | None] = [None] * width
        for c in columns:
            self._plan[c.index] = (c.path[:-1], c.path[-1], c.kind, _str_reader(c.kind))

    def __call__(self, values: Sequence[object]) -> tuple[dict[str, Any], list[Problem]]:
        doc: dict[str, Any] = {}
        problems: list[Problem] = []
        for raw, step in zip(values, self._plan, strict=False):
            if raw == "" or raw is None or step is None:
                continue
            parents, last, kind, read = step
            try:
                if raw.__class__ is str:
                    if raw.isspace():
                        continue
                    value = read(raw)
                else:
                    value = cell_value(kind, raw)
            except ValueError as exc:
                problems.append(Problem(".".join((*parents, last)), str(exc)))
                continue
            target = doc
            for part in parents:
                target = target.setdefault(part, {})
            target[last] = value
        return doc, problems
