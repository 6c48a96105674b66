"""`policyrules register export`: the published list (附表2 + 正面清单有效期) and the 拟纳入 list from batch results,
read back from the .xlsx with openpyxl; `policyrules template`, the blank register."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from policyrules import load_pack
from policyrules.registers import (
    HEADER,
    Register,
    RegisterError,
    export,
    notes_rows,
    proposed_enterprises,
    read_results,
    run_batch,
    template_columns,
    validity_period,
    validity_years,
)
from test_batch import run_cli, write_jsonl
from test_bureau_register import AS_OF as BUREAU_AS_OF
from test_bureau_register import make, read_csv, uscc

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2022, 6, 1)


def enterprise(name: str, uscc: str, listed_on: str | None, **extra: Any) -> dict[str, Any]:
    ent: dict[str, Any] = {
        "name": name,
        "uscc": uscc,
        "district": "渝北区",
        "industry": "C3982",
        "permit_no": uscc + "001P",
        "monitoring": {"installed": True, "networked": True, "stable": True, "compliant": True},
        "credit_rating": "环保良好",
        **extra,
    }
    if listed_on:
        ent["listing"] = {"listed_on": listed_on, "category": "三、（二）四是"}
    return {"enterprise": ent}


REGISTER = [
    enterprise("重庆渝北示例电子科技有限公司", "91500112MA5U3K8L27", "2021-09-30"),
    enterprise("重庆未纳入企业有限公司", "91350100M000100Y43", None),  # not on the list
    enterprise("重庆期满企业有限公司", "91500112MA5U3K8L27", "2019-01-10"),  # validity over by 2022-06-01
    enterprise(
        "重庆违法企业有限公司",
        "91350100M000100Y43",
        "2021-10-08",
        violations=[{"date": "2022-01-05", "serious": True, "kind": "falsified_records"}],
    ),  # to be removed
    enterprise("重庆第二家保留企业股份有限公司", "91350100M000100Y43", "2020-02-29"),
]


@pytest.fixture()
def results(tmp_path: Path) -> Path:
    register = tmp_path / "register.jsonl"
    write_jsonl(register, REGISTER)
    out = tmp_path / "results.csv"
    run_batch(str(register), out, "chongqing", as_of=AS_OF)
    return out


def test_validity_years_come_from_the_packs_expiry_rule(tmp_path: Path) -> None:
    assert validity_years(load_pack("mee_2021")) == 3
    assert validity_years(load_pack("chongqing")) == 3
    assert validity_years(load_pack("shanxi_2020")) is None  # the 2020 documents set no period
    packs = tmp_path / "packs"
    for name in ("mee_2021", "chongqing"):
        shutil.copytree(ROOT / "policies" / name, packs / name)
    rules = packs / "chongqing" / "rules.yaml"
    rules.write_text(rules.read_text("utf-8").replace("      at_least: 3", "      at_least: 2"), "utf-8")
    assert validity_years(load_pack(str(packs / "chongqing"))) == 2


def test_the_validity_period_ends_the_day_before_the_pack_says_expired() -> None:
    for pack_id in ("mee_2021", "chongqing"):
        pack = load_pack(pack_id)
        for listed in (date(2021, 9, 30), date(2020, 2, 29), date(2021, 8, 31)):
            start, end = validity_period(listed, 3)
            assert start == listed
            facts = enterprise("甲", "91350100M000100Y43", listed.isoformat())  # meets Chongqing's 三、（二）四是
            assert pack.evaluate(facts, as_of=end).decisions["listing"].outcome == "keep"
            assert pack.evaluate(facts, as_of=end + timedelta(days=1)).decisions["listing"].outcome == "expired"
    assert validity_period(date(2021, 9, 30), 3) == (date(2021, 9, 30), date(2024, 9, 29))
    assert validity_period(date(2020, 2, 29), 3)[1] == date(2023, 2, 27)


def test_xlsx_in_the_layout_of_annex_2_with_the_validity_column(tmp_path: Path, results: Path) -> None:
    out = tmp_path / "监督执法正面清单企业列表.xlsx"
    proc = run_cli(
        "register", "export", str(results), "-o", str(out),
        "--unit", "重庆市渝北区生态环境局", "--date", "2022-06-02", "--link", "https://example.org/zmqd",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "正面清单企业列表：2 家企业" in proc.stderr
    ws = openpyxl.load_workbook(out).worksheets[0]
    rows = [tuple("" if c is None else c for c in r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "附表2"
    assert rows[1][0] == "监督执法正面清单企业列表"
    assert "A2:G2" in {str(r) for r in ws.merged_cells.ranges}
    assert rows[2][0] == "填报单位：重庆市渝北区生态环境局" and "填表时间：2022年6月2日" in rows[2]
    assert rows[3] == HEADER
    assert HEADER[:6] == (
        "序号",
        "企业名称",
        "所在地",
        "统一社会信用代码",
        "所属行业",
        "排污许可证编号（排污登记编号）",
    )
    assert HEADER[6] == "正面清单有效期"
    assert rows[4] == (
        1, "重庆渝北示例电子科技有限公司", "渝北区", "91500112MA5U3K8L27", "C3982", "91500112MA5U3K8L27001P",
        "2021年9月30日 至 2024年9月29日",
    )  # fmt: skip
    assert rows[5][:2] == (2, "重庆第二家保留企业股份有限公司")
    assert rows[5][6] == "2020年2月29日 至 2023年2月27日"
    assert rows[6][0] == "公示网站链接：https://example.org/zmqd"
    assert len(rows) == 7  # the expired, the removed and the unlisted enterprises are not published


def test_csv_has_the_same_rows_and_results_in_any_format_work(tmp_path: Path, results: Path) -> None:
    out = tmp_path / "list.csv"
    assert export(results, out, unit="渝北区", filled_on=date(2022, 6, 2)) == 2
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[3]) == HEADER
    assert [r[1] for r in rows[4:6]] == ["重庆渝北示例电子科技有限公司", "重庆第二家保留企业股份有限公司"]
    for kind in ("jsonl", "xlsx"):
        other = tmp_path / f"results.{kind}"
        run_batch(str(tmp_path / "register.jsonl"), other, "chongqing", as_of=AS_OF)
        again = tmp_path / f"list-{kind}.csv"
        export(other, again, unit="渝北区", filled_on=date(2022, 6, 2))
        assert again.read_bytes() == out.read_bytes()


def test_a_pack_without_a_validity_period_needs_it_given(tmp_path: Path) -> None:
    register = tmp_path / "register.jsonl"
    doc = enterprise("山西长治示例企业有限公司", "91350100M000100Y43", "2020-03-01")
    write_jsonl(register, [doc])
    results = tmp_path / "results.jsonl"
    run_batch(str(register), results, "shanxi_2020", as_of=date(2020, 6, 1))
    with pytest.raises(RegisterError, match="sets no validity period"):
        export(results, tmp_path / "list.xlsx")
    proc = run_cli("register", "export", str(results), "-o", str(tmp_path / "list.xlsx"))
    assert proc.returncode == 2 and "--validity-years" in proc.stderr and "未规定正面清单有效期" in proc.stderr
    kept = export(results, tmp_path / "list.csv", years=2)
    rows = list(csv.reader((tmp_path / "list.csv").open(encoding="utf-8-sig")))
    assert kept == 1 and rows[4][6] == "2020年3月1日 至 2022年2月28日"
    with pytest.raises(RegisterError, match="sets 3 years"):
        export(_chongqing_results(tmp_path), tmp_path / "x.csv", years=2)


def _chongqing_results(tmp_path: Path) -> Path:
    register = tmp_path / "cq.jsonl"
    write_jsonl(register, REGISTER)
    out = tmp_path / "cq.csv"
    run_batch(str(register), out, "chongqing", as_of=AS_OF)
    return out


# --- the published list and the list for comment -------------------------------------------------------------------


def test_the_proposed_list_has_the_eligible_not_yet_listed(tmp_path: Path) -> None:
    register = make("xlsx", tmp_path)
    out = tmp_path / "结果.xlsx"
    run_batch(str(register), out, "chongqing", as_of=BUREAU_AS_OF, lang="zh")
    results = list(read_results(out))
    assert results[0]["inclusion.outcome"] == "eligible" and results[0]["listing.outcome"] == "keep"
    proposed = proposed_enterprises(out)
    # 丙 is eligible and not listed; 甲 and 戊 are eligible but already listed; 乙 and 丁 are not eligible
    assert [p.name for p in proposed] == ["重庆丙食品有限公司"]
    listing = tmp_path / "拟纳入名单.csv"
    proc = run_cli("register", "export", str(out), "-o", str(listing), "--proposed", "--date", "2022-03-01")
    assert proc.returncode == 0, proc.stderr
    with listing.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[1][0] == "拟纳入监督执法正面清单企业名单（公示）"
    assert "填表时间：2022年3月1日" in rows[2]
    assert rows[4][1:4] == ["重庆丙食品有限公司", "渝北区", uscc(3)] and rows[4][6] == "三、（二）四是"
    kept = tmp_path / "附表2.csv"
    assert run_cli("register", "export", str(out), "-o", str(kept)).returncode == 0
    with kept.open(encoding="utf-8-sig", newline="") as f:
        annex = list(csv.reader(f))
    assert annex[4][1] == "重庆甲科技有限公司" and annex[4][6] == "2021年9月30日 至 2024年9月29日"


# --- the blank register --------------------------------------------------------------------------------------------


def test_the_template_is_a_register_batch_reads_with_a_notes_sheet(tmp_path: Path) -> None:
    out = tmp_path / "名录模板.xlsx"
    proc = run_cli("template", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert run_cli("template", "-o", str(out)).returncode == 2  # never replaced without --force
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["排污单位名录", "说明"]
    header = [c.value for c in book["排污单位名录"][1]]
    assert header == [h for h, _ in template_columns()]
    notes = [tuple(c.value for c in r) for r in book["说明"].iter_rows()]
    assert notes[0] == ("列名", "含义", "可填写的值", "示例", "也可写作", "对应事实")
    assert [n[0] for n in notes[1:-1]] == header  # one note per column, then the other columns
    assert all(n[2] for n in notes[1:])  # every column says what it accepts
    by_header = {n[0]: n for n in notes}
    assert "名称" in by_header["企业名称"][4] and by_header["检查事由"][3] == "群众投诉举报"
    assert [tuple("" if c is None else c for c in r) for r in notes] == [
        tuple("" if c is None else c for c in r) for r in notes_rows()
    ]
    register = Register(str(out))  # every header read as a fact or kept: nothing unknown
    assert register.layout.carried == () and [h for _, h in register.layout.kept] == ["序号", "备注"]
    register.close()
    sheet = book["排污单位名录"]
    assert sheet.cell(row=2, column=header.index("统一社会信用代码") + 1).number_format == "@"
    examples = {n[0]: n[3] for n in notes[1:-1]}
    sheet.append([examples.get(h) or None for h in header])
    book.save(out)
    summary = run_batch(str(out), tmp_path / "o.csv", "chongqing", as_of=BUREAU_AS_OF, lang="zh")
    assert summary.rows == 1 and summary.errors == 0, read_csv(tmp_path / "o.errors.csv")


def test_a_formula_safe_name_is_published_as_given(tmp_path: Path) -> None:
    """The apostrophe that keeps a results CSV formula-safe is not part of the name 附表2 publishes (and the 附表2
    CSV is formula-safe again)."""
    register = tmp_path / "r.csv"
    register.write_text(
        f"企业名称,统一社会信用代码,环保信用评价结果,纳入正面清单日期\n-甲-,{uscc(1)},环保诚信,2021-09-30\n", "utf-8"
    )
    results = tmp_path / "结果.csv"
    run_batch(str(register), results, "chongqing", as_of=BUREAU_AS_OF, lang="zh")
    assert read_csv(results)[0]["企业名称"] == "'-甲-"
    assert [r["name"] for r in read_results(results)] == ["-甲-"]
    out = tmp_path / "附表2.xlsx"
    assert run_cli("register", "export", str(results), "-o", str(out)).returncode == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws.cell(row=5, column=2).value == "-甲-"


def test_export_reads_json_lines_written_before_the_result_key(tmp_path: Path) -> None:
    """Results files written before a JSON line carried `result` (pack, as_of and decisions at the top) still
    export: the same published list as from the current form."""
    register = tmp_path / "register.jsonl"
    write_jsonl(register, REGISTER)
    current = tmp_path / "results.jsonl"
    run_batch(str(register), current, "chongqing", as_of=AS_OF)
    old = tmp_path / "old.jsonl"
    lines = []
    for line in current.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        result = data.pop("result")
        lines.append(
            json.dumps({**data, "pack": result["pack"], "as_of": result["as_of"], "decisions": result["decisions"]})
        )
    old.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert list(read_results(old)) == list(read_results(current))
