"""Engine semantics that packs rely on, each shown on a small pack built from the minimal fixture."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from policyrules import EvaluationError, PackError, load_pack

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
ENTERPRISE = {"name": "甲公司", "uscc": "91350100M000100Y43"}


def make_pack(tmp_path: Path, name: str, rules_tail: str = "", pack_tail: str = "", replace: str = "") -> Path:
    """A copy of the minimal pack under a new id, with rules appended and pack.yaml extended."""
    target = tmp_path / name
    shutil.copytree(FIXTURE, target)
    pack_yaml = (target / "pack.yaml").read_text("utf-8").replace("id: minimal", f"id: {name}")
    (target / "pack.yaml").write_text(pack_yaml + pack_tail, "utf-8")
    rules = (target / "rules.yaml").read_text("utf-8")
    if replace:
        rules = replace
    (target / "rules.yaml").write_text(rules + rules_tail, "utf-8")
    return target


def test_an_outcome_reference_to_an_absent_decision_never_holds(tmp_path: Path) -> None:
    """No violation_case, no penalty decision: a rule that asks for an 'ordinary' penalty does not hold."""
    path = make_pack(
        tmp_path,
        "refs",
        rules_tail="""
  - id: after_ordinary_penalty
    decision: supervision
    yields: special
    cites: [五、]
    when:
      outcome: penalty
      is: ordinary
      says: 清单企业
""",
    )
    pack = load_pack(str(path))
    for engine in ("compiled", "durable"):
        without_case = pack.evaluate({"enterprise": ENTERPRISE}, as_of=date(2021, 6, 1), engine=engine)
        assert without_case.decisions["supervision"].outcome == "general"
        with_case = pack.evaluate(
            {"enterprise": ENTERPRISE, "violation_case": {"date": "2021-05-01"}}, as_of=date(2021, 6, 1), engine=engine
        )
        assert with_case.decisions["penalty"].outcome == "ordinary"
        assert with_case.decisions["supervision"].outcome == "special"


def child_pack(tmp_path: Path, rules: str, in_force: str = "2021-01-01") -> Path:
    parent = make_pack(tmp_path, "parent")
    child = tmp_path / "child"
    child.mkdir()
    shutil.copy(FIXTURE / "source.txt", child / "source.txt")
    (child / "pack.yaml").write_text(
        f"""pack:
  id: child
  title: 子
  jurisdiction: 测试
  version: "1"
  extends: parent
  documents:
    doc:
      number: 测试〔2021〕2号
      title: 子文件
      issuer: 测试局
      in_force_from: {in_force}
      source: source.txt
""",
        "utf-8",
    )
    (child / "clauses.yaml").write_text("clauses:\n  四、:\n    text: 初次违法且及时改正的，可以不予处罚。\n", "utf-8")
    (child / "rules.yaml").write_text(rules, "utf-8")
    assert parent.is_dir()
    return child


def test_an_override_keeps_the_outcome_it_does_not_restate(tmp_path: Path) -> None:
    child = child_pack(
        tmp_path,
        """rules:
  - id: first_offence
    action: override
    cites: [四、]
    when:
      fact: violation_case.corrected
      says: 及时改正的
""",
    )
    pack = load_pack(str(child))
    rule = next(r for r in pack.definition.rules if r.id == "first_offence")
    assert rule.origin == "overridden"
    assert rule.spec.yields == "may_waive"
    result = pack.evaluate(
        {"enterprise": ENTERPRISE, "violation_case": {"date": "2021-05-01", "corrected": True}}, as_of=date(2021, 6, 1)
    )
    assert result.decisions["penalty"].outcome == "may_waive"
    assert result.decisions["penalty"].citations[0]["doc"] == "测试〔2021〕2号"


def test_a_local_pack_cannot_apply_before_the_pack_it_extends(tmp_path: Path) -> None:
    child = child_pack(tmp_path, "rules: []\n", in_force="2020-01-01")
    pack = load_pack(str(child))
    assert pack.evaluate({"enterprise": ENTERPRISE}, as_of=date(2021, 1, 1)).decisions["inclusion"].outcome
    with pytest.raises(EvaluationError, match=r"测试〔2021〕1号 is in force from 2021-01-01"):
        pack.evaluate({"enterprise": ENTERPRISE}, as_of=date(2020, 6, 1))


def test_results_are_read_only(tmp_path: Path) -> None:
    """Decisions are memoised and shared between results, so nothing in them can be changed in place."""
    pack = load_pack("mee_2021")
    first = pack.evaluate({"enterprise": ENTERPRISE}, as_of=date(2022, 1, 1), trace=False)
    citation = first.decisions["inclusion"].citations[0]
    with pytest.raises(TypeError):
        citation["text"] = "changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        first.decisions["supervision"].flags["publicize"] = True  # type: ignore[index]
    again = pack.evaluate({"enterprise": ENTERPRISE}, as_of=date(2022, 1, 1), trace=False)
    assert again.decisions["inclusion"].citations[0]["text"] == citation["text"]


def test_an_untraced_result_still_names_each_rule_and_its_clauses() -> None:
    pack = load_pack("mee_2021")
    result = pack.evaluate({"enterprise": ENTERPRISE}, as_of=date(2022, 1, 1), engine="durable")
    rule = result.decisions["inclusion"].rules[0]
    assert rule.condition is None
    assert rule.title and rule.yields == "eligible" and rule.citations


@pytest.mark.parametrize("action", ["add", "override", "disable"])
def test_every_change_a_local_pack_makes_cites_a_local_clause(tmp_path: Path, action: str) -> None:
    """An override, a disable and an addition must each rest on a clause of the local pack."""
    body = {
        "add": "  - id: extra\n    decision: penalty\n    yields: may_waive\n    cites: [parent:四、]\n"
        "    when:\n      fact: violation_case.corrected\n      says: 及时改正的\n",
        "override": "  - id: first_offence\n    action: override\n    cites: [parent:四、]\n"
        "    when:\n      fact: violation_case.corrected\n      says: 及时改正的\n",
        "disable": "  - id: first_offence\n    action: disable\n    reason: 本地不适用\n    cites: [parent:四、]\n",
    }[action]
    child = child_pack(tmp_path, "rules:\n" + body)
    with pytest.raises(PackError) as err:
        load_pack(str(child))
    problem = next(p for p in err.value.problems if p.path == "rules[0].cites")
    assert "must cite a clause of this pack" in problem.message
    assert problem.file == str(child / "rules.yaml") and problem.line == {"add": 5, "override": 4, "disable": 5}[action]


# --- time: the day a fact is read on --------------------------------------------------------------------------

TIMED_RULES = """
  - id: waiver_when_listed_then
    decision: penalty
    yields: may_waive
    cites: [四、, 五、]
    when:
      all:
        - fact: listed
          read_on: violation_case.date
          says: 清单企业
        - fact: violation_case.corrected
          says: 及时改正的
  - id: entry_inspection
    decision: inclusion
    yields: eligible
    cites: [六、]
    when:
      count: inspections
      within: {years: 1}
      read_on: entry
      at_least: 1
      says: 近1年内经现场检查
"""


def timed_pack(tmp_path: Path) -> Path:
    """The minimal pack with a three-year listing validity, a waiver that reads the listing on the day of the
    violation, and an inclusion category whose inspection window is an entry test."""
    path = make_pack(
        tmp_path,
        "timed",
        rules_tail=TIMED_RULES,
        pack_tail="  listing_validity:\n    period: {years: 3}\n    cites: 六、\n    says: 清单有效期为3年\n",
    )
    (path / "source.txt").write_text(
        (path / "source.txt").read_text("utf-8") + "六、近1年内经现场检查的企业可以纳入，清单有效期为3年。\n", "utf-8"
    )
    (path / "clauses.yaml").write_text(
        (path / "clauses.yaml").read_text("utf-8")
        + "  六、:\n    text: 近1年内经现场检查的企业可以纳入，清单有效期为3年。\n",
        "utf-8",
    )
    return path


@pytest.mark.parametrize("engine", ["compiled", "durable"])
def test_listed_is_a_state_read_on_the_day_a_rule_names(tmp_path: Path, engine: str) -> None:
    """`listed` counts the validity: gone on the third anniversary; read on violation_case.date, a removal
    recorded after the violation does not undo the listed status the violation was committed in."""
    pack = load_pack(str(timed_pack(tmp_path)))
    listing = {"listed_on": "2021-03-01", "removed_on": "2021-09-01"}
    facts = {
        "enterprise": {**ENTERPRISE, "listing": listing},
        "violation_case": {"date": "2021-08-01", "corrected": True},
    }
    result = pack.evaluate(facts, as_of=date(2021, 10, 1), engine=engine)
    assert result.decisions["penalty"].outcome == "may_waive"
    assert result.decisions["supervision"].outcome == "general"  # random_scope reads listed today: removed
    before = {**facts, "violation_case": {"date": "2021-02-01", "corrected": True}}
    assert pack.evaluate(before, as_of=date(2021, 10, 1), engine=engine).decisions["penalty"].outcome == "ordinary"
    kept = {"enterprise": {**ENTERPRISE, "listing": {"listed_on": "2021-03-01"}}}
    on_day = pack.evaluate(kept, as_of=date(2024, 2, 29), engine=engine)
    expired = pack.evaluate(kept, as_of=date(2024, 3, 1), engine=engine)
    assert [r.holds for r in on_day.decisions["supervision"].rules] == [True]
    assert [r.holds for r in expired.decisions["supervision"].rules] == [False]


@pytest.mark.parametrize("engine", ["compiled", "durable"])
def test_an_entry_test_is_read_on_the_listing_date_while_listed(tmp_path: Path, engine: str) -> None:
    pack = load_pack(str(timed_pack(tmp_path)))
    inspected = [{"date": "2021-02-01"}]
    listed = {"enterprise": {**ENTERPRISE, "inspections": inspected, "listing": {"listed_on": "2021-03-01"}}}
    unlisted = {"enterprise": {**ENTERPRISE, "inspections": inspected}}
    # two years on: the listed enterprise met the test when it entered; the other must meet it now
    assert pack.evaluate(listed, as_of=date(2023, 3, 1), engine=engine).decisions["inclusion"].outcome == "eligible"
    assert pack.evaluate(unlisted, as_of=date(2023, 3, 1), engine=engine).decisions["inclusion"].outcome == "ineligible"
    # the day exactly one year before the listing counts; the day before it does not
    edge = {
        "enterprise": {**ENTERPRISE, "inspections": [{"date": "2020-03-01"}], "listing": {"listed_on": "2021-03-01"}}
    }
    assert pack.evaluate(edge, as_of=date(2022, 1, 1), engine=engine).decisions["inclusion"].outcome == "eligible"
    edge["enterprise"]["inspections"] = [{"date": "2020-02-29"}]
    assert pack.evaluate(edge, as_of=date(2022, 1, 1), engine=engine).decisions["inclusion"].outcome == "ineligible"


def test_the_trace_shows_the_day_each_dated_value_was_read_on(tmp_path: Path) -> None:
    pack = load_pack(str(timed_pack(tmp_path)))
    facts = {
        "enterprise": {**ENTERPRISE, "listing": {"listed_on": "2021-03-01"}},
        "violation_case": {"date": "2021-08-01", "corrected": True},
    }
    penalty = pack.evaluate(facts, as_of=date(2021, 10, 1)).to_json(trace=True)["decisions"]["penalty"]
    rule = next(r for r in penalty["rules"] if r["id"] == "waiver_when_listed_then")
    leaf = rule["condition"]["children"][0]
    assert (leaf["subject"], leaf["on"], leaf["read_on"]) == (
        "listed@violation_case.date",
        "violation_case.date",
        "2021-08-01",
    )
    assert "read_on" not in rule["condition"]["children"][1]  # read on the evaluation date: no date shown


@pytest.mark.parametrize(
    ("leaf", "message"),
    [
        ("fact: enterprise.small_micro\n          read_on: violation_case.date", "has no history in the fact model"),
        ("fact: listed\n          read_on: yesterday", "is not a day to read on"),
        ("count: objections\n          read_on: entry\n          at_least: 1", "objections carry no date"),
    ],
)
def test_read_on_is_refused_where_nothing_has_a_history(tmp_path: Path, leaf: str, message: str) -> None:
    rules = f"""
  - id: dated
    decision: supervision
    yields: special
    cites: [五、]
    when:
      all:
        - {leaf}
          says: 清单企业
"""
    with pytest.raises(PackError, match=message):
        load_pack(str(make_pack(tmp_path, "dated", rules_tail=rules)))


def test_supersession_can_be_switched_off_to_compare_the_packs_own_rules() -> None:
    """shanxi_2020 after 2021-04-06: by default mee_2021 decides a complaint check of a listed enterprise
    (needs_approval, 三、（七）) and says so; supersede=False answers by the 2020 rules (permitted)."""
    pack = load_pack("shanxi_2020")
    facts = {
        "enterprise": {**ENTERPRISE, "listing": {"listed_on": "2020-04-10", "category": "4"}},
        "inspection_request": {"grounds": "complaint"},
    }
    superseded = pack.evaluate(facts, as_of=date(2021, 6, 1)).decisions["inspection"]
    own = pack.evaluate(facts, as_of=date(2021, 6, 1), supersede=False).decisions["inspection"]
    assert (superseded.outcome, own.outcome) == ("needs_approval", "permitted")
    assert superseded.decided_by == ("clue_track_needs_approval",)
    assert {r.pack for r in superseded.rules} == {"mee_2021", "shanxi_2020"}
    assert any("本项决定依 mee_2021 作出" in n for n in superseded.notes_zh)
    assert any("我部此前关于正面清单发文中与本意见不一致的，以本意见为准" in c["text"] for c in superseded.citations)
