"""The Evaluator: a chunk of raw rows read, validated, evaluated and rendered in the output's format (one per
worker process), with the Config it is built from."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from typing import Any

from ..engines import Decision, Pack, Result, load_pack
from ..errors import FactsError, Problem
from ..facts import Facts, parse_facts
from ..packs import DECISIONS
from ..records import canonical_json, decision_summary, format_ids, sha256_text, utc_now
from .cells import UNDECODED, RowReader, footer_text
from .chunks import Chunk, ChunkResult, RowError
from .columns import Column
from .formats import InputKind, OutputKind
from .lines import csv_records
from .messages import zh_message
from .output import ENTERPRISE_COLUMNS, csv_cell, decision_cells, xml_cell
from .people import PeopleRows, carried_csv, carried_xml
from .xlsx import SheetFormat, parse_sheet_rows


@dataclass(frozen=True)
class Config:
    """Everything a worker needs, sent once to its initializer."""

    pack: str
    as_of: date
    engine: str
    input_kind: InputKind
    output_kind: OutputKind
    columns: tuple[Column, ...] = ()
    encoding: str = "utf-8"  # of CSV chunks (any byte-order mark is dropped before the first chunk)
    record: tuple[str, ...] | None = None  # the shared record columns (pack_hash … as_of) when recording
    command: str = "batch"
    source: str | None = None
    xlsx_xml: bool = False  # XLSX rows rendered as sheet XML by the worker (batch) rather than as values (dask)
    sheet: SheetFormat | None = None  # XLSX input read as raw sheet XML: what the workers need to parse it
    lang: str = "en"  # "zh": Chinese results, reasons and row problems (the default of `batch`)
    carried: tuple[int, ...] = ()  # the register's columns carried through to the results, by index
    header_width: int | None = None  # CSV/XLSX: columns up to the last header; a cell beyond it is a row error


class Evaluator:
    """Turns chunks of raw rows into rendered output; one per worker process (or the main one with --workers 1)."""

    def __init__(self, config: Config, pack: Pack | None = None) -> None:
        self.config = config
        self.pack = pack or load_pack(config.pack)
        self.as_of = config.as_of
        self.engine = config.engine
        self.pack.engine(config.engine)  # fail here, not per row, if the engine cannot run
        self._cells: dict[tuple[int, ...], tuple[tuple[Decision, ...], Any]] = {}
        self._records: dict[tuple[int, ...], tuple[tuple[Decision, ...], tuple[str, str]]] = {}
        self._sent_results: set[str] = set()
        self._reader = RowReader(config.columns, config.lang, config.header_width, config.carried)
        self._decoded = False  # the chunk being read is CSV text with no byte left undecoded (_csv_rows)
        # the Chinese results are for people, in CSV or XLSX; JSON Lines is for systems and keeps the contract's names
        people = config.lang == "zh" and (config.output_kind == "csv" or config.xlsx_xml)
        self._people = PeopleRows(self.pack, config) if people else None
        uscc = [c.index for c in config.columns if c.path == ("enterprise", "uscc")]
        self._uscc_index = uscc[0] if uscc else None
        # a problem's field path -> the register column that gave it (the errors file names both)
        self._headers = sorted(((".".join(c.path), c.header) for c in config.columns), key=lambda x: -len(x[0]))
        self._xml_prefix = xml_cell(self.pack.id) + xml_cell(config.as_of.isoformat())
        self._result_tail = ""
        self._prefix = (
            self._result_head(config)
            if config.output_kind == "jsonl"
            else f"{csv_cell(self.pack.id)},{config.as_of.isoformat()}"
        )

    def _result_head(self, config: Config) -> str:
        """A JSON line's `result` is the JSON of `policyrules evaluate` (contract §3), one shape everywhere. All
        but its decisions are the same for every row of a batch (one pack, date and engine); they are written once
        here, the decisions once per pattern (_rendered_decisions), the warnings after them (result_tail)."""
        head = {
            "pack": self.pack.id,
            "pack_version": self.pack.version,
            "as_of": config.as_of.isoformat(),
            "engine": self.pack.engine(config.engine).name,
        }
        warnings = self.pack.check_date(config.as_of)
        tail = json.dumps(list(warnings), ensure_ascii=False)
        self._result_tail = f',"warnings":{tail}' if warnings else ""
        return json.dumps(head, ensure_ascii=False, separators=(",", ":"))[1:-1]

    def items(self, chunk: Chunk) -> Iterator[tuple[int, Any]]:
        """(row number, raw item) for every non-blank row of the chunk; the item is a Problem for a row that
        cannot be read at all (the main process's broken rows, a CSV record that is not text or not CSV)."""
        kind = self.config.input_kind
        broken = dict(chunk.broken)
        if kind != "csv":  # XLSX rows left out of the blob (the error file is sorted by row)
            yield from ((row, Problem("", message)) for row, message in chunk.broken)
        if kind == "jsonl":
            for i, line in enumerate(chunk.blob.splitlines()[: chunk.size]):  # the lines as readers.lines cut them
                if line.strip():
                    yield chunk.first_row + i, line
        elif kind == "csv":
            for i, cells in enumerate(self._csv_rows(chunk)):
                row = chunk.first_row + i
                if row in broken:
                    yield row, Problem("", broken[row])
                elif isinstance(cells, Problem) or (any(cells) and "".join(cells).strip()):
                    yield row, cells
        elif chunk.blob:
            assert self.config.sheet is not None
            for number, cells in parse_sheet_rows(chunk.blob, self.config.sheet, chunk.first_row):
                if any(c is not None and c != "" for c in cells):
                    yield number, cells
        else:
            yield from zip(chunk.rows, chunk.items, strict=True)

    def _csv_rows(self, chunk: Chunk) -> list[list[str] | Problem]:
        """The chunk's records parsed as CSV, one row per record: all at once, or, should that fail (csv refusing a
        record), record by record, so that only the bad record becomes an error row."""
        # a byte not in the encoding is kept as a lone surrogate, and reported by the cell it is in (cells.py)
        text = chunk.blob.decode(self.config.encoding, "surrogateescape")
        self._decoded = UNDECODED.search(text) is None
        try:
            rows: list[list[str] | Problem] = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error:
            rows = []
        if len(rows) == chunk.size:
            return rows
        return [self._csv_record(record) for record, _ in csv_records(chunk.blob.splitlines(keepends=True))]

    def _csv_record(self, record: bytes) -> list[str] | Problem:
        text = record.decode(self.config.encoding, "surrogateescape")
        try:
            return next(csv.reader(io.StringIO(text, newline="")), [])
        except csv.Error as exc:
            return Problem("", f"not a CSV row: {exc}")

    def document(self, item: Any) -> tuple[Any, list[Problem]]:
        if isinstance(item, Problem):
            return None, [item]
        if self.config.input_kind == "jsonl":
            try:
                doc = json.loads(item)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                return None, [Problem("", f"not a valid JSON line: {exc}")]
            except RecursionError:  # [[[[… nested deeper than the json module can follow
                return None, [Problem("", "not a valid JSON line: nested too deep")]
            if not isinstance(doc, dict):
                found = "null" if doc is None else type(doc).__name__
                return None, [Problem("", f"expected a facts document (a JSON object), found {found}")]
            return doc, []
        return self._reader(item, self._decoded and self.config.input_kind == "csv")

    def run(self, chunk: Chunk) -> ChunkResult:
        out_kind = self.config.output_kind
        lines: list[Any] = []
        errors: list[RowError] = []
        skipped: list[tuple[int, str]] = []
        tabular = self.config.input_kind != "jsonl"
        counts: Counter[tuple[str, str]] = Counter()
        records: list[tuple[object, ...]] = []
        results: list[tuple[str, str]] = []
        # recording: the chunk's reserved ids, and the columns its records share (RECORD_COLUMNS order)
        shared = self.config.record or ()
        ids = format_ids(chunk.first_id, chunk.size) if shared and chunk.first_id is not None else []
        head = (utc_now(), self.config.command, self.config.source) if ids else ()
        rows = evaluated = failed = 0
        patterns: dict[tuple[int, ...], list[Any]] = {}  # decision pattern -> [its decisions, how many rows]
        for offset, (row, item) in enumerate(self.items(chunk)):
            if tabular and not isinstance(item, Problem):
                footer = footer_text(item, self._uscc_index)
                if footer is not None:
                    skipped.append((row, footer))
                    continue
            rows += 1
            doc, facts, result, problems = self.evaluate_item(item)
            if result is None:
                uscc = _raw_uscc(doc)
                problems = problems or [Problem("", "the row cannot be evaluated")]  # never a row without a trace
                errors += [(row, uscc, self._column_of(p.path), p.path, self._message(p)) for p in problems]
                failed += 1
                continue
            evaluated += 1
            assert facts is not None
            decisions = result.decisions
            key = tuple(map(id, decisions.values()))
            seen = patterns.get(key)
            if seen is None:
                patterns[key] = [decisions.values(), 1]
            else:
                seen[1] += 1
            record_id = ""
            if ids:
                record_id = ids[offset]
                outcomes, result_hash = self._recorded_result(key, result, results)
                records.append(
                    (record_id, *head, row, *shared, facts.enterprise.uscc, canonical_json(doc), outcomes, result_hash)
                )
            lines.append(self.render(row, record_id, facts, decisions, key, item if tabular else None))
        for seen_decisions, n in patterns.values():
            for d in seen_decisions:
                counts[(d.name, d.outcome)] += n
        # CSV and JSON Lines as the bytes the main process writes: encoded here, in parallel, and never decoded and
        # encoded again on the way (a str crosses between processes as UTF-8 anyway)
        output: Any = lines if out_kind == "xlsx" else "".join(lines).encode()
        errors.sort(key=lambda e: e[0])  # broken XLSX rows come first from items(): put them in their place
        return ChunkResult(output, rows, errors, counts, records, results, skipped, evaluated, failed)

    def _recorded_result(self, key: tuple[int, ...], result: Result, results: list[tuple[str, str]]) -> tuple[str, str]:
        """(outcomes, result hash) of a record, computed once per decision pattern; the result's JSON is added
        to `results` the first time this worker meets it, for the main process to store."""
        cached = self._records.get(key)
        if cached is None:
            result_json = canonical_json(result.to_json(trace=False))
            result_hash = sha256_text(result_json)
            cached = (tuple(result.decisions.values()), (decision_summary(result)[0], result_hash))
            if len(self._records) > 100_000:
                self._records.clear()
            self._records[key] = cached
            if result_hash not in self._sent_results:
                self._sent_results.add(result_hash)
                results.append((result_hash, result_json))
        return cached[1]

    def _column_of(self, path: str) -> str:
        """The register column a problem's field path came from ('' for JSON Lines or a whole-row problem)."""
        for prefix, header in self._headers:
            if path == prefix or path.startswith((prefix + ".", prefix + "[")):
                return header
        return ""

    def _message(self, problem: Problem) -> str:
        return zh_message(problem.message) if self.config.lang == "zh" else problem.message

    def evaluate_item(self, item: Any) -> tuple[Any, Facts | None, Result | None, list[Problem]]:
        """A raw row → (its facts document, the validated facts, the result, the problems that stopped it)."""
        doc, problems = self.document(item)
        facts: Facts | None = None
        if doc is not None:
            try:
                facts = parse_facts(doc)
            except FactsError as exc:
                # a cell already reported is left out of the document: do not report it again as missing
                told = {p.path for p in problems}
                problems += [p for p in exc.problems if p.path not in told]
        if facts is None or problems:
            return doc, facts, None, problems
        try:
            result = self.pack.evaluate(facts, as_of=self.as_of, engine=self.engine, trace=False)
        except FactsError as exc:  # e.g. a credit grade outside the pack's scheme
            return doc, facts, None, [*problems, *exc.problems]
        return doc, facts, result, problems

    def evaluate_row(self, row: int, item: Any) -> tuple[Any, list[Problem]]:
        """One row rendered as the output kind wants it, or None and the problems (used by dask_batch)."""
        _, facts, result, problems = self.evaluate_item(item)
        if result is None or facts is None:
            return None, problems
        decisions = result.decisions
        return self.render(row, "", facts, decisions, tuple(id(d) for d in decisions.values())), []

    def _rendered_decisions(self, decisions: Mapping[str, Decision], key: tuple[int, ...]) -> Any:
        cached = self._cells.get(key)
        if cached is not None:
            return cached[1]
        kind = self.config.output_kind
        rendered: Any
        if kind == "jsonl":
            body = {name: d.to_json(trace=False) for name, d in decisions.items()}
            rendered = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        else:
            cells = [c for name in DECISIONS for c in decision_cells(name, decisions.get(name))]
            if kind == "csv":
                rendered = ",".join(csv_cell(c) for c in cells)
            elif self.config.xlsx_xml:
                rendered = "".join(xml_cell(c) for c in cells)
            else:
                rendered = tuple(cells)
        if len(self._cells) > 100_000:
            self._cells.clear()
        self._cells[key] = (tuple(decisions.values()), rendered)
        return rendered

    def render(
        self,
        row: int,
        record_id: str,
        facts: Facts,
        decisions: Mapping[str, Decision],
        key: Any,
        cells: Any = None,
    ) -> Any:
        if self._people is not None:
            return self._people.render(row, record_id, facts, decisions, cells)
        ent = facts.enterprise
        listed_on = ent.listing.listed_on.isoformat() if ent.listing is not None else None
        values = (ent.uscc, ent.name, ent.district, ent.industry, ent.permit_no, listed_on)
        rendered = self._rendered_decisions(decisions, key)
        kind = self.config.output_kind
        rid = record_id if self.config.record is not None else None
        if kind == "jsonl":
            fields = ",".join(
                f'"{k}":{"null" if v is None else encode_basestring(v)}'
                for k, v in zip(ENTERPRISE_COLUMNS, values, strict=True)
            )
            head = f'{{"row":{row},' + (f'"record_id":"{rid}",' if rid is not None else "")
            return f'{head}{fields},"result":{{{self._prefix},"decisions":{rendered}{self._result_tail}}}}}\n'
        if kind == "csv":
            text = ",".join("" if v is None else csv_cell(v) for v in values)
            head = f"{row}," + (f"{rid}," if rid is not None else "")
            carried = carried_csv(cells, self.config.carried) if self.config.carried else ""
            return f"{head}{self._prefix},{text},{carried}{rendered}\r\n"
        if self.config.xlsx_xml:
            head = f"<c><v>{row}</v></c>" + (xml_cell(rid) if rid is not None else "")
            carried = carried_xml(cells, self.config.carried, None) if self.config.carried else ""
            return head + self._xml_prefix + "".join(xml_cell(v) for v in values) + carried + rendered
        head_cells: tuple[Any, ...] = (row, rid) if rid is not None else (row,)
        return (*head_cells, self.pack.id, self.as_of.isoformat(), *("" if v is None else v for v in values), *rendered)


def _raw_uscc(doc: Any) -> str:
    if isinstance(doc, Mapping):
        ent = doc.get("enterprise")
        if isinstance(ent, Mapping) and ent.get("uscc") is not None:
            return str(ent["uscc"])
    return ""
