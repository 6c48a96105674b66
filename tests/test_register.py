"""`policyrules register export`: the published list (附表2 + 正面清单有效期) from batch results, read back from the
.xlsx with openpyxl."""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from policyrules import load_pack
from policyrules.registers import HEADER, RegisterError, export, run_batch, validity_period, validity_years
from test_batch import run_cli, write_jsonl

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
    assert proc.returncode == 2 and "--validity-years" in proc.stderr
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
