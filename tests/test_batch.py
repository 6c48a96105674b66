"""`policyrules batch`: registers in JSONL, CSV and a real .xlsx with Chinese text, read, validated, evaluated and
written row by row; checked against evaluating each enterprise directly with the pack."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import pty
import select
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from policyrules import load_pack
from policyrules.engines import Pack
from policyrules.engines.result import Decision
from policyrules.registers import (
    BatchError,
    Register,
    RowReader,
    decision_columns,
    output_columns,
    resolve_columns,
    run_batch,
)
from policyrules.registers.pool import chunk_results

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2022, 6, 1)
PACK = "chongqing"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "policyrules.cli", *args], capture_output=True, text=True, encoding="utf-8", env=env
    )


# --- a register: the Chongqing examples and synthetic enterprises, with broken rows at known places ------------------


def _benchmark_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_register", ROOT / "benchmarks" / "register.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _plain(value: Any) -> Any:
    """YAML dates as ISO text, as a register holds them."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def good_documents(synthetic: int = 40) -> list[dict[str, Any]]:
    examples = sorted((ROOT / "policies" / PACK / "examples").glob("*.yaml"))
    docs = [_plain(yaml.safe_load(p.read_text("utf-8"))) for p in examples]
    bench = _benchmark_module()
    docs += list(bench.documents(synthetic, seed=7, bad_rate=0.0))
    return docs


# (header, fact path, how the cell is written); paths starting with '*' are written whole, as JSON
COLUMNS: list[tuple[str, str | None]] = [
    ("序号", None),
    ("企业名称", "enterprise.name"),
    ("统一社会信用代码", "enterprise.uscc"),
    ("所在地", "enterprise.district"),
    ("所属行业", "enterprise.industry"),
    ("排污许可证编号(排污登记编号)", "enterprise.permit_no"),  # half-width brackets: still the 附表2 column
    ("重点排污单位", "enterprise.key_discharger"),
    ("小微企业", "enterprise.small_micro"),
    ("环保信用评价结果", "enterprise.credit_rating"),
    ("traits", "*enterprise.traits"),
    ("monitoring.installed", "enterprise.monitoring.installed"),
    ("enterprise.monitoring.networked", "enterprise.monitoring.networked"),
    ("在线监控稳定运行", "enterprise.monitoring.stable"),
    ("在线监控数据稳定达标", "enterprise.monitoring.compliant"),
    ("环境违法记录", "*enterprise.violations"),
    ("执法检查记录", "*enterprise.inspections"),
    ("反对意见", "*enterprise.objections"),
    ("纳入正面清单日期", "enterprise.listing.listed_on"),
    ("纳入类别", "enterprise.listing.category"),
    ("移出日期", "enterprise.listing.removed_on"),
    ("检查事由", "inspection_request.grounds"),
    ("已获批准", "inspection_request.approvals"),
    ("已先行自查并提交书面报告", "inspection_request.self_check_report"),
    ("经审核仍需赴现场", "inspection_request.review_needs_site_visit"),
    ("已纳入执法计划", "inspection_request.in_plan"),
    ("事先征得企业同意", "inspection_request.enterprise_consent"),
    ("环境风险隐患排查整治", "inspection_request.risk_hazard_campaign"),
    ("violation_case", "*violation_case"),
    ("备注", None),
]

BAD_ROWS: dict[int, tuple[str, str, Any]] = {
    # index in the register (0-based, before which the broken row is inserted) -> (field, column path, cell)
    3: ("enterprise.uscc", "enterprise.uscc", "91500112MA5U3K8L28"),
    9: ("enterprise.listing.listed_on", "enterprise.listing.listed_on", "2021-13-01"),
    14: ("enterprise.small_micro", "enterprise.small_micro", "也许"),
    20: ("enterprise.violations", "*enterprise.violations", '[{"date": "2021-10-12"'),
    27: ("enterprise.credit_rating", "enterprise.credit_rating", "优秀"),
}


def _get(doc: dict[str, Any], path: str) -> Any:
    current: Any = doc
    for part in path.lstrip("*").split("."):
        if not isinstance(current, dict) or part not in current:
            return None
        current = current[part]
    return current


def _cell(doc: dict[str, Any], path: str | None, number: int, xlsx: bool) -> Any:
    if path is None:
        return number
    value = _get(doc, path)
    if value is None:
        return None
    if path.startswith("*"):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        if xlsx and number % 2:
            return value  # an Excel TRUE/FALSE cell
        return "是" if value else "否"
    if isinstance(value, list):  # approvals, by their Chinese labels
        labels = {"enforcement_head": "本级执法机构负责同志", "bureau_head": "同级生态环境部门主要负责人"}
        return "、".join(labels.get(v, v) for v in value)
    if xlsx and path.endswith(("listed_on", "removed_on")):
        return datetime.fromisoformat(value)  # an Excel date cell
    return value


def register_rows(docs: list[dict[str, Any]], xlsx: bool) -> tuple[list[list[Any]], dict[int, str | None]]:
    """Cells of every row, and for each data row's index the path of the field that is broken (None if good)."""
    rows: list[list[Any]] = []
    broken: dict[int, str | None] = {}
    for i, doc in enumerate(docs):
        if i in BAD_ROWS:
            field, path, bad = BAD_ROWS[i]
            cells = [_cell(doc, p, len(rows) + 1, xlsx) for _, p in COLUMNS]
            cells[[p for _, p in COLUMNS].index(path)] = bad
            broken[len(rows)] = field
            rows.append(cells)
        broken[len(rows)] = None
        rows.append([_cell(doc, p, len(rows) + 1, xlsx) for _, p in COLUMNS])
    return rows, broken


def write_xlsx(path: Path, docs: list[dict[str, Any]]) -> dict[int, str | None]:
    rows, broken = register_rows(docs, xlsx=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "排污单位名录"
    ws.append(["重庆市渝北区生态环境局 排污单位名录（测试数据）"])  # a title row above the header
    ws.append([h for h, _ in COLUMNS])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return {i + 3: f for i, f in broken.items()}  # sheet row numbers: title 1, header 2


def write_csv(path: Path, docs: list[dict[str, Any]], encoding: str = "utf-8-sig") -> dict[int, str | None]:
    rows, broken = register_rows(docs, xlsx=False)
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow([h for h, _ in COLUMNS])
        writer.writerows(rows)
    return {i + 2: f for i, f in broken.items()}  # header is row 1


def write_jsonl(path: Path, docs: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")


# --- what the output should say: each enterprise evaluated directly --------------------------------------------------


def expected_cells(pack: Pack, doc: dict[str, Any]) -> dict[str, str]:
    result = pack.evaluate(doc, as_of=AS_OF, trace=False)
    out: dict[str, str] = {"uscc": doc["enterprise"]["uscc"], "name": doc["enterprise"]["name"]}
    for column in decision_columns():
        name, what = column.split(".")
        d: Decision | None = result.decisions.get(name)
        if d is None:
            out[column] = ""
        elif what == "outcome":
            out[column] = d.outcome
        elif what == "categories":
            out[column] = "; ".join(d.categories)
        elif what == "rules":
            out[column] = "; ".join(r.id for r in d.rules if r.holds)
        elif what == "citations":
            out[column] = "; ".join(dict.fromkeys(f"{c['doc']} {c['clause']}" for c in d.citations))
        else:
            out[column] = "true" if d.flags[what] else "false"
    return out


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def read_errors(output: Path) -> list[dict[str, str]]:
    return read_csv_rows(output.with_name(output.stem + ".errors.csv"))


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    return good_documents()


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(PACK)


# --- the tests -----------------------------------------------------------------------------------------------------


def test_xlsx_register_with_chinese_headers_through_the_cli(
    tmp_path: Path, docs: list[dict[str, Any]], pack: Pack
) -> None:
    register = tmp_path / "渝北区名录.xlsx"
    broken = write_xlsx(register, docs)
    out = tmp_path / "结果.csv"
    proc = run_cli("batch", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(register), "-o", str(out), "--lang", "en")
    assert proc.returncode == 1, proc.stderr  # completed, with rows in the error file
    rows = read_csv_rows(out)
    good = [n for n, f in broken.items() if f is None]
    assert [int(r["row"]) for r in rows] == good  # sheet row numbers, in order, bad rows left out
    for row, doc in zip(rows, docs, strict=True):
        expected = expected_cells(pack, doc)
        assert {k: row[k] for k in expected} == expected, row["name"]
        assert row["pack"] == PACK and row["as_of"] == AS_OF.isoformat()
    errors = read_errors(out)
    assert {(int(e["row"]), e["field"]) for e in errors} == {(n, f) for n, f in broken.items() if f is not None}
    by_field = {e["field"]: e for e in errors}
    assert "check character" in by_field["enterprise.uscc"]["message"]
    assert by_field["enterprise.uscc"]["uscc"] == "91500112MA5U3K8L28"
    assert "not a grade" in by_field["enterprise.credit_rating"]["message"]
    assert "JSON" in by_field["enterprise.violations"]["message"]
    # the summary on stderr counts rows, errors and outcomes
    assert f"{len(broken)} rows: {len(good)} evaluated, {len(BAD_ROWS)} with errors" in proc.stderr
    n_inclusion = sum(1 for r in rows if r["inclusion.outcome"] == "ineligible")
    assert f"ineligible {n_inclusion}" in proc.stderr


def test_a_known_enterprise_gets_its_decisions_and_citations(tmp_path: Path, docs: list[dict[str, Any]]) -> None:
    register = tmp_path / "r.xlsx"
    write_xlsx(register, docs)
    out = tmp_path / "r.jsonl"
    run_batch(str(register), out, PACK, as_of=AS_OF)
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    row = next(r for r in rows if r["uscc"] == "91500112MA5U3K8L27")  # listed_monitored_complaint.yaml
    assert row["name"] == "重庆渝北示例电子科技有限公司"
    assert row["listed_on"] == "2021-09-28"
    decisions = row["result"]["decisions"]
    inspection = decisions["inspection"]
    assert inspection["outcome"] == "needs_approval"
    assert any(
        c["doc"] == "渝环规〔2021〕5号" and c["clause"].startswith("三、（七）") for c in inspection["citations"]
    )
    assert decisions["penalty"]["outcome"] == "may_waive"
    assert decisions["penalty"]["refer_to_police"] is False
    assert decisions["listing"]["outcome"] == "keep"


def test_the_same_register_as_xlsx_csv_and_jsonl_gives_the_same_decisions(
    tmp_path: Path, docs: list[dict[str, Any]]
) -> None:
    write_xlsx(tmp_path / "r.xlsx", docs)
    write_csv(tmp_path / "r.csv", docs)
    write_jsonl(tmp_path / "r.jsonl", docs)
    decided = {}
    for kind in ("xlsx", "csv", "jsonl"):
        out = tmp_path / f"out-{kind}.csv"
        run_batch(str(tmp_path / f"r.{kind}"), out, PACK, as_of=AS_OF)
        decided[kind] = [{k: v for k, v in r.items() if k != "row"} for r in read_csv_rows(out)]
    assert len(decided["jsonl"]) == len(docs)
    assert decided["xlsx"] == decided["csv"] == decided["jsonl"]


@pytest.mark.parametrize("kind", ["csv", "jsonl", "xlsx"])
def test_output_is_identical_for_any_number_of_workers(tmp_path: Path, docs: list[dict[str, Any]], kind: str) -> None:
    register = tmp_path / "r.csv"
    write_csv(register, docs * 3)
    outputs = []
    for workers in (1, 2, 3):
        out = tmp_path / f"w{workers}.{kind}"
        summary = run_batch(str(register), out, PACK, as_of=AS_OF, workers=workers, chunk_size=7)
        assert summary.rows == len(docs) * 3 + len(BAD_ROWS)
        if kind == "xlsx":
            wb = openpyxl.load_workbook(out, read_only=True)
            outputs.append([tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)])
            wb.close()
        else:
            outputs.append(out.read_bytes())
        errors = out.with_name(out.stem + ".errors." + kind)  # named after the output, in its format
        if kind == "xlsx":
            wb = openpyxl.load_workbook(errors, read_only=True)
            outputs.append("\n".join(repr(r) for r in wb.worksheets[0].iter_rows(values_only=True)).encode())
            wb.close()
        else:
            outputs.append(errors.read_bytes())
    assert outputs[0] == outputs[2] == outputs[4]  # the results
    assert outputs[1] == outputs[3] == outputs[5]  # the error files
    header = 0 if kind == "jsonl" else 1  # JSON Lines: one object per problem, no header
    assert len(outputs[1].splitlines()) == header + len(BAD_ROWS)


def test_xlsx_output_has_the_columns_and_chinese_text(tmp_path: Path, docs: list[dict[str, Any]]) -> None:
    write_jsonl(tmp_path / "r.jsonl", docs[:8])
    out = tmp_path / "r.xlsx"
    run_batch(str(tmp_path / "r.jsonl"), out, PACK, as_of=AS_OF)
    wb = openpyxl.load_workbook(out, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    assert list(rows[0]) == output_columns(recording=False)
    assert len(rows) == 9
    names = {r[rows[0].index("name")] for r in rows[1:]}
    assert "重庆渝北示例电子科技有限公司" in names


def test_csv_in_gb18030_is_read_when_not_utf8(tmp_path: Path, docs: list[dict[str, Any]], pack: Pack) -> None:
    register = tmp_path / "gbk.csv"
    write_csv(register, docs[:6], encoding="gb18030")
    out = tmp_path / "out.csv"
    run_batch(str(register), out, PACK, as_of=AS_OF)
    rows = read_csv_rows(out)
    assert [r["name"] for r in rows] == [d["enterprise"]["name"] for d in docs[:6]]
    assert rows[0]["inclusion.outcome"] == expected_cells(pack, docs[0])["inclusion.outcome"]


def test_quoted_newlines_and_commas_in_csv_cells_keep_rows_and_numbers(tmp_path: Path) -> None:
    register = tmp_path / "r.csv"
    register.write_text(
        "企业名称,统一社会信用代码,纳入类别,纳入正面清单日期\n"
        '"重庆某某, 有限公司",91500112MA5U3K8L27,"三、（二）\n四是",2021-09-28\n'
        "\n"
        "另一家公司,91350100M000100Y43,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    for chunk_size in (1, 2, 100):
        run_batch(str(register), out, PACK, as_of=AS_OF, chunk_size=chunk_size)
        rows = read_csv_rows(out)
        assert [(r["row"], r["name"]) for r in rows] == [("2", "重庆某某, 有限公司"), ("4", "另一家公司")]
        assert rows[0]["listing.outcome"] != "" and rows[1]["listing.outcome"] == ""  # listed / not listed


def test_cells_booleans_dates_and_lists_are_read_as_documented() -> None:
    header = ["uscc", "name", "小微企业", "key_discharger", "纳入日期", "移出日期", "已获批准", "检查事由", "traits"]
    reader = RowReader(resolve_columns(header))
    doc, problems = reader(
        [
            " 91350100M000100Y43 ",
            "甲公司",
            "是",
            "0",
            "2021年9月30日",
            "2022/1/5",
            "本级执法机构负责同志、bureau_head",
            "群众投诉举报",
            '{"low_risk": true}',
        ]
    )
    assert problems == []
    assert doc == {
        "enterprise": {
            "uscc": "91350100M000100Y43",
            "name": "甲公司",
            "small_micro": True,
            "key_discharger": False,
            "listing": {"listed_on": "2021-09-30", "removed_on": "2022-01-05"},
            "traits": {"low_risk": True},
        },
        "inspection_request": {"approvals": ["本级执法机构负责同志", "bureau_head"], "grounds": "群众投诉举报"},
    }
    blank, _ = reader(["91350100M000100Y43", "乙", "", None, " ", "", "", "", ""])
    assert blank == {"enterprise": {"uscc": "91350100M000100Y43", "name": "乙"}}  # blank: the model's default


def test_unknown_and_clashing_columns_stop_the_batch_with_their_names(tmp_path: Path) -> None:
    with pytest.raises(BatchError) as err:
        resolve_columns(
            ["统一社会信用代码", "企业名称", "monitoring.instaled", "小微企业", "small_micro", "listing", "纳入日期"]
        )
    messages = [p.message for p in err.value.problems]
    assert any("unknown column 'monitoring.instaled'" in m and "monitoring.installed" in m for m in messages)
    assert any("both give enterprise.small_micro" in m for m in messages)
    assert any("gives whole (as JSON)" in m for m in messages)
    register = tmp_path / "r.csv"
    register.write_text("企业名称,统一社会信用代码,在线监控\n甲,91350100M000100Y43,是\n", encoding="utf-8")
    args = ("batch", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(register), "-o", str(tmp_path / "o.csv"))
    proc = run_cli(*args, "--strict-columns", "--lang", "en")
    assert proc.returncode == 2
    assert "unknown column '在线监控'" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli(*args, "--strict-columns")  # in Chinese by default, still naming the column
    assert proc.returncode == 2
    assert "第 3 列" in proc.stderr and "未知的列 '在线监控'" in proc.stderr and "Traceback" not in proc.stderr


def test_a_date_outside_the_force_window_stops_before_reading(tmp_path: Path) -> None:
    register = tmp_path / "r.jsonl"
    write_jsonl(register, [{"enterprise": {"name": "甲", "uscc": "91350100M000100Y43"}}])
    args = ("batch", "--pack", PACK, "--as-of", "2021-01-01", str(register), "-o", str(tmp_path / "o.csv"))
    proc = run_cli(*args, "--lang", "en")
    assert proc.returncode == 2
    assert "渝环规〔2021〕5号 is in force from 2021-08-06" in proc.stderr
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert "渝环规〔2021〕5号 自 2021-08-06 起施行，评估日期 2021-01-01 在此之前" in proc.stderr


def test_reading_stays_a_few_chunks_ahead_of_writing(tmp_path: Path, docs: list[dict[str, Any]]) -> None:
    """Memory stays flat: with two workers the reader is never more than a few chunks ahead of the results taken."""
    register_path = tmp_path / "big.jsonl"
    write_jsonl(register_path, docs * 40)
    register = Register(str(register_path))
    assert register.total is not None
    pack = load_pack(PACK)
    from policyrules.registers import Config

    config = Config(PACK, AS_OF, "compiled", "jsonl", "csv")
    results = chunk_results(config, pack, register, workers=2, chunk_size=20, max_in_flight=3, recording=False)
    next(results)
    line = register_path.read_bytes().index(b"\n") + 1  # about one row's bytes
    ahead = register.position(0)
    assert ahead < 5 * 20 * line * 2, (ahead, register.total)  # ≤ ~4 chunks read, of 120
    assert ahead < register.total / 10
    taken = 1 + sum(1 for _ in results)
    assert taken == len(docs) * 40 // 20
    register.close()


def _read_pty(fd: int) -> bytes:
    out = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 10)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
    return out


def test_progress_bar_on_a_terminal_and_quiet_otherwise(tmp_path: Path, docs: list[dict[str, Any]]) -> None:
    register = tmp_path / "r.jsonl"
    write_jsonl(register, docs * 80)  # a second or two of work: long enough for the bar to redraw
    args = ["batch", "--pack", PACK, "--as-of", AS_OF.isoformat(), str(register), "-o", str(tmp_path / "o.csv")]
    quiet = run_cli(*args)
    assert quiet.returncode == 0, quiet.stderr
    assert "━" not in quiet.stderr and "%" not in quiet.stderr
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120", "TERM": "xterm"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "policyrules.cli", *args], stdout=subprocess.DEVNULL, stderr=follower, env=env
    )
    os.close(follower)
    shown = _read_pty(leader).decode("utf-8", "replace")
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    frames = shown.count("policyrules batch")
    assert frames >= 3, shown  # redrawn while it runs, not only printed at the end
    assert "100.0%" in shown and "━" in shown
    assert f"共 {len(docs) * 80} 家企业：{len(docs) * 80} 家已评估" in shown


def test_docs_list_every_chinese_header_and_only_those() -> None:
    from policyrules.registers import ALIASES

    text = (ROOT / "docs" / "batch.md").read_text("utf-8")
    table = text.split("### Chinese headers", 1)[1].split("\n## ", 1)[0]
    documented = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 2 and cells[1].startswith("`"):
            documented[cells[0]] = cells[1].strip("`")
    assert documented == ALIASES
    for header, path in ALIASES.items():
        extra = [] if path == "enterprise.uscc" else ["uscc"]
        assert resolve_columns([header, *extra])[0].path == tuple(path.split("."))


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_sheet_xml_reader_reads_what_openpyxl_reads(tmp_path: Path, epoch: str) -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    from policyrules.registers import SheetXml, parse_sheet_rows

    wb = openpyxl.Workbook()
    if epoch == "1904":
        wb.epoch = CALENDAR_MAC_1904
    wb.active.title = "封面"  # type: ignore[union-attr]
    ws = wb.create_sheet("企业名录")
    ws.append(["企业名称", "统一社会信用代码", "纳入日期", "数", "是否", "备注"])
    ws.append(["甲 & <乙>", "91350100M000100Y43", datetime(2021, 9, 30), 2614, True, None])
    ws.append([CellRichText(["富", TextBlock(InlineFont(b=True), "文本")]), "x", datetime(2020, 2, 29, 12, 30), 1.5])
    ws.append([])
    ws.append([None, None, None, -3, False, "  前后空格  "])
    ws["F7"] = "末行"
    wb.save(tmp_path / "w.xlsx")

    reference = openpyxl.load_workbook(tmp_path / "w.xlsx", read_only=True, data_only=True, rich_text=False)
    expected = {
        i: [c for c in row]
        for i, row in enumerate(reference["企业名录"].iter_rows(values_only=True), start=1)
        if any(c is not None for c in row)
    }
    reference.close()
    sheet = SheetXml(str(tmp_path / "w.xlsx"), "企业名录")
    with sheet.stream() as stream:
        got = {n: cells for n, cells in parse_sheet_rows(stream.read(), sheet.format) if cells}
    sheet.zip.close()
    assert set(got) == set(expected) == {1, 2, 3, 5, 7}
    for n, cells in got.items():
        padded = cells + [None] * (len(expected[n]) - len(cells))
        assert padded == expected[n], n
    assert got[3][0] == "富文本" and got[2][0] == "甲 & <乙>" and got[3][2] == datetime(2020, 2, 29, 12, 30)


def prefixed_copy(source: Path, target: Path) -> None:
    """The workbook with its sheets' elements in a prefixed namespace (<x:row>), as some generators write them."""
    import re
    import zipfile

    with zipfile.ZipFile(source) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/"):
            data = re.sub(rb"<(/?)([A-Za-z]\w*)(?=[\s>/])", rb"<\1x:\2", data)
            parts[name] = data.replace(b'xmlns="', b'xmlns:x="')
    with zipfile.ZipFile(target, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_sheet_with_prefixed_tags_reads_as_the_same_sheet(tmp_path: Path, docs: list[dict[str, Any]]) -> None:
    """<x:row>, <x:c>…: the prefix is dropped as the XML streams in, and the rows read as in the plain sheet."""
    register = tmp_path / "r.xlsx"
    write_xlsx(register, docs[:12])
    prefixed_copy(register, tmp_path / "p.xlsx")
    assert b"<x:row " in zipfile_member(tmp_path / "p.xlsx", "xl/worksheets/sheet1.xml")
    outputs = {}
    for name in ("r.xlsx", "p.xlsx"):
        from policyrules.registers import Evaluator

        reader = Register(str(tmp_path / name))
        evaluator = Evaluator(config_for(reader))
        outputs[name] = b"".join(evaluator.run(c).output for c in reader.chunks(5))
        reader.close()
    assert outputs["r.xlsx"] == outputs["p.xlsx"] and outputs["r.xlsx"].count(b"\r\n") == 12


def zipfile_member(path: Path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read(name)


def config_for(register: Register) -> Any:
    from policyrules.registers import Config

    return Config(PACK, AS_OF, "compiled", "xlsx", "csv", register.columns, sheet=register.sheet_format)
