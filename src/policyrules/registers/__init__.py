"""Registers: whole enterprise registers (CSV, JSONL, XLSX) in and results out, workers, Dask, 附表2."""

from .annex2 import (
    HEADER,
    Listed,
    Proposed,
    RegisterError,
    chinese_date,
    export,
    listed_enterprises,
    proposed_enterprises,
    read_results,
    validity_period,
    validity_years,
    write_list,
)
from .cells import RowReader, cell_value
from .chunks import Chunk, ChunkResult
from .columns import (
    ALIASES,
    IGNORED_COLUMNS,
    Column,
    Layout,
    column_path,
    normalise_header,
    resolve_columns,
    resolve_layout,
)
from .dask_batch import RESULT_COLUMNS, evaluate_dataframe, evaluate_partition
from .errors import BatchError
from .evaluator import Config, Evaluator
from .formats import INPUT_KINDS, OUTPUT_KINDS, InputKind, OutputKind
from .lookup import RegisterRow, find_row
from .messages import zh_message, zh_problems
from .output import ENTERPRISE_COLUMNS, decision_columns, output_columns
from .readers import Register
from .run import DEFAULT_CHUNK, Progress, run_batch
from .safe_write import OutputError, atomic_open, atomic_path, check_output, same_file
from .summary import Summary
from .template import notes_rows, template_columns, write_template
from .writers import ErrorWriter, Writer, error_path
from .xlsx import SheetFormat, SheetXml, parse_sheet_rows

__all__ = [
    "ALIASES",
    "DEFAULT_CHUNK",
    "ENTERPRISE_COLUMNS",
    "HEADER",
    "IGNORED_COLUMNS",
    "INPUT_KINDS",
    "OUTPUT_KINDS",
    "RESULT_COLUMNS",
    "BatchError",
    "Chunk",
    "ChunkResult",
    "Column",
    "Config",
    "ErrorWriter",
    "Evaluator",
    "InputKind",
    "Layout",
    "Listed",
    "OutputError",
    "OutputKind",
    "Progress",
    "Proposed",
    "Register",
    "RegisterError",
    "RegisterRow",
    "RowReader",
    "SheetFormat",
    "SheetXml",
    "Summary",
    "Writer",
    "atomic_open",
    "atomic_path",
    "cell_value",
    "check_output",
    "chinese_date",
    "column_path",
    "decision_columns",
    "error_path",
    "evaluate_dataframe",
    "evaluate_partition",
    "export",
    "find_row",
    "listed_enterprises",
    "normalise_header",
    "notes_rows",
    "output_columns",
    "parse_sheet_rows",
    "proposed_enterprises",
    "read_results",
    "resolve_columns",
    "resolve_layout",
    "run_batch",
    "same_file",
    "template_columns",
    "validity_period",
    "validity_years",
    "write_list",
    "write_template",
    "zh_message",
    "zh_problems",
]
