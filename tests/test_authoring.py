"""The analyst's path to a new city's pack, run as a user runs it: `new` on a city's text, `validate`, `coverage`,
the check that a pack's number and dates come from its own text, and `test` narrowed to some cases (-k, --case,
--rule) with a JUnit report a CI system reads."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CITY_TEXT = ROOT / "tests" / "fixtures" / "new_city" / "moushi_2022_plan.txt"  # invented; marked as a fixture


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policyrules.cli", *args], capture_output=True, text=True, encoding="utf-8", cwd=cwd
    )


def scaffold(tmp_path: Path, *extra: str) -> Path:
    out = run("new", "moushi_2022", "--extends", "mee_2021", "--source", str(CITY_TEXT), *extra, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return tmp_path / "moushi_2022"


def test_new_reads_the_number_dates_and_issuer_from_the_text(tmp_path: Path) -> None:
    pack = scaffold(tmp_path)
    meta = yaml.safe_load((pack / "pack.yaml").read_text("utf-8"))["pack"]
    doc = meta["documents"]["moushi_2022"]
    assert meta["extends"] == "mee_2021"
    assert doc["number"] == "某环规〔2022〕1号"  # the text prints 某环规〔2022〕1 号
    assert doc["issuer"] == "某市生态环境局" and meta["jurisdiction"] == "某市"
    assert str(doc["date"]) == "2022-02-15" and str(doc["in_force_from"]) == "2022-03-01"  # 自 2022年 3月 1日起施行
    assert (pack / "cases").is_dir() and (pack / "source.txt").is_file()


def test_new_records_every_numbered_clause_verbatim_and_pending(tmp_path: Path) -> None:
    pack = scaffold(tmp_path)
    clauses = yaml.safe_load((pack / "clauses.yaml").read_text("utf-8"))["clauses"]
    assert list(clauses) == [
        *("一、", "二、", "二、（一）", "二、（一）一是", "二、（一）二是"),
        *("二、（二）", "三、", "三、（一）", "三、（二）", "四、"),
    ]
    assert all(c["encoded"] == "pending" for c in clauses.values())
    assert clauses["三、（二）"]["text"] == (
        "（二）免罚轻罚。正面清单企业初次环境违法且危害后果轻微并及时改正的，可依法不予行政处罚。"
    )
    rules = (pack / "rules.yaml").read_text("utf-8")
    assert yaml.safe_load(rules) == {"rules": []}
    assert "action: override" in rules and "action: disable" in rules
    assert "waiver_first_minor_offence → may_waive" in rules  # each parent rule is listed


def test_the_scaffold_validates_and_coverage_lists_what_is_left(tmp_path: Path) -> None:
    pack = scaffold(tmp_path)
    out = run("validate", str(pack))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok\tmoushi_2022")
    assert "10 clauses not yet encoded" in out.stderr
    cov = run("coverage", "--pack", str(pack))
    assert cov.returncode == 0
    rows = [line.split("\t")[:2] for line in cov.stdout.splitlines()]
    assert rows[0] == ["clause", "status"] and len(rows) == 11
    assert all(status == "pending" for _, status in rows[1:])


def test_a_rule_may_not_cite_a_pending_clause_until_the_mark_is_removed(tmp_path: Path) -> None:
    pack = scaffold(tmp_path)
    rule = (
        "rules:\n  - id: waiver_first_minor_offence\n    action: override\n    cites: [三、（二）]\n    when:\n"
        "      all:\n        - fact: listed\n          says: 正面清单企业\n"
        "        - fact: violation_case.first_offence\n          says: 初次环境违法\n"
    )
    (pack / "rules.yaml").write_text(rule, "utf-8")
    out = run("validate", str(pack))
    assert out.returncode == 2
    assert "rules[0].cites[0]: clause '三、（二）' is marked `encoded: pending`" in out.stderr
    clauses = pack / "clauses.yaml"
    text = clauses.read_text("utf-8")
    head, tail = text.split("  三、（二）:\n", 1)
    clauses.write_text(head + "  三、（二）:\n" + tail.replace("    encoded: pending\n", "", 1), "utf-8")
    assert run("validate", str(pack)).returncode == 0
    cov = run("coverage", "--pack", str(pack), "--format", "json")
    rows = {r["clause"]: r for r in yaml.safe_load(cov.stdout)["clauses"]}
    assert rows["三、（二）"]["status"] == "encoded" and rows["三、（二）"]["rules"] == ["waiver_first_minor_offence"]
    assert rows["四、"]["status"] == "pending"


def test_new_writes_nothing_when_a_given_number_is_not_in_the_text(tmp_path: Path) -> None:
    out = run(
        "new", "moushi_2022", "--extends", "mee_2021", "--source", str(CITY_TEXT), "--document", "某环规〔2022〕9号",
        cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 2
    assert "pack.documents.moushi_2022.number: number 某环规〔2022〕9号 does not occur in source.txt" in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_never_writes_over_a_directory(tmp_path: Path) -> None:
    (tmp_path / "moushi_2022").mkdir()
    (tmp_path / "moushi_2022" / "mine.txt").write_text("kept", "utf-8")
    out = run("new", "moushi_2022", "--extends", "mee_2021", "--source", str(CITY_TEXT), cwd=tmp_path)
    assert out.returncode == 2 and "already exists" in out.stderr
    assert [p.name for p in (tmp_path / "moushi_2022").iterdir()] == ["mine.txt"]


def test_validate_flags_a_copied_pack_whose_number_and_dates_are_not_in_its_text(tmp_path: Path) -> None:
    """The copy-the-nearest-city path: the new city's text and clauses under Chongqing's pack.yaml."""
    pack = scaffold(tmp_path)
    copied = (ROOT / "policies" / "chongqing" / "pack.yaml").read_text("utf-8").split("\nacknowledged:")[0]
    # the listing validity names a clause of Chongqing's, as the acknowledgments name its rules: not copied
    copied = re.sub(r"\n  listing_validity:\n(    .*\n)+", "\n", copied)
    (pack / "pack.yaml").write_text(copied.replace("id: chongqing", "id: moushi_2022"), "utf-8")
    out = run("validate", str(pack))
    assert out.returncode == 2
    for field, value in (("number", "渝环规〔2021〕5号"), ("date", "2021-07-06"), ("in_force_from", "2021-08-06")):
        assert f"pack.documents.chongqing_2021.{field}: {field} {value} does not occur in source.txt" in out.stderr


def test_the_shipped_packs_say_why_a_value_is_not_in_their_text() -> None:
    out = run("validate")
    assert out.returncode == 0, out.stderr
    luohe = yaml.safe_load((ROOT / "policies/luohe_2021/pack.yaml").read_text("utf-8"))
    assert "in_force_from" in luohe["pack"]["documents"]["luohe_2021"]["not_in_source"]


def test_test_k_runs_only_the_cases_whose_name_matches() -> None:
    out = run("test", "--pack", "mee_2021", "--engine", "compiled", "-k", "MAY WAIVE")
    assert out.returncode == 0, out.stdout + out.stderr
    assert sum("may waive" in line.lower() for line in names("mee_2021")) == 3
    assert "mee_2021: 3 cases, 3 runs on compiled: 3 passed, 0 failed" in out.stdout
    assert "GAP" not in out.stdout  # the coverage rule is not held against a part of the cases


def test_test_rule_runs_the_cases_that_touch_it_and_checks_it_alone() -> None:
    out = run("test", "--pack", "chongqing", "--engine", "compiled", "--rule", "waiver_no_fault_self_reported")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "chongqing: 7 cases" in out.stdout  # five of 三、（九） and two of time.yaml (the date of the conduct)
    wrong = run("test", "--pack", "chongqing", "--rule", "waiver_no_fault_self_reportd")
    assert wrong.returncode == 2 and "did you mean 'waiver_no_fault_self_reported'" in wrong.stderr
    off = run("test", "--pack", "chongqing", "--rule", "waiver_no_fault_or_hazard")
    assert off.returncode == 2 and "disabled in chongqing" in off.stderr


def test_test_case_file_and_junit_report(tmp_path: Path) -> None:
    pack = tmp_path / "minimal"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", pack)
    (pack / "cases").mkdir()
    (pack / "cases" / "mixed.yaml").write_text(
        "base: {enterprise: {name: 甲, uscc: 91350100M000100Y43}}\n"
        "cases:\n"
        "  - name: not small — ineligible, by its Chinese label\n    as_of: 2021-06-01\n"
        "    expect: {inclusion: 不符合纳入条件}\n"
        "  - name: wrong on purpose\n    as_of: 2021-06-01\n    expect: {inclusion: {outcome: 可以纳入}}\n",
        "utf-8",
    )
    (pack / "cases" / "other.yaml").write_text(
        "cases:\n  - name: elsewhere\n    as_of: 2021-06-01\n"
        "    facts: {enterprise: {name: 乙, uscc: 91350100M000100Y43}}\n    expect: {inclusion: ineligible}\n",
        "utf-8",
    )
    report = tmp_path / "junit.xml"
    out = run("test", "--case", str(pack / "cases" / "mixed.yaml"), "--engine", "compiled", "--junit", str(report))
    assert out.returncode == 1
    assert "expected outcome eligible, got ineligible" in out.stdout  # the label read as its code
    assert "minimal: 2 cases" in out.stdout  # other.yaml not run
    suites = ET.parse(report).getroot()
    assert (suites.get("tests"), suites.get("failures")) == ("2", "1")
    cases = suites.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == [
        "not small — ineligible, by its Chinese label [compiled]",
        "wrong on purpose [compiled]",
    ]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure is not None and "expected outcome eligible" in (failure.get("message") or "")
    assert cases[1].get("file", "").endswith("mixed.yaml") and cases[1].get("line") == "6"


def test_expect_refuses_a_label_of_another_decision(tmp_path: Path) -> None:
    pack = tmp_path / "minimal"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", pack)
    (pack / "cases").mkdir()
    (pack / "cases" / "bad.yaml").write_text(
        "cases:\n  - name: x\n    as_of: 2021-06-01\n    facts: {enterprise: {name: 甲, uscc: 91350100M000100Y43}}\n"
        "    expect: {inclusion: 可依法不予行政处罚}\n",
        "utf-8",
    )
    out = run("test", "--pack", str(pack))
    assert out.returncode == 2
    assert "cases[0].expect.inclusion: '可依法不予行政处罚' is not an outcome of inclusion" in out.stderr


def names(pack_id: str) -> list[str]:
    """The names of a shipped pack's cases, as the files give them."""
    files = sorted((ROOT / "policies" / pack_id / "cases").glob("*.yaml"))
    return [case["name"] for f in files for case in yaml.safe_load(f.read_text("utf-8"))["cases"]]


def test_junit_never_writes_over_a_file_of_the_pack(tmp_path: Path) -> None:
    pack = tmp_path / "minimal"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", pack)
    rules = (pack / "rules.yaml").read_text("utf-8")
    out = run("test", "--pack", str(pack), "--junit", str(pack / "rules.yaml"))
    assert out.returncode == 2 and "--junit" in out.stderr
    assert (pack / "rules.yaml").read_text("utf-8") == rules


def test_the_encoded_new_city_pack_of_the_guide_validates_tests_and_lints_clean(tmp_path: Path) -> None:
    """docs/pack-format.md's walk-through: the scaffold with the analyst's clauses, rules and cases laid over it."""
    pack = scaffold(tmp_path)
    shutil.copytree(ROOT / "tests" / "fixtures" / "new_city" / "encoded", pack, dirs_exist_ok=True)
    assert run("validate", "--lint", str(pack)).returncode == 0
    cov = json.loads(run("coverage", "--pack", str(pack), "--format", "json").stdout)
    assert {r["status"] for r in cov["clauses"]} == {"encoded", "not encoded"}
    out = run("test", "--pack", str(pack), "--engine", "compiled", "-k", "二、（")
    assert out.returncode == 0 and "moushi_2022: 4 cases" in out.stdout
    lint = run("lint", str(pack))
    assert lint.returncode == 0 and lint.stdout.startswith("moushi_2022: 0 findings (")


def test_new_extends_a_pack_given_by_path(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "policies" / "mee_2021", tmp_path / "national")
    national = tmp_path / "national" / "pack.yaml"
    national.write_text(national.read_text("utf-8").replace("  id: mee_2021", "  id: national", 1), "utf-8")
    (tmp_path / "city").mkdir()
    args = ("--source", str(CITY_TEXT), "--dir", "city")
    out = run("new", "moushi", "--extends", "./national", *args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    meta = yaml.safe_load((tmp_path / "city" / "moushi" / "pack.yaml").read_text("utf-8"))["pack"]
    assert meta["extends"] == "../../national"  # from the new pack's directory, as the loader reads it
    assert run("validate", str(tmp_path / "city" / "moushi")).returncode == 0
