"""The calendar arithmetic of conditions/periods.py against its definitions, day by day over years with 29 February
and months of every length: `shift`'s fast path, the cut-off the flat view compares listing dates with instead of
counting each listing's validity forward, and `complete_years` written out."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest

from policyrules.conditions import Period, complete_years, shift, valid_until, window_start, within_validity
from policyrules.conditions.periods import MEMO_SIZE, validity_cutoff

PERIODS: tuple[Period, ...] = (("years", 1), ("years", 3), ("months", 1), ("months", 6), ("days", 30), ("days", 1))
DAYS = [date(2019, 1, 1) + timedelta(days=n) for n in range((date(2025, 12, 31) - date(2019, 1, 1)).days + 1)]
ONE = timedelta(days=1)


def shift_by_calendar(day: date, period: Period, sign: int) -> date:
    """民法典 第二百零二条 as periods.shift states it, asking the calendar for every month."""
    unit, amount = period
    if unit == "days":
        return day + timedelta(days=sign * amount)
    months = day.month - 1 + sign * amount * (12 if unit == "years" else 1)
    year, month = day.year + months // 12, months % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@pytest.mark.parametrize("period", PERIODS)
def test_shift_is_the_calendar_definition(period: Period) -> None:
    for day in DAYS:
        for sign in (-1, 1):
            assert shift(day, period, sign) == shift_by_calendar(day, period, sign), (day, period, sign)


def test_a_leap_day_moved_by_a_year_falls_on_the_last_day_of_february() -> None:
    assert shift(date(2024, 2, 29), ("years", 1)) == date(2023, 2, 28)
    assert valid_until(date(2020, 2, 29), ("years", 3)) == date(2023, 2, 28)
    assert shift(date(2024, 3, 31), ("months", 1)) == date(2024, 2, 29)


@pytest.mark.parametrize("period", PERIODS)
def test_the_cutoff_is_the_last_start_whose_validity_has_run_out(period: Period) -> None:
    for day in DAYS:
        cutoff = validity_cutoff(day, period)
        assert cutoff is not None
        assert valid_until(cutoff, period) <= day < valid_until(cutoff + ONE, period), (day, period)
        for start in (cutoff - 3 * ONE, cutoff - ONE, cutoff, cutoff + ONE, cutoff + 2 * ONE, day, day + ONE):
            by_cutoff = start <= day and cutoff < start
            assert by_cutoff == within_validity(start, period, day), (start, period, day)


def test_the_cutoff_where_month_ends_fold() -> None:
    # listed on 2020-02-28 or 2020-02-29, valid three years: both run out on 2023-02-28
    assert validity_cutoff(date(2023, 2, 28), ("years", 3)) == date(2020, 2, 29)
    assert validity_cutoff(date(2023, 2, 27), ("years", 3)) == date(2020, 2, 27)
    # a month from 2023-01-28 .. 2023-01-31 is 2023-02-28
    assert validity_cutoff(date(2023, 2, 28), ("months", 1)) == date(2023, 1, 31)


def test_the_cutoff_at_the_ends_of_the_calendar() -> None:
    # within one period of the first day a date can name, no start has run out
    assert validity_cutoff(date(2, 6, 1), ("years", 3)) is None
    assert within_validity(date.min, ("years", 3), date(2, 6, 1))
    assert validity_cutoff(date(1, 1, 10), ("days", 30)) is None
    # near the last, a start whose period would end after 9999-12-31 has not run out
    last = validity_cutoff(date.max, ("years", 3))
    assert last == date(9996, 12, 31) and valid_until(last, ("years", 3)) <= date.max


def test_complete_years_is_counted_to_the_anniversary() -> None:
    ends = [d for d in DAYS if (d.month, d.day) in ((2, 27), (2, 28), (2, 29), (3, 1), (12, 31), (1, 1), (6, 15))]
    for start in [date(2015, 1, 1) + timedelta(days=n) for n in range(4 * 366 + 40)]:
        for end in ends:
            years = end.year - start.year
            expected = years - 1 if valid_until(start, ("years", years)) > end else years
            assert complete_years(start, end) == expected, (start, end)
    assert complete_years(date(2020, 2, 29), date(2023, 2, 28)) == 3
    assert complete_years(date(2020, 2, 29), date(2024, 2, 28)) == 3
    assert complete_years(date(2020, 2, 29), date(2024, 2, 29)) == 4


def test_the_memos_are_bounded_and_give_what_they_compute() -> None:
    for memo in (window_start, validity_cutoff):
        assert memo.cache_info().maxsize == MEMO_SIZE
    for day in DAYS[:400]:
        assert window_start(day, ("years", 1)) == shift_by_calendar(day, ("years", 1), -1)
