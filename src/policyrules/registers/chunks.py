"""The unit of work: a chunk of a register's rows as read, and what a worker makes of it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Chunk:
    """Rows as read, numbered from `first_row`. JSONL and CSV: `size` records as raw bytes (the worker decodes and
    parses them); XLSX: `size` <row> elements of sheet XML (the worker parses them), or, for a sheet read with
    openpyxl, the cell values of each row with its row number."""

    first_row: int
    size: int
    blob: bytes = b""
    rows: tuple[int, ...] = ()
    items: tuple[Any, ...] = ()
    first_id: int | None = None  # the first of `size` reserved record ids, when recording
    # rows the main process found broken and did not send (an unclosed quote, a damaged <row>): (row, message);
    # they count in `size`, and a broken CSV record is an empty line in `blob` so that the rows keep their numbers
    broken: tuple[tuple[int, str], ...] = ()


# one problem of a row that could not be evaluated: (row, uscc as given, register column, field path, message)
RowError = tuple[int, str, str, str, str]


@dataclass
class ChunkResult:
    output: Any  # UTF-8 bytes for jsonl/csv, a list of rows (sheet XML or cell tuples) for xlsx
    rows: int  # rows read as enterprises: evaluated + failed (footer rows are skipped, not among them)
    errors: list[RowError]
    counts: Counter[tuple[str, str]]
    records: list[tuple[object, ...]] = field(default_factory=list)
    results: list[tuple[str, str]] = field(default_factory=list)  # (sha256, result JSON) first sent by this worker
    skipped: list[tuple[int, str]] = field(default_factory=list)  # footer rows (合计…, 备注…): (row, its text)
    evaluated: int = 0  # rows with a line in the output
    failed: int = 0  # rows with their problems in the errors file
