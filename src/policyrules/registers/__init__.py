"""Registers: whole enterprise registers (CSV, JSONL, XLSX) in and results out, workers, Dask, 附表2."""

from .batch import BATCH_COMMANDS, add_batch_parsers

__all__ = [
    "BATCH_COMMANDS",
    "add_batch_parsers",
]
