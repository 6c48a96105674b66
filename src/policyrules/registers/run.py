"""run_batch: a whole register evaluated and its results written (docs/batch.md).

The main process streams the input in fixed-size chunks of raw rows and hands them, in order, to a pool of worker
processes (each loads the pack once, in its initializer); a worker turns rows into facts documents, validates
and evaluates them and renders the output lines; the main process writes the chunks back in input order. At most
a few chunks are in flight, so memory stays flat however long the register, and the output is the same bytes
for any number of workers.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Protocol

from ..engines import load_pack
from ..errors import Problem
from ..records import Recorder
from .chunks import ChunkResult
from .errors import BatchError
from .evaluator import Config
from .formats import OUTPUT_KINDS
from .output import output_columns
from .pool import chunk_results
from .readers import Register
from .safe_write import OutputError, atomic_path, check_output, same_file
from .summary import Summary
from .writers import ErrorWriter, Writer, error_path

DEFAULT_CHUNK = 1000
RECORD_GROUP = 25_000  # records committed together at most (_record_groups)
RECORD_GROUP_SECONDS = 4.0  # and the longest a group waits


class Progress(Protocol):
    """Told how far a batch has gone; the command line draws its progress bar with it."""

    def start(self, total: int | None) -> None:
        """The batch begins; `total` is the register's size (bytes for JSONL and CSV, rows for XLSX), if known."""

    def advance(self, position: int, rows: int) -> None:
        """A chunk is written: `position` in the unit of `total`, `rows` read so far."""

    def stop(self) -> None:
        """The batch has ended, done or not."""


def run_batch(
    input_path: str,
    output_path: str | Path,
    pack_ref: str,
    as_of: date | None = None,
    engine: str = "compiled",
    workers: int = 1,
    record: str | Path | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    sheet: str | None = None,
    encoding: str = "auto",
    progress: Progress | None = None,
    max_in_flight: int | None = None,
    lang: str = "en",
    strict_columns: bool = False,
) -> Summary:
    """Evaluate every row of a register and write the results (see the module docstring and docs/batch.md).
    lang="en" (the Python default, for systems): the contract's columns and codes; lang="zh" (the default of
    the `batch` command, for people): Chinese results with reasons, Chinese row problems. strict_columns
    refuses a column the library does not read instead of carrying it through to the results."""
    started = time.perf_counter()
    output = Path(output_path)
    out_kind = OUTPUT_KINDS.get(output.suffix.lower())
    if out_kind is None:
        raise BatchError(
            [Problem("-o", f"cannot tell the output format from '{output.name}': use .jsonl, .csv or .xlsx")]
        )
    if workers < 1 or chunk_size < 1:
        raise BatchError([Problem("--workers", "workers and chunk size must be at least 1")])
    day = as_of or date.today()
    errors_path = error_path(output)
    _check_outputs(input_path, output, errors_path, record)
    pack = load_pack(pack_ref)
    warnings = pack.check_date(day)  # a date outside the force window stops the batch here
    pack.engine(engine)
    if lang not in ("zh", "en"):
        raise BatchError([Problem("--lang", f"expected zh or en, found '{lang}'")])
    register = Register(input_path, sheet, encoding, strict_columns)
    through = register.layout.through(lang)
    if register.layout.carried:
        warnings += (_carried_warning(register.layout.carried, lang),)
    summary = Summary(warnings=warnings, output=str(output), error_file=str(errors_path), lang=lang)
    summary.replaced = tuple(str(p) for p in (output, errors_path) if p.exists())
    with contextlib.ExitStack() as stack:
        stack.callback(register.close)
        recorder = None
        if record is not None:
            recorder = Recorder.start(record, pack, pack_ref, "batch")
            stack.callback(recorder.store.close)
        config = Config(
            pack=str(Path(pack_ref).resolve()) if Path(pack_ref).is_dir() else pack_ref,
            as_of=day,
            engine=engine,
            input_kind=register.kind,
            output_kind=out_kind,
            columns=register.columns,
            encoding=register.encoding,
            record=recorder.shared(engine, day) if recorder else None,
            source=str(Path(input_path).resolve()) if input_path != "-" else "<stdin>",
            xlsx_xml=out_kind == "xlsx",
            sheet=register.sheet_format,
            lang=lang,
            carried=tuple(i for i, _ in through),
            header_width=register.header_width,
        )
        summary.records_db = str(recorder.store.path) if recorder else None
        carried_headers = tuple(h for _, h in through)
        columns = output_columns(recorder is not None, lang if out_kind != "jsonl" else "en", carried_headers)
        # both files are written beside their names and renamed into place only when the batch completes
        writer = Writer(stack.enter_context(atomic_path(output)), out_kind, columns, people=lang == "zh")
        error_writer = ErrorWriter(stack.enter_context(atomic_path(errors_path)), lang, register.name)
        stack.callback(writer.close)
        stack.callback(error_writer.close)
        if progress is not None:
            progress.start(register.total)
            stack.callback(progress.stop)

        def write(results: list[ChunkResult]) -> None:
            for result in results:
                writer.write(result.output)
                error_writer.write(result.errors)
                writer.write_errors(error_writer.rows(result.errors))
                summary.add(result)
                if progress is not None:
                    progress.advance(register.position(summary.rows), summary.rows)

        chunks = chunk_results(config, pack, register, workers, chunk_size, max_in_flight, recorder is not None)
        if recorder is None:
            for result in chunks:
                write([result])
        else:
            for group in _record_groups(chunks):
                summary.recorded += _record(recorder, group)  # committed before the rows are written
                write(group)
    summary.seconds = time.perf_counter() - started
    return summary


def _record_groups(results: Iterable[ChunkResult]) -> Iterator[list[ChunkResult]]:
    """Chunk results in groups recorded in one transaction each: the first chunk alone (the first rows reach the
    results at once), then groups twice as large as the one before, up to RECORD_GROUP records or what came
    within RECORD_GROUP_SECONDS.

    Why groups: the uscc index takes records in random order, so a commit writes about one index page for each
    record it adds to a large database, however few the records. Appending a million records of the benchmark
    register (benchmarks/register.py) to a new database, SQLite alone took ~19 µs of CPU a record with a
    transaction per chunk of 1,000, ~11 with groups of 10,000, ~8.6 with groups of 30,000 (~6 without the
    index). The rows of a group are held until it is committed (~50 MB of Chinese CSV at most), so they reach
    the results only once recorded."""
    group: list[ChunkResult] = []
    pending = 0
    limit = 1
    started = time.monotonic()
    for result in results:
        group.append(result)
        pending += len(result.records)
        if pending >= limit or time.monotonic() - started >= RECORD_GROUP_SECONDS:
            yield group
            limit = min(2 * pending, RECORD_GROUP)
            group, pending, started = [], 0, time.monotonic()
    if group:
        yield group


def _record(recorder: Recorder, group: list[ChunkResult]) -> int:
    """Append a group's records and the results they refer to, in one transaction; how many were recorded."""
    records = [record for result in group for record in result.records]
    if records:
        recorder.store.append(records, [stored for result in group for stored in result.results])
    return len(records)


def _carried_warning(carried: tuple[tuple[int, str], ...], lang: str) -> str:
    names = "、".join(h or f"第 {i + 1} 列" for i, h in carried)
    if lang == "zh":
        return f"以下列不参与评估，原样带入结果：{names}（--strict-columns 则拒绝未知的列）"
    names = ", ".join(h or f"column {i + 1}" for i, h in carried)
    return f"columns not read, carried through to the results unchanged: {names} (--strict-columns refuses them)"


def _check_outputs(input_path: str, output: Path, errors_path: Path, record: str | Path | None) -> None:
    """Nothing the batch writes may be what it reads, nor one another (safe_write.check_output)."""
    check_output(output, [input_path])
    check_output(errors_path, [input_path], option="-o (its errors file)")
    if record is not None:
        for other in (input_path, output, errors_path):
            if other != "-" and same_file(record, other):
                raise OutputError([Problem("--record", f"the records database '{record}' is also '{other}'")])
