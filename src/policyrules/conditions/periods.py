"""Calendar periods, counted in one place for every pack: a date moved by whole years, months or days, the
first day a look-back window (近1年内) counts, the first day a validity period (有效期3年) no longer covers,
and the complete years between two dates.

How the days are counted, and why (docs/decisions.md, "Counting periods"):

* 民法典 第二百条 to 第二百零四条: a period counted in years or months ends on the corresponding day of the last
  month (第二百零二条), the month's last day where there is none (so one year from 29 February is 28 February);
  the day that starts a period is not counted (第二百零一条); 第二百零四条 lets other law or the parties
  provide otherwise.
* 近1年内 (within the last year), read on day D: the window is D back to the corresponding day one year before,
  both included. Counting back from D under 第二百零一条/第二百零二条, the corresponding day is the window's
  last day, so an event dated exactly one year before D still counts; one dated the day before that does not.
* 有效期3年 (valid for three years) of a listing made on day L: the list is in force from L itself — the
  enterprise is on the list on the day the list names it — and the period is counted as administrative
  validity periods are printed (排污许可证 有效期 自…起至…前一日止): valid up to the day before the third
  anniversary, expired on the anniversary. The alternative — 第二百零一条 strictly, not counting L, which would
  make the anniversary the last valid day — is recorded in each pack's interpretation of its validity rule.
* 法定休假日 (第二百零三条) do not extend a period here: a listing's validity and a look-back window are states
  of a register, not time limits for an act a party must perform.
"""

from __future__ import annotations

import calendar
import functools
from datetime import date, timedelta
from typing import Literal

Period = tuple[Literal["years", "months", "days"], int]

# Bound of the memo of each calculation that depends on a day and a period only: a register evaluated on one
# date computes its windows once, while a stream of different days cannot grow the memo without bound.
MEMO_SIZE = 4096
_ONE_DAY = timedelta(days=1)


def shift(day: date, period: Period, sign: int = -1) -> date:
    """`day` moved by a calendar period (back by default); a day the target month lacks falls back to the
    month's last day (民法典 第二百零二条: 没有对应日的，月末日为期间的最后一日), so 29 February minus one year
    is 28 February."""
    unit, amount = period
    if unit == "days":
        return date.fromordinal(day.toordinal() + sign * amount)
    months = day.month - 1 + sign * amount * (12 if unit == "years" else 1)
    year, month = day.year + months // 12, months % 12 + 1
    if day.day <= 28:  # every month has the day: no need to ask the calendar (the common case, and faster)
        return date(year, month, day.day)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@functools.lru_cache(maxsize=MEMO_SIZE)
def window_start(day: date, window: Period) -> date:
    """The first day a look-back window read on `day` counts (近1年内: the corresponding day one year back,
    included). Memoised: every enterprise of a register read on the same day has the same window."""
    return shift(day, window)


def valid_until(start: date, period: Period) -> date:
    """The first day a validity period that began on `start` no longer covers (有效期3年 from 2021-05-10:
    2024-05-10, the third anniversary; from 2020-02-29: 2023-02-28)."""
    return shift(start, period, +1)


def within_validity(start: date, period: Period | None, day: date) -> bool:
    """Whether `day` falls inside the validity period that began on `start` (no period: always)."""
    return start <= day and (period is None or day < valid_until(start, period))


@functools.lru_cache(maxsize=MEMO_SIZE)
def validity_cutoff(day: date, period: Period) -> date | None:
    """The last start day whose validity period has run out by `day` (`valid_until(start, period) <= day`), None
    when none has (`day` within one period of the first day a date can name), so that `within_validity(start,
    period, day)` is `start <= day and (cutoff is None or cutoff < start)`: the flat view asks it once per day
    read on instead of counting the period forward from every listing date. Memoised.

    `valid_until` never decreases as the start moves later, so the starts whose period has run out by `day` are
    exactly those up to one day, and that day is found counting back from `day`: `shift(day, period)` has run
    out (a day moved back and forth again never passes `day`); a later start may have too where month ends fold
    (2020-02-29 and 2020-02-28 both reach 2023-02-28), hence the few steps forward."""
    try:
        start = shift(day, period)
    except (ValueError, OverflowError):  # before 0001-01-01: no start a date can name has run out
        return None
    while start < date.max:
        try:
            if valid_until(start + _ONE_DAY, period) > day:
                break
        except (ValueError, OverflowError):  # its period ends after 9999-12-31: not run out
            break
        start += _ONE_DAY
    return start


def complete_years(start: date, end: date) -> int:
    """The complete years from `start` to `end`: a year is complete on its anniversary (counted as
    `valid_until`, so `years_since … at_least 3` holds exactly when a three-year validity has run out).

    This is `years - 1 if valid_until(start, ("years", years)) > end else years` with `years = end.year -
    start.year`, the anniversary in `end`'s year written out (29 February falls back to 28 February in a common
    year), because the flat view asks it for every enterprise; tests/test_periods.py checks the two agree."""
    years = end.year - start.year
    month, day = start.month, start.day
    if day > 28:
        day = min(day, calendar.monthrange(end.year, month)[1])
    return years if month < end.month or (month == end.month and day <= end.day) else years - 1
