"""The fast path of fact validation (facts/fast.py) accepts only what the model accepts, and gives the same facts:
on generated documents whose values are rewritten into every accepted form (是/否, 2021/9/30, Chinese labels,
digits as numbers, datetimes at midnight) and into refused ones (on/off, impossible days, bad check
characters, times of day, unknown keys), whatever the fast validator accepts the model accepts, with equal
facts, the same fields set and the same types all the way down; and parse_facts answers as the model does."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from policyrules import FactsError
from policyrules.facts import ENUM_ALIASES, ENUM_LABELS, Facts, parse_facts
from policyrules.facts.fast import fast_validator
from strategies import evaluation_dates, facts_documents

FAST = fast_validator(Facts)
LABELS = {code: labels for enum in ENUM_LABELS.values() for code, labels in enum.items()}
ALIASES = {code: words for enum in ENUM_ALIASES.values() for code, words in enum.items()}


def other_forms(value: Any) -> st.SearchStrategy[Any]:
    """Other ways of writing `value`, accepted or not."""
    if isinstance(value, bool):
        words = ["是", "否", "yes", " TRUE ", "n", "1", "0", 1, 0, 1.0, "on", "off", 2, None]
        return st.sampled_from([value, *words])
    if isinstance(value, date | str) and _as_day(value) is not None:
        day = _as_day(value)
        assert day is not None
        return st.sampled_from(
            [
                day,
                day.isoformat(),
                f"{day.year}/{day.month}/{day.day}",
                f"{day.year}年{day.month}月{day.day}日",
                int(day.strftime("%Y%m%d")),
                day.strftime("%Y%m%d"),
                datetime(day.year, day.month, day.day),
                datetime(day.year, day.month, day.day, 9, 30),
                f" {day.isoformat()} ",
                f"{day.year}-02-30",
                1632960000,
            ]
        )
    if isinstance(value, str):
        code = value
        labels = [LABELS.get(code), *ALIASES.get(code, ())]
        quoted = [f"“{label}”" for label in labels if label]
        digits = [int(value)] if value.isdigit() else []
        return st.sampled_from([value, f" {value} ", *[x for x in labels if x], *quoted, *digits, value[:-1] + "I"])
    return st.just(value)


def _as_day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if len(str(value)) == 10 else None
    except ValueError:
        return None


@st.composite
def rewritten(draw: st.DrawFn, value: Any) -> Any:
    if isinstance(value, dict):
        out = {key: draw(rewritten(item)) for key, item in value.items()}
        if draw(st.integers(0, 30)) == 0:
            out["unknown_key"] = True
        return out
    if isinstance(value, list):
        return [draw(rewritten(item)) for item in value]
    return draw(other_forms(value)) if draw(st.integers(0, 3)) == 0 else value


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    return draw(rewritten(draw(facts_documents(draw(evaluation_dates())))))


def same_all_the_way_down(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set
        for name in type(a).model_fields:
            same_all_the_way_down(getattr(a, name), getattr(b, name))
    elif isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            same_all_the_way_down(x, y)
    else:
        assert a == b


def model_answer(document: dict[str, Any]) -> Facts | None:
    try:
        return Facts.model_validate(document)
    except ValidationError:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_what_the_fast_path_accepts_the_model_accepts_alike(document: dict[str, Any]) -> None:
    expected = model_answer(document)
    try:
        fast = FAST.validate_python(document)
    except ValidationError:
        fast = None
    if fast is not None:
        assert expected is not None, "the fast path accepted a document the model refuses"
        same_all_the_way_down(fast, expected)
    if expected is None:
        with pytest.raises(FactsError):
            parse_facts(document)
    else:
        same_all_the_way_down(parse_facts(document), expected)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(evaluation_dates().flatmap(facts_documents))
def test_documents_written_the_usual_way_take_the_fast_path(document: dict[str, Any]) -> None:
    usual = _usual(document)
    same_all_the_way_down(FAST.validate_python(usual), Facts.model_validate(usual))


def _usual(document: dict[str, Any]) -> dict[str, Any]:
    """The document as JSON carries it: dates as ISO text, enumerations by their codes, only what was given."""
    return Facts.model_validate(document).model_dump(mode="json", exclude_unset=True)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("enterprise", "small_micro"), "是"),
        (("enterprise", "listing", "listed_on"), "2021/9/30"),
        (("violation_case", "harm"), "危害后果轻微"),
        (("enterprise", "uscc"), " 91350100M000100Y43 "),
        (("enterprise", "listing", "category"), 4),
    ],
)
def test_a_wider_form_leaves_the_fast_path_and_is_still_accepted(path: tuple[str, ...], value: object) -> None:
    document: dict[str, Any] = {
        "enterprise": {"name": "测试有限公司", "uscc": "91350100M000100Y43", "listing": {"listed_on": "2021-05-01"}},
        "violation_case": {"date": "2021-06-01"},
    }
    *parents, last = path
    target = document
    for part in parents:
        target = target[part]
    target[last] = value
    strict_form = path[-1] == "uscc"  # surrounding spaces are stripped by pydantic-core itself
    if not strict_form:
        with pytest.raises(ValidationError):
            FAST.validate_python(document)
    same_all_the_way_down(parse_facts(document), Facts.model_validate(document))


def test_the_fast_path_refuses_a_bad_identifier_and_the_model_says_why() -> None:
    document = {"enterprise": {"name": "测试有限公司", "uscc": "91350100M000100Y44"}}
    with pytest.raises(ValidationError):
        FAST.validate_python(document)
    with pytest.raises(FactsError, match="check character is '4'"):
        parse_facts(document)
    other_holder = "91350100M000100Y42001P"
    permit = {"enterprise": {"name": "测试有限公司", "uscc": "91350100M000100Y43", "permit_no": other_holder}}
    with pytest.raises(ValidationError):
        FAST.validate_python(permit)
    with pytest.raises(FactsError, match="permit_no begins with"):
        parse_facts(permit)
