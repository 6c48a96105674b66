"""The flat view of the facts: an atom is one scalar the rules read on the evaluation date (a fact path, a
derived fact, a count of events in a window, the complete years since a date, whether a part is present),
with its getter and the integer encoding the durable engine posts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from ..facts import Facts, is_listed
from .periods import Period, complete_years, shift

Value: TypeAlias = bool | int | str | None
Kind = Literal["bool", "enum", "text", "grade", "int"]


@dataclass(frozen=True)
class Context:
    facts: Facts  # already as known on `as_of`
    as_of: date
    grade_codes: Mapping[str, str]  # code or label -> code, for the pack's credit scheme


@dataclass(frozen=True)
class Atom:
    key: str
    kind: Kind
    read: Callable[[Context], Value] = field(compare=False, repr=False)
    domain: tuple[str, ...] = ()  # enum codes, grade codes best first, or text literals the pack uses
    # What the atom reads, for tools that reason about the input space (diff): ("fact", path),
    # ("derived", name), ("present", path), ("contains", path, member), ("years_since", path) or
    # ("count", subject, ((filter, value), ...)).
    reads: tuple[Any, ...] = ()

    def encode(self, value: Value) -> int:
        """The integer the durable engine sees: booleans 1/0, ints as they are, symbols by their index in the
        domain, an absent value -1 and a text outside the domain -2."""
        if value is None:
            return -1
        if self.kind == "bool":
            assert isinstance(value, bool), f"{self.key}: expected a boolean, got {value!r}"
            return int(value)
        if self.kind == "int":
            assert isinstance(value, int) and not isinstance(value, bool), (
                f"{self.key}: expected a count, got {value!r}"
            )
            return value
        assert isinstance(value, str), f"{self.key}: expected a symbol, got {value!r}"
        return self.domain.index(value) if value in self.domain else -2


def path_getter(parts: Sequence[str]) -> Callable[[Context], Value]:
    def read(ctx: Context) -> Value:
        current: Any = ctx.facts
        for part in parts:
            current = getattr(current, part, None)
            if current is None:
                return None
        if isinstance(current, StrEnum):
            return str(current.value)
        return current  # type: ignore[no-any-return]

    return read


def grade_getter(parts: Sequence[str]) -> Callable[[Context], Value]:
    raw = path_getter(parts)

    def read(ctx: Context) -> Value:
        value = raw(ctx)
        return None if value is None else ctx.grade_codes[str(value)]

    return read


def presence_getter(read: Callable[[Context], Value]) -> Callable[[Context], Value]:
    return lambda ctx: read(ctx) is not None


def derived_getter(name: str) -> Callable[[Context], Value]:
    assert name == "listed"
    return lambda ctx: is_listed(ctx.facts)


def count_getter(subject: str, filters: Mapping[str, Any]) -> Callable[[Context], Value]:
    window: Period | None = filters.get("within")
    checks = {k: v for k, v in filters.items() if k != "within"}

    def count(ctx: Context) -> Value:
        events: Sequence[Any] = getattr(ctx.facts.enterprise, subject)
        start = shift(ctx.as_of, window) if window else None
        total = 0
        for event in events:
            if start is not None and event.date < start:
                continue
            if all(_matches(getattr(event, k), v) for k, v in checks.items()):
                total += 1
        return total

    return count


def _matches(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, tuple):
        return str(actual.value if isinstance(actual, StrEnum) else actual) in wanted
    return bool(actual == wanted)


def years_since_getter(parts: Sequence[str]) -> Callable[[Context], Value]:
    read = path_getter(parts)

    def years(ctx: Context) -> Value:
        start = read(ctx)
        if not isinstance(start, date) or start > ctx.as_of:
            return None
        return complete_years(start, ctx.as_of)

    return years
