"""What would make it hold (`whatif`): every alternative reaches the outcome asked when its facts are evaluated on
its date, none contains another, each is minimal, and waiting gives the earliest date — on both engines."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packs import available_engines, example_as_of, examples
from policyrules.analysis import CHANGEABLE, WhatIf, what_if
from policyrules.errors import EvaluationError
from policyrules.packs import OUTCOMES, load_facts
from strategies import Document, pack_cases, shipped_pack

ROOT = Path(__file__).resolve().parents[1]
ENGINES = available_engines()
AS_OF = date(2022, 3, 1)


def outcome(pack_id: str, facts: Mapping[str, Any], day: date, decision: str, engine: str) -> str | None:
    found = shipped_pack(pack_id).evaluate(facts, as_of=day, engine=engine, trace=False).decisions.get(decision)
    return found.outcome if found else None


def items(alt: Mapping[str, Any]) -> set[tuple[str, str]]:
    """An alternative's changes as comparable items: each member added to a list, each other fact's new value."""
    out: set[tuple[str, str]] = set()
    for change in alt["changes"]:
        if isinstance(change["to"], list):
            out |= {(change["path"], m) for m in change["to"] if m not in change["from"]}
        else:
            out.add((change["path"], json.dumps(change["to"])))
    return out


def when(alt: Mapping[str, Any], asked: date) -> date:
    return date.fromisoformat(alt["as_of"]) if "as_of" in alt else asked


def restore(facts: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(facts))
    *parents, last = path.split(".")
    node = out
    for part in parents:
        node = node[part]
    node[last] = value
    return out


def check_answer(pack_id: str, answer: WhatIf, engine: str) -> None:
    data = answer.to_json()
    alts = data["alternatives"]
    for alt in alts:
        day = when(alt, answer.as_of)
        assert day >= answer.as_of
        assert outcome(pack_id, alt["facts"], day, answer.decision, engine) == answer.outcome, alt
        assert {c["path"] for c in alt["changes"]} <= CHANGEABLE
        assert alt["cites"], "every alternative names the clauses it rests on"
        for change in alt["changes"]:  # minimal: without any one of its changes it no longer holds
            assert change["says"]
            undone = restore(alt["facts"], change["path"], change["from"])
            assert outcome(pack_id, undone, day, answer.decision, engine) != answer.outcome, (alt, change)
        if day > answer.as_of:  # the earliest date: a day sooner, the same changes do not reach it
            assert outcome(pack_id, alt["facts"], day - timedelta(days=1), answer.decision, engine) != answer.outcome
    for a in alts:
        for b in alts:
            if a is not b:  # waiting is a change too: none needs all of another's changes and waits as long
                contains = items(a) >= items(b) and when(a, answer.as_of) >= when(b, answer.as_of)
                assert not contains, (a, b)


@st.composite
def questions(draw: st.DrawFn) -> tuple[str, Document, date, str, str]:
    """A generated enterprise and a decision its facts ask for, with an outcome other than today's."""
    pack_id, facts, as_of = draw(pack_cases())
    decisions = shipped_pack(pack_id).evaluate(facts, as_of=as_of, trace=False).decisions
    decision = draw(st.sampled_from(sorted(decisions)))
    wanted = draw(st.sampled_from([o for o in OUTCOMES[decision] if o != decisions[decision].outcome]))
    return pack_id, facts, as_of, decision, wanted


@pytest.mark.parametrize("engine", ENGINES)
def test_every_alternative_reaches_the_outcome_and_none_contains_another(engine: str) -> None:
    examples = 100 if engine == "compiled" else 30

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(questions())
    def check(question: tuple[str, Document, date, str, str]) -> None:
        pack_id, facts, as_of, decision, wanted = question
        answer = what_if(shipped_pack(pack_id), facts, decision, wanted, as_of, engine, max_changes=2)
        check_answer(pack_id, answer, engine)

    check()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("pack_id", "example"), examples(), ids=lambda v: getattr(v, "stem", v))
def test_every_other_outcome_of_every_example(pack_id: str, example: Path, engine: str) -> None:
    facts, as_of = load_facts(example).data, example_as_of(example)
    decisions = shipped_pack(pack_id).evaluate(facts, as_of=as_of, trace=False).decisions
    for decision, found in decisions.items():
        for wanted in OUTCOMES[decision]:
            if wanted != found.outcome:
                check_answer(pack_id, what_if(shipped_pack(pack_id), facts, decision, wanted, as_of, engine), engine)


def cq_violation_within_the_year() -> dict[str, Any]:
    """A Chongqing livelihood enterprise, inspected on site, with an exceedance on 2021-11-02: not eligible
    under 三、（二）二是 until the violation is more than a year old."""
    doc = load_facts(ROOT / "policies/chongqing/examples/random_draw_off_site.yaml").data
    doc["enterprise"]["violations"] = [{"date": "2021-11-02", "kind": "exceedance"}]
    doc["enterprise"]["inspections"] = [{"date": "2022-02-10"}]
    del doc["enterprise"]["listing"]
    return doc


@pytest.mark.parametrize("engine", ENGINES)
def test_a_violation_cannot_be_undone_but_its_window_closes(engine: str) -> None:
    facts = cq_violation_within_the_year()
    assert outcome("chongqing", facts, AS_OF, "inclusion", engine) == "ineligible"
    answer = what_if(shipped_pack("chongqing"), facts, "inclusion", "eligible", AS_OF, engine)
    check_answer("chongqing", answer, engine)
    alts = answer.to_json()["alternatives"]
    waiting = [a for a in alts if not a["changes"]]
    assert [a["as_of"] for a in waiting] == ["2022-11-03"]
    assert {r["rule"] for r in waiting[0]["cites"]} == {"category_livelihood_inspected_clean"}
    assert {r["clause"] for r in waiting[0]["cites"]} >= {"三、（二）二是"}
    assert all("violations" not in c["path"] for a in alts for c in a["changes"])
    credit = [a for a in alts if a["changes"]]
    assert [c["to"] for a in credit for c in a["changes"]] == ["trustworthy"]
    assert "as_of" not in credit[0]


def test_an_outcome_already_reached_needs_no_change() -> None:
    facts = load_facts(ROOT / "policies/mee_2021/examples/listed_small_micro.yaml").data
    answer = what_if(shipped_pack("mee_2021"), facts, "inclusion", "eligible", date(2021, 10, 1))
    assert answer.current == "eligible"
    assert [a.changes for a in answer.alternatives] == [()]


def test_an_approval_makes_an_inspection_permitted() -> None:
    facts = load_facts(ROOT / "policies/mee_2021/examples/listed_small_micro.yaml").data
    answer = what_if(shipped_pack("mee_2021"), facts, "inspection", "permitted", date(2021, 10, 1))
    assert [[c.to_json() for c in a.changes] for a in answer.alternatives] == [
        [
            {
                "path": "inspection_request.approvals",
                "from": [],
                "to": ["enforcement_head"],
                "says": answer.alternatives[0].changes[0].says,
            }
        ]
    ]
    assert "负责同志同意" in answer.alternatives[0].changes[0].says


def test_an_unknown_outcome_is_refused_with_the_choices() -> None:
    facts = load_facts(ROOT / "policies/mee_2021/examples/listed_small_micro.yaml").data
    with pytest.raises(EvaluationError, match=r"eligible \(可以纳入\), ineligible \(不符合纳入条件\), barred"):
        what_if(shipped_pack("mee_2021"), facts, "inclusion", "keep", date(2021, 10, 1))
    with pytest.raises(EvaluationError, match="in force from 2021-04-06"):  # as evaluate says it
        what_if(shipped_pack("mee_2021"), facts, "inclusion", "eligible", date(2020, 1, 1))


def test_the_outcome_may_be_asked_by_its_chinese_label() -> None:
    facts = cq_violation_within_the_year()
    by_label = what_if(shipped_pack("chongqing"), facts, "inclusion", "可以纳入", AS_OF)
    assert by_label.to_json() == what_if(shipped_pack("chongqing"), facts, "inclusion", "eligible", AS_OF).to_json()
    assert by_label.outcome == "eligible" and by_label.current == "ineligible"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policyrules", *args], capture_output=True, text=True, encoding="utf-8", input=stdin
    )


def test_the_command_prints_the_json_of_the_brief(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(cq_violation_within_the_year(), ensure_ascii=False, default=str), encoding="utf-8")
    args = ("whatif", "--pack", "chongqing", "--as-of", "2022-03-01", str(facts), "--decision", "inclusion")
    out = run(*args, "--outcome", "eligible", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"decision", "outcome", "alternatives"}
    assert (data["decision"], data["outcome"]) == ("inclusion", "eligible")
    for alt in data["alternatives"]:
        assert set(alt) - {"as_of"} == {"changes", "facts", "cites"}
        assert all(set(c) == {"path", "from", "to", "says"} for c in alt["changes"])
    text = run(*args, "--outcome", "eligible")
    assert text.returncode == 0
    assert "从 2022-11-03 起" in text.stdout and "三、（二）二是" in text.stdout
    bad = run(*args, "--outcome", "keep")
    assert bad.returncode == 2 and "not an outcome of inclusion" in bad.stderr


def test_the_command_answers_for_a_row_of_a_register(tmp_path: Path) -> None:
    register = tmp_path / "名录.csv"
    register.write_text(
        "2022年正面清单企业名录,,,,\n"
        "企业名称,统一社会信用代码,民生保障重点行业企业,执法检查记录,环境违法记录\n"
        '重庆示例酿造有限公司,91500102MA61KY0P9H,是,"[{""date"": ""2022-02-10""}]",'
        '"[{""date"": ""2021-11-02"", ""kind"": ""exceedance""}]"\n',
        encoding="utf-8",
    )
    args = ("whatif", "--pack", "chongqing", "--as-of", "2022-03-01", str(register), "--row", "3")
    out = run(*args, "--decision", "inclusion", "--outcome", "eligible", "--format", "json")
    assert out.returncode == 0, out.stderr
    alts = json.loads(out.stdout)["alternatives"]
    assert [a.get("as_of") for a in alts] == [None, "2022-11-03"]
    assert alts[1]["facts"]["enterprise"]["violations"] == [{"date": "2021-11-02", "kind": "exceedance"}]


def test_a_grade_written_by_its_label_is_changed_to_a_label() -> None:
    facts = load_facts(ROOT / "policies/luohe_2021/examples/unplanned_complaint_poor_credit.yaml").data
    assert facts["enterprise"]["credit_rating"] == "环保警示"
    answer = what_if(shipped_pack("luohe_2021"), facts, "supervision", "reduced", AS_OF)
    check_answer("luohe_2021", answer, "compiled")
    assert [(c.before, c.after) for a in answer.alternatives for c in a.changes] == [
        ("环保警示", "环保良好"),
        ("环保警示", "环保诚信"),
    ]
    assert "环保信用好的企业" in answer.alternatives[0].changes[0].says


def test_a_decision_the_facts_do_not_ask_has_no_alternative_and_says_why() -> None:
    facts = {"enterprise": {"name": "甲", "uscc": "91350100M000100Y43"}}
    out = run(
        *("whatif", "--pack", "mee_2021", "--as-of", "2022-03-01", "-", "--decision", "penalty"),
        *("--outcome", "may_waive"),
        stdin=json.dumps(facts),
    )
    assert out.returncode == 0, out.stderr
    assert "事实中没有提出这一问题" in out.stdout
    answer = what_if(shipped_pack("mee_2021"), facts, "penalty", "may_waive", AS_OF)
    assert answer.current is None and answer.alternatives == ()
