"""The file formats a batch reads and writes, told by the file's suffix."""

from __future__ import annotations

from typing import Literal

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
