"""The command line (contract §4), run as a user runs it: a real subprocess, real files, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "policies" / "mee_2021" / "examples" / "listed_small_micro.yaml"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policyrules.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=stdin,
    )


def test_packs_lists_the_national_pack_with_its_document_and_status() -> None:
    out = run("packs")
    assert out.returncode == 0, out.stderr
    assert "mee_2021" in out.stdout
    assert "环办执法〔2021〕10号" in out.stdout
    assert "in force" in out.stdout


def test_packs_json_has_the_force_window() -> None:
    out = run("packs", "--format", "json")
    packs = {p["id"]: p for p in json.loads(out.stdout)}
    assert packs["mee_2021"]["documents"][0]["in_force_from"] == "2021-04-06"


def test_evaluate_prints_the_contract_json() -> None:
    out = run("evaluate", "--pack", "mee_2021", "--as-of", "2021-10-01", str(EXAMPLE), "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["pack"] == "mee_2021"
    assert data["as_of"] == "2021-10-01"
    assert set(data["decisions"]) == {"inclusion", "listing", "inspection", "penalty", "supervision"}
    inclusion = data["decisions"]["inclusion"]
    assert inclusion["outcome"] == "eligible"
    assert inclusion["categories"] == ["二、（二）小微企业"]
    assert {"id": "small_micro_support", "holds": True} in inclusion["rules"]
    for decision in data["decisions"].values():
        assert decision["citations"], decision
        for citation in decision["citations"]:
            assert set(citation) == {"doc", "clause", "text"}
    penalty = data["decisions"]["penalty"]
    assert penalty["refer_to_police"] is False and penalty["remove_from_list"] is False


def test_stdin_is_read_for_dash() -> None:
    out = run("evaluate", "--pack", "mee_2021", "--as-of", "2021-10-01", "-", stdin=EXAMPLE.read_text("utf-8"))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["decisions"]["inspection"]["outcome"] == "needs_approval"


def test_json_facts_are_accepted() -> None:
    doc = {"enterprise": {"name": "甲公司", "uscc": "91350100M000100Y43"}}
    out = run("evaluate", "--pack", "mee_2021", "--as-of", "2021-10-01", "-", stdin=json.dumps(doc))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["decisions"]["inclusion"]["outcome"] == "ineligible"


def test_explain_names_rules_conditions_values_phrases_and_clause_text() -> None:
    out = run("explain", "--pack", "mee_2021", "--as-of", "2021-10-01", str(EXAMPLE))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.index("结论汇总") < text.index("【纳入正面清单】")  # outcomes on top
    assert "现场执法检查：须经批准后方可启动（needs_approval）" in text
    assert "✓ 规则 small_micro_support" in text
    assert "✗ 规则 clue_track_approved" in text
    assert "✓ 小微企业  〔enterprise.small_micro 读取 是；要求 = 是〕" in text
    assert "未满足：应经本执法机构负责同志同意" in text
    assert "「正面清单企业初次环境违法且危害后果轻微并及时改正的，可依法不予行政处罚。」" in text


def test_explain_in_english() -> None:
    out = run("explain", "--pack", "mee_2021", "--as-of", "2021-10-01", "--lang", "en", str(EXAMPLE))
    assert out.returncode == 0, out.stderr
    assert "On-site inspection: needs approval" in out.stdout
    assert "failed: 应经本执法机构负责同志同意" in out.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("evaluate", "--pack", "mee_2021", "--as-of", "2021-13-01", str(EXAMPLE)), "expected a date YYYY-MM-DD"),
        (("evaluate", "--pack", "mee_2020", "--as-of", "2021-10-01", str(EXAMPLE)), "did you mean 'mee_2021'"),
        (("evaluate", "--pack", "mee_2021", "--as-of", "2021-03-01", str(EXAMPLE)), "is in force from 2021-04-06"),
        (("evaluate", "--pack", "mee_2021", "no/such/file.yaml"), "file not found"),
        (("evaluate", "--pack", "mee_2021", "--engine", "rete", str(EXAMPLE)), "invalid choice: 'rete'"),
        (("explain", str(EXAMPLE)), "one of the arguments --pack --at is required"),
        (("evaluate", "--at", "火星", "--as-of", "2022-01-01", str(EXAMPLE)), "not a place the packs know"),
        (("packs", "--at", "长治", "--as-of", "2019-01-01"), "no pack is in force at"),
        (("validate", "no/such/pack"), "no pack 'no/such/pack'"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(args: tuple[str, ...], fragment: str) -> None:
    out = run(*args)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert fragment in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout == ""


def test_empty_stdin_is_bad_input() -> None:
    out = run("evaluate", "--pack", "mee_2021", "--as-of", "2021-10-01", "-", stdin="")
    assert out.returncode == 2
    assert "<stdin>:1: the file is empty" in out.stderr


def test_validate_all_shipped_packs_passes() -> None:
    out = run("validate")
    assert out.returncode == 0, out.stderr
    assert "ok\tmee_2021" in out.stdout


def test_validate_reports_a_broken_pack(tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "minimal"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", broken)
    rules = broken / "rules.yaml"
    rules.write_text(rules.read_text("utf-8").replace("enterprise.small_micro", "enterprise.smal_micro"), "utf-8")
    out = run("validate", str(broken))
    assert out.returncode == 2
    assert f"{rules}:8: rules[0].when.all[0].fact: no fact 'enterprise.smal_micro'" in out.stderr


def test_test_command_runs_the_pack_cases() -> None:
    out = run("test", "--pack", "mee_2021", "--engine", "compiled")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 failed" in out.stdout
    assert "GAP" not in out.stdout


def test_test_command_fails_on_a_wrong_expectation(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "minimal"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", pack)
    (pack / "cases").mkdir()
    (pack / "cases" / "wrong.yaml").write_text(
        "cases:\n  - name: wrong on purpose\n    as_of: 2021-06-01\n"
        "    facts: {enterprise: {name: 甲, uscc: 91350100M000100Y43}}\n    expect: {inclusion: eligible}\n",
        "utf-8",
    )
    out = run("test", "--pack", str(pack), "--engine", "compiled")
    assert out.returncode == 1
    assert "FAIL" in out.stdout and "expected outcome eligible, got ineligible" in out.stdout


def test_show_lists_every_rule_with_its_origin() -> None:
    out = run("show", "--pack", "mee_2021", "--format", "json")
    rules = json.loads(out.stdout)["rules"]
    assert {r["origin"] for r in rules} == {"own"}
    severe = next(r for r in rules if r["id"] == "severe_punishment")
    assert severe["sets"] == {"remove_from_list": True, "publicize": True}


def test_coverage_table_has_no_uncovered_clause() -> None:
    out = run("coverage", "--pack", "mee_2021", "--format", "json")
    assert out.returncode == 0
    rows = json.loads(out.stdout)["clauses"]
    assert {r["status"] for r in rows} == {"encoded", "not encoded"}
    assert all(r["reason"] for r in rows if r["status"] == "not encoded")


def test_packs_at_a_place_lists_the_chain_with_force_windows() -> None:
    """policyrules packs --at PLACE --as-of D: 长治 after 2021-04-06 is shanxi_2020 yielding to mee_2021."""
    out = run("packs", "--at", "山西省长治市", "--as-of", "2021-06-01", "--format", "json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["pack"] == "shanxi_2020"
    assert [(link["pack"], link["role"]) for link in answer["chain"]] == [
        ("shanxi_2020", "governs"),
        ("mee_2021", "prevails_where_it_differs"),
    ]
    assert answer["chain"][1]["in_force_from"] == "2021-04-06"
    before = json.loads(run("packs", "--at", "长治", "--as-of", "2021-04-05", "--format", "json").stdout)
    assert [link["pack"] for link in before["chain"]] == ["shanxi_2020"]
    text = run("packs", "--at", "重庆", "--as-of", "2022-03-01")
    assert text.returncode == 0 and "chongqing" in text.stdout and "extended" in text.stdout


def test_evaluate_at_a_place_uses_the_pack_governing_it() -> None:
    """evaluate --at 漯河: the national pack before luohe_2021 is in force, luohe_2021 after it."""
    early = json.loads(run("evaluate", "--at", "漯河", "--as-of", "2021-10-01", str(EXAMPLE)).stdout)
    late = json.loads(run("evaluate", "--at", "河南省漯河市", "--as-of", "2022-03-01", str(EXAMPLE)).stdout)
    assert (early["pack"], late["pack"]) == ("mee_2021", "luohe_2021")
    explained = run("explain", "--at", "北京市海淀区", "--as-of", "2022-03-01", str(EXAMPLE))
    assert explained.returncode == 0 and explained.stdout.startswith("mee_2021 ")
