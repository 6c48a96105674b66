"""The one reading of a fact's value, for every door: the Python API, the command line, `batch` (its register
cells) and the service all call these functions, so they accept and refuse exactly the same values.

The accepted forms, decided once (docs/reference/facts.md, "Accepted values"):

- a **date**: a `datetime.date`; the text `2021-09-30` (ISO), `2021-9-30`, `2021/9/30`, `2021.9.30`,
  `2021年9月30日` or `20210930`; the 8-digit integer `20210930`; a `datetime.datetime` at midnight without a
  time zone (what a spreadsheet's date cell is). Refused: a date and time of day (its day depends on a time zone
  we do not know), any other number (a Unix timestamp `1632960000` is not silently a day in 2021), and anything else.
- a **boolean**: `true`/`false`; the texts `true`/`false`, `是`/`否`, `有`/`无`, `√`/`×`, `✓`/`✗`, `yes`/`no`,
  `y`/`n`, `t`/`f` and `1`/`0` (Latin letters in any case: the forms bureau registers use); the numbers `1`/`0`.
  Refused: `on`/`off` and every other text or number.
- an **enumeration**: its English code or one of its Chinese labels (enums.py), quotes and spaces ignored.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator

TRUE_WORDS = frozenset({"true", "是", "有", "√", "✓", "yes", "y", "t", "1"})
FALSE_WORDS = frozenset({"false", "否", "无", "×", "✗", "no", "n", "f", "0"})

DATE_FORMS = "YYYY-MM-DD (also 2021-9-30, 2021/9/30, 2021.9.30, 2021年9月30日, 20210930)"
BOOL_FORMS = "true or false (also 是/否, 有/无, √/×, yes/no, 1/0)"

_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$|^(\d{4})(\d{2})(\d{2})$")


class ValueProblem(ValueError):
    """A value in a form the library does not accept; its message says what was expected."""


def parse_date(value: object) -> date:
    """A fact's date (or an evaluation date) in any accepted form, or ValueProblem saying what was expected
    (the caller adds what was found)."""
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == datetime.min.time():
            return value.date()
        raise ValueProblem(f"expected a date {DATE_FORMS}, not a date and time of day")
    if isinstance(value, date):
        return value
    # 20210930, or 20210930.0 as a spreadsheet or a data frame may hold it (the range checked before int())
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and 10_000_000 <= value <= 99_999_999
        and value == int(value)
    ):
        return _date_from_text(str(int(value)))
    if isinstance(value, str):
        return _date_from_text(value.strip())
    raise ValueProblem(f"expected a date {DATE_FORMS}")


def _date_from_text(text: str) -> date:
    match = _DATE_TEXT.match(text)
    if match is None:
        raise ValueProblem(f"expected a date {DATE_FORMS}")
    year, month, day = (int(g) for g in match.groups() if g is not None)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueProblem(f"expected a date {DATE_FORMS}: {text!r} is not a calendar date ({exc})") from None


def parse_bool(value: object) -> bool:
    """A yes/no fact in any accepted form, or ValueProblem saying what was expected."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ValueProblem(f"expected {BOOL_FORMS}")


def date_text(value: object) -> object:
    """An accepted date as ISO text; any other value unchanged, for validation to report with its path.
    (Register cells are decoded with this, so that a batch records the canonical date it evaluated.)"""
    try:
        return parse_date(value).isoformat()
    except ValueProblem:
        return value


def bool_value(value: object) -> object:
    """An accepted boolean as a bool; any other value unchanged, for validation to report with its path."""
    try:
        return parse_bool(value)
    except ValueProblem:
        return value


# The model's types for these values (model.py): every yes/no and every date field is declared with them.
Flag = Annotated[bool, BeforeValidator(parse_bool)]
Day = Annotated[date, BeforeValidator(parse_date)]
