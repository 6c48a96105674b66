"""`policyrules diff` for people: Chinese by default with a witness per region that `explain` accepts and that
decides as the region says, the English text on request, and the rule-by-rule comparison of two packs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from policyrules import load_pack


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policyrules.cli", *args], capture_output=True, text=True, encoding="utf-8"
    )


def witnesses(text: str) -> list[dict[str, Any]]:
    """The YAML blocks under each 示例企业 line of the Chinese text."""
    out = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "示例企业（" in line:
            block = []
            for follow in lines[i + 1 :]:
                if not follow.startswith("       "):
                    break
                block.append(follow[7:])
            out.append(as_json(yaml.safe_load("\n".join(block))))
    return out


def as_json(data: Any) -> Any:
    """YAML dates as the JSON report writes them."""
    return json.loads(json.dumps(data, default=lambda d: d.isoformat()))


def test_diff_in_chinese_gives_a_witness_per_region_that_decides_as_the_region_says(tmp_path: Path) -> None:
    text = run("diff", "mee_2021", "chongqing")
    assert text.returncode == 0, text.stderr
    report = json.loads(run("diff", "mee_2021", "chongqing", "--format", "json").stdout)
    differences = report["differences"]
    lines = text.stdout.splitlines()
    assert lines[1].startswith("差异区域：纳入正面清单 ")
    for label in ("纳入正面清单", "清单内企业的调整", "现场执法检查", "行政处罚", "“双随机、一公开”监管"):
        count = sum(1 for d in differences if d["decision"] in label_codes(label))
        assert f"{label} {count} 处" in lines[1]
    found = witnesses(text.stdout)
    assert len(found) == len(differences)
    assert found == [d["witness"] for d in differences]  # the text's witness is the checked one
    a, b = load_pack("mee_2021"), load_pack("chongqing")
    for witness, diff in zip(found, differences, strict=True):
        assert (
            a.evaluate(witness, as_of=date.fromisoformat(report["as_of"])).decisions[diff["decision"]].outcome
            == diff["a_outcome"]
        )
        assert (
            b.evaluate(witness, as_of=date.fromisoformat(report["as_of"])).decisions[diff["decision"]].outcome
            == diff["b_outcome"]
        )
    first = tmp_path / "示例.yaml"
    first.write_text(yaml.safe_dump(found[0], allow_unicode=True), "utf-8")
    explained = run("explain", "--pack", "chongqing", "--as-of", report["as_of"], str(first))
    assert explained.returncode == 0, explained.stderr
    outcome = differences[0]["b_outcome"]
    assert re.search(rf"结论：\S+（{outcome}）", explained.stdout)


def label_codes(label: str) -> set[str]:
    from policyrules.packs import DECISION_LABELS

    return {code for code, (zh, _) in DECISION_LABELS.items() if zh == label}


def test_diff_regions_speak_chinese_with_says_phrases() -> None:
    out = run("diff", "mee_2021", "chongqing", "--decision", "inspection").stdout
    assert "检查事由为「双随机抽中」" in out
    assert "在正面清单内（「" in out  # the listing, with the phrases of the conditions reading it
    assert "依据：渝环规〔2021〕5号 三、（六）" in out
    assert "说明：已载明：chongqing 改写了规则 random_draw_in_scope" in out
    assert "grounds" not in out.split("示例企业")[0]  # field paths only in the witness YAML


def test_diff_lang_en_keeps_the_english_text() -> None:
    out = run("diff", "mee_2021", "chongqing", "--decision", "penalty", "--lang", "en").stdout
    assert out.startswith("diff mee_2021 → chongqing on 2021-08-06 (chongqing extends mee_2021")
    assert "== penalty: 2 regions" in out and "documented: yes" in out


def test_diff_markdown_in_chinese_has_a_yaml_witness_per_region() -> None:
    out = run("diff", "mee_2021", "luohe_2021", "--format", "markdown").stdout
    report = json.loads(run("diff", "mee_2021", "luohe_2021", "--format", "json").stdout)
    assert out.count("```yaml") == len(report["differences"])
    assert "差异区域：" in out


def test_diff_rules_compares_two_sibling_packs_rule_by_rule() -> None:
    out = run("diff", "--rules", "chongqing", "luohe_2021", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    rows = {r["id"]: r for r in data["rules"]}
    # Chongqing restates the national no-relisting rule word for word: only the citation differs
    assert rows["no_relisting_after_serious_violation"]["differs"] == ["citations"]
    drawn = rows["random_draw_in_scope"]
    assert drawn["differs"] == ["conditions", "outcome", "citations"]
    assert (drawn["a"]["yields"], drawn["b"]["yields"]) == ("non_site", "permitted")
    witness, holds_in = drawn["witness"], drawn["holds_in"]
    for pack_id in ("chongqing", "luohe_2021"):
        inspection = (
            load_pack(pack_id).evaluate(witness, as_of=date.fromisoformat(data["as_of"])).decisions["inspection"]
        )
        held = any(r.id == "random_draw_in_scope" and r.holds for r in inspection.rules)
        assert held == (pack_id == holds_in)
    assert rows["objection_upheld_bar"]["status"] == "only_a"
    assert rows["green_innovation_tolerance"]["status"] == "only_b"
    assert rows["waiver_no_fault_or_hazard"]["status"] == "only_b"  # disabled in Chongqing, active in Luohe
    text = run("diff", "--rules", "chongqing", "luohe_2021").stdout
    assert text.splitlines()[0].startswith("规则对照 chongqing ↔ luohe_2021")
    assert "不同  现场执法检查  random_draw_in_scope：条件、结论、依据" in text


def test_diff_rules_of_a_pack_with_itself_is_all_same() -> None:
    data = json.loads(run("diff", "--rules", "mee_2021", "mee_2021", "--format", "json").stdout)
    assert {r["status"] for r in data["rules"]} == {"same"}
