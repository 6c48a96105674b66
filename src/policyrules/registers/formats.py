"""The file formats a batch reads and writes, told by the file's suffix."""

from __future__ import annotations

import csv
from typing import Literal

# A register cell longer than this is a row error (cells.RowReader), not the end of the batch: the csv module's
# own limit (131,072 characters) raises mid-chunk, so the module is told to read any cell a chunk can hold, and
# RowReader refuses the long one with its row. The limit is process-wide; every process that reads a register
# imports this module.
MAX_CELL_CHARS = 131_072
csv.field_size_limit(2**31 - 1)

InputKind = Literal["jsonl", "csv", "xlsx", "xls", "ods"]
OutputKind = Literal["jsonl", "csv", "xlsx"]

INPUT_KINDS: dict[str, InputKind] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
}
OUTPUT_KINDS: dict[str, OutputKind] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}
