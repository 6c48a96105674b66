"""`policyrules batch`: a whole register evaluated, with a progress bar on standard error when it is a terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..engines import ENGINES
from ..errors import PolicyRulesError
from .common import EXIT_FAILED, EXIT_OK, Handler, as_of, raw_stream, warn
from .records import add_record_option, record_path

# registers.DEFAULT_CHUNK, written out so that parsing the command line does not import the registers package
# (multiprocessing, the readers and writers); tests/test_startup.py checks the two agree
DEFAULT_CHUNK = 1000


def register(sub: Any) -> dict[str, Handler]:
    """The `batch` subcommand."""
    cmd = sub.add_parser("batch", help="evaluate a whole register (JSON Lines, CSV, XLSX, XLS or ODS)")
    cmd.add_argument("--pack", required=True, help="a shipped pack id or a pack directory")
    cmd.add_argument("--as-of", type=as_of, default=None, help="evaluation date YYYY-MM-DD (default today)")
    cmd.add_argument("--engine", choices=tuple(ENGINES), default="compiled")
    cmd.add_argument(
        "input", help="the register: .jsonl (one facts document a line), .csv, .xlsx, .xls or .ods; '-' reads JSONL"
    )
    cmd.add_argument("-o", "--output", required=True, help="results: .jsonl, .csv or .xlsx")
    cmd.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="zh (default): Chinese results with 结论 and 理由 columns, Chinese errors; en: the contract's columns "
        "and codes, for other systems",
    )
    cmd.add_argument(
        "--strict-columns",
        action="store_true",
        help="refuse a column the library does not read (default: carry it through to the results, with a warning)",
    )
    cmd.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    cmd.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK, help=f"rows per chunk (default {DEFAULT_CHUNK})")
    cmd.add_argument("--sheet", default=None, help="XLSX: the sheet to read (default the first)")
    cmd.add_argument("--encoding", default="auto", help="CSV: the text encoding (default: UTF-8, else GB 18030)")
    cmd.add_argument("--progress", choices=("auto", "always", "never"), default="auto")
    add_record_option(cmd)
    return {"batch": cmd_batch}


def cmd_batch(args: argparse.Namespace) -> int:
    from ..registers import zh_problems  # the registers machinery loads only for batch: see tests/test_startup.py

    show = args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())
    try:
        summary = _run(args, show)
    except PolicyRulesError as exc:
        if args.lang == "zh":
            raise type(exc)(zh_problems(exc.problems)) from None
        raise
    for warning in summary.warnings:
        if args.lang == "zh":
            print(f"policyrules: 警告：{warning}", file=sys.stderr)
        else:
            warn(warning)
    print(summary.render(), file=sys.stderr)
    return EXIT_FAILED if summary.errors else EXIT_OK


def _run(args: argparse.Namespace, show: bool) -> Any:
    from ..registers import run_batch

    return run_batch(
        args.input,
        args.output,
        args.pack,
        as_of=args.as_of,
        engine=args.engine,
        workers=args.workers,
        record=record_path(args),
        chunk_size=args.chunk_size,
        sheet=args.sheet,
        encoding=args.encoding,
        progress=ProgressBar(force_terminal=args.progress == "always") if show else None,
        lang=args.lang,
        strict_columns=args.strict_columns,
    )


class ProgressBar:
    """A rich progress bar on standard error, driven by run_batch (registers.Progress)."""

    def __init__(self, force_terminal: bool) -> None:
        self._force_terminal = force_terminal
        self._total: int | None = None
        self._bar: Any = None
        self._task: Any = None

    def start(self, total: int | None) -> None:
        # rich is imported only when a bar is drawn: most batches run without one
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._total = total
        columns: list[Any] = [TextColumn("[bold]policyrules batch"), BarColumn()]
        if total is not None:  # a sheet without a dimension record, or standard input: no total
            columns.append(TextColumn("{task.percentage:>5.1f}%"))
        columns += [TextColumn("{task.fields[rows]:>10,} rows"), TimeElapsedColumn()]
        if total is not None:
            columns.append(TimeRemainingColumn())
        console = Console(  # the bar's own escape sequences, past cli.common.SafeStream; None: detect a terminal
            file=raw_stream(sys.stderr), force_terminal=True if self._force_terminal else None
        )
        self._bar = Progress(*columns, console=console, transient=False)
        self._task = self._bar.add_task("batch", total=total, rows=0)
        self._bar.start()

    def advance(self, position: int, rows: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=position, rows=rows)

    def stop(self) -> None:
        if self._bar is not None:
            if self._total is not None:
                self._bar.update(self._task, completed=self._total)
            self._bar.stop()
