"""One enterprise of a register, found as an officer names it: by the row number the spreadsheet shows, or by
its 统一社会信用代码. The row is read exactly as `batch` reads it (the same header search, columns and cells),
so `explain --row 7` explains what `batch` decided for row 7."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..engines import Pack
from ..errors import Problem
from .errors import BatchError
from .evaluator import Config, Evaluator
from .readers import Register


@dataclass(frozen=True)
class RegisterRow:
    row: int  # as the spreadsheet numbers it (CSV: the record number, header and title rows included)
    document: dict[str, Any]  # the facts document the row reads as
    problems: tuple[Problem, ...]  # cells that could not be read (the document then lacks them)


def find_row(
    path: str,
    pack: Pack,
    row: int | None = None,
    uscc: str | None = None,
    sheet: str | None = None,
    encoding: str = "auto",
) -> RegisterRow:
    """The row numbered `row`, or the first row whose 统一社会信用代码 is `uscc`; a clear error when there is none
    (naming the rows the register has), or when the USCC is on several rows."""
    if (row is None) == (uscc is None):
        raise BatchError([Problem("--row", "name one row: --row N (the number the spreadsheet shows) or --uscc CODE")])
    register = Register(path, sheet, encoding)
    try:
        config = Config(
            pack=pack.id,
            as_of=date.today(),
            engine="compiled",
            input_kind=register.kind,
            output_kind="jsonl",
            columns=register.columns,
            encoding=register.encoding,
            sheet=register.sheet_format,
            header_width=register.header_width,  # a cell beyond the header is a problem here as in batch
        )
        evaluator = Evaluator(config, pack)
        matches: list[RegisterRow] = []
        first = last = None
        for chunk in register.chunks(1000):
            for number, item in evaluator.items(chunk):
                first = first if first is not None else number
                last = number
                if row is not None and number != row:
                    continue
                document, problems = evaluator.document(item)
                if uscc is not None and _uscc_of(document) != uscc.strip().upper():
                    continue
                matches.append(RegisterRow(number, document if isinstance(document, dict) else {}, tuple(problems)))
                if row is not None:
                    return matches[0]
    finally:
        register.close()
    if not matches:
        raise BatchError([_not_found(path, row, uscc, first, last)])
    if len(matches) > 1:
        rows = ", ".join(str(m.row) for m in matches)
        raise BatchError([Problem("--uscc", f"{uscc} is on rows {rows}; name one with --row", path)])
    return matches[0]


def _uscc_of(document: Any) -> str:
    enterprise = document.get("enterprise") if isinstance(document, dict) else None
    value = enterprise.get("uscc") if isinstance(enterprise, dict) else None
    return str(value).strip().upper() if value is not None else ""


def _not_found(path: str, row: int | None, uscc: str | None, first: int | None, last: int | None) -> Problem:
    span = f"its enterprises are on rows {first}–{last}" if first is not None else "it has no enterprise rows"
    if row is not None:
        return Problem("--row", f"row {row} is not an enterprise row of the register; {span}", path)
    return Problem("--uscc", f"no row of the register has the 统一社会信用代码 {uscc}; {span}", path)
