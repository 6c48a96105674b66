"""`policyrules lint` as a user runs it: each kind of finding on a crafted pack (tests/lint/*.yaml each change one
file of tests/fixtures/minimal by a text replacement), with its file, line, rules and clauses; a witness that
`explain` accepts; acknowledgments in the pack; and the shipped packs clean, every finding acknowledged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).parent
MINIMAL = HERE / "fixtures" / "minimal"
LINT_CASES = sorted((HERE / "lint").glob("*.yaml"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policyrules.cli", *args], capture_output=True, text=True, encoding="utf-8"
    )


def crafted(case: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    pack = tmp_path / "minimal"
    shutil.copytree(MINIMAL, pack)
    target = pack / spec["file"]
    old, new = spec["replace"]
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{case.name}: the text to replace is not in {spec['file']}"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return pack, spec["expect"]


def lint_json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    out = run("lint", "--format", "json", *args)
    assert out.returncode in (0, 1), out.stderr
    return out.returncode, json.loads(out.stdout)


def test_the_minimal_pack_is_clean() -> None:
    code, [report] = lint_json(str(MINIMAL))
    assert code == 0 and report["findings"] == [] and report["complete"]


@pytest.mark.parametrize("case", LINT_CASES, ids=lambda p: p.stem)
def test_each_kind_of_finding_names_file_line_rules_and_clauses(case: Path, tmp_path: Path) -> None:
    pack, expect = crafted(case, tmp_path)
    assert run("validate", str(pack)).returncode == 0  # a pack that loads and validates: only lint objects
    code, [report] = lint_json(str(pack))
    assert code == 1
    found = [f for f in report["findings"] if f["kind"] == expect["kind"]]
    assert found, f"no {expect['kind']} finding in {report['findings']}"
    finding = found[0]
    assert finding["file"] == str(pack / expect["file"])
    assert finding["line"] == expect["line"]
    assert finding["rules"] == expect.get("rules", [])
    if "clauses" in expect:
        assert finding["clauses"] == expect["clauses"]
    else:
        assert finding["clauses"] and all(c.startswith("测试〔2021〕1号 ") for c in finding["clauses"])
    assert finding.get("condition") == expect.get("condition")


def test_an_overlap_names_the_hit_policy_and_a_witness_explain_accepts(tmp_path: Path) -> None:
    pack, _ = crafted(HERE / "lint" / "overlap.yaml", tmp_path)
    _, [report] = lint_json(str(pack))
    [overlap] = [f for f in report["findings"] if f["kind"] == "overlap"]
    assert overlap["settled_by"].startswith("the default hit policy of inspection")
    assert overlap["settled_by"].endswith("priority: [refused, non_site, self_check_first, needs_approval, permitted]")
    witness = tmp_path / "witness.yaml"
    witness.write_text(yaml.safe_dump(overlap["witness"], allow_unicode=True), "utf-8")
    out = run("explain", "--pack", str(pack), "--as-of", report["as_of"], str(witness))
    assert out.returncode == 0, out.stderr
    assert "✓ 规则 complaint_approved" in out.stdout and "✓ 规则 report_refused" in out.stdout
    assert "【现场执法检查】 结论：不得启动（refused）" in out.stdout


def test_text_output_and_exit_code(tmp_path: Path) -> None:
    pack, _ = crafted(HERE / "lint" / "never_holds.yaml", tmp_path)
    out = run("lint", str(pack))
    assert out.returncode == 1
    assert out.stdout.splitlines() == [
        f"{pack}/rules.yaml:33: never_holds: first_offence [测试〔2021〕1号 四、]: "
        "no enterprise satisfies its conditions",
        "minimal: 1 finding",
    ]


def test_validate_lint_fails_on_a_finding(tmp_path: Path) -> None:
    pack, _ = crafted(HERE / "lint" / "masked.yaml", tmp_path)
    out = run("validate", "--lint", str(pack))
    assert out.returncode == 1
    assert out.stdout.startswith("ok\tminimal") and "masked: first_offence" in out.stdout


def acknowledge(pack: Path, entries: str) -> None:
    with (pack / "pack.yaml").open("a", encoding="utf-8") as f:
        f.write("acknowledged:\n" + entries)


def test_an_acknowledged_finding_is_reported_with_its_reason_and_does_not_fail(tmp_path: Path) -> None:
    pack, _ = crafted(HERE / "lint" / "overlap.yaml", tmp_path)
    acknowledge(pack, "  - finding: overlap\n    rules: [report_refused]\n    reason: 报告先行\n")
    out = run("lint", str(pack))
    assert out.returncode == 0, out.stdout
    assert out.stdout == "minimal: 0 findings (1 acknowledged in the pack)\n"
    shown = run("lint", "--all", str(pack)).stdout
    assert "    acknowledged: 报告先行" in shown


def test_an_acknowledgment_that_matches_nothing_is_a_finding(tmp_path: Path) -> None:
    pack = tmp_path / "minimal"
    shutil.copytree(MINIMAL, pack)
    acknowledge(pack, "  - finding: masked\n    rules: [first_offence]\n    reason: 旧的\n")
    code, [report] = lint_json(str(pack))
    assert code == 1
    [stale] = report["findings"]
    assert stale["kind"] == "stale_acknowledgment" and stale["file"] == str(pack / "pack.yaml")
    assert stale["line"] == 16


def test_an_acknowledgment_of_an_unknown_rule_is_refused_when_the_pack_loads(tmp_path: Path) -> None:
    pack = tmp_path / "minimal"
    shutil.copytree(MINIMAL, pack)
    acknowledge(pack, "  - finding: masked\n    rules: [first_ofence]\n    reason: 旧的\n")
    out = run("validate", str(pack))
    assert out.returncode == 2
    assert "pack.yaml:17: acknowledged[0].rules[0]: no rule 'first_ofence' in this pack" in out.stderr
    assert "did you mean 'first_offence'?" in out.stderr


def test_the_shipped_packs_are_clean_or_acknowledge_each_finding_with_a_reason() -> None:
    code, reports = lint_json()
    assert code == 0
    assert {r["pack"] for r in reports} >= {"mee_2021", "chongqing", "luohe_2021", "shanxi_2020"}
    for report in reports:
        assert report["complete"] and report["open"] == 0
        assert all(f["acknowledged"].strip() for f in report["findings"])
    out = run("validate", "--lint")
    assert out.returncode == 0, out.stdout + out.stderr
