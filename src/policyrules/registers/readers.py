"""Reading a register: the Register opens a JSONL, CSV or XLSX file, finds its header row and streams its rows in
chunks of raw records for the workers to parse."""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import Problem
from .chunks import Chunk
from .columns import Column, Layout, normalise_header, resolve_columns, resolve_layout
from .errors import BatchError
from .formats import INPUT_KINDS, InputKind
from .lines import UNCLOSED_QUOTE, csv_records, lines
from .xlsx import (
    DIMENSION,
    MAX_ROW_BYTES,
    PREFIXED,
    BoundedSheet,
    ByteStream,
    RowCutter,
    SheetFormat,
    SheetXml,
    Unprefixed,
    parse_sheet_rows,
)

HEADER_SEARCH_ROWS = 20


def _names_uscc(cells: Sequence[object]) -> bool:
    texts = {normalise_header(str(c)).lower() for c in cells if c is not None}
    return bool(texts & {"统一社会信用代码", "enterprise.uscc", "uscc"})


def _blank(cells: Sequence[object]) -> bool:
    return not any(c is not None and str(c).strip() for c in cells)


def _width(cells: Sequence[object]) -> int:
    """The header's width: up to its last non-blank cell."""
    return max((i + 1 for i, c in enumerate(cells) if c is not None and str(c).strip()), default=0)


def _no_header(first: Sequence[object] | None, path: str, where: str) -> BatchError:
    """The error for a register whose first rows name no 统一社会信用代码 column."""
    if first is None:
        return BatchError([Problem("", f"the {where} is empty (no header row)", path)])
    resolve_columns(list(first), path)  # names the unknown columns, or says that no uscc column exists
    return BatchError([Problem("", "no header row naming 统一社会信用代码 (or uscc)", path)])


class Register:
    """A register opened for streaming: its columns (CSV/XLSX) and its rows in chunks.

    For CSV and XLSX the header is the first row that names the 统一社会信用代码 (a title row may come before it,
    as in 附表2), within the first 20 rows; without one the register is refused, naming the columns it has.
    JSONL and CSV chunks are raw bytes cut at record boundaries (a CSV record ends at a line end outside
    quotes), so the main process does almost nothing per row and the workers decode and parse them."""

    def __init__(
        self, path: str, sheet: str | None = None, encoding: str = "auto", strict_columns: bool = False
    ) -> None:
        self.path = path
        self.name = "<stdin>" if path == "-" else path
        suffix = ".jsonl" if path == "-" else Path(path).suffix.lower()
        if suffix not in INPUT_KINDS:
            raise BatchError(
                [
                    Problem(
                        "",
                        f"cannot tell the register's format from '{suffix or path}': "
                        "use .jsonl, .csv, .xlsx, .xls or .ods",
                        path,
                    )
                ]
            )
        self.kind: InputKind = INPUT_KINDS[suffix]
        self.columns: tuple[Column, ...] = ()
        self.layout = Layout(())
        self._strict = strict_columns
        self.header_width: int | None = None  # CSV/XLSX: a cell right of the header's last column is an error
        self._csv: Iterator[tuple[bytes, bool]] | None = None  # the CSV records, read on from the header
        self._last_row = 0  # XLSX read as XML: the header's row number, where the RowCutter starts
        self.encoding = "utf-8"
        self.total: int | None = None  # for the progress bar: bytes (JSONL, CSV) or rows (XLSX)
        self._binary: IO[bytes] | None = None
        self._values: Iterator[tuple[Any, ...]] | None = None
        self._next_row = 1
        self._sheet_xml: SheetXml | None = None
        self._stream: ByteStream | None = None  # the sheet's XML: a BoundedSheet, or an Unprefixed one
        self._bounded: BoundedSheet | None = None
        self._pending = b""
        self.sheet_format: SheetFormat | None = None  # set when an XLSX sheet is read as raw XML
        try:
            if self.kind == "xlsx":
                self._open_xlsx(sheet)
            elif self.kind in ("xls", "ods"):
                self._open_calamine(sheet)
            else:
                if path == "-":
                    self._binary = sys.stdin.buffer
                else:
                    self._binary = open(path, "rb")  # noqa: SIM115 - closed in close()
                    self.total = os.fstat(self._binary.fileno()).st_size
                if self.kind == "csv":
                    self._open_csv(encoding)
        except FileNotFoundError:
            raise BatchError([Problem("", "file not found", path)]) from None
        except IsADirectoryError:
            raise BatchError([Problem("", "is a directory, not a register", path)]) from None
        except OSError as exc:
            raise BatchError([Problem("", f"cannot read: {exc.strerror or exc}", path)]) from None

    def _header(self, cells: Sequence[object]) -> None:
        self.layout = resolve_layout(list(cells), self.path, self._strict)
        self.columns = self.layout.columns
        self.header_width = _width(cells)

    def _open_csv(self, encoding: str) -> None:
        assert self._binary is not None
        if encoding == "auto":
            encoding = _sniff_encoding(self._binary)
        bom = "\ufeff".encode()
        self.encoding = "utf-8" if encoding.lower().replace("_", "-") in ("utf-8-sig", "utf8-sig") else encoding
        first: list[str] | None = None
        self._csv = csv_records(lines(self._binary))
        for number, (record, _) in enumerate(self._csv, start=1):
            if number == 1 and record.startswith(bom):
                record = record[len(bom) :]
            try:
                text = record.decode(self.encoding)
            except UnicodeDecodeError as exc:
                raise BatchError(
                    [Problem("", f"not {encoding} text ({exc.reason}); give --encoding (e.g. gb18030)", self.path)]
                ) from None
            except LookupError:
                raise BatchError([Problem("--encoding", f"unknown encoding '{encoding}'")]) from None
            cells = next(csv.reader(io.StringIO(text, newline="")), [])
            if not any(c.strip() for c in cells):
                continue
            first = first or cells
            if _names_uscc(cells):
                self._header(cells)
                self._next_row = number + 1
                return
            if number >= HEADER_SEARCH_ROWS:
                break
        raise _no_header(first, self.path, "register")

    def _open_xlsx(self, sheet: str | None) -> None:
        try:
            xml = SheetXml(self.path, sheet)
            bounded = BoundedSheet(xml.stream(), self.path)
        except (FileNotFoundError, IsADirectoryError):
            raise
        except BatchError:
            raise
        except Exception as exc:  # zipfile.BadZipFile, KeyError, ParseError…
            raise BatchError([Problem("", f"not a readable .xlsx workbook: {exc}", self.path)]) from None
        stream: ByteStream = bounded
        head = _head(bounded, bounded)
        prefixed = PREFIXED.search(head)
        if prefixed:  # <x:row>: read on with the prefix dropped, through the same checks as any sheet
            bounded.close()
            bounded = BoundedSheet(xml.stream(), self.path)
            stream = Unprefixed(bounded, prefixed[1])
            head = _head(stream, bounded)
        dimension = DIMENSION.search(head[:4096])
        self.total = int(dimension[1]) if dimension else None
        parts = head.split(b"</row>")
        first: list[Any] | None = None
        number = 0
        for i, part in enumerate(parts[:-1]):
            start = number + 1
            for number, cells in parse_sheet_rows(part + b"</row>", xml.format, start):
                if _blank(cells):
                    continue
                first = first or cells
                if _names_uscc(cells):
                    self._header(cells)
                    self._last_row = number
                    self.sheet_format = xml.format
                    self._sheet_xml = xml
                    self._stream = stream
                    self._bounded = bounded
                    self._pending = b"</row>".join(parts[i + 1 :])
                    self._next_row = number + 1
                    return
            if i + 1 >= HEADER_SEARCH_ROWS:
                break
        stream.close()
        xml.zip.close()
        raise _no_header(first, self.path, "sheet")

    def _xlsx_chunks(self, size: int) -> Iterator[Chunk]:
        """Whole rows of sheet XML, `size` at a time, cut at </row> and checked (xlsx.RowCutter); the workers
        parse them."""
        assert self._stream is not None
        cutter = RowCutter(self._last_row)
        buffer = self._pending
        rows: list[bytes] = []
        broken: list[tuple[int, str]] = []
        first = self._next_row
        while True:
            block = self._stream.read(1 << 20)
            buffer += block
            parts = buffer.split(b"</row>")
            buffer = parts.pop()
            assert self._bounded is not None
            self._bounded.check_row(buffer)
            if not block:  # the tail after the last </row>: a row opened there is never closed
                parts.append(buffer)
            for i, part in enumerate(parts):
                row, bad = cutter.cut(part, closed=bool(block) or i < len(parts) - 1)
                broken += bad
                if row is not None:
                    rows.append(row)
                if len(rows) + len(broken) >= size or (not block and i == len(parts) - 1 and (rows or broken)):
                    yield Chunk(first, len(rows) + len(broken), b"".join(rows), broken=tuple(broken))
                    first = cutter.last + 1
                    rows, broken = [], []
            if not block:
                return

    def _open_calamine(self, sheet: str | None) -> None:
        """.xls (Excel 97-2003, what WPS and many bureau systems export) and .ods, read with python-calamine.

        .xlsx keeps its own path (xlsx.py), measured against calamine on the 20,000-row benchmark sheet
        (benchmarks/register.py, seed 2021; CPU seconds, median of 3, interleaved): the main process, the serial
        part of a batch with workers, spends 0.035 s inflating and cutting the XML, where calamine spends 0.20 s
        producing the rows (and holds the whole sheet in memory); parsing every row in one process, calamine is
        faster (0.22 s against 0.39 s), ~8 µs a row beside ~60 µs to evaluate it. The stream that keeps the main
        process light and memory flat wins; calamine serves the formats that path cannot read."""
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_path(self.path)
        except (FileNotFoundError, IsADirectoryError):
            raise
        except Exception as exc:  # CalamineError, XmlError, ZipError, PasswordError…
            raise BatchError([Problem("", f"not a readable .{self.kind} workbook: {exc}", self.path)]) from None
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise BatchError([Problem("--sheet", f"no sheet '{sheet}' (sheets: {', '.join(names)})", self.path)])
        try:
            ws = book.get_sheet_by_name(sheet) if sheet is not None else book.get_sheet_by_index(0)
            rows = ws.to_python(skip_empty_area=False)
        except Exception as exc:
            raise BatchError([Problem("", f"cannot read the sheet: {exc}", self.path)]) from None
        self.total = len(rows)
        first: Sequence[Any] | None = None
        for number, row in enumerate(rows, start=1):
            cells: list[Any] = [None if c == "" else c for c in row]
            if _blank(cells):
                continue
            first = first or cells
            if _names_uscc(cells):
                self._header(cells)
                self._values = (tuple(None if c == "" else c for c in r) for r in rows[number:])
                self._next_row = number + 1
                return
            if number >= HEADER_SEARCH_ROWS:
                break
        raise _no_header(first, self.path, "sheet")

    def position(self, rows_done: int) -> int:
        """Progress so far, in the unit of `total` (bytes read for JSONL/CSV, rows for XLSX)."""
        if self.kind in ("xlsx", "xls", "ods") or self._binary is None or self._binary is sys.stdin.buffer:
            return rows_done
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return rows_done

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Chunks of `size` rows (records, for CSV; lines, for JSONL), in order."""
        row = self._next_row
        if self._stream is not None:
            yield from self._xlsx_chunks(size)
            return
        if self._values is not None:
            rows: list[int] = []
            items: list[Any] = []
            for number, cells in enumerate(self._values, start=row):
                if any(c is not None and c != "" for c in cells):
                    rows.append(number)
                    items.append(cells)
                    if len(items) >= size:
                        yield Chunk(rows[0], len(items), rows=tuple(rows), items=tuple(items))
                        rows, items = [], []
            if items:
                yield Chunk(rows[0], len(items), rows=tuple(rows), items=tuple(items))
            return
        assert self._binary is not None
        source = self._csv if self._csv is not None else ((line, False) for line in lines(self._binary))
        batch: list[bytes] = []
        broken: list[tuple[int, str]] = []
        for record, unclosed in source:
            if unclosed:  # sent as an empty line, so that the rows after it keep their numbers
                broken.append((row + len(batch), UNCLOSED_QUOTE))
                record = b"\n"
            batch.append(record)
            if len(batch) >= size:
                yield Chunk(row, len(batch), b"".join(batch), broken=tuple(broken))
                row += len(batch)
                batch, broken = [], []
        if batch:
            yield Chunk(row, len(batch), b"".join(batch), broken=tuple(broken))

    def close(self) -> None:
        if self._binary is not None and self._binary is not sys.stdin.buffer:
            self._binary.close()
        if self._stream is not None:
            self._stream.close()
        if self._sheet_xml is not None:
            self._sheet_xml.zip.close()


def _head(stream: ByteStream, bounded: BoundedSheet) -> bytes:
    """The start of a sheet's XML: enough for the header search (20 rows) and the dimension, within the row
    bound (BoundedSheet.check_row)."""
    head = b""
    while head.count(b"</row>") <= HEADER_SEARCH_ROWS and len(head) <= MAX_ROW_BYTES:
        block = stream.read(1 << 16)
        if not block:
            break
        head += block
        bounded.check_row(head[head.rfind(b"</row>") + 1 :])
    return head


def _sniff_encoding(binary: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) when the first megabyte decodes as UTF-8, else GB 18030 (Excel's 'CSV' on a
    Chinese Windows writes GBK, which GB 18030 contains)."""
    head = binary.read(1 << 20)
    binary.seek(0)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
            return "gb18030"
    return "utf-8-sig"
