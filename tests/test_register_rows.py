"""No lost row, ever (issue 13, item 3): for every register, rows in = rows evaluated + rows in the errors file +
rows skipped, with every row under its own number. Registers are real files in a temporary folder, read by
run_batch as the command line reads them; a hypothesis property test generates registers over formats, workers,
chunk sizes and shares of bad rows."""

from __future__ import annotations

import csv
import io
import itertools
import json
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from policyrules.registers import Summary, error_path, run_batch
from policyrules.registers.lines import MAX_RECORD_BYTES, closed_at_a_glance, csv_records, lines, quote_open_after
from policyrules.registers.xlsx import Unprefixed
from test_batch import prefixed_copy, run_cli

AS_OF = date(2022, 6, 1)
GOOD_USCC = "91350100M000100Y43"
BAD_USCC = "91500112MA5U3K8L28"  # a wrong check character
HEADER = ["企业名称", "统一社会信用代码", "重点排污单位"]


@dataclass(frozen=True)
class Row:
    """One register row: its name, whether it is good, and, for a bad one, how it is bad."""

    name: str
    good: bool = True
    fault: str = "uscc"  # uscc | bool | json (JSONL: not a JSON object, not JSON) | extra (a cell beyond the header)
    blank_before: int = 0  # blank lines (rows) before it: they take numbers, and are not rows
    footer: bool = False  # CSV/XLSX: text in the first cell only (合计…), skipped and counted as such

    def cells(self) -> list[str]:
        if self.footer:
            return [self.name]
        cells = [self.name, GOOD_USCC if self.good or self.fault != "uscc" else BAD_USCC, self._flag()]
        return [*cells, "", "多余"] if not self.good and self.fault == "extra" else cells

    def _flag(self) -> str:
        return "也许" if not self.good and self.fault == "bool" else "是"

    def line(self) -> str:
        if not self.good and self.fault == "json":
            return {"a": "null", "b": "[1, 2]", "c": '"text"'}.get(self.name[:1], "{not json")
        ent = {"name": self.name, "uscc": self.cells()[1], "key_discharger": self._flag() == "是"}
        if not self.good and self.fault == "bool":
            ent["key_discharger"] = "也许"
        return json.dumps({"enterprise": ent}, ensure_ascii=False)


def write_register(folder: Path, kind: str, rows: list[Row], newline: str = "\n") -> tuple[Path, list[int]]:
    """The register file and the row number of each of `rows` (the number Excel or an editor shows)."""
    path = folder / f"register.{kind}"
    first = {"jsonl": 1, "csv": 2, "xlsx": 3}[kind]
    numbers = []
    for r in rows:
        first += r.blank_before
        numbers.append(first)
        first += 1
    if kind == "jsonl":
        path.write_bytes("".join(newline * r.blank_before + r.line() + newline for r in rows).encode())
        return path, numbers
    if kind == "csv":
        text = ",".join(HEADER) + newline
        text += "".join(newline * r.blank_before + ",".join(map(_csv_field, r.cells())) + newline for r in rows)
        path.write_bytes(text.encode("utf-8-sig"))
        return path, numbers
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["排污单位名录"])  # a title row above the header
    ws.append(HEADER)
    for number, r in zip(numbers, rows, strict=True):
        for column, text in enumerate(r.cells(), start=1):
            cell = ws.cell(row=number, column=column, value=text or None)
            cell.data_type = "s"  # '=甲' is a name, not a formula
    wb.save(path)
    return path, numbers


def _csv_field(text: str) -> str:
    """Quoted only when it must be (a comma, a line end, a leading quote), as people's files are: a quote
    inside an unquoted field stays bare (csv.writer would quote it, and would leave a lone CR unquoted)."""
    if any(c in text for c in ",\r\n") or text.startswith('"'):
        return '"' + text.replace('"', '""') + '"'
    return text


def read_errors(out: Path) -> list[dict[str, Any]]:
    """The errors file of a JSON Lines output: one object a problem (row, uscc, column, field, message)."""
    return [json.loads(line) for line in error_path(out).read_text("utf-8").splitlines()]


def results_and_errors(out: Path) -> tuple[list[int], list[int]]:
    """Row numbers in the results (JSONL) and in the errors file, in file order."""
    evaluated = [json.loads(line)["row"] for line in out.read_text("utf-8").splitlines()]
    failed = [e["row"] for e in read_errors(out)]
    return evaluated, failed


def assert_accounted(summary: Summary, out: Path, rows: list[Row], numbers: list[int]) -> None:
    """The equation, and each row where it belongs under its own number."""
    evaluated, failed = results_and_errors(out)
    good = [n for r, n in zip(rows, numbers, strict=True) if r.good and not r.footer]
    bad = [n for r, n in zip(rows, numbers, strict=True) if not r.good]
    footers = [(n, r.name) for r, n in zip(rows, numbers, strict=True) if r.footer]
    assert summary.rows_read == len(rows) == summary.evaluated + summary.errors + len(summary.skipped)
    assert (summary.evaluated, summary.errors, summary.skipped) == (len(good), len(bad), footers)
    assert evaluated == good
    assert sorted(set(failed)) == bad and failed == sorted(failed)


def batch(register: Path, tmp_path: Path, workers: int = 1, chunk_size: int = 1000) -> tuple[Summary, Path]:
    out = tmp_path / "out.jsonl"
    return run_batch(str(register), out, "chongqing", as_of=AS_OF, workers=workers, chunk_size=chunk_size), out


# --- the property -----------------------------------------------------------------------------------------------

NAMES = (
    st.lists(st.sampled_from([*"甲乙丙企业 ,\"'5abc;:=+-@", "\n", "\r\n", "\r", "\t"]), min_size=1, max_size=12)
    .map("".join)
    .map(lambda s: "a" + s if s.strip() == "" else s)
)  # a name of spaces only would be a blank name


@st.composite
def registers(draw: st.DrawFn) -> tuple[str, list[Row], str]:
    kind = draw(st.sampled_from(["csv", "jsonl", "xlsx"]))
    share = draw(st.sampled_from([0.0, 0.2, 0.5, 1.0]))  # the share of bad rows
    faults = ["uscc", "bool", "json"] if kind == "jsonl" else ["uscc", "bool", "extra"]
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=14))):
        name = draw(NAMES)
        if kind != "csv":
            name = name.replace("\r", "")  # a CR in a cell: CSV keeps it quoted; the others are tested apart
        bad = draw(st.floats(min_value=0, max_value=1, exclude_max=True)) < share
        fault = draw(st.sampled_from(faults))
        if fault == "json":
            name = draw(st.sampled_from(["a", "b", "c", "d"])) + name
        blank = draw(st.sampled_from([0, 0, 0, 1, 2]))
        if kind != "jsonl" and draw(st.integers(0, 9)) == 0:
            rows.append(Row(f"合计：{len(rows)} 家", blank_before=blank, footer=True))
            continue
        rows.append(Row(name, good=not bad, fault=fault, blank_before=blank))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"])) if kind != "xlsx" else "\n"
    return kind, rows, newline


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each example is a real batch
)
@given(registers(), st.sampled_from([1, 1, 1, 2]), st.sampled_from([1, 2, 3, 7, 1000]))
def test_every_row_is_evaluated_or_in_the_errors_file_under_its_number(
    tmp_path: Path, register: tuple[str, list[Row], str], workers: int, chunk_size: int
) -> None:
    kind, rows, newline = register
    folder = tmp_path / f"{kind}-{workers}-{chunk_size}"
    folder.mkdir(exist_ok=True)
    path, numbers = write_register(folder, kind, rows, newline)
    summary, out = batch(path, folder, workers, chunk_size)
    assert_accounted(summary, out, rows, numbers)


# --- each way rows were lost ------------------------------------------------------------------------------------


def test_a_jsonl_line_that_is_not_an_object_is_an_error_row(tmp_path: Path) -> None:
    register = tmp_path / "r.jsonl"
    good = json.dumps({"enterprise": {"name": "甲", "uscc": GOOD_USCC}}, ensure_ascii=False)
    register.write_text("\n".join([good, "null", "[]", '"甲"', "5", good]) + "\n", encoding="utf-8")
    summary, out = batch(register, tmp_path, chunk_size=2)
    assert (summary.rows, summary.evaluated, summary.errors) == (6, 2, 4)
    errors = read_errors(out)
    assert [e["row"] for e in errors] == [2, 3, 4, 5]
    assert "expected a facts document (a JSON object), found null" in errors[0]["message"]


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_cr_only_line_ends_are_line_ends(tmp_path: Path, kind: str) -> None:
    rows = [Row("甲"), Row("乙", good=False), Row("丙")]
    path, numbers = write_register(tmp_path, kind, rows, newline="\r")
    assert b"\n" not in path.read_bytes()
    summary, out = batch(path, tmp_path)
    assert_accounted(summary, out, rows, numbers)


def test_ragged_csv_rows_short_is_blank_long_is_an_error_naming_the_column(tmp_path: Path) -> None:
    register = tmp_path / "r.csv"
    register.write_text(
        f"企业名称,统一社会信用代码,重点排污单位\n甲,{GOOD_USCC}\n乙,{GOOD_USCC},是,,\n丙,{GOOD_USCC},是,,多出来\n丁,{GOOD_USCC},否\n",
        encoding="utf-8",
    )
    summary, out = batch(register, tmp_path)
    evaluated, failed = results_and_errors(out)
    assert evaluated == [2, 3, 5] and failed == [4]
    (error,) = read_errors(out)
    assert error["field"] == "column E" and "多出来" in error["message"] and "3 columns" in error["message"]
    assert summary.rows == 4


def test_a_bare_quote_inside_an_unquoted_field_is_text_and_keeps_the_rows_apart(tmp_path: Path) -> None:
    register = tmp_path / "r.csv"
    register.write_text(
        f'企业名称,统一社会信用代码\n5" 钢管厂,{GOOD_USCC}\n乙,{GOOD_USCC}\n丙 "分厂,{GOOD_USCC}\n丁,{BAD_USCC}\n',
        encoding="utf-8",
    )
    summary, out = batch(register, tmp_path)
    names = [json.loads(line)["name"] for line in out.read_text("utf-8").splitlines()]
    assert names == ['5" 钢管厂', "乙", '丙 "分厂']
    assert results_and_errors(out) == ([2, 3, 4], [5])
    assert summary.rows == 4


def test_an_unclosed_quote_is_a_broken_row_and_the_rows_after_it_are_read(tmp_path: Path) -> None:
    register = tmp_path / "r.csv"
    register.write_text(
        f'企业名称,统一社会信用代码\n甲,{GOOD_USCC}\n"乙 never closed,{GOOD_USCC}\n丙,{GOOD_USCC}\n丁,{GOOD_USCC}\n',
        encoding="utf-8",
    )
    for chunk_size in (1, 2, 1000):
        summary, out = batch(register, tmp_path, chunk_size=chunk_size)
        assert results_and_errors(out) == ([2, 4, 5], [3])
        (error,) = read_errors(out)
        assert "never closed" in error["message"]
        assert (summary.rows, summary.evaluated, summary.errors) == (4, 3, 1)


def test_a_quoted_field_that_never_closes_is_cut_at_the_record_limit() -> None:
    """Memory stays bounded: an open quote followed by megabytes of rows gives the broken row and the rows."""
    filler = b"x" * 1000 + b"\n"
    data = b'a,"open\n' + filler * (MAX_RECORD_BYTES // len(filler) + 10)
    records = list(csv_records(lines(io.BytesIO(data))))
    assert records[0] == (b'a,"open\n', True)
    assert len(records) == 1 + MAX_RECORD_BYTES // len(filler) + 10
    assert not any(broken for _, broken in records[1:])


def test_quoted_line_ends_of_every_kind_stay_inside_their_cell() -> None:
    data = b'h\r\n"a\rb",1\r"c\r\nd",2\n"e\nf"\n'
    records = [r for r, _ in csv_records(lines(io.BytesIO(data)))]
    assert records == [b"h\r\n", b'"a\rb",1\r', b'"c\r\nd",2\n', b'"e\nf"\n']


def _edit_sheet(path: Path, edit: dict[bytes, bytes]) -> None:
    """Rewrite the first sheet's XML with literal replacements (a damaged file, as a tool might leave it)."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    for old, new in edit.items():
        assert old in sheet, old
        sheet = sheet.replace(old, new)
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_an_unclosed_xlsx_row_is_reported_not_merged_with_the_next(tmp_path: Path) -> None:
    rows = [Row("甲"), Row("乙"), Row("丙"), Row("丁")]
    path, _ = write_register(tmp_path, "xlsx", rows)
    _edit_sheet(path, {b'</c></row><row r="5"': b'</c><row r="5"'})  # row 4 loses its </row>
    summary, out = batch(path, tmp_path, chunk_size=2)
    evaluated, failed = results_and_errors(out)
    assert evaluated == [3, 5, 6] and failed == [4]
    assert [json.loads(line)["name"] for line in out.read_text("utf-8").splitlines()] == ["甲", "丙", "丁"]
    assert (summary.rows, summary.evaluated, summary.errors) == (4, 3, 1)


def test_a_repeated_xlsx_row_number_is_reported_not_evaluated_twice(tmp_path: Path) -> None:
    rows = [Row("甲"), Row("乙"), Row("丙")]
    path, _ = write_register(tmp_path, "xlsx", rows)
    _edit_sheet(path, {b'<row r="5"': b'<row r="4"', b'r="A5"': b'r="A4"', b'r="B5"': b'r="B4"', b'r="C5"': b'r="C4"'})
    summary, out = batch(path, tmp_path)
    evaluated, failed = results_and_errors(out)
    assert evaluated == [3, 4] and failed == [4]
    (error,) = read_errors(out)
    assert "row 4 comes again after row 4" in error["message"]
    assert (summary.rows, summary.evaluated, summary.errors) == (3, 2, 1)


def test_an_xlsx_row_left_open_at_the_end_of_the_sheet_is_reported(tmp_path: Path) -> None:
    rows = [Row("甲"), Row("乙")]
    path, _ = write_register(tmp_path, "xlsx", rows)
    _edit_sheet(path, {b"</c></row></sheetData>": b"</c></sheetData>"})
    summary, out = batch(path, tmp_path)
    assert results_and_errors(out) == ([3], [4])
    assert summary.rows == 2


def test_a_cell_beyond_the_xlsx_header_is_an_error_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER)
    ws.append(["甲", GOOD_USCC, "是"])
    ws.append(["乙", GOOD_USCC, "是", None, "右边的备注"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    summary, out = batch(path, tmp_path)
    assert results_and_errors(out) == ([2], [3]) and summary.rows == 2
    (error,) = read_errors(out)
    assert error["field"] == "column E" and "右边的备注" in error["message"]


def test_the_quick_check_for_a_closed_line_never_accepts_an_open_one() -> None:
    """Every line of up to 9 characters over {a , "} (29,523 lines): where the C-speed check says "closed", the
    walk agrees, and csv reads the line as one row."""
    accepted = 0
    for length in range(1, 10):
        for chars in itertools.product(b'a,"', repeat=length):
            line = bytes(chars)
            if closed_at_a_glance(line):
                accepted += 1
                assert not quote_open_after(line, False)[0], line
                assert len(list(csv.reader(io.StringIO(line.decode() + "\n", newline="")))) == 1, line
    assert accepted > 10_000  # it accepts most closed lines: the fast path is taken


def test_a_prefix_cut_between_two_blocks_is_still_dropped() -> None:
    xml = b'<x:worksheet xmlns:x="m"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData>'
    plain = b'<worksheet xmlns:x="m"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
    for size in range(1, 12):
        stream = Unprefixed(io.BytesIO(xml), b"x")
        read = b""
        while block := stream.read(size):
            read += block
        assert read == plain, size


def test_a_repeated_row_in_a_sheet_with_prefixed_tags_is_reported_not_dropped(tmp_path: Path) -> None:
    rows = [Row("甲"), Row("乙"), Row("丙")]
    path, _ = write_register(tmp_path, "xlsx", rows)
    _edit_sheet(path, {b'<row r="5"': b'<row r="4"', b'r="A5"': b'r="A4"', b'r="B5"': b'r="B4"', b'r="C5"': b'r="C4"'})
    prefixed_copy(path, tmp_path / "prefixed.xlsx")
    summary, out = batch(tmp_path / "prefixed.xlsx", tmp_path)
    assert results_and_errors(out) == ([3, 4], [4])
    assert (summary.rows, summary.evaluated, summary.errors) == (3, 2, 1)


def test_explain_row_reads_a_row_as_batch_does(tmp_path: Path) -> None:
    """explain --row N names the problem batch reports for row N: an unclosed quote, a cell beyond the header."""
    register = tmp_path / "r.csv"
    lines = ["企业名称,统一社会信用代码", f'"甲 never closed,{GOOD_USCC}', f"乙,{GOOD_USCC},多出来", f"丙,{GOOD_USCC}"]
    register.write_text("\n".join(lines) + "\n", encoding="utf-8")
    explain = ("explain", "--pack", "chongqing", "--as-of", "2022-06-01", str(register), "--lang", "en", "--row")
    broken = run_cli(*explain, "2")
    assert broken.returncode == 2 and "never closed" in broken.stderr
    beyond = run_cli(*explain, "3")
    assert beyond.returncode == 2 and "column C" in beyond.stderr and "多出来" in beyond.stderr
    good = run_cli(*explain, "4")
    assert good.returncode == 0 and "丙" in good.stdout
