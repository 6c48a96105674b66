"""Calendar periods: a date moved by whole years, months or days, and the complete years between two dates."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Literal

Period = tuple[Literal["years", "months", "days"], int]


def shift(day: date, period: Period, sign: int = -1) -> date:
    """`day` moved by a calendar period; 29 February falls back to the 28th in a common year."""
    unit, amount = period
    if unit == "days":
        return date.fromordinal(day.toordinal() + sign * amount)
    months = day.month - 1 + sign * amount * (12 if unit == "years" else 1)
    year, month = day.year + months // 12, months % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def complete_years(start: date, end: date) -> int:
    years = end.year - start.year
    return years - 1 if shift(start, ("years", years), +1) > end else years
