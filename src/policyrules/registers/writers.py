"""Writing results: the CSV, JSON Lines or XLSX output, chunk by chunk, and where its error file goes."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from .chunks import RowError
from .formats import OUTPUT_KINDS, OutputKind
from .output import csv_cell, safe_row, xml_cell

ZH_ERROR_COLUMNS = ("行号", "统一社会信用代码", "列", "字段", "问题", "文件")
EN_ERROR_COLUMNS = ("row", "uscc", "field", "message")
ERRORS_SHEET = "错误"


class Writer:
    """Results as they come, chunk by chunk. CSV and JSONL are flushed after every chunk; XLSX is written as a
    stream of sheet XML into the zip (openpyxl's writer costs ~10 µs a cell, more than evaluating the row).

    The Chinese XLSX (`people`) is made to be opened: a bold, frozen header, column widths, date cells (style 1)
    and a second sheet, 错误, with the rejected rows (kept in a temporary file until the results are done)."""

    def __init__(self, path: Path, kind: OutputKind, columns: Sequence[str], people: bool = False) -> None:
        self.path = path
        self.kind = kind
        self.people = people and kind == "xlsx"
        self._file: IO[bytes] | None = None
        self._zip: zipfile.ZipFile | None = None
        self._sheet: IO[bytes] | None = None
        self._errors: IO[bytes] | None = None
        self._error_rows = 1
        self._row = 1
        if kind == "xlsx":
            self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
            for name, text in (_PEOPLE_PARTS if self.people else _XLSX_PARTS).items():
                self._zip.writestr(name, text)
            self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
            if self.people:
                self._sheet.write((_sheet_start(columns) + _header_row(columns)).encode())
                self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
                self._errors.write((_sheet_start(ZH_ERROR_COLUMNS) + _header_row(ZH_ERROR_COLUMNS)).encode())
            else:
                header = "".join(xml_cell(c) for c in columns)
                self._sheet.write((_SHEET_START + f'<row r="1">{header}</row>').encode())
        else:
            # the workers send CSV and JSON Lines as UTF-8 bytes (Evaluator.run), written as they come
            self._file = open(path, "wb")  # noqa: SIM115 - closed in close()
            if kind == "csv":  # with a BOM, so that Excel opens the Chinese text as UTF-8
                self._file.write(("\ufeff" + ",".join(csv_cell(c) for c in columns) + "\r\n").encode())

    def write(self, output: Any) -> None:
        """A chunk's rows: UTF-8 bytes for CSV and JSON Lines, a list of rows of sheet XML for XLSX."""
        if self._file is not None:
            self._file.write(output)
            self._file.flush()  # what is written is reported: flush chunk by chunk
            return
        assert self._sheet is not None
        parts = []
        for cells in output:
            self._row += 1
            parts.append(f'<row r="{self._row}">{cells}</row>')
        self._sheet.write("".join(parts).encode())

    def write_errors(self, rows: Sequence[Sequence[object]]) -> None:
        """Rejected rows for the 错误 sheet of the Chinese XLSX (nothing for any other output)."""
        if self._errors is None:
            return
        parts = []
        for cells in rows:
            self._error_rows += 1
            parts.append(f'<row r="{self._error_rows}">{_value_cells(cells)}</row>')
        self._errors.write("".join(parts).encode())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._sheet is not None and self._zip is not None:
            self._sheet.write(b"</sheetData></worksheet>")
            self._sheet.close()
            if self._errors is not None:
                self._errors.write(b"</sheetData></worksheet>")
                self._errors.seek(0)
                with self._zip.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as sheet:
                    shutil.copyfileobj(self._errors, sheet)
                self._errors.close()
            self._zip.close()


class ErrorWriter:
    """The errors file beside the results, in the results' format (error_path): one line per problem, naming
    the row, the enterprise's code as given, the register column, the field and the problem; in Chinese with
    the register's file name, or the English columns of before with lang="en"."""

    def __init__(self, path: Path, lang: str, source: str) -> None:
        self.path = path
        self.kind = OUTPUT_KINDS.get(path.suffix.lower(), "csv")
        self.lang = lang
        self.source = source
        columns = ZH_ERROR_COLUMNS if lang == "zh" else EN_ERROR_COLUMNS
        self._sheet: Writer | None = None
        self._file: IO[str] | None = None
        if self.kind == "xlsx":
            self._sheet = Writer(path, "xlsx", columns, people=False)
        else:
            self._file = open(path, "w", encoding="utf-8-sig" if self.kind == "csv" else "utf-8", newline="")  # noqa: SIM115
            if self.kind == "csv":
                self._csv = csv.writer(self._file)
                self._csv.writerow(columns)

    def rows(self, errors: Sequence[RowError]) -> list[tuple[object, ...]]:
        """The errors as the file's rows (also what the 错误 sheet shows)."""
        if self.lang == "zh":
            return [(row, uscc, column, field, message, self.source) for row, uscc, column, field, message in errors]
        return [(row, uscc, field, message) for row, uscc, _column, field, message in errors]

    def write(self, errors: Sequence[RowError]) -> None:
        if not errors:
            return
        if self._sheet is not None:
            self._sheet.write([_value_cells(r) for r in self.rows(errors)])
        elif self.kind == "csv":
            assert self._file is not None
            self._csv.writerows(safe_row(r) for r in self.rows(errors))
            self._file.flush()
        else:
            assert self._file is not None
            for row, uscc, column, field, message in errors:
                item = {"row": row, "uscc": uscc, "column": column, "field": field, "message": message}
                self._file.write(json.dumps(item, ensure_ascii=False) + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._sheet is not None:
            self._sheet.close()
        if self._file is not None:
            self._file.close()


def _value_cells(cells: Sequence[object]) -> str:
    return "".join(
        f"<c><v>{c}</v></c>" if isinstance(c, int) and not isinstance(c, bool) else xml_cell(str(c)) for c in cells
    )


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a CJK character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_width(header: str) -> int:
    """A width for a column of the Chinese results, by what it holds (the rows are not known when the header
    is written: the sheet is a stream)."""
    if header.endswith("理由"):
        return 80
    if header.endswith(("依据", "名称")):
        return 36
    if header in ("统一社会信用代码", "排污许可证编号（排污登记编号）", "记录编号"):
        return 24
    if header.endswith(("日期", "结论")):
        return 14
    return max(8, min(40, _display_width(header) + 2))


def _sheet_start(columns: Sequence[str]) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{column_width(c)}" customWidth="1"/>' for i, c in enumerate(columns, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f"<cols>{cols}</cols><sheetData>"
    )


def _header_row(columns: Sequence[str]) -> str:
    """The header in bold (style 2)."""
    return '<row r="1">' + "".join(xml_cell(c).replace("<c ", '<c s="2" ', 1) for c in columns) + "</row>"


_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="results" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def error_path(output: Path) -> Path:
    """The errors file beside the output, in its format and named after it: results.csv -> results.errors.csv,
    results.xlsx -> results.errors.xlsx, results.jsonl -> results.errors.jsonl (so a run in another format
    never overwrites it)."""
    return output.with_name(output.stem + ".errors" + output.suffix.lower())


def _people_parts() -> dict[str, str]:
    """The parts of the Chinese results workbook: two sheets (结果, 错误) and the styles 0 (plain), 1 (a date,
    yyyy-mm-dd) and 2 (bold, for the header)."""
    parts = dict(_XLSX_PARTS)
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        '<Override PartName="/xl/styles.xml"',
        f'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="{sheet_type}"/>'
        '<Override PartName="/xl/styles.xml"',
    )
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        '<sheet name="results" sheetId="1" r:id="rId1"/>',
        f'<sheet name="结果" sheetId="1" r:id="rId1"/><sheet name="{ERRORS_SHEET}" sheetId="2" r:id="rId3"/>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        "</Relationships>",
        '<Relationship Id="rId3" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet2.xml"/></Relationships>',
    )
    parts["xl/styles.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
        '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )
    return parts


_PEOPLE_PARTS = _people_parts()
