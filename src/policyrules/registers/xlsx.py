"""XLSX sheets read as raw XML: the workbook's shared strings and date styles, and rows parsed from sheet XML.

openpyxl's read-only reader costs ≈ 160 µs a row of the benchmark sheet in the main process, more than two workers
need to evaluate it. So the main process only inflates the sheet's XML out of the zip and cuts it at </row>; the
workers parse the rows (shared strings and the date styles are sent to each once). A sheet whose XML uses
namespace prefixes (<x:row>) is read with openpyxl instead (readers.Register).
"""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Protocol

from ..errors import Problem
from .errors import BatchError

_ROW_RE = re.compile(rb"<row\b([^>]*?)(/>|>(.*?)</row>)", re.S)
_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_T_RE = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_RPH_RE = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# a sheet whose tags carry a namespace prefix (<x:row>, as some generators write): read through Unprefixed
PREFIXED = re.compile(rb"<(\w+):(?:sheetData|row)\b")
# the last row the sheet says it has: the progress bar's total
DIMENSION = re.compile(rb'<dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
# Bounds on a workbook from elsewhere (docs/security.md): a small zip can inflate to gigabytes.
MAX_SHEET_BYTES = 2 * 1024**3  # the sheet's XML, inflated (a million-row register is a few hundred MB)
MAX_ROW_BYTES = 16 * 1024**2  # one <row> of it
MAX_SHARED_STRINGS_BYTES = 512 * 1024**2  # the shared-strings table, inflated
_SURROGATE = re.compile("[\ud800-\udfff]")
# built-in number formats that show a date (14-22, 45-47, and the East Asian date formats 27-36, 50-58)
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])


@dataclass(frozen=True)
class SheetFormat:
    """What parsing a sheet's rows needs besides the rows: the workbook's shared strings, the cell styles that show
    dates (a number in such a cell is an Excel date) and the 1904 date system flag."""

    shared_strings: tuple[str, ...] = ()
    date_styles: frozenset[int] = frozenset()
    date1904: bool = False


@dataclass(frozen=True)
class BadCell:
    """A cell that cannot be read (a shared-string index out of range, text in a number cell, a date serial no
    calendar holds, a lone surrogate, bytes that are not UTF-8): the cell's row is reported as an error naming
    the column's field (cells.RowReader), in Chinese or English; the batch goes on. '' in a header search."""

    reason: str  # in English
    zh: str = ""

    def __str__(self) -> str:
        return ""


class _Unreadable(ValueError):
    """Why a cell cannot be read, in Chinese and English (becomes a BadCell)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh


_LONE_SURROGATE = _Unreadable(
    "单元格文字含有孤立的代理码位（如 _xD800_ 转义），它不是字符",
    "the cell text holds a lone surrogate (an escape like _xD800_), which is no character",
)


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _OOXML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    if _SURROGATE.search(text):
        raise _LONE_SURROGATE
    return text


def _column_index(ref: bytes) -> int:
    index = 0
    for byte in ref:
        if 65 <= byte <= 90:
            index = index * 26 + byte - 64
        else:
            break
    return index - 1


def _excel_date(serial: float, date1904: bool) -> datetime:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    value = from_excel(serial, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    """The value of attribute `name` (given as b' r="') in a tag's attribute text."""
    i = attrs.find(name)
    if i < 0:
        return None
    i += len(name)
    return attrs[i : attrs.find(b'"', i)]


def _inline_text(inner: bytes) -> str:
    if b"<rPh" in inner:
        inner = _RPH_RE.sub(b"", inner)
    if inner.count(b"<t") == 1:  # the common case: <is><t>text</t></is>
        start = inner.find(b">", inner.find(b"<t")) + 1
        end = inner.find(b"</t>", start)
        return _xml_text(inner[start:end]) if end >= 0 else ""
    return "".join(_xml_text(t) for t in _T_RE.findall(inner))


def parse_sheet_rows(blob: bytes, fmt: SheetFormat, first_row: int = 1) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) for every <row> in a piece of sheet XML; values as openpyxl gives them with
    data_only (text, int, float, bool, datetime; None for an empty cell)."""
    number = first_row - 1
    for match in _ROW_RE.finditer(blob):
        r = _attr(match[1], b' r="')
        number = int(r) if r and r.isdigit() and len(r) < 10 else number + 1  # r="x": the next row
        values: list[Any] = []
        body = match[3]
        if body:
            fast = _FAST_CELLS.findall(body)
            if len(fast) == body.count(b"<c ") + body.count(b"<c>"):
                yield number, _fast_values(fast, fmt)
                continue
            column = -1
            for cell in _CELL_RE.finditer(body):
                attrs = cell[1]
                ref = _attr(attrs, b' r="')
                column = _column_index(ref) if ref else column + 1
                inner = cell[2]
                value: Any = None
                if inner:
                    kind = _attr(attrs, b' t="') or b"n"
                    if kind == b"inlineStr":
                        value = _read_cell(_inline_text, inner)
                    else:
                        start = inner.find(b"<v>")
                        if start >= 0:
                            raw = inner[start + 3 : inner.find(b"</v>", start)]
                            value = _cell_value(kind, raw, _attr(attrs, b' s="'), column, fmt)
                _place(values, column, value)
        yield number, values


# the common cell, in the attribute order Excel and openpyxl write: <c r="B3" s="1" t="s"><v>0</v></c> or an
# inline string <c r="B3" t="inlineStr"><is><t>text</t></is></c>; a row with any other cell takes the general path
_FAST_CELLS = re.compile(
    rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?(?: t="(\w+)")?(?:/>|>(?:<is><t>([^<]*)</t></is>|<v>([^<]*)</v>)</c>)'
)


def _fast_values(cells: list[tuple[bytes, bytes, bytes, bytes, bytes]], fmt: SheetFormat) -> list[Any]:
    values: list[Any] = []
    for ref, style, kind, inline, raw in cells:
        column = _column_index(ref)
        value: Any = None
        if kind == b"inlineStr":
            value = _read_cell(_xml_text, inline)
        elif raw:
            value = _cell_value(kind, raw, style or None, column, fmt)
        _place(values, column, value)
    return values


MAX_COLUMNS = 16_384  # Excel's last column is XFD


def _place(values: list[Any], column: int, value: Any) -> None:
    """Put a cell's value at its column. A reference past Excel's last column (r="ZZZZZZZZ1" would ask for a
    list of billions) or without a column is a bad cell, kept just past the last column: a row error, in bounded
    memory."""
    if not 0 <= column < MAX_COLUMNS:
        column, value = MAX_COLUMNS, BadCell("a cell whose reference is not a column of a sheet (A to XFD)")
    if column >= len(values):
        values.extend([None] * (column + 1 - len(values)))
    values[column] = value


def _read_cell(read: Any, raw: bytes) -> Any:
    try:
        return read(raw)
    except ValueError as exc:
        return _bad(exc, raw, b"inlineStr")


def _cell_value(kind: bytes, raw: bytes, style: bytes | None, column: int, fmt: SheetFormat) -> Any:
    """A <v> value by its cell type (a BadCell when it cannot be read: one bad cell is one row error)."""
    try:
        return _typed_value(kind, raw, style, column, fmt)
    except (ValueError, OverflowError, IndexError, ArithmeticError) as exc:
        return _bad(exc, raw, kind)


def _bad(exc: Exception, raw: bytes, kind: bytes) -> BadCell:
    if isinstance(exc, _Unreadable):
        return BadCell(str(exc), exc.zh)
    shown = raw[:40].decode("utf-8", "replace")
    kind_text = kind.decode("ascii", "replace")
    return BadCell(
        f"cannot read the cell value '{shown}' (type {kind_text}): {exc}",
        f"无法读取单元格的值“{shown}”（类型 {kind_text}）：{exc}",
    )


def _typed_value(kind: bytes, raw: bytes, style: bytes | None, column: int, fmt: SheetFormat) -> Any:
    """A <v> value by its cell type: shared string, boolean, text, or a number (a date where the cell's style
    says so)."""
    if kind == b"s":
        index = int(raw)
        if not 0 <= index < len(fmt.shared_strings):
            raise _Unreadable(
                f"共享字符串 {index} 不存在（工作簿共有 {len(fmt.shared_strings)} 个）",
                f"shared string {index} does not exist (the workbook has {len(fmt.shared_strings)})",
            )
        text = fmt.shared_strings[index]
        if _SURROGATE.search(text):
            raise _LONE_SURROGATE
        return text
    if kind == b"b":
        return raw.strip() in (b"1", b"true")
    if kind in (b"str", b"e", b"d"):
        return _xml_text(raw)
    value = _number(raw)
    if style is not None and int(style) in fmt.date_styles:
        if not -1 < value < 2_958_466:  # 9999-12-31: a serial beyond it is no date (1e300 used to overflow)
            raise _Unreadable(
                f"{value:g} 不是 Excel 日期序号（0 到 2958465）",
                f"{value:g} is not an Excel date serial (0 to 2958465)",
            )
        return _excel_date(value, fmt.date1904)
    # a number in a date column without a date format is not taken for an Excel serial: 20210930 is a date
    # typed as digits, 44469 is a slip that cells.read_date reports
    return value


def _number(raw: bytes) -> int | float:
    text = raw.strip()
    try:
        return int(text)
    except ValueError:
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number


class ByteStream(Protocol):
    """What the reader needs of a sheet's XML: blocks of bytes, then closing."""

    def read(self, size: int, /) -> bytes: ...

    def close(self) -> None: ...


class Unprefixed:
    """A sheet's XML stream with its elements' namespace prefix dropped (<x:row> → <row>, </x:c> → </c>), so that
    the patterns here read it like any sheet (raw text holds no '<', so only tags change). A tag cut at the end of
    a block is held back until the next one."""

    def __init__(self, raw: ByteStream, prefix: bytes) -> None:
        self.raw = raw
        self._open = b"<" + prefix + b":"
        self._close = b"</" + prefix + b":"
        self._carry = b""

    def read(self, size: int = -1) -> bytes:
        data, self._carry = self._carry, b""
        while True:
            block = self.raw.read(size)
            data += block
            held = b""
            cut = data.rfind(b"<", max(0, len(data) - len(self._close) + 1))
            if block and cut >= 0:  # perhaps a tag cut short: keep it for the next read
                data, held = data[:cut], data[cut:]
            if data or not block:
                self._carry = held
                return data.replace(self._close, b"</").replace(self._open, b"<")
            data = held

    def close(self) -> None:
        self.raw.close()


_ROW_TAG = re.compile(rb"<row\b([^>]*?)(/?)>")
_R_NUMBER = re.compile(rb'\sr="(\d+)"')


class RowCutter:
    """Whole rows of sheet XML, each checked before it is sent to a worker: its number is read (and written into
    the tag when the sheet leaves it out, so a worker numbers it the same); a <row> never closed, or a row number
    that repeats or goes back, is damage (Excel itself would refuse the file): such a row is reported as a broken
    row with its number, never merged with the next one or counted twice."""

    def __init__(self, last: int) -> None:
        self.last = last  # the number of the last row seen

    def cut(self, part: bytes, closed: bool = True) -> tuple[bytes | None, list[tuple[int, str]]]:
        """One piece of sheet XML up to a </row> (or, with closed=False, the tail after the last one): the row
        to parse, if any, and the broken rows."""
        broken: list[tuple[int, str]] = []
        opened: tuple[int, bytes, int] | None = None  # (number, the tag's attributes, where the tag starts)
        tags = 0
        for tag in _ROW_TAG.finditer(part):
            tags += 1
            if opened is not None:  # a new <row> while one is open: that one was never closed
                broken.append((opened[0], _UNCLOSED))
                opened = None
            r = _R_NUMBER.search(tag[1])
            number = int(r[1]) if r else self.last + 1
            if number <= self.last:
                broken.append((number, _REPEATED.format(number=number, last=self.last)))
                continue
            self.last = number
            if not tag[2]:
                opened = (number, tag[1], tag.start())
        if opened is None:
            if closed and not tags and (b"<c " in part or b"<c>" in part):
                self.last += 1
                broken.append((self.last, "cells outside any <row> in the sheet XML (a damaged file): not read"))
            return None, broken
        if not closed:
            broken.append((opened[0], _UNCLOSED))
            return None, broken
        number, attrs, start = opened
        row = part[start:]
        if not _R_NUMBER.search(attrs):
            row = b'<row r="%d"' % number + row[4:]
        return row + b"</row>", broken


_REPEATED = "row {number} comes again after row {last} in the sheet XML (a damaged file): this copy is not read"
_UNCLOSED = "its <row> is never closed in the sheet XML (a damaged file): the row is not read"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attrs(element: Any) -> dict[str, str]:
    return {_local(k): v for k, v in element.attrib.items()}


class SheetXml:
    """An .xlsx sheet opened straight from the zip: its format and a stream of its XML."""

    def __init__(self, path: str, sheet: str | None) -> None:
        import xml.etree.ElementTree as ET

        self.path = path
        self.zip = zipfile.ZipFile(path)
        names = set(self.zip.namelist())
        workbook_path = "xl/workbook.xml"
        workbook = ET.fromstring(self.zip.read(workbook_path))
        rels = self._rels("xl/_rels/workbook.xml.rels", names)
        sheets = [_attrs(e) for e in workbook.iter() if _local(e.tag) == "sheet"]
        self.sheet_names = [x.get("name", "") for x in sheets]
        if sheet is not None and sheet not in self.sheet_names:
            raise BatchError([Problem("--sheet", f"no sheet '{sheet}' (sheets: {', '.join(self.sheet_names)})", path)])
        chosen = next(x for x in sheets if sheet is None or x.get("name") == sheet)
        self.sheet_path = rels[chosen["id"]][1]
        date1904 = any(
            _attrs(e).get("date1904") in ("1", "true") for e in workbook.iter() if _local(e.tag) == "workbookPr"
        )
        shared: list[str] = []
        styles: frozenset[int] = frozenset()
        for kind, target in rels.values():
            if kind.endswith("/sharedStrings") and target in names:
                shared = self._shared_strings(target)
            elif kind.endswith("/styles") and target in names:
                styles = self._date_styles(ET.fromstring(self.zip.read(target)))
        self.format = SheetFormat(tuple(shared), styles, date1904)

    def _rels(self, path: str, names: set[str]) -> dict[str, tuple[str, str]]:
        import xml.etree.ElementTree as ET

        out = {}
        if path in names:
            for e in ET.fromstring(self.zip.read(path)).iter():
                if _local(e.tag) == "Relationship":
                    target = e.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    out[e.get("Id", "")] = (e.get("Type", ""), target)
        return out

    def _shared_strings(self, path: str) -> list[str]:
        import xml.etree.ElementTree as ET

        if self.zip.getinfo(path).file_size > MAX_SHARED_STRINGS_BYTES:
            raise BatchError(
                [Problem("", f"the shared-strings table inflates beyond {MAX_SHARED_STRINGS_BYTES:,} bytes", self.path)]
            )
        out: list[str] = []
        with self.zip.open(path) as f:
            for _, element in ET.iterparse(f):
                if _local(element.tag) == "si":
                    parts = []
                    for child in element:
                        name = _local(child.tag)
                        if name == "t":
                            parts.append(child.text or "")
                        elif name == "r":
                            parts += [t.text or "" for t in child if _local(t.tag) == "t"]
                    text = "".join(parts)
                    out.append(_OOXML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text)
                    element.clear()
        return out

    @staticmethod
    def _date_styles(styles: Any) -> frozenset[int]:
        from openpyxl.styles.numbers import is_date_format

        custom = {}
        for e in styles.iter():
            if _local(e.tag) == "numFmt":
                a = _attrs(e)
                custom[int(a.get("numFmtId", "0"))] = a.get("formatCode", "")
        out = set()
        for e in styles.iter():
            if _local(e.tag) == "cellXfs":
                for index, xf in enumerate(x for x in e if _local(x.tag) == "xf"):
                    fmt_id = int(_attrs(xf).get("numFmtId", "0"))
                    if fmt_id in _BUILTIN_DATE_FORMATS or (fmt_id in custom and is_date_format(custom[fmt_id])):
                        out.add(index)
        return frozenset(out)

    def stream(self) -> IO[bytes]:
        if self.zip.getinfo(self.sheet_path).file_size > MAX_SHEET_BYTES:
            raise BatchError([Problem("", f"the sheet inflates beyond {MAX_SHEET_BYTES:,} bytes", self.path)])
        return self.zip.open(self.sheet_path)


class BoundedSheet:
    """Reads a sheet's XML stream in blocks within the bounds above: the inflated bytes counted (a zip may
    understate them), and damaged compressed data reported as bad input rather than a crash."""

    def __init__(self, stream: IO[bytes], path: str) -> None:
        self.stream, self.path, self.read_bytes = stream, path, 0

    def read(self, size: int) -> bytes:
        try:
            block = self.stream.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            message = f"the workbook's compressed sheet is damaged after {self.read_bytes:,} bytes ({exc})"
            raise BatchError([Problem("", message, self.path)]) from None
        self.read_bytes += len(block)
        if self.read_bytes > MAX_SHEET_BYTES:
            raise BatchError([Problem("", f"the sheet inflates beyond {MAX_SHEET_BYTES:,} bytes", self.path)])
        return block

    def check_row(self, pending: bytes) -> None:
        """Refuse a row that has grown beyond MAX_ROW_BYTES without closing (cutting at </row> stays linear)."""
        if len(pending) > MAX_ROW_BYTES:
            message = f"a row of the sheet is larger than {MAX_ROW_BYTES:,} bytes (a damaged or hostile workbook)"
            raise BatchError([Problem("", message, self.path)])

    def close(self) -> None:
        self.stream.close()
