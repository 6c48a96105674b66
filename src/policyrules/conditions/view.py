"""The flat view of the facts: an atom is one scalar the rules read (a fact path, a derived fact, a count of
events in a window, the complete years since a date, whether a part is present), with its getter and the
integer encoding the durable engine posts.

Atoms are read on the evaluation date unless they name another (`read_on:` in the pack): a date of the facts
(`violation_case.date`, `enterprise.listing.listed_on`) or `entry`, the day the enterprise entered the list
while it is on it. Only what has a history can be read on another day: the listing state and the dated
events; a plain fact is known only as recorded."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from ..facts import Facts, Listing
from .periods import Period, complete_years, window_start, within_validity

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
    # the date it is read on when not the evaluation date: a date path of the facts, or "entry"
    on: str | None = None
    read_date: Callable[[Context], date | None] | None = field(default=None, compare=False, repr=False)
    # the pack's listing validity, which `listed` and the entry day count with (view_code.py generates from it)
    validity: Period | None = field(default=None, compare=False, repr=False)

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


DateReader = Callable[[Context], date | None]


def listed_on_day(listing: Listing | None, day: date, validity: Period | None) -> bool:
    """正面清单企业 on `day`: listed on or before it, not removed by it, and within the validity period."""
    if listing is None or (listing.removed_on is not None and listing.removed_on <= day):
        return False
    return within_validity(listing.listed_on, validity, day)


def date_reader(on: str | None, validity: Period | None) -> DateReader:
    """The day an atom is read on: the evaluation date, a date of the facts (None when absent), or the
    entry date — the day the enterprise was listed while it is on the list on the evaluation date, else the
    evaluation date (an enterprise not on the list is judged for entry now)."""
    if on is None:
        return lambda ctx: ctx.as_of
    if on == "entry":

        def entry(ctx: Context) -> date | None:
            listing = ctx.facts.enterprise.listing
            if listing is not None and listed_on_day(listing, ctx.as_of, validity):
                return listing.listed_on
            return ctx.as_of

        return entry
    raw = path_getter(on.split("."))
    return lambda ctx: day if isinstance(day := raw(ctx), date) else None


def derived_getter(name: str, day_of: DateReader, validity: Period | None) -> Callable[[Context], Value]:
    """`listed`: on the list on the day read (validity counted); `listing_not_removed`: a listing recorded
    and not removed by that day, whether or not its validity has run out (when the listing decision is asked)."""

    def read(ctx: Context) -> Value:
        day = day_of(ctx)
        if day is None:
            return None
        listing = ctx.facts.enterprise.listing
        if name == "listing_not_removed":
            return listed_on_day(listing, day, None)
        return listed_on_day(listing, day, validity)

    assert name in ("listed", "listing_not_removed"), name
    return read


def count_getter(subject: str, filters: Mapping[str, Any], day_of: DateReader) -> Callable[[Context], Value]:
    window: Period | None = filters.get("within")
    checks = {k: v for k, v in filters.items() if k != "within"}

    def count(ctx: Context) -> Value:
        day = day_of(ctx)
        if day is None:
            return None
        events: Sequence[Any] = getattr(ctx.facts.enterprise, subject)
        start = window_start(day, window) if window else None
        total = 0
        for event in events:
            if start is not None and event.date < start:
                continue
            if getattr(event, "date", day) > day:  # after the day read on (objections carry no date)
                continue
            if all(_matches(getattr(event, k), v) for k, v in checks.items()):
                total += 1
        return total

    return count


def _matches(actual: Any, wanted: Any) -> bool:
    if actual is None and isinstance(wanted, tuple):
        # an objection whose objector is not recorded is one the contract's objections list holds:
        # 相关部门、行业协会和社会组织提出并说明理由的反对意见 (contract §1)
        return True
    if isinstance(wanted, tuple):
        return str(actual.value if isinstance(actual, StrEnum) else actual) in wanted
    return bool(actual == wanted)


def years_since_getter(parts: Sequence[str], day_of: DateReader) -> Callable[[Context], Value]:
    read = path_getter(parts)

    def years(ctx: Context) -> Value:
        start, day = read(ctx), day_of(ctx)
        if not isinstance(start, date) or day is None or start > day:
            return None
        return complete_years(start, day)

    return years
