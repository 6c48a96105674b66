"""When waiting is the answer: the later dates on which something the decision's conditions read changes by itself
(a window closing, an anniversary), found from the dates in the facts and the periods the conditions use."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ...conditions import Leaf, Period, shift

HORIZON_YEARS = 10  # how far ahead waiting is considered


def candidate_dates(document: Mapping[str, Any], found: Sequence[tuple[str, Leaf]], as_of: date) -> list[date]:
    """Dates after `as_of` on which an atom may change: each date of the facts moved by each window and each
    number of years the conditions compare, a day either side."""
    periods: set[Period] = {("days", 0)}
    for _, leaf in found:
        reads = leaf.atom.reads
        if reads and reads[0] == "count":
            periods |= {v for k, v in reads[2] if k == "within"}
        if reads and reads[0] == "years_since" and isinstance(leaf.operand, int):
            periods |= {("years", leaf.operand), ("years", leaf.operand + 1)}
    horizon = shift(as_of, ("years", HORIZON_YEARS), +1)
    out: set[date] = set()
    for start in _dates_in(document):
        for period in periods:
            moved = shift(start, period, +1)
            out |= {moved + timedelta(days=d) for d in (-1, 0, 1)}
    return sorted(d for d in out if as_of < d <= horizon)


def _dates_in(value: Any) -> Iterator[date]:
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _dates_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dates_in(v)
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            yield date.fromisoformat(value)
        except ValueError:
            return


def first_day_of(day: date, signature: tuple[Any, ...], read: Callable[[date], Any], after: date) -> date:
    """The candidate dates sit on the change points; step back a few days in case one sits after it."""
    for _ in range(31):
        earlier = day - timedelta(days=1)
        if earlier <= after or read(earlier) != signature:
            break
        day = earlier
    return day
