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


@dataclass
class ChunkResult:
    output: Any  # str for jsonl/csv, list of row tuples for xlsx
    rows: int
    errors: list[tuple[int, str, str, str]]  # (row, uscc, field path, message)
    counts: Counter[tuple[str, str]]
    records: list[tuple[object, ...]] = field(default_factory=list)
    results: list[tuple[str, str]] = field(default_factory=list)  # (sha256, result JSON) first sent by this worker
