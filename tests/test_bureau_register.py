"""A register as a county bureau keeps it — a merged title row, a 填报单位 row, Chinese headers, columns the library
does not read, Excel and integer dates, 是/否, a 合计 and a 备注 row — as .xlsx, GBK .csv and .xls, through
`policyrules batch`: every enterprise evaluated, the footers skipped, the extra columns carried through, Chinese
结论 and 理由 columns; and the results, errors and template people open."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from policyrules import load_pack
from policyrules.explain import decision_reason
from policyrules.facts import uscc_check_char
from policyrules.packs import OUTCOME_LABELS
from policyrules.registers import (
    BatchError,
    cell_value,
    output_columns,
    run_batch,
)
from policyrules.registers.cells import CellError, footer_text, read_uscc

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2022, 3, 1)
PACK = "chongqing"
FIXTURE_XLS = ROOT / "tests" / "fixtures" / "bureau_register.xls"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "policyrules.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
    )


def uscc(seq: int) -> str:
    body = f"9150011{seq:010d}"
    return body + uscc_check_char(body)


HEADER = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "法定代表人",  # not read: carried through
    "联系电话",  # not read: carried through
    "所在区县",
    "环保信用评价结果",
    "已安装在线监控",
    "在线监控已联网",
    "在线监控稳定运行",
    "在线监控数据稳定达标",
    "纳入正面清单日期",
    "备注",
]

# (name, legal representative, phone, credit, monitoring 是/否 ×4, listed_on as written in the xlsx and in the csv)
EXCEL_DATE = datetime(2021, 9, 30)  # an Excel date cell
ENTERPRISES: list[tuple[Any, ...]] = [
    ("重庆甲科技有限公司", "张三", "023-67001234", "环保诚信", "是", "是", "是", "是", EXCEL_DATE, "2021/9/30"),
    ("重庆乙化工有限公司", "李四", 13800000000, "环保良好", "否", "否", "否", "否", 20211015, "20211015"),
    ("重庆丙食品有限公司", "王五", "", "环保良好", "是", "是", "是", "是", None, ""),
    ("重庆丁建材有限公司", "赵六", "023-67005678", "环保警示", "是", "否", "是", "否", "20200601", "2020年6月1日"),
    ("重庆戊印务有限公司", "钱七", "", "环保诚信", "否", "否", "否", "否", "2021.9.30", "2021年9月30日"),
]  # fmt: skip


def facts_of(i: int) -> dict[str, Any]:
    """What the row of enterprise i says, as a facts document (to evaluate directly and compare)."""
    name, _, _, credit, installed, networked, stable, compliant, _, listed = ENTERPRISES[i]
    doc: dict[str, Any] = {
        "enterprise": {
            "name": name,
            "uscc": uscc(i + 1),
            "district": "渝北区",
            "credit_rating": credit,
            "monitoring": {
                "installed": installed == "是",
                "networked": networked == "是",
                "stable": stable == "是",
                "compliant": compliant == "是",
            },
        }
    }
    if listed:
        parts = listed.replace("年", "-").replace("月", "-").replace("日", "")
        parts = parts.replace("/", "-").replace(".", "-")
        if len(parts) == 8 and parts.isdigit():
            parts = f"{parts[:4]}-{parts[4:6]}-{parts[6:]}"
        y, m, d = (int(x) for x in parts.split("-"))
        doc["enterprise"]["listing"] = {"listed_on": date(y, m, d).isoformat()}
    return doc


def bureau_rows(xlsx: bool) -> list[list[Any]]:
    """The sheet as the bureau keeps it: title, 填报单位, header, enterprises, 合计, 备注."""
    rows: list[list[Any]] = [
        ["重庆市渝北区排污单位名录（2022年第一季度）"] + [None] * (len(HEADER) - 1),
        [
            "填报单位：重庆市渝北区生态环境局",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "填表时间：2022年3月1日",
        ],
        list(HEADER),
    ]
    for i, (name, person, phone, credit, a, b, c, d, listed_x, listed_c) in enumerate(ENTERPRISES):
        listed = listed_x if xlsx else listed_c
        rows.append([i + 1, name, uscc(i + 1), person, phone, "渝北区", credit, a, b, c, d, listed, f"第{i + 1}家"])
    rows.append([f"合计：{len(ENTERPRISES)} 家"] + [None] * (len(HEADER) - 1))
    rows.append(["备注：本表由排污许可管理系统导出，信用评价结果截至2022年2月。"])
    return rows


def write_bureau_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "排污单位名录"
    for row in bureau_rows(xlsx=True):
        ws.append(row)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))  # the merged title
    for row in ws.iter_rows(min_row=4, max_row=3 + len(ENTERPRISES), min_col=12, max_col=12):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy/m/d"  # an Excel date cell, as the bureau formats it
    wb.save(path)


def write_bureau_csv(path: Path) -> None:
    """Excel's 'CSV' on a Chinese Windows: GBK, CRLF."""
    with path.open("w", encoding="gbk", newline="") as f:
        writer = csv.writer(f)
        for row in bureau_rows(xlsx=False):
            writer.writerow(["" if c is None else c for c in row])


def write_bureau_xls(path: Path, tmp: Path) -> None:
    """An Excel 97-2003 .xls of the same sheet: converted by LibreOffice (Debian's libreoffice-calc-nogui) when it
    is installed; else the fixture LibreOffice made once from write_bureau_xlsx (tests/fixtures/README.md)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        shutil.copy(FIXTURE_XLS, path)
        return
    source = tmp / "xls-source" / (path.stem + ".xlsx")
    source.parent.mkdir()
    write_bureau_xlsx(source)
    subprocess.run(
        [soffice, "--headless", "--convert-to", "xls", "--outdir", str(path.parent), str(source)],
        check=True,
        capture_output=True,
        env={**os.environ, "HOME": str(tmp)},  # LibreOffice keeps a profile there
        timeout=180,
    )
    assert path.is_file()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_xlsx(path: Path, sheet: int = 0) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb.worksheets[sheet].iter_rows(values_only=True))
    wb.close()
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def make(kind: str, tmp: Path) -> Path:
    path = tmp / f"渝北区名录.{kind}"
    if kind == "xlsx":
        write_bureau_xlsx(path)
    elif kind == "csv":
        write_bureau_csv(path)
    else:
        write_bureau_xls(path, tmp)
    return path


# --- the bureau's register, end to end ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "csv", "xls"])
def test_a_bureau_register_runs_through_batch_in_chinese(tmp_path: Path, kind: str) -> None:
    register = make(kind, tmp_path)
    out = tmp_path / "结果.csv"
    proc = run_cli("batch", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(register), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = read_csv(out)
    # every enterprise evaluated, in order, at the row Excel shows (title 1, 填报单位 2, header 3)
    assert [int(r["行号"]) for r in rows] == list(range(4, 4 + len(ENTERPRISES)))
    assert read_csv(tmp_path / "结果.errors.csv") == []
    # the footers skipped and counted; the extra columns named once in a warning
    assert "跳过表尾 2 行" in proc.stderr and "合计：5 家" in proc.stderr
    assert proc.stderr.count("法定代表人、联系电话") == 1
    pack = load_pack(PACK)
    for i, row in enumerate(rows):
        # the extra columns carried through unchanged, in the register's order
        assert row["法定代表人"] == ENTERPRISES[i][1]
        assert row["联系电话"] == str(ENTERPRISES[i][2])
        assert row["备注"] == f"第{i + 1}家" and row["序号"] == str(i + 1)
        # the decisions as evaluating the enterprise directly gives them, in Chinese, with a reason
        result = pack.evaluate(facts_of(i), as_of=AS_OF)
        assert row["统一社会信用代码"] == uscc(i + 1)
        assert row["纳入正面清单日期"] == facts_of(i)["enterprise"].get("listing", {}).get("listed_on", "")
        for name, short in (("inclusion", "纳入"), ("listing", "清单调整"), ("supervision", "双随机监管")):
            decision = result.decisions.get(name)
            if decision is None:
                assert row[f"{short}结论"] == row[f"{short}理由"] == ""
                continue
            assert row[f"{short}结论"] == OUTCOME_LABELS[decision.outcome][0]
            assert row[f"{short}理由"] == decision_reason(decision)
            assert row[f"{short}依据"] and "渝环规〔2021〕5号" in row[f"{short}依据"]


def test_the_reasons_say_which_rule_decided_or_what_was_missing(tmp_path: Path) -> None:
    register = make("xlsx", tmp_path)
    out = tmp_path / "结果.csv"
    run_batch(str(register), out, PACK, as_of=AS_OF, lang="zh")
    rows = read_csv(out)
    trusted = rows[0]  # 环保诚信 and full monitoring: eligible under 三、（二）五是 (and 四是)
    assert trusted["纳入结论"] == "可以纳入"
    assert "「企业环境信用评价结果为环保诚信」成立（渝环规〔2021〕5号 三、（二）五是）" in trusted["纳入理由"]
    plain = rows[1]  # 环保良好, no monitoring: no category holds
    assert plain["纳入结论"] == "不符合纳入条件"
    assert plain["纳入理由"].startswith("无规则成立，适用默认结论；未满足：")
    assert "「已经安装在线监控」" in plain["纳入理由"] and "（渝环规〔2021〕5号 三、（二）四是）" in plain["纳入理由"]
    assert "\n" not in plain["纳入理由"]  # one line


def test_english_on_request_keeps_the_contract_columns_and_codes(tmp_path: Path) -> None:
    register = make("xlsx", tmp_path)
    out = tmp_path / "results.csv"
    proc = run_cli("batch", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(register), "-o", str(out), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    with out.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    columns = output_columns(False)
    at = columns.index("listed_on") + 1
    assert header == [*columns[:at], "法定代表人", "联系电话", *columns[at:]]  # only the refused-before columns added
    rows = read_csv(out)
    assert rows[0]["inclusion.outcome"] == "eligible" and rows[1]["inclusion.outcome"] == "ineligible"
    assert "skipped 2 footer rows" in proc.stderr


def test_strict_columns_refuses_what_the_library_does_not_read(tmp_path: Path) -> None:
    register = make("csv", tmp_path)
    with pytest.raises(BatchError) as err:
        run_batch(str(register), tmp_path / "o.csv", PACK, as_of=AS_OF, strict_columns=True)
    assert {p.path for p in err.value.problems} == {"column 4", "column 5"}
    proc = run_cli("batch", "--pack", PACK, str(register), "-o", str(tmp_path / "o.csv"), "--strict-columns")
    assert proc.returncode == 2 and "未知的列 '法定代表人'" in proc.stderr and "Traceback" not in proc.stderr


def test_rows_in_equal_rows_evaluated_plus_errors_plus_footers(tmp_path: Path) -> None:
    register = make("csv", tmp_path)
    summary = run_batch(str(register), tmp_path / "o.csv", PACK, as_of=AS_OF, lang="zh", chunk_size=2)
    assert summary.rows == len(ENTERPRISES) and summary.errors == 0
    assert [n for n, _ in summary.skipped] == [4 + len(ENTERPRISES), 5 + len(ENTERPRISES)]


# --- cells ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [datetime(2021, 9, 30), date(2021, 9, 30), 20210930, "20210930", "2021-9-30", "2021/9/30", "2021.9.30",
     "2021年9月30日", " 2021-09-30 "],
)  # fmt: skip
def test_dates_as_bureaus_type_them(cell: object) -> None:
    assert cell_value("date", cell) == "2021-09-30"


@pytest.mark.parametrize("cell", [20210230, "2021-02-30", "2021/13/1", "2021年2月29日"])
def test_an_impossible_date_is_refused_in_both_languages(cell: object) -> None:
    with pytest.raises(CellError) as err:
        cell_value("date", cell)
    assert "不存在" in err.value.zh and "not a date of the calendar" in err.value.en


def test_a_bare_number_in_a_date_column_is_not_an_excel_serial() -> None:
    with pytest.raises(CellError) as err:
        cell_value("date", 44469)
    assert "不是日期" in err.value.zh


def test_an_impossible_date_is_a_row_error_naming_the_column(tmp_path: Path) -> None:
    register = tmp_path / "r.csv"
    register.write_text(
        f"企业名称,统一社会信用代码,纳入正面清单日期\n甲,{uscc(1)},2021-02-30\n乙,{uscc(2)},2021-09-30\n", "utf-8"
    )
    proc = run_cli("batch", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(register), "-o", str(tmp_path / "o.csv"))
    assert proc.returncode == 1, proc.stderr
    errors = read_csv(tmp_path / "o.errors.csv")
    assert len(errors) == 1  # the bad date only: not also 'required field is missing'
    assert errors[0]["行号"] == "2" and errors[0]["列"] == "纳入正面清单日期"
    assert errors[0]["字段"] == "enterprise.listing.listed_on" and errors[0]["文件"] == str(register)
    assert "2021-02-30 不存在" in errors[0]["问题"]
    assert [r["企业名称"] for r in read_csv(tmp_path / "o.csv")] == ["乙"]


def test_a_uscc_excel_made_a_number_says_so_and_how_to_keep_it_as_text(tmp_path: Path) -> None:
    with pytest.raises(CellError) as err:
        read_uscc(9.15001127093457e17)
    assert "Excel" in err.value.zh and "文本" in err.value.zh
    with pytest.raises(CellError) as err:
        read_uscc("9.15001E+17")  # what Excel shows, saved as CSV
    assert "科学计数法" in err.value.zh
    with pytest.raises(CellError) as err:
        read_uscc("915001127093457000")  # the number written out in full: its last three digits lost
    assert "只保留了前 15 位" in err.value.zh and "kept 15 digits" in err.value.en
    exact = "915001127093457000"
    good = exact[:17] + uscc_check_char(exact[:17])
    if good.isdigit():
        assert read_uscc(int(good)) == good  # an exact integer written by a program is the code
    register = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["企业名称", "统一社会信用代码"])
    ws.append(["甲", 915001127093457000.0])
    wb.save(register)
    run_batch(str(register), tmp_path / "o.csv", PACK, as_of=AS_OF, lang="zh")
    errors = read_csv(tmp_path / "o.errors.csv")
    assert errors[0]["列"] == "统一社会信用代码" and "Excel 把它当成了数字" in errors[0]["问题"]


def test_footer_rows_are_told_from_enterprises() -> None:
    assert footer_text(["合计：5 家", None, None], 1) == "合计：5 家"
    assert footer_text(["备注：见附件", "", ""], 1) == "备注：见附件"
    assert footer_text(["注：信用评价截至2月", None], 1) == "注：信用评价截至2月"
    assert footer_text(["制表：张三", None, "2022-03-01"], 1) == "制表：张三"
    assert footer_text(["说到底只有一格文字"], 1) == "说到底只有一格文字"
    assert footer_text(["合计有限公司", uscc(1)], 1) is None  # it has a code: an enterprise
    assert footer_text([None, "甲公司", None], 2) is None  # no code but a name: an error row, not a footer


# --- results people can open ---------------------------------------------------------------------------------------


def test_xlsx_results_have_widths_a_frozen_header_dates_and_an_errors_sheet(tmp_path: Path) -> None:
    register = make("xlsx", tmp_path)
    wb = openpyxl.load_workbook(register)
    ws = wb.active
    assert ws is not None
    ws.cell(row=5, column=3, value="91500112MA5U3K8L2X")  # a bad code on the second enterprise
    wb.save(register)
    out = tmp_path / "结果.xlsx"
    summary = run_batch(str(register), out, PACK, as_of=AS_OF, lang="zh")
    assert summary.errors == 1
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["结果", "错误"]
    sheet = book["结果"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width and sheet.column_dimensions["A"].width < 20
    header = [c.value for c in sheet[1]]
    reason = header.index("纳入理由") + 1
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(reason)].width >= 60
    assert sheet["A1"].font.b  # a bold header
    as_of_cell = sheet.cell(row=2, column=header.index("评估日期") + 1)
    listed_cell = sheet.cell(row=2, column=header.index("纳入正面清单日期") + 1)
    assert as_of_cell.is_date and as_of_cell.value == datetime(2022, 3, 1)
    assert listed_cell.is_date and listed_cell.value == datetime(2021, 9, 30)
    errors = [[c.value for c in r] for r in book["错误"].iter_rows()]
    assert errors[0] == ["行号", "统一社会信用代码", "列", "字段", "问题", "文件"]
    assert errors[1][:4] == [5, "91500112MA5U3K8L2X", "统一社会信用代码", "enterprise.uscc"]
    assert len(read_xlsx(tmp_path / "结果.errors.xlsx")) == 1  # the errors file, in the output's format


def test_the_errors_file_is_named_after_the_output_and_never_shared(tmp_path: Path) -> None:
    register = tmp_path / "r.csv"
    register.write_text(f"企业名称,统一社会信用代码\n甲,{uscc(1)}\n乙,91500112MA5U3K8L2X\n", "utf-8")
    for name in ("结果.csv", "结果.xlsx", "结果.jsonl"):
        run_batch(str(register), tmp_path / name, PACK, as_of=AS_OF, lang="zh")
    assert sorted(p.name for p in tmp_path.glob("结果.errors.*")) == [
        "结果.errors.csv",
        "结果.errors.jsonl",
        "结果.errors.xlsx",
    ]
    assert len(read_csv(tmp_path / "结果.errors.csv")) == 1


def test_every_csv_the_library_writes_is_formula_safe(tmp_path: Path) -> None:
    register = tmp_path / "r.csv"
    register.write_text(
        "企业名称,统一社会信用代码,联系电话,纳入正面清单日期\n"
        f'"=HYPERLINK(""http://evil"",""点击"")",{uscc(1)},+86 23 6700,\n'
        f"@SUM(1),{uscc(2)},-1,2021-13-01\n",
        "utf-8",
    )
    out = tmp_path / "o.csv"
    run_batch(str(register), out, PACK, as_of=AS_OF, lang="zh")
    rows = read_csv(out)
    assert rows[0]["企业名称"] == '\'=HYPERLINK("http://evil","点击")'
    assert rows[0]["联系电话"] == "'+86 23 6700"
    errors = read_csv(tmp_path / "o.errors.csv")
    assert errors[0]["问题"].startswith("日期") and errors[0]["行号"] == "3"
    en = tmp_path / "en.csv"
    run_batch(str(register), en, PACK, as_of=AS_OF, lang="en")
    assert read_csv(en)[0]["name"].startswith("'=")
    for path in (out, tmp_path / "o.errors.csv", en):
        for line in path.read_text("utf-8-sig").splitlines()[1:]:
            for cell in next(csv.reader([line])):
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)


def test_the_shipped_xls_fixture_reads_like_the_xlsx(tmp_path: Path) -> None:
    """The .xls that LibreOffice made once (tests/fixtures/README.md) is the register write_bureau_xlsx builds."""
    write_bureau_xlsx(tmp_path / "r.xlsx")
    for name, path in (("xls", FIXTURE_XLS), ("xlsx", tmp_path / "r.xlsx")):
        run_batch(str(path), tmp_path / f"{name}.csv", PACK, as_of=AS_OF, lang="zh")
    assert read_csv(tmp_path / "xls.csv") == read_csv(tmp_path / "xlsx.csv")
    assert len(read_csv(tmp_path / "xls.csv")) == len(ENTERPRISES)


def test_row_problems_are_in_chinese_by_default_and_english_on_request(tmp_path: Path) -> None:
    register = tmp_path / "r.csv"
    good = uscc(1)
    register.write_text(
        "企业名称,统一社会信用代码,小微企业,环保信用评价结果,检查事由,排污许可证编号,纳入正面清单日期,移出日期,执法检查记录\n"
        f"甲,{good},也许,环保良好,,,,,\n"
        f"乙,{uscc(2)},是,优秀,,,,,\n"
        f"丙,{uscc(3)},是,环保良好,上门看看,,,,\n"
        f"丁,{uscc(4)},是,环保良好,,{good}001P,,,\n"
        f"戊,{uscc(5)},是,环保良好,,,2021-09-30,2021-01-01,\n"
        f',{uscc(6)},是,环保良好,,,,,"[{{""on_site"": true}}]"\n',
        "utf-8",
    )
    run_batch(str(register), tmp_path / "zh.csv", PACK, as_of=AS_OF, lang="zh")
    zh = read_csv(tmp_path / "zh.errors.csv")
    assert {e["行号"] for e in zh} == {"2", "3", "4", "5", "6", "7"}
    for e in zh:
        assert not any(word in e["问题"] for word in ("Input should", "expected", "found", "required")), e
    by_row = {e["行号"]: e for e in zh}
    assert by_row["2"]["问题"] == "应为 是/否（实际为 '也许'）"
    assert by_row["3"]["问题"].startswith("'优秀' 不是企业环境信用评价（全国）的等级")
    assert by_row["4"]["问题"].startswith("应为以下之一（代码或中文名称）：") and by_row["4"]["列"] == "检查事由"
    assert "许可证编号应为持证单位自己的代码" in by_row["5"]["问题"]
    assert "早于纳入日期" in by_row["6"]["问题"]
    missing = [(e["列"], e["字段"], e["问题"]) for e in zh if e["行号"] == "7"]
    assert sorted(missing) == [
        ("企业名称", "enterprise.name", "缺少必填项"),  # a blank cell is an absent fact
        ("执法检查记录", "enterprise.inspections[0].date", "缺少必填项"),
    ]
    run_batch(str(register), tmp_path / "en.csv", PACK, as_of=AS_OF, lang="en")
    en = read_csv(tmp_path / "en.errors.csv")
    assert [e["row"] for e in en] == [e["行号"] for e in zh]
    assert "expected true or false" in en[0]["message"]
