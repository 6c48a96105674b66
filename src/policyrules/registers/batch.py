"""Batch evaluation of a whole register: JSON Lines, CSV or XLSX in; JSON Lines, CSV or XLSX out (docs/batch.md).

The main process streams the input in fixed-size chunks of raw rows and hands them, in order, to a pool of worker
processes (each loads the pack once, in its initializer); a worker turns rows into facts documents, validates
and evaluates them and renders the output lines; the main process writes the chunks back in input order. At most
a few chunks are in flight, so memory stays flat however long the register, and the output is the same bytes
for any number of workers.
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import multiprocessing
import os
import re
import sys
import threading
import time
import unicodedata
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO, Any, Literal

from ..conditions import FACT_FIELDS
from ..engines import ENGINES, Decision, Pack, Result, load_pack
from ..errors import FactsError, PolicyRulesError, Problem, did_you_mean
from ..facts import Facts, parse_facts
from ..packs import DECISIONS, FLAGS, OUTCOMES
from ..records import (
    Recorder,
    add_record_option,
    add_records_parsers,
    canonical_json,
    cmd_records,
    cmd_replay,
    decision_summary,
    format_id,
    record_path,
    reserve_ids,
    sha256_text,
    utc_now,
)
from .annex2 import add_register_parser, cmd_register

InputKind = Literal["jsonl", "csv", "xlsx"]
OutputKind = Literal["jsonl", "csv", "xlsx"]

INPUT_KINDS: dict[str, InputKind] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
OUTPUT_KINDS: dict[str, OutputKind] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}

DEFAULT_CHUNK = 1000


class BatchError(PolicyRulesError):
    """The batch cannot run as asked: unreadable input, unknown columns, an unsupported file type."""


# --- columns: dotted paths, short forms and Chinese headers ----------------------------------------------------

# Chinese column headers accepted as aliases of fact paths (documented, table by table, in docs/batch.md).
ALIASES: dict[str, str] = {
    # 附表2 and 二、（三）: the published fields
    "企业名称": "enterprise.name",
    "名称": "enterprise.name",
    "单位名称": "enterprise.name",
    "统一社会信用代码": "enterprise.uscc",
    "所在地": "enterprise.district",
    "所在区县": "enterprise.district",
    "所属行业": "enterprise.industry",
    "行业代码": "enterprise.industry",
    "排污许可证编号（排污登记编号）": "enterprise.permit_no",
    "排污许可证编号": "enterprise.permit_no",
    "排污登记编号": "enterprise.permit_no",
    # the enterprise
    "重点排污单位": "enterprise.key_discharger",
    "小微企业": "enterprise.small_micro",
    "环保信用评价结果": "enterprise.credit_rating",
    "环境信用评价结果": "enterprise.credit_rating",
    "疫情防控急需企业": "enterprise.traits.epidemic_essential",
    "民生保障重点行业企业": "enterprise.traits.livelihood_key_industry",
    "与民生保障密切相关": "enterprise.traits.livelihood_related",
    "污染排放量小": "enterprise.traits.low_emission",
    "环境风险低": "enterprise.traits.low_risk",
    "吸纳就业能力强": "enterprise.traits.high_employment",
    "重大工程项目": "enterprise.traits.major_project",
    "重点领域企业": "enterprise.traits.key_sector",
    "获得环保绿色认证": "enterprise.traits.green_certified",
    "自动监测超标频次高": "enterprise.traits.frequent_exceedances",
    "举报投诉多": "enterprise.traits.many_complaints",
    "新取得环评批复": "enterprise.traits.new_eia_approval",
    "新完成自主验收": "enterprise.traits.newly_self_accepted",
    "长期稳定达标排放": "enterprise.traits.long_term_compliant",
    "信息公开程度高": "enterprise.traits.high_disclosure",
    "与周边社区互动良好": "enterprise.traits.community_engagement",
    "环境违法频次高": "enterprise.traits.frequent_violator",
    "环境危害大": "enterprise.traits.high_environmental_harm",
    "已安装在线监控": "enterprise.monitoring.installed",
    "在线监控已联网": "enterprise.monitoring.networked",
    "在线监控稳定运行": "enterprise.monitoring.stable",
    "在线监控数据稳定达标": "enterprise.monitoring.compliant",
    "环境违法记录": "enterprise.violations",
    "执法检查记录": "enterprise.inspections",
    "反对意见": "enterprise.objections",
    "纳入正面清单日期": "enterprise.listing.listed_on",
    "纳入日期": "enterprise.listing.listed_on",
    "纳入类别": "enterprise.listing.category",
    "移出正面清单日期": "enterprise.listing.removed_on",
    "移出日期": "enterprise.listing.removed_on",
    # the questions
    "检查事由": "inspection_request.grounds",
    "已先行自查并提交书面报告": "inspection_request.self_check_report",
    "经审核仍需赴现场": "inspection_request.review_needs_site_visit",
    "已获批准": "inspection_request.approvals",
    "已纳入执法计划": "inspection_request.in_plan",
    "事先征得企业同意": "inspection_request.enterprise_consent",
    "环境风险隐患排查整治": "inspection_request.risk_hazard_campaign",
    "违法行为日期": "violation_case.date",
    "非主观过错": "violation_case.no_subjective_fault",
    "主动报告": "violation_case.self_reported",
    "及时消除": "violation_case.eliminated",
    "风险隐患及时报告并妥善处置": "violation_case.hazard_reported_and_handled",
    "危害后果": "violation_case.harm",
    "初次环境违法": "violation_case.first_offence",
    "及时改正": "violation_case.corrected",
    "因管理不善导致超标排放": "violation_case.exceedance_from_poor_management",
    "恶意违法": "violation_case.malicious",
    "涉嫌犯罪": "violation_case.suspected_crime",
    "探索绿色生产力": "violation_case.green_innovation",
    "其他法定免罚情形": "violation_case.other_legal_exemption",
    "违法行为轻微": "violation_case.minor_violation",
    "主动减轻危害后果": "violation_case.harm_mitigated",
    "影响疫情防控": "violation_case.affects_epidemic_control",
    "重大环境违法问题": "violation_case.major_violation",
}

# Columns a bureau's sheet often has that carry nothing to evaluate: skipped.
IGNORED_COLUMNS = ("序号", "备注", "正面清单有效期", "row")

TRUE_WORDS = frozenset({"true", "1", "是", "yes", "y", "t", "√", "✓", "有"})
FALSE_WORDS = frozenset({"false", "0", "否", "no", "n", "f", "×", "✗", "无"})

_ROOTS = ("enterprise.", "inspection_request.", "violation_case.")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_LIST_SPLIT = re.compile(r"\s*[,;，；、]\s*|\s+")


def normalise_header(text: str) -> str:
    """Full-width forms to ASCII (NFKC), whitespace removed: '排污许可证编号（排污登记编号）' and
    '排污许可证编号(排污登记编号)' are the same column."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_ALIASES_NORMALISED = {normalise_header(k): v for k, v in ALIASES.items()}
_IGNORED_NORMALISED = {normalise_header(k) for k in IGNORED_COLUMNS}


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    path: tuple[str, ...]
    kind: str  # FACT_FIELDS kind


def column_path(header: str) -> str | None:
    """The fact path a column header names (full dotted path, short form without 'enterprise.', or a Chinese
    alias), None for an ignored column; raises KeyError for an unknown one."""
    text = normalise_header(header)
    if not text or text in _IGNORED_NORMALISED:
        return None
    if text in _ALIASES_NORMALISED:
        return _ALIASES_NORMALISED[text]
    lowered = text.lower()
    for candidate in (lowered, "enterprise." + lowered):
        if candidate in FACT_FIELDS and candidate not in ("enterprise",):
            return candidate
    raise KeyError(header)


def resolve_columns(header: Sequence[object], file: str | None = None) -> list[Column]:
    """The columns of a header row, or a BatchError naming every unknown or clashing column."""
    columns: list[Column] = []
    problems: list[Problem] = []
    known = sorted({*FACT_FIELDS, *(p.removeprefix("enterprise.") for p in FACT_FIELDS), *ALIASES})
    for index, cell in enumerate(header):
        text = "" if cell is None else str(cell)
        try:
            path = column_path(text)
        except KeyError:
            problems.append(
                Problem(
                    f"column {index + 1}",
                    f"unknown column '{text}'{did_you_mean(text, known)}: name a fact path "
                    "(enterprise.monitoring.installed, or monitoring.installed) or a Chinese header of docs/batch.md",
                    file,
                )
            )
            continue
        if path is not None:
            columns.append(Column(index, text, tuple(path.split(".")), FACT_FIELDS[path].kind))
    paths = {c.path: c for c in columns}
    for col in columns:
        for other in columns:
            if other is col:
                continue
            if other.path == col.path and other.index > col.index:
                problems.append(
                    Problem(
                        f"column {other.index + 1}",
                        f"'{other.header}' and '{col.header}' both give {'.'.join(col.path)}",
                        file,
                    )
                )
            elif other.path[: len(col.path)] == col.path and len(other.path) > len(col.path):
                problems.append(
                    Problem(
                        f"column {other.index + 1}",
                        f"'{other.header}' sets part of {'.'.join(col.path)}, which column '{col.header}' "
                        "gives whole (as JSON): use one or the other",
                        file,
                    )
                )
    if not any(p == ("enterprise", "uscc") for p in paths) and not any(p == ("enterprise",) for p in paths):
        problems.append(
            Problem("", "no 统一社会信用代码 (enterprise.uscc) column: is the header row the first row?", file)
        )
    if problems:
        raise BatchError(problems)
    return columns


# --- cells to facts -------------------------------------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def cell_value(kind: str, value: object) -> object:
    """A cell as the fact model wants it. Raises ValueError for a list or group cell that is not JSON.
    A value this cannot read is passed on unchanged, so validation reports it with its path."""
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        word = _text(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        return word
    if kind == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        text = _text(value)
        match = _DATE_RE.match(text)
        if match:
            y, m, d = (int(g) for g in match.groups())
            try:
                return date(y, m, d).isoformat()
            except ValueError:
                return text
        return text
    if kind in ("events", "group", "optional_group"):
        text = _text(value)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            expected = 'a JSON array, e.g. [{"date": "2021-10-12"}]' if kind == "events" else "a JSON object"
            raise ValueError(f"expected {expected}; not valid JSON ({exc.msg} at character {exc.pos + 1})") from None
        return parsed
    if kind == "enum_list":
        text = _text(value)
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not a valid JSON array ({exc.msg})") from None
        return [part for part in _LIST_SPLIT.split(text) if part]
    return _text(value)


def _str_reader(kind: str) -> Callable[[str], object]:
    """The fast path for a text cell (every CSV cell, most XLSX ones) of a field of this kind."""
    if kind == "bool":
        words = {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}

        def read_bool(text: str) -> object:
            word = text.strip().lower()
            return words.get(word, word)

        return read_bool
    if kind == "date":

        def read_date(text: str) -> object:
            if len(text) == 10 and text[4] == "-" and text[7] == "-":
                return text  # ISO already; the model checks it
            return cell_value("date", text)

        return read_date
    if kind in ("text", "grade", "enum"):
        return str.strip
    return lambda text: cell_value(kind, text)


class RowReader:
    """Turns a row of cells into a facts document (contract §1-2), reporting the cells it cannot read."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = tuple(columns)
        width = max((c.index for c in columns), default=-1) + 1
        # one step per cell position (None: an ignored column), so blank cells cost one test each
        self._plan: list[tuple[tuple[str, ...], str, str, Callable[[str], object]] | None] = [None] * width
        for c in columns:
            self._plan[c.index] = (c.path[:-1], c.path[-1], c.kind, _str_reader(c.kind))

    def __call__(self, values: Sequence[object]) -> tuple[dict[str, Any], list[Problem]]:
        doc: dict[str, Any] = {}
        problems: list[Problem] = []
        for raw, step in zip(values, self._plan, strict=False):
            if raw == "" or raw is None or step is None:
                continue
            parents, last, kind, read = step
            try:
                if raw.__class__ is str:
                    if raw.isspace():
                        continue
                    value = read(raw)
                else:
                    value = cell_value(kind, raw)
            except ValueError as exc:
                problems.append(Problem(".".join((*parents, last)), str(exc)))
                continue
            target = doc
            for part in parents:
                target = target.setdefault(part, {})
            target[last] = value
        return doc, problems


# --- output columns ---------------------------------------------------------------------------------------------

ENTERPRISE_COLUMNS = ("uscc", "name", "district", "industry", "permit_no", "listed_on")


def decision_columns() -> list[str]:
    out = []
    for d in DECISIONS:
        out.append(f"{d}.outcome")
        if d == "inclusion":
            out.append("inclusion.categories")
        out += [f"{d}.{flag}" for flag in FLAGS.get(d, ())]
        out += [f"{d}.rules", f"{d}.citations"]
    return out


def output_columns(recording: bool) -> list[str]:
    return ["row", *(["record_id"] if recording else []), "pack", "as_of", *ENTERPRISE_COLUMNS, *decision_columns()]


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_cell(text: str) -> str:
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _decision_cells(name: str, decision: Decision | None) -> list[str]:
    n_flags = len(FLAGS.get(name, ()))
    if decision is None:
        return [""] * (3 + n_flags + (name == "inclusion"))
    cells = [decision.outcome]
    if name == "inclusion":
        cells.append("; ".join(decision.categories))
    cells += ["true" if decision.flags.get(f) else "false" for f in FLAGS.get(name, ())]
    cells.append("; ".join(r.id for r in decision.rules if r.holds))
    cells.append("; ".join(_cited(decision)))
    return cells


def _cited(decision: Decision) -> list[str]:
    """The decision's citations as 'doc clause', each once (two quoted passages of one clause cite it twice)."""
    return list(dict.fromkeys(f"{c['doc']} {c['clause']}" for c in decision.citations))


def _decision_json(decision: Decision) -> dict[str, Any]:
    out: dict[str, Any] = {"outcome": decision.outcome}
    if decision.name == "inclusion":
        out["categories"] = list(decision.categories)
    out.update(decision.flags)
    out["rules"] = [r.id for r in decision.rules if r.holds]
    out["citations"] = _cited(decision)
    return out


# --- the worker ---------------------------------------------------------------------------------------------------


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
    record: tuple[str, ...] | None = None  # the shared record columns (pack_id … as_of) when recording
    command: str = "batch"
    source: str | None = None
    xlsx_xml: bool = False  # XLSX rows rendered as sheet XML by the worker (batch) rather than as values (dask)
    sheet: SheetFormat | None = None  # XLSX input read as raw sheet XML: what the workers need to parse it


@dataclass
class ChunkResult:
    output: Any  # str for jsonl/csv, list of row tuples for xlsx
    rows: int
    errors: list[tuple[int, str, str, str]]  # (row, uscc, field path, message)
    counts: Counter[tuple[str, str]]
    records: list[tuple[object, ...]] = field(default_factory=list)
    results: list[tuple[str, str]] = field(default_factory=list)  # (sha256, result JSON) first sent by this worker


@dataclass(frozen=True)
class Chunk:
    """Rows as read. JSONL and CSV: `size` records as raw bytes (the worker decodes and parses them), numbered
    from `first_row`; XLSX: the cell values of each row with its row number."""

    first_row: int
    size: int
    blob: bytes = b""
    rows: tuple[int, ...] = ()
    items: tuple[Any, ...] = ()
    first_id: int | None = None  # the first of `size` reserved record ids, when recording


class Evaluator:
    """Turns chunks of raw rows into rendered output; one per worker process (or the main one with --workers 1)."""

    def __init__(self, config: Config, pack: Pack | None = None) -> None:
        self.config = config
        self.pack = pack or load_pack(config.pack)
        self.as_of = config.as_of
        self.engine = config.engine
        self.pack.engine(config.engine)  # fail here, not per row, if the engine cannot run
        self._cells: dict[tuple[int, ...], tuple[tuple[Decision, ...], Any]] = {}
        self._records: dict[tuple[int, ...], tuple[tuple[Decision, ...], tuple[str, str, str]]] = {}
        self._sent_results: set[str] = set()
        self._reader = RowReader(config.columns)
        self._xml_prefix = _xml_cell(self.pack.id) + _xml_cell(config.as_of.isoformat())
        self._prefix = (
            f'"pack":{encode_basestring(self.pack.id)},"as_of":"{config.as_of.isoformat()}"'
            if config.output_kind == "jsonl"
            else f"{_csv_cell(self.pack.id)},{config.as_of.isoformat()}"
        )

    def items(self, chunk: Chunk) -> Iterator[tuple[int, Any]]:
        """(row number, raw item) for every non-blank row of the chunk."""
        kind = self.config.input_kind
        if kind == "jsonl":
            for i, line in enumerate(chunk.blob.split(b"\n")[: chunk.size]):
                if line.strip():
                    yield chunk.first_row + i, line
        elif kind == "csv":
            text = chunk.blob.decode(self.config.encoding)
            for i, cells in enumerate(csv.reader(io.StringIO(text, newline=""))):
                if any(cells) and "".join(cells).strip():
                    yield chunk.first_row + i, cells
        elif chunk.blob:
            assert self.config.sheet is not None
            for number, cells in parse_sheet_rows(chunk.blob, self.config.sheet, chunk.first_row):
                if any(c is not None and c != "" for c in cells):
                    yield number, cells
        else:
            yield from zip(chunk.rows, chunk.items, strict=True)

    def document(self, item: Any) -> tuple[Any, list[Problem]]:
        if self.config.input_kind == "jsonl":
            try:
                return json.loads(item), []
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                return None, [Problem("", f"not a valid JSON line: {exc}")]
        return self._reader(item)

    def run(self, chunk: Chunk) -> ChunkResult:
        out_kind = self.config.output_kind
        lines: list[Any] = []
        errors: list[tuple[int, str, str, str]] = []
        counts: Counter[tuple[str, str]] = Counter()
        records: list[tuple[object, ...]] = []
        results: list[tuple[str, str]] = []
        recording = self.config.record is not None
        now = utc_now() if recording else ""
        rows = 0
        patterns: dict[tuple[int, ...], list[Any]] = {}  # decision pattern -> [its decisions, how many rows]
        for offset, (row, item) in enumerate(self.items(chunk)):
            rows += 1
            doc, facts, result, problems = self.evaluate_item(item)
            if result is None:
                uscc = _raw_uscc(doc)
                errors += [(row, uscc, p.path, p.message) for p in problems]
                continue
            assert facts is not None
            decisions = result.decisions
            key = tuple(id(d) for d in decisions.values())
            seen = patterns.get(key)
            if seen is None:
                patterns[key] = [decisions.values(), 1]
            else:
                seen[1] += 1
            record_id = ""
            if recording:
                assert chunk.first_id is not None and self.config.record is not None
                record_id = format_id(chunk.first_id + offset)
                cached_rec = self._records.get(key)
                if cached_rec is None:
                    result_json = canonical_json(result.to_json(trace=False))
                    result_hash = sha256_text(result_json)
                    cached_rec = (tuple(decisions.values()), (*decision_summary(result), result_hash))
                    if len(self._records) > 100_000:
                        self._records.clear()
                    self._records[key] = cached_rec
                    if result_hash not in self._sent_results:
                        self._sent_results.add(result_hash)
                        results.append((result_hash, result_json))
                outcomes, citations, result_hash = cached_rec[1]
                input_json = canonical_json(doc)
                ent = facts.enterprise
                records.append(
                    (
                        record_id,
                        now,
                        self.config.command,
                        self.config.source,
                        row,
                        *self.config.record,
                        ent.uscc,
                        ent.name,
                        input_json,
                        sha256_text(input_json),
                        outcomes,
                        citations,
                        result_hash,
                    )
                )
            lines.append(self.render(row, record_id, facts, decisions, key))
        for seen_decisions, n in patterns.values():
            for d in seen_decisions:
                counts[(d.name, d.outcome)] += n
        output: Any = lines if out_kind == "xlsx" else "".join(lines)
        return ChunkResult(output, rows, errors, counts, records, results)

    def evaluate_item(self, item: Any) -> tuple[Any, Facts | None, Result | None, list[Problem]]:
        """A raw row → (its facts document, the validated facts, the result, the problems that stopped it)."""
        doc, problems = self.document(item)
        facts: Facts | None = None
        if doc is not None:
            try:
                facts = parse_facts(doc)
            except FactsError as exc:
                problems += exc.problems
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
            body = {name: _decision_json(d) for name, d in decisions.items()}
            rendered = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        else:
            cells = [c for name in DECISIONS for c in _decision_cells(name, decisions.get(name))]
            if kind == "csv":
                rendered = ",".join(_csv_cell(c) for c in cells)
            elif self.config.xlsx_xml:
                rendered = "".join(_xml_cell(c) for c in cells)
            else:
                rendered = tuple(cells)
        if len(self._cells) > 100_000:
            self._cells.clear()
        self._cells[key] = (tuple(decisions.values()), rendered)
        return rendered

    def render(self, row: int, record_id: str, facts: Facts, decisions: Mapping[str, Decision], key: Any) -> Any:
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
            return f'{head}{self._prefix},{fields},"decisions":{rendered}}}\n'
        if kind == "csv":
            cells = ",".join("" if v is None else _csv_cell(v) for v in values)
            head = f"{row}," + (f"{rid}," if rid is not None else "")
            return f"{head}{self._prefix},{cells},{rendered}\r\n"
        if self.config.xlsx_xml:
            head = f"<c><v>{row}</v></c>" + (_xml_cell(rid) if rid is not None else "")
            return head + self._xml_prefix + "".join(_xml_cell(v) for v in values) + rendered
        head_cells: tuple[Any, ...] = (row, rid) if rid is not None else (row,)
        return (*head_cells, self.pack.id, self.as_of.isoformat(), *("" if v is None else v for v in values), *rendered)


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_cell(text: str | None) -> str:
    """One cell of sheet XML, its text inline (no shared-string table to build), in column order."""
    if not text:
        return "<c/>"
    text = _XML_ILLEGAL.sub("", text.translate(_XML_ESCAPES))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _raw_uscc(doc: Any) -> str:
    if isinstance(doc, Mapping):
        ent = doc.get("enterprise")
        if isinstance(ent, Mapping) and ent.get("uscc") is not None:
            return str(ent["uscc"])
    return ""


_WORKER: Evaluator | None = None


def _init_worker(config: Config) -> None:
    global _WORKER
    _WORKER = Evaluator(config)
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    """A worker whose batch was killed would wait for work forever: leave once the parent is gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _run_chunk(chunk: Chunk) -> ChunkResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.run(chunk)


# --- reading registers --------------------------------------------------------------------------------------------


# --- XLSX sheets as raw XML -----------------------------------------------------------------------------------------
#
# openpyxl's read-only reader costs ≈ 160 µs a row of the benchmark sheet in the main process, more than two workers
# need to evaluate it. So the main process only inflates the sheet's XML out of the zip and cuts it at </row>; the
# workers parse the rows (shared strings and the date styles are sent to each once). A sheet whose XML uses
# namespace prefixes (<x:row>) is read with openpyxl instead.

_ROW_RE = re.compile(rb"<row\b([^>]*?)(/>|>(.*?)</row>)", re.S)
_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_T_RE = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_RPH_RE = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_PREFIXED = re.compile(rb"<\w+:(?:sheetData|row)\b")
_DIMENSION = re.compile(rb'<dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
# built-in number formats that show a date (14-22, 45-47, and the East Asian date formats 27-36, 50-58)
_BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])


@dataclass(frozen=True)
class SheetFormat:
    """What parsing a sheet's rows needs besides the rows: the workbook's shared strings, the cell styles that show
    dates, the 1904 date system flag, and which columns hold dates (a number there is an Excel date)."""

    shared_strings: tuple[str, ...] = ()
    date_styles: frozenset[int] = frozenset()
    date1904: bool = False
    date_columns: frozenset[int] = frozenset()


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8")
    if "&" in text:
        text = html.unescape(text)
    if "_x" in text:
        text = _OOXML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    return text


def _column_index(ref: bytes) -> int:
    index = 0
    for byte in ref:
        if 65 <= byte <= 90:
            index = index * 26 + byte - 64
        else:
            break
    return index - 1


def _excel_date(serial: float, date1904: bool) -> datetime:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    value = from_excel(serial, CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900)
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    """The value of attribute `name` (given as b' r="') in a tag's attribute text."""
    i = attrs.find(name)
    if i < 0:
        return None
    i += len(name)
    return attrs[i : attrs.find(b'"', i)]


def _inline_text(inner: bytes) -> str:
    if b"<rPh" in inner:
        inner = _RPH_RE.sub(b"", inner)
    if inner.count(b"<t") == 1:  # the common case: <is><t>text</t></is>
        start = inner.find(b">", inner.find(b"<t")) + 1
        end = inner.find(b"</t>", start)
        return _xml_text(inner[start:end]) if end >= 0 else ""
    return "".join(_xml_text(t) for t in _T_RE.findall(inner))


def parse_sheet_rows(blob: bytes, fmt: SheetFormat, first_row: int = 1) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) for every <row> in a piece of sheet XML; values as openpyxl gives them with
    data_only (text, int, float, bool, datetime; None for an empty cell)."""
    number = first_row - 1
    for match in _ROW_RE.finditer(blob):
        r = _attr(match[1], b' r="')
        number = int(r) if r else number + 1
        values: list[Any] = []
        body = match[3]
        if body:
            fast = _FAST_CELLS.findall(body)
            if len(fast) == body.count(b"<c ") + body.count(b"<c>"):
                yield number, _fast_values(fast, fmt)
                continue
            column = -1
            for cell in _CELL_RE.finditer(body):
                attrs = cell[1]
                ref = _attr(attrs, b' r="')
                column = _column_index(ref) if ref else column + 1
                inner = cell[2]
                value: Any = None
                if inner:
                    kind = _attr(attrs, b' t="') or b"n"
                    if kind == b"inlineStr":
                        value = _inline_text(inner)
                    else:
                        start = inner.find(b"<v>")
                        if start >= 0:
                            raw = inner[start + 3 : inner.find(b"</v>", start)]
                            value = _cell_value(kind, raw, _attr(attrs, b' s="'), column, fmt)
                if column >= len(values):
                    values.extend([None] * (column + 1 - len(values)))
                values[column] = value
        yield number, values


# the common cell, in the attribute order Excel and openpyxl write: <c r="B3" s="1" t="s"><v>0</v></c> or an
# inline string <c r="B3" t="inlineStr"><is><t>text</t></is></c>; a row with any other cell takes the general path
_FAST_CELLS = re.compile(
    rb'<c r="([A-Z]+)\d+"(?: s="(\d+)")?(?: t="(\w+)")?(?:/>|>(?:<is><t>([^<]*)</t></is>|<v>([^<]*)</v>)</c>)'
)


def _fast_values(cells: list[tuple[bytes, bytes, bytes, bytes, bytes]], fmt: SheetFormat) -> list[Any]:
    values: list[Any] = []
    for ref, style, kind, inline, raw in cells:
        column = _column_index(ref)
        value: Any = None
        if kind == b"inlineStr":
            value = _xml_text(inline)
        elif raw:
            value = _cell_value(kind, raw, style or None, column, fmt)
        if column >= len(values):
            values.extend([None] * (column + 1 - len(values)))
        values[column] = value
    return values


def _cell_value(kind: bytes, raw: bytes, style: bytes | None, column: int, fmt: SheetFormat) -> Any:
    """A <v> value by its cell type: shared string, boolean, text, or a number (a date where the column or
    the cell's style says so)."""
    if kind == b"s":
        return fmt.shared_strings[int(raw)]
    if kind == b"b":
        return raw.strip() in (b"1", b"true")
    if kind in (b"str", b"e", b"d"):
        return _xml_text(raw)
    value = _number(raw)
    if column in fmt.date_columns or (style is not None and int(style) in fmt.date_styles):
        return _excel_date(value, fmt.date1904)
    return value


def _number(raw: bytes) -> int | float:
    text = raw.strip()
    try:
        return int(text)
    except ValueError:
        number = float(text)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attrs(element: Any) -> dict[str, str]:
    return {_local(k): v for k, v in element.attrib.items()}


class _SheetXml:
    """An .xlsx sheet opened straight from the zip: its format and a stream of its XML."""

    def __init__(self, path: str, sheet: str | None) -> None:
        import xml.etree.ElementTree as ET

        self.zip = zipfile.ZipFile(path)
        names = set(self.zip.namelist())
        workbook_path = "xl/workbook.xml"
        workbook = ET.fromstring(self.zip.read(workbook_path))
        rels = self._rels("xl/_rels/workbook.xml.rels", names)
        sheets = [_attrs(e) for e in workbook.iter() if _local(e.tag) == "sheet"]
        self.sheet_names = [x.get("name", "") for x in sheets]
        if sheet is not None and sheet not in self.sheet_names:
            raise BatchError([Problem("--sheet", f"no sheet '{sheet}' (sheets: {', '.join(self.sheet_names)})", path)])
        chosen = next(x for x in sheets if sheet is None or x.get("name") == sheet)
        self.sheet_path = rels[chosen["id"]][1]
        date1904 = any(
            _attrs(e).get("date1904") in ("1", "true") for e in workbook.iter() if _local(e.tag) == "workbookPr"
        )
        shared: list[str] = []
        styles: frozenset[int] = frozenset()
        for kind, target in rels.values():
            if kind.endswith("/sharedStrings") and target in names:
                shared = self._shared_strings(target)
            elif kind.endswith("/styles") and target in names:
                styles = self._date_styles(ET.fromstring(self.zip.read(target)))
        self.format = SheetFormat(tuple(shared), styles, date1904)

    def _rels(self, path: str, names: set[str]) -> dict[str, tuple[str, str]]:
        import xml.etree.ElementTree as ET

        out = {}
        if path in names:
            for e in ET.fromstring(self.zip.read(path)).iter():
                if _local(e.tag) == "Relationship":
                    target = e.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    out[e.get("Id", "")] = (e.get("Type", ""), target)
        return out

    def _shared_strings(self, path: str) -> list[str]:
        import xml.etree.ElementTree as ET

        out: list[str] = []
        with self.zip.open(path) as f:
            for _, element in ET.iterparse(f):
                if _local(element.tag) == "si":
                    parts = []
                    for child in element:
                        name = _local(child.tag)
                        if name == "t":
                            parts.append(child.text or "")
                        elif name == "r":
                            parts += [t.text or "" for t in child if _local(t.tag) == "t"]
                    text = "".join(parts)
                    out.append(_OOXML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text)
                    element.clear()
        return out

    @staticmethod
    def _date_styles(styles: Any) -> frozenset[int]:
        from openpyxl.styles.numbers import is_date_format

        custom = {}
        for e in styles.iter():
            if _local(e.tag) == "numFmt":
                a = _attrs(e)
                custom[int(a.get("numFmtId", "0"))] = a.get("formatCode", "")
        out = set()
        for e in styles.iter():
            if _local(e.tag) == "cellXfs":
                for index, xf in enumerate(x for x in e if _local(x.tag) == "xf"):
                    fmt_id = int(_attrs(xf).get("numFmtId", "0"))
                    if fmt_id in _BUILTIN_DATE_FORMATS or (fmt_id in custom and is_date_format(custom[fmt_id])):
                        out.add(index)
        return frozenset(out)

    def stream(self) -> IO[bytes]:
        return self.zip.open(self.sheet_path)


HEADER_SEARCH_ROWS = 20


def _names_uscc(cells: Sequence[object]) -> bool:
    texts = {normalise_header(str(c)).lower() for c in cells if c is not None}
    return bool(texts & {"统一社会信用代码", "enterprise.uscc", "uscc"})


def _blank(cells: Sequence[object]) -> bool:
    return not any(c is not None and str(c).strip() for c in cells)


def _no_header(first: Sequence[object] | None, path: str, where: str) -> BatchError:
    """The error for a register whose first rows name no 统一社会信用代码 column."""
    if first is None:
        return BatchError([Problem("", f"the {where} is empty (no header row)", path)])
    resolve_columns(list(first), path)  # names the unknown columns, or says that no uscc column exists
    return BatchError([Problem("", "no header row naming 统一社会信用代码 (or uscc)", path)])


class Register:
    """A register opened for streaming: its columns (CSV/XLSX) and its rows in chunks.

    For CSV and XLSX the header is the first row that names the 统一社会信用代码 (a title row may come before it,
    as in 附表2), within the first 20 rows; without one the register is refused, naming the columns it has.
    JSONL and CSV chunks are raw bytes cut at record boundaries (a CSV record ends at a line end outside
    quotes), so the main process does almost nothing per row and the workers decode and parse them."""

    def __init__(self, path: str, sheet: str | None = None, encoding: str = "auto") -> None:
        self.path = path
        self.name = "<stdin>" if path == "-" else path
        suffix = ".jsonl" if path == "-" else Path(path).suffix.lower()
        if suffix not in INPUT_KINDS:
            raise BatchError(
                [
                    Problem(
                        "",
                        f"cannot tell the register's format from '{suffix or path}': use .jsonl, .csv or .xlsx",
                        path,
                    )
                ]
            )
        self.kind: InputKind = INPUT_KINDS[suffix]
        self.columns: tuple[Column, ...] = ()
        self.encoding = "utf-8"
        self.total: int | None = None  # for the progress bar: bytes (JSONL, CSV) or rows (XLSX)
        self._binary: IO[bytes] | None = None
        self._workbook: Any = None
        self._values: Iterator[tuple[Any, ...]] | None = None
        self._next_row = 1
        self._sheet_xml: _SheetXml | None = None
        self._stream: IO[bytes] | None = None
        self._pending = b""
        self.sheet_format: SheetFormat | None = None  # set when an XLSX sheet is read as raw XML
        try:
            if self.kind == "xlsx":
                self._open_xlsx(sheet)
            else:
                if path == "-":
                    self._binary = sys.stdin.buffer
                else:
                    self._binary = open(path, "rb")  # noqa: SIM115 - closed in close()
                    self.total = os.fstat(self._binary.fileno()).st_size
                if self.kind == "csv":
                    self._open_csv(encoding)
        except FileNotFoundError:
            raise BatchError([Problem("", "file not found", path)]) from None
        except IsADirectoryError:
            raise BatchError([Problem("", "is a directory, not a register", path)]) from None
        except OSError as exc:
            raise BatchError([Problem("", f"cannot read: {exc.strerror or exc}", path)]) from None

    def _open_csv(self, encoding: str) -> None:
        assert self._binary is not None
        if encoding == "auto":
            encoding = _sniff_encoding(self._binary)
        bom = "\ufeff".encode()
        self.encoding = "utf-8" if encoding.lower().replace("_", "-") in ("utf-8-sig", "utf8-sig") else encoding
        first: list[str] | None = None
        for number, record in enumerate(self._records(), start=1):
            if number == 1 and record.startswith(bom):
                record = record[len(bom) :]
            try:
                text = record.decode(self.encoding)
            except UnicodeDecodeError as exc:
                raise BatchError(
                    [Problem("", f"not {encoding} text ({exc.reason}); give --encoding (e.g. gb18030)", self.path)]
                ) from None
            except LookupError:
                raise BatchError([Problem("--encoding", f"unknown encoding '{encoding}'")]) from None
            cells = next(csv.reader(io.StringIO(text, newline="")), [])
            if not any(c.strip() for c in cells):
                continue
            first = first or cells
            if _names_uscc(cells):
                self.columns = tuple(resolve_columns(cells, self.path))
                self._next_row = number + 1
                return
            if number >= HEADER_SEARCH_ROWS:
                break
        raise _no_header(first, self.path, "register")

    def _records(self) -> Iterator[bytes]:
        """CSV records as bytes: lines joined while a quoted field is open (an odd number of quotes so far).
        Neither '"' nor a line feed occurs inside a multi-byte character in UTF-8 or GB 18030."""
        assert self._binary is not None
        pending: list[bytes] = []
        open_quote = False
        for line in self._binary:
            if line.count(b'"') & 1:
                open_quote = not open_quote
            if open_quote:
                pending.append(line)
                continue
            if pending:
                pending.append(line)
                yield b"".join(pending)
                pending = []
            else:
                yield line
        if pending:
            yield b"".join(pending)

    def _open_xlsx(self, sheet: str | None) -> None:
        try:
            xml = _SheetXml(self.path, sheet)
            stream = xml.stream()
        except (FileNotFoundError, IsADirectoryError):
            raise
        except BatchError:
            raise
        except Exception as exc:  # zipfile.BadZipFile, KeyError, ParseError…
            raise BatchError([Problem("", f"not a readable .xlsx workbook: {exc}", self.path)]) from None
        head = b""
        while head.count(b"</row>") <= HEADER_SEARCH_ROWS:
            block = stream.read(1 << 16)
            if not block:
                break
            head += block
        if _PREFIXED.search(head):
            stream.close()
            xml.zip.close()
            self._open_xlsx_openpyxl(sheet)
            return
        dimension = _DIMENSION.search(head[:4096])
        self.total = int(dimension[1]) if dimension else None
        parts = head.split(b"</row>")
        first: list[Any] | None = None
        number = 0
        for i, part in enumerate(parts[:-1]):
            start = number + 1
            for number, cells in parse_sheet_rows(part + b"</row>", xml.format, start):
                if _blank(cells):
                    continue
                first = first or cells
                if _names_uscc(cells):
                    self.columns = tuple(resolve_columns(list(cells), self.path))
                    self.sheet_format = replace(
                        xml.format, date_columns=frozenset(c.index for c in self.columns if c.kind == "date")
                    )
                    self._sheet_xml = xml
                    self._stream = stream
                    self._pending = b"</row>".join(parts[i + 1 :])
                    self._next_row = number + 1
                    return
            if i + 1 >= HEADER_SEARCH_ROWS:
                break
        stream.close()
        xml.zip.close()
        raise _no_header(first, self.path, "sheet")

    def _xlsx_chunks(self, size: int) -> Iterator[Chunk]:
        """Whole rows of sheet XML, `size` at a time, cut at </row> (the workers parse them)."""
        assert self._stream is not None
        buffer = self._pending
        rows: list[bytes] = []
        first = self._next_row
        while True:
            block = self._stream.read(1 << 20)
            buffer += block
            parts = buffer.split(b"</row>")
            buffer = parts.pop()
            rows += parts
            while len(rows) >= size or (not block and rows):
                take, rows = rows[:size], rows[size:]
                yield Chunk(first, len(take), b"</row>".join(take) + b"</row>")
                first += len(take)
            if not block:
                return

    def _open_xlsx_openpyxl(self, sheet: str | None) -> None:
        import openpyxl

        try:
            self._workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (FileNotFoundError, IsADirectoryError):
            raise
        except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException…
            raise BatchError([Problem("", f"not a readable .xlsx workbook: {exc}", self.path)]) from None
        if sheet is not None and sheet not in self._workbook.sheetnames:
            names = ", ".join(self._workbook.sheetnames)
            raise BatchError([Problem("--sheet", f"no sheet '{sheet}' (sheets: {names})", self.path)])
        ws = self._workbook[sheet] if sheet is not None else self._workbook.worksheets[0]
        self.total = ws.max_row if isinstance(ws.max_row, int) else None
        values = ws.iter_rows(values_only=True)
        first: tuple[Any, ...] | None = None
        for number, cells in enumerate(values, start=1):
            if _blank(cells):
                continue
            first = first or cells
            if _names_uscc(cells):
                self.columns = tuple(resolve_columns(list(cells), self.path))
                self._values = values
                self._next_row = number + 1
                return
            if number >= HEADER_SEARCH_ROWS:
                break
        raise _no_header(first, self.path, "sheet")

    def position(self, rows_done: int) -> int:
        """Progress so far, in the unit of `total` (bytes read for JSONL/CSV, rows for XLSX)."""
        if self.kind == "xlsx" or self._binary is None or self._binary is sys.stdin.buffer:
            return rows_done
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return rows_done

    def chunks(self, size: int) -> Iterator[Chunk]:
        """Chunks of `size` rows (records, for CSV; lines, for JSONL), in order."""
        row = self._next_row
        if self._stream is not None:
            yield from self._xlsx_chunks(size)
            return
        if self.kind == "xlsx":
            assert self._values is not None
            rows: list[int] = []
            items: list[Any] = []
            for number, cells in enumerate(self._values, start=row):
                if any(c is not None and c != "" for c in cells):
                    rows.append(number)
                    items.append(cells)
                    if len(items) >= size:
                        yield Chunk(rows[0], len(items), rows=tuple(rows), items=tuple(items))
                        rows, items = [], []
            if items:
                yield Chunk(rows[0], len(items), rows=tuple(rows), items=tuple(items))
            return
        assert self._binary is not None
        source: Iterator[bytes] = self._records() if self.kind == "csv" else iter(self._binary)
        batch: list[bytes] = []
        for record in source:
            batch.append(record)
            if len(batch) >= size:
                yield Chunk(row, len(batch), b"".join(batch))
                row += len(batch)
                batch = []
        if batch:
            yield Chunk(row, len(batch), b"".join(batch))

    def close(self) -> None:
        if self._binary is not None and self._binary is not sys.stdin.buffer:
            self._binary.close()
        if self._workbook is not None:
            self._workbook.close()
        if self._stream is not None:
            self._stream.close()
        if self._sheet_xml is not None:
            self._sheet_xml.zip.close()


def _sniff_encoding(binary: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) when the first megabyte decodes as UTF-8, else GB 18030 (Excel's 'CSV' on a
    Chinese Windows writes GBK, which GB 18030 contains)."""
    head = binary.read(1 << 20)
    binary.seek(0)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
            return "gb18030"
    return "utf-8-sig"


# --- writing results ---------------------------------------------------------------------------------------------


class Writer:
    """Results as they come, chunk by chunk. CSV and JSONL are flushed after every chunk; XLSX is written as a
    stream of sheet XML into the zip (openpyxl's writer costs ~10 µs a cell, more than evaluating the row)."""

    def __init__(self, path: Path, kind: OutputKind, columns: Sequence[str]) -> None:
        self.path = path
        self.kind = kind
        self._file: IO[str] | None = None
        self._zip: zipfile.ZipFile | None = None
        self._sheet: IO[bytes] | None = None
        self._row = 1
        if kind == "xlsx":
            self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
            for name, text in _XLSX_PARTS.items():
                self._zip.writestr(name, text)
            self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
            header = "".join(_xml_cell(c) for c in columns)
            self._sheet.write((_SHEET_START + f'<row r="1">{header}</row>').encode())
        else:
            # CSV with a BOM so that Excel opens the Chinese text as UTF-8
            self._file = open(path, "w", encoding="utf-8-sig" if kind == "csv" else "utf-8", newline="")  # noqa: SIM115
            if kind == "csv":
                self._file.write(",".join(columns) + "\r\n")

    def write(self, output: Any) -> None:
        if self._file is not None:
            self._file.write(output)
            self._file.flush()  # what is written is reported: flush chunk by chunk
            return
        assert self._sheet is not None
        parts = []
        for cells in output:
            self._row += 1
            parts.append(f'<row r="{self._row}">{cells}</row>')
        self._sheet.write("".join(parts).encode())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._sheet is not None and self._zip is not None:
            self._sheet.write(b"</sheetData></worksheet>")
            self._sheet.close()
            self._zip.close()


_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="results" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}


def error_path(output: Path) -> Path:
    """The error file beside the output: results.csv -> results.errors.csv."""
    return output.with_name(output.stem + ".errors.csv")


# --- the batch --------------------------------------------------------------------------------------------------


@dataclass
class Summary:
    rows: int = 0
    errors: int = 0  # rows that could not be evaluated
    problems: int = 0
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0
    recorded: int = 0
    warnings: tuple[str, ...] = ()
    output: str = ""
    error_file: str = ""
    records_db: str | None = None

    @property
    def evaluated(self) -> int:
        return self.rows - self.errors

    def render(self) -> str:
        rate = self.rows / self.seconds if self.seconds > 0 else 0.0
        lines = [
            f"{self.rows} rows: {self.evaluated} evaluated, {self.errors} with errors"
            + (f" ({self.problems} problems in {self.error_file})" if self.errors else "")
            + f"; {self.seconds:.1f} s ({rate:,.0f} rows/s) → {self.output}"
        ]
        for decision in DECISIONS:
            per = [(o, self.counts[(decision, o)]) for o in OUTCOMES[decision] if self.counts[(decision, o)]]
            if per:
                lines.append(f"  {decision}: " + ", ".join(f"{o} {n}" for o, n in per))
        if self.records_db is not None:
            lines.append(f"  recorded {self.recorded} evaluations in {self.records_db}")
        return "\n".join(lines)


ProgressMode = Literal["auto", "always", "never"]


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
    progress: ProgressMode = "auto",
    max_in_flight: int | None = None,
) -> Summary:
    """Evaluate every row of a register and write the results (see the module docstring and docs/batch.md)."""
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
    pack = load_pack(pack_ref)
    warnings = pack.check_date(day)  # a date outside the force window stops the batch here
    pack.engine(engine)
    register = Register(input_path, sheet, encoding)
    recorder = None
    if record is not None:
        recorder = Recorder.start(record, pack, pack_ref, "batch")
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
    )
    summary = Summary(warnings=warnings, output=str(output), error_file=str(error_path(output)))
    summary.records_db = str(recorder.store.path) if recorder else None
    writer = Writer(output, out_kind, output_columns(recorder is not None))
    errors_file = open(error_path(output), "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
    error_writer = csv.writer(errors_file)
    error_writer.writerow(["row", "uscc", "field", "message"])
    bar = _Progress(register, progress)
    try:
        for result in _results(config, pack, register, workers, chunk_size, max_in_flight, recorder is not None):
            if recorder is not None and result.records:
                recorder.store.append(result.records, result.results)  # committed before the rows are written
                summary.recorded += len(result.records)
            writer.write(result.output)
            for err in result.errors:
                error_writer.writerow(err)
            errors_file.flush()
            summary.rows += result.rows
            summary.errors += len({e[0] for e in result.errors})
            summary.problems += len(result.errors)
            summary.counts.update(result.counts)
            bar.advance(summary.rows)
    finally:
        bar.stop()
        errors_file.close()
        register.close()
        writer.close()
        if recorder is not None:
            recorder.store.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _results(
    config: Config,
    pack: Pack,
    register: Register,
    workers: int,
    chunk_size: int,
    max_in_flight: int | None,
    recording: bool,
) -> Iterator[ChunkResult]:
    """Chunk results in input order; with several workers at most `max_in_flight` chunks are pending."""

    def chunk(c: Chunk) -> Chunk:
        return replace(c, first_id=reserve_ids(c.size)) if recording else c

    if workers == 1:
        evaluator = Evaluator(config, pack)
        for c in register.chunks(chunk_size):
            yield evaluator.run(chunk(c))
        return
    limit = max_in_flight or 2 * workers + 1
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=_mp_context(), initializer=_init_worker, initargs=(config,)
    ) as pool:
        pending: deque[Future[ChunkResult]] = deque()
        try:
            for c in register.chunks(chunk_size):
                pending.append(pool.submit(_run_chunk, chunk(c)))
                while len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _mp_context() -> multiprocessing.context.BaseContext:
    """spawn: each worker is a fresh interpreter, a direct child of the batch (so it can tell when the batch is
    gone), never a fork of a process that may be running the progress bar's thread."""
    return multiprocessing.get_context("spawn")


class _Progress:
    """A rich progress bar on standard error when it is a terminal (or when asked); nothing otherwise."""

    def __init__(self, register: Register, mode: ProgressMode) -> None:
        self.register = register
        show = mode == "always" or (mode == "auto" and sys.stderr.isatty())
        self._bar: Any = None
        self._task: Any = None
        if not show:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns: list[Any] = [TextColumn("[bold]policyrules batch"), BarColumn()]
        if register.total is not None:  # a sheet without a dimension record, or standard input: no total
            columns.append(TextColumn("{task.percentage:>5.1f}%"))
        columns += [TextColumn("{task.fields[rows]:>10,} rows"), TimeElapsedColumn()]
        if register.total is not None:
            columns.append(TimeRemainingColumn())
        console = Console(stderr=True, force_terminal=True if mode == "always" else None)  # None: detect
        self._bar = Progress(*columns, console=console, transient=False)
        self._task = self._bar.add_task("batch", total=register.total, rows=0)
        self._bar.start()

    def advance(self, rows: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=self.register.position(rows), rows=rows)

    def stop(self) -> None:
        if self._bar is not None:
            if self.register.total is not None:
                self._bar.update(self._task, completed=self.register.total)
            self._bar.stop()


# --- command line ----------------------------------------------------------------------------------------------------


def add_batch_parsers(sub: Any, as_of: Callable[[str], date]) -> None:
    """The `batch`, `records`, `replay` and `register` subcommands (called by cli.build_parser)."""
    cmd = sub.add_parser("batch", help="evaluate a whole register (JSON Lines, CSV or XLSX)")
    cmd.add_argument("--pack", required=True, help="a shipped pack id or a pack directory")
    cmd.add_argument("--as-of", type=as_of, default=None, help="evaluation date YYYY-MM-DD (default today)")
    cmd.add_argument("--engine", choices=tuple(ENGINES), default="compiled")
    cmd.add_argument("input", help="the register: .jsonl (one facts document a line), .csv or .xlsx; '-' reads JSONL")
    cmd.add_argument("-o", "--output", required=True, help="results: .jsonl, .csv or .xlsx")
    cmd.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    cmd.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK, help=f"rows per chunk (default {DEFAULT_CHUNK})")
    cmd.add_argument("--sheet", default=None, help="XLSX: the sheet to read (default the first)")
    cmd.add_argument("--encoding", default="auto", help="CSV: the text encoding (default: UTF-8, else GB 18030)")
    cmd.add_argument("--progress", choices=("auto", "always", "never"), default="auto")
    add_record_option(cmd)
    add_records_parsers(sub)
    add_register_parser(sub, as_of)


def cmd_batch(args: argparse.Namespace) -> int:
    summary = run_batch(
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
        progress=args.progress,
    )
    for warning in summary.warnings:
        print(f"policyrules: warning: {warning}", file=sys.stderr)
    print(summary.render(), file=sys.stderr)
    return 1 if summary.errors else 0


BATCH_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "batch": cmd_batch,
    "records": cmd_records,
    "replay": cmd_replay,
    "register": cmd_register,
}
