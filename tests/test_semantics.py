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
