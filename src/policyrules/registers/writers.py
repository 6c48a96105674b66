"""Writing results: the CSV, JSON Lines or XLSX output, chunk by chunk, and where its error file goes."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from .formats import OutputKind
from .output import xml_cell


class Writer:
    """Results as they come, chunk by chunk. CSV and JSONL are flushed after every chunk; XLSX is written as a
    stream of sheet XML into the zip (openpyxl's writer costs ~10 µs a cell, more than evaluating the row)."""

    def __init__(self, path: Path, kind: OutputKind, columns: Sequence[str]) -> None:
        self.path = path
        self.kind = kind
        self._file: IO[str] | None = None
        self._zip: zipfile.ZipFile | None = None
        self._sheet: IO[bytes] | None = None
        self._row = 1
        if kind == "xlsx":
            self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
            for name, text in _XLSX_PARTS.items():
                self._zip.writestr(name, text)
            self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
            header = "".join(xml_cell(c) for c in columns)
            self._sheet.write((_SHEET_START + f'<row r="1">{header}</row>').encode())
        else:
            # CSV with a BOM so that Excel opens the Chinese text as UTF-8
            self._file = open(path, "w", encoding="utf-8-sig" if kind == "csv" else "utf-8", newline="")  # noqa: SIM115
            if kind == "csv":
                self._file.write(",".join(columns) + "\r\n")

    def write(self, output: Any) -> None:
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

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._sheet is not None and self._zip is not None:
            self._sheet.write(b"</sheetData></worksheet>")
            self._sheet.close()
            self._zip.close()


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
    """The error file beside the output: results.csv -> results.errors.csv."""
    return output.with_name(output.stem + ".errors.csv")
