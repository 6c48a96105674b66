"""The fact model (contract §1–2): exact field names, strict keys, codes checked, labels accepted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from policyrules import FactsError, load_pack
from policyrules.facts import (
    USCC_CHARSET,
    ViolationKind,
    parse_facts,
    uscc_check_char,
    uscc_problem,
)

VALID = "91350100M000100Y43"


def enterprise(**fields: object) -> dict[str, object]:
    return {"enterprise": {"name": "测试有限公司", "uscc": VALID, **fields}}


def test_the_contract_example_uscc_is_valid() -> None:
    assert uscc_problem(VALID) is None
    assert uscc_check_char(VALID[:17]) == "3"


@pytest.mark.parametrize("position", range(17))
def test_changing_any_character_breaks_the_check(position: int) -> None:
    original = VALID[position]
    replacement = next(c for c in USCC_CHARSET if c != original)
    mutated = VALID[:position] + replacement + VALID[position + 1 :]
    assert uscc_problem(mutated) is not None


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4", "expected 18 characters, found 17"),
        ("91350100M000100Y4I", "not in the GB 32100-2015 set"),
        ("91350100M000100Y44", "check character is '4' but GB 32100-2015 gives '3'"),
    ],
)
def test_invalid_uscc_says_why(code: str, fragment: str) -> None:
    with pytest.raises(FactsError) as err:
        parse_facts(enterprise(uscc=code))
    assert "enterprise.uscc" in str(err.value)
    assert fragment in str(err.value)


def test_permit_number_is_the_uscc_plus_three_digits_and_a_letter() -> None:
    facts = parse_facts(enterprise(permit_no=VALID + "001P"))
    assert facts.enterprise.permit_no == VALID + "001P"
    for bad in (VALID + "01P", VALID + "0011", VALID + "001PP"):
        with pytest.raises(FactsError, match="HJ 608-2017"):
            parse_facts(enterprise(permit_no=bad))


def test_permit_number_of_another_enterprise_is_rejected() -> None:
    other = "91500112MA5U00010F"
    with pytest.raises(FactsError, match="begins with 91500112MA5U00010F but the enterprise's uscc is"):
        parse_facts(enterprise(permit_no=other + "001P"))


def test_unknown_key_names_path_and_nearest_name() -> None:
    with pytest.raises(FactsError) as err:
        parse_facts(enterprise(traits={"low_emision": True}))
    message = str(err.value)
    assert "enterprise.traits.low_emision" in message
    assert "did you mean 'low_emission'" in message


def test_unknown_top_level_question_is_an_error() -> None:
    with pytest.raises(FactsError, match="did you mean 'inspection_request'"):
        parse_facts({**enterprise(), "inspection_requst": {"grounds": "complaint"}})


@pytest.mark.parametrize(
    ("given", "code"), [("恶意偷排", "malicious_discharge"), ("falsified_records", "falsified_records")]
)
def test_enumerations_accept_code_or_chinese_label(given: str, code: str) -> None:
    facts = parse_facts(enterprise(violations=[{"date": "2021-01-01", "kind": given}]))
    assert facts.enterprise.violations[0].kind == ViolationKind(code)


def test_unknown_enumeration_value_lists_the_codes() -> None:
    with pytest.raises(FactsError) as err:
        parse_facts({**enterprise(), "inspection_request": {"grounds": "anonymous_tip"}})
    assert "inspection_request.grounds" in str(err.value)
    assert "complaint" in str(err.value)


def test_defaults_follow_the_contract() -> None:
    facts = parse_facts({**enterprise(), "inspection_request": {"grounds": "complaint"}})
    assert facts.enterprise.key_discharger is False
    assert facts.enterprise.violations == ()
    assert facts.inspection_request is not None
    assert facts.inspection_request.in_plan is True
    assert facts.inspection_request.approvals == ()


def test_listing_category_is_kept_as_text() -> None:
    facts = parse_facts(enterprise(listing={"listed_on": "2021-01-01", "category": 4}))
    assert facts.enterprise.listing is not None
    assert facts.enterprise.listing.category == "4"


def test_removal_before_listing_is_rejected() -> None:
    with pytest.raises(FactsError, match="removed_on 2020-01-01 is before listed_on 2021-01-01"):
        parse_facts(enterprise(listing={"listed_on": "2021-01-01", "removed_on": "2020-01-01"}))


def test_missing_required_fields_are_named() -> None:
    with pytest.raises(FactsError) as err:
        parse_facts({"enterprise": {"uscc": VALID, "violations": [{"serious": True}]}})
    message = str(err.value)
    assert "enterprise.name: required field is missing" in message
    assert "enterprise.violations[0].date: required field is missing" in message


def test_events_after_the_evaluation_date_do_not_count() -> None:
    pack = load_pack("mee_2021")
    facts = enterprise(violations=[{"date": "2022-05-01", "kind": "malicious_discharge"}])
    before = pack.evaluate(facts, as_of=date(2022, 4, 30))
    on_the_day = pack.evaluate(facts, as_of=date(2022, 5, 1))
    assert before.decisions["inclusion"].outcome == "ineligible"
    assert on_the_day.decisions["inclusion"].outcome == "barred"


def test_credit_rating_must_be_a_grade_of_the_pack_scheme() -> None:
    pack = load_pack("mee_2021")
    assert pack.evaluate(enterprise(credit_rating="环保诚信"), as_of=date(2022, 1, 1))
    assert pack.evaluate(enterprise(credit_rating="good"), as_of=date(2022, 1, 1))
    with pytest.raises(FactsError) as err:
        pack.evaluate(enterprise(credit_rating="A级"), as_of=date(2022, 1, 1))
    assert "enterprise.credit_rating" in str(err.value)
    assert "环保诚信 (trustworthy)" in str(err.value)


def test_a_case_dated_after_the_evaluation_date_is_refused() -> None:
    pack = load_pack("mee_2021")
    with pytest.raises(FactsError, match=r"violation_case\.date"):
        pack.evaluate({**enterprise(), "violation_case": {"date": "2022-02-01"}}, as_of=date(2022, 1, 1))


def test_an_all_digit_code_written_without_quotes_is_read_as_text() -> None:
    body = next(b for b in (str(91350100000000000 + n) for n in range(100)) if uscc_check_char(b).isdigit())
    code = body + uscc_check_char(body)
    facts = parse_facts({"enterprise": {"name": "甲", "uscc": int(code), "industry": 2614}})
    assert facts.enterprise.uscc == code
    assert facts.enterprise.industry == "2614"


def test_a_code_with_a_leading_zero_stays_text(tmp_path: Path) -> None:
    """YAML 1.1 reads 0131 as octal 89; a 国民经济行业分类 code such as 0131 is text."""
    from policyrules.packs import load_facts

    path = tmp_path / "facts.yaml"
    path.write_text("enterprise:\n  name: 甲\n  uscc: 91350100M000100Y43\n  industry: 0131\n", encoding="utf-8")
    assert load_facts(path).facts.enterprise.industry == "0131"
