"""Decision records: every evaluation made with `--record`, appended to SQLite so that a decision can be traced
back and replayed (环办执法〔2021〕10号 二、（五）: 全过程留痕和可回溯管理).

One row per evaluation of one facts document: a sortable unique id, the time, the pack (id, version and a
content hash over its files and its ancestors'), the engine and library version, the evaluation date, the input
document as canonical JSON with its hash, the outcomes and citations of every decision. The full result (every
rule's holding, citation texts, notes) is stored once per distinct result, and every pack's files once,
content-addressed, so `replay` can rebuild the exact pack a decision was made under.

The database is append-only through the tool: triggers abort every UPDATE and DELETE. It runs in WAL mode with
synchronous=FULL, and a batch commits one transaction per chunk *before* it writes that chunk's rows (which carry
their record ids) to its output, so whatever a batch has reported is recorded, and a batch killed at any point
leaves every committed record intact.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..engines import Pack, Result, load_pack
from ..errors import PolicyRulesError, Problem
from ..packs import DECISIONS, PackDefinition, shipped_pack_ids

SCHEMA_VERSION = 1
ENV_VAR = "POLICYRULES_RECORDS"


def default_db_path() -> Path:
    """Where `--record` without a path writes: $POLICYRULES_RECORDS when set, else
    $XDG_DATA_HOME/policyrules/records.sqlite (XDG_DATA_HOME defaulting to ~/.local/share)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "policyrules" / "records.sqlite"


class RecordsError(PolicyRulesError):
    """The records database cannot be used as asked (missing, not a records database, unknown id)."""


# --- ids, canonical JSON, hashes --------------------------------------------------------------------------------

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_LOCK = threading.Lock()
_last_id = 0


_PAIRS = tuple(a + b for a in _CROCKFORD for b in _CROCKFORD)  # every 10 bits as two characters


def format_id(value: int) -> str:
    """A 128-bit id as a ULID: 26 characters of Crockford base32, whose order is the numeric order."""
    pairs = _PAIRS
    return "".join(
        (
            pairs[value >> 120 & 1023], pairs[value >> 110 & 1023], pairs[value >> 100 & 1023],
            pairs[value >> 90 & 1023], pairs[value >> 80 & 1023], pairs[value >> 70 & 1023],
            pairs[value >> 60 & 1023], pairs[value >> 50 & 1023], pairs[value >> 40 & 1023],
            pairs[value >> 30 & 1023], pairs[value >> 20 & 1023], pairs[value >> 10 & 1023], pairs[value & 1023],
        )
    )  # fmt: skip


def parse_id(text: str) -> int:
    value = 0
    for char in text.upper():
        value = value * 32 + _CROCKFORD.index(char)
    return value


def reserve_ids(count: int) -> int:
    """Reserve `count` consecutive ids and return the first: 48 bits of milliseconds since the epoch then 80
    random bits, strictly increasing within this process (a ULID, monotonic)."""
    global _last_id
    with _ID_LOCK:
        now = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big") >> 1
        first = max(now, _last_id + 1)
        _last_id = first + count - 1
        return first


def new_id() -> str:
    return format_id(reserve_ids(1))


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def canonical_json(data: object) -> str:
    """Sorted keys, no whitespace, UTF-8 text kept as it is; dates as ISO 8601."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- pack snapshots -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackFile:
    pack_id: str  # the pack (or ancestor) the file belongs to
    directory: str  # that pack's directory name, which `extends:` resolves against
    path: str  # relative to the pack directory, '/'-separated
    sha256: str


@dataclass(frozen=True)
class PackSnapshot:
    """A pack and everything it extends, file by file: what `replay` needs to rebuild it."""

    pack_id: str
    version: str
    content_hash: str
    files: tuple[PackFile, ...]
    blobs: Mapping[str, bytes] = field(repr=False, compare=False)

    def manifest(self) -> str:
        return canonical_json([[f.pack_id, f.directory, f.path, f.sha256] for f in self.files])


def _pack_chain(definition: PackDefinition) -> list[PackDefinition]:
    chain = []
    current: PackDefinition | None = definition
    while current is not None:
        chain.append(current)
        current = current.parent
    return chain


def _files_of(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).parts
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in relative):
            yield path


def content_hash(files: Iterable[PackFile]) -> str:
    """sha256 over the lines '<pack id>/<path> <sha256 of the file>', sorted: every file of the pack directory
    and of each pack it extends (hidden files and __pycache__ excluded). Directory names do not enter it, so
    the same pack installed elsewhere has the same hash."""
    lines = sorted(f"{f.pack_id}/{f.path} {f.sha256}\n" for f in files)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def snapshot_pack(pack: Pack) -> PackSnapshot:
    files: list[PackFile] = []
    blobs: dict[str, bytes] = {}
    for definition in _pack_chain(pack.definition):
        directory = Path(definition.directory)
        for path in _files_of(directory):
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            blobs[digest] = data
            rel = path.relative_to(directory).as_posix()
            files.append(PackFile(definition.meta.id, directory.name, rel, digest))
    return PackSnapshot(pack.id, pack.version, content_hash(files), tuple(files), blobs)


def pack_ref(given: str, pack: Pack) -> str:
    """What to load as 'the current pack' when replaying: the shipped id, or the directory's absolute path."""
    if given in shipped_pack_ids() and not Path(given).is_dir():
        return given
    return str(Path(pack.definition.directory).resolve())


# --- the store ----------------------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pack_files (
    sha256 TEXT PRIMARY KEY,
    content BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS packs (
    content_hash TEXT PRIMARY KEY,
    pack_id TEXT NOT NULL,
    version TEXT NOT NULL,
    manifest TEXT NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT PRIMARY KEY,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    time TEXT NOT NULL,
    command TEXT NOT NULL,
    source TEXT,
    row INTEGER,
    pack_id TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    pack_hash TEXT NOT NULL REFERENCES packs(content_hash),
    pack_ref TEXT NOT NULL,
    engine TEXT NOT NULL,
    library_version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    uscc TEXT,
    name TEXT,
    input TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    outcomes TEXT NOT NULL,
    citations TEXT NOT NULL,
    result_hash TEXT NOT NULL REFERENCES results(sha256)
);
CREATE INDEX IF NOT EXISTS records_by_uscc ON records(uscc);
"""

_TABLES = ("pack_files", "packs", "results", "records")

RECORD_COLUMNS = (
    "id",
    "time",
    "command",
    "source",
    "row",
    "pack_id",
    "pack_version",
    "pack_hash",
    "pack_ref",
    "engine",
    "library_version",
    "as_of",
    "uscc",
    "name",
    "input",
    "input_hash",
    "outcomes",
    "citations",
    "result_hash",
)
_INSERT_RECORD = f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES ({', '.join('?' * len(RECORD_COLUMNS))})"


def _triggers() -> list[str]:
    out = []
    for table in _TABLES:
        for action in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'policyrules records are append-only: {action} on {table} refused'); END"
            )
    return out


class RecordStore:
    """The records database. Open with `RecordStore.open(path)`; use as a context manager."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.db = connection

    @classmethod
    def open(cls, path: Path | str, create: bool = True) -> RecordStore:
        path = Path(path)
        if not create and not path.is_file():
            raise RecordsError([Problem("", "no records database here (record with --record first)", str(path))])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=60, isolation_level=None)
            db.execute("PRAGMA busy_timeout = 60000")
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            db.execute("PRAGMA synchronous = FULL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                with _transaction(db):
                    for statement in [*_SCHEMA.split(";"), *_triggers()]:
                        if statement.strip():
                            db.execute(statement)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version != SCHEMA_VERSION:
                raise RecordsError(
                    [
                        Problem(
                            "", f"records schema version {version}; this policyrules reads {SCHEMA_VERSION}", str(path)
                        )
                    ]
                )
        except sqlite3.DatabaseError as exc:
            raise RecordsError([Problem("", f"not a usable records database: {exc}", str(path))]) from None
        if mode != "wal":
            raise RecordsError([Problem("", f"could not switch the database to WAL mode (got {mode})", str(path))])
        return cls(path, db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> RecordStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # writing

    def add_pack(self, snapshot: PackSnapshot) -> None:
        """Store a pack's files (each once, by content) and its manifest, unless already stored."""
        if self.db.execute("SELECT 1 FROM packs WHERE content_hash = ?", (snapshot.content_hash,)).fetchone():
            return
        with _transaction(self.db):
            self.db.executemany(
                "INSERT OR IGNORE INTO pack_files (sha256, content) VALUES (?, ?)", list(snapshot.blobs.items())
            )
            self.db.execute(
                "INSERT OR IGNORE INTO packs (content_hash, pack_id, version, manifest, stored_at) VALUES (?,?,?,?,?)",
                (snapshot.content_hash, snapshot.pack_id, snapshot.version, snapshot.manifest(), utc_now()),
            )

    def append(self, records: Sequence[Sequence[object]], results: Iterable[tuple[str, str]] = ()) -> None:
        """Append records (tuples in RECORD_COLUMNS order) and the results they refer to, in one transaction."""
        with _transaction(self.db):
            self.db.executemany("INSERT OR IGNORE INTO results (sha256, json) VALUES (?, ?)", list(results))
            self.db.executemany(_INSERT_RECORD, records)

    # reading

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM records").fetchone()[0])

    def get(self, id_or_prefix: str) -> dict[str, Any]:
        prefix = id_or_prefix.strip().upper()
        rows = self.db.execute(
            f"SELECT {', '.join(RECORD_COLUMNS)} FROM records WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
            (prefix, prefix + "\U0010ffff"),
        ).fetchall()
        if not rows:
            raise RecordsError([Problem("", f"no record with id '{id_or_prefix}'", str(self.path))])
        if len(rows) > 1 and rows[0][0] != prefix:
            raise RecordsError(
                [Problem("", f"'{id_or_prefix}' is the start of several record ids; give more of it", str(self.path))]
            )
        return dict(zip(RECORD_COLUMNS, rows[0], strict=True))

    def result_json(self, result_hash: str) -> dict[str, Any]:
        row = self.db.execute("SELECT json FROM results WHERE sha256 = ?", (result_hash,)).fetchone()
        if row is None:
            raise RecordsError([Problem("", f"the stored result {result_hash} is missing", str(self.path))])
        data: dict[str, Any] = json.loads(row[0])
        return data

    def list(
        self, pack: str | None = None, uscc: str | None = None, command: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        """The newest records first, optionally filtered."""
        where, params = [], []
        for column, value in (("pack_id", pack), ("uscc", uscc), ("command", command)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = f"SELECT {', '.join(RECORD_COLUMNS)} FROM records"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit > 0:
            sql += f" LIMIT {int(limit)}"
        return [dict(zip(RECORD_COLUMNS, row, strict=True)) for row in self.db.execute(sql, params)]

    def rebuild_pack(self, content_hash_: str, into: Path) -> Path:
        """Write the stored pack (and its ancestors, as siblings) under `into`; return the pack's directory."""
        row = self.db.execute("SELECT pack_id, manifest FROM packs WHERE content_hash = ?", (content_hash_,)).fetchone()
        if row is None:
            raise RecordsError([Problem("", f"the pack {content_hash_} is not stored", str(self.path))])
        pack_id, manifest = row[0], json.loads(row[1])
        top: Path | None = None
        files: list[PackFile] = []
        for file_pack, directory, rel, digest in manifest:
            blob = self.db.execute("SELECT content FROM pack_files WHERE sha256 = ?", (digest,)).fetchone()
            if blob is None:
                raise RecordsError([Problem("", f"stored pack file {directory}/{rel} is missing", str(self.path))])
            target = into / directory / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob[0])
            files.append(PackFile(file_pack, directory, rel, hashlib.sha256(blob[0]).hexdigest()))
            if file_pack == pack_id:
                top = into / directory
        if top is None:
            raise RecordsError([Problem("", f"the stored pack {content_hash_} has no files of {pack_id}")])
        rebuilt = content_hash(files)
        if rebuilt != content_hash_:
            raise RecordsError(
                [Problem("", f"the stored files of pack {pack_id} hash to {rebuilt}, not {content_hash_}")]
            )
        return top


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# --- what a record holds ------------------------------------------------------------------------------------------


def decision_summary(result: Result) -> tuple[str, str]:
    """(outcomes, citations) as compact JSON: {decision: outcome} and {decision: ["doc clause", ...]}."""
    outcomes = {name: d.outcome for name, d in result.decisions.items()}
    citations = {name: [f"{c['doc']} {c['clause']}" for c in d.citations] for name, d in result.decisions.items()}
    return canonical_json(outcomes), canonical_json(citations)


@dataclass(frozen=True)
class Recorder:
    """What every record of one run shares: the store, the pack snapshot and how it was asked for."""

    store: RecordStore
    pack: Pack
    snapshot: PackSnapshot
    ref: str
    command: str

    @classmethod
    def start(cls, db: Path | str, pack: Pack, given_ref: str, command: str) -> Recorder:
        store = RecordStore.open(db)
        snapshot = snapshot_pack(pack)
        store.add_pack(snapshot)
        return cls(store, pack, snapshot, pack_ref(given_ref, pack), command)

    def shared(self, engine: str, as_of: date) -> tuple[str, str, str, str, str, str, str]:
        """The columns pack_id … as_of, in RECORD_COLUMNS order."""
        return (
            self.pack.id,
            self.pack.version,
            self.snapshot.content_hash,
            self.ref,
            engine,
            __version__,
            as_of.isoformat(),
        )

    def record(self, document: Mapping[str, Any], result: Result, source: str | None, row: int | None) -> str:
        """Append one evaluation; return its record id."""
        record_id = new_id()
        input_json = canonical_json(document)
        result_json = canonical_json(result.to_json(trace=False))
        result_hash = sha256_text(result_json)
        outcomes, citations = decision_summary(result)
        enterprise = document.get("enterprise") if isinstance(document, Mapping) else None
        ent = enterprise if isinstance(enterprise, Mapping) else {}
        row_values = (
            record_id,
            utc_now(),
            self.command,
            source,
            row,
            *self.shared(result.engine, result.as_of),
            _text_or_none(ent.get("uscc")),
            _text_or_none(ent.get("name")),
            input_json,
            sha256_text(input_json),
            outcomes,
            citations,
            result_hash,
        )
        self.store.append([row_values], [(result_hash, result_json)])
        return record_id


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


# --- replay -----------------------------------------------------------------------------------------------------


@dataclass
class DecisionChange:
    decision: str
    changes: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"decision": self.decision, "changes": self.changes}


@dataclass
class Evaluation:
    """One re-evaluation of a recorded input: with which pack, and what came out (or why it could not)."""

    label: str
    pack_hash: str | None
    error: str | None = None
    changes: list[DecisionChange] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return self.error is None and not self.changes

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.label,
            "content_hash": self.pack_hash,
            "error": self.error,
            "same_as_recorded": self.same,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass
class Replay:
    record: dict[str, Any]
    recorded_pack: Evaluation
    current_pack: Evaluation

    @property
    def stands(self) -> bool:
        return self.current_pack.same

    def to_json(self) -> dict[str, Any]:
        rec = {k: self.record[k] for k in RECORD_COLUMNS if k not in ("input", "outcomes", "citations")}
        rec["outcomes"] = json.loads(self.record["outcomes"])
        return {
            "record": rec,
            "recorded_pack": self.recorded_pack.to_json(),
            "current_pack": self.current_pack.to_json(),
            "stands": self.stands,
        }


def compare_results(recorded: Mapping[str, Any], now: Mapping[str, Any]) -> list[DecisionChange]:
    """Decision by decision: outcome, categories, flags and citations that differ (contract §3 JSON on both sides)."""
    changes: list[DecisionChange] = []
    before, after = recorded.get("decisions", {}), now.get("decisions", {})
    for name in [d for d in DECISIONS if d in before or d in after]:
        a, b = before.get(name), after.get(name)
        if a is None or b is None:
            changes.append(
                DecisionChange(name, [f"decision {'no longer made' if b is None else 'now made'}: {_outcome(a or b)}"])
            )
            continue
        lines = []
        if a["outcome"] != b["outcome"]:
            lines.append(f"outcome: {a['outcome']} → {b['outcome']}")
        if a.get("categories", []) != b.get("categories", []):
            lines.append(f"categories: {a.get('categories', [])} → {b.get('categories', [])}")
        for flag in sorted({k for k, v in {**a, **b}.items() if isinstance(v, bool)}):
            if a.get(flag) != b.get(flag):
                lines.append(f"{flag}: {a.get(flag)} → {b.get(flag)}")
        cited_a = [_citation(c) for c in a.get("citations", [])]
        cited_b = [_citation(c) for c in b.get("citations", [])]
        lines += [f"citation no longer given: {c}" for c in cited_a if c not in cited_b]
        lines += [f"citation now given: {c}" for c in cited_b if c not in cited_a]
        if not lines and a.get("decided_by") != b.get("decided_by"):
            lines.append(f"decided by: {a.get('decided_by')} → {b.get('decided_by')} (same outcome and citations)")
        if lines:
            changes.append(DecisionChange(name, lines))
    return changes


def _outcome(decision: Mapping[str, Any] | None) -> str:
    return str(decision["outcome"]) if decision else "—"


def _citation(c: Mapping[str, str]) -> str:
    text = c.get("text", "")
    return f"{c['doc']} {c['clause']}" + (f" 「{text[:40]}{'…' if len(text) > 40 else ''}」" if text else "")


def _reevaluate(label: str, load: Any, record: Mapping[str, Any], recorded: Mapping[str, Any]) -> Evaluation:
    try:
        pack: Pack = load()
    except PolicyRulesError as exc:
        return Evaluation(label, None, error="the pack cannot be loaded: " + "; ".join(str(p) for p in exc.problems))
    digest = snapshot_pack(pack).content_hash
    try:
        result = pack.evaluate(
            json.loads(record["input"]),
            as_of=date.fromisoformat(record["as_of"]),
            engine=record["engine"],
            trace=False,
        )
    except PolicyRulesError as exc:
        return Evaluation(label, digest, error="cannot be evaluated: " + "; ".join(str(p) for p in exc.problems))
    return Evaluation(label, digest, changes=compare_results(recorded, result.to_json(trace=False)))


def replay(store: RecordStore, record_id: str) -> Replay:
    """Re-evaluate a recorded input with the pack it was decided under (rebuilt from the store, its content hash
    checked) and with the current pack; compare both with what was recorded."""
    record = store.get(record_id)
    recorded = store.result_json(record["result_hash"])
    with tempfile.TemporaryDirectory(prefix="policyrules-replay-") as tmp:
        try:
            directory = store.rebuild_pack(record["pack_hash"], Path(tmp))
        except RecordsError as exc:
            original = Evaluation("recorded", record["pack_hash"], error="; ".join(p.message for p in exc.problems))
        else:
            original = _reevaluate("recorded", lambda: load_pack(str(directory)), record, recorded)
    ref = record["pack_ref"]
    current = _reevaluate(ref, lambda: load_pack(ref), record, recorded)
    return Replay(record, original, current)


def render_replay(rep: Replay) -> str:
    r = rep.record
    outcomes = json.loads(r["outcomes"])
    lines = [
        f"record {r['id']}  {r['time']}  {r['command']}"
        + (f"  {r['source']}" if r["source"] else "")
        + (f" row {r['row']}" if r["row"] is not None else ""),
        f"  enterprise: {r['name']}（{r['uscc']}）",
        f"  pack: {r['pack_id']} {r['pack_version']}  content sha256 {r['pack_hash'][:16]}…  engine {r['engine']}  "
        f"policyrules {r['library_version']}  as of {r['as_of']}",
        "  recorded: " + ", ".join(f"{d} {outcomes[d]}" for d in DECISIONS if d in outcomes),
        "",
    ]
    for title, ev in (
        ("with the pack it was made under", rep.recorded_pack),
        ("with the current pack", rep.current_pack),
    ):
        if ev.pack_hash is None or ev.pack_hash == r["pack_hash"]:
            state = "rebuilt from the record store, content hash matches" if ev is rep.recorded_pack else "unchanged"
        else:
            state = f"content sha256 {ev.pack_hash[:16]}… differs from the recorded one"
        lines.append(f"{title} ({ev.label}; {state}):")
        if ev.error:
            lines.append(f"  {ev.error}")
        elif ev.same:
            lines.append("  every decision as recorded")
        for change in ev.changes:
            lines.append(f"  {change.decision}:")
            lines += [f"    {c}" for c in change.changes]
    lines.append("")
    if rep.stands:
        lines.append("the recorded decision still stands")
    else:
        n = len(rep.current_pack.changes)
        what = f"{n} decision{'s' if n != 1 else ''} changed" if n else "the current pack cannot decide it"
        lines.append(f"the recorded decision no longer stands: {what}")
    return "\n".join(lines) + "\n"


def render_list(rows: Sequence[Mapping[str, Any]]) -> str:
    out = []
    for r in rows:
        outcomes = json.loads(r["outcomes"])
        where = (r["source"] or "") + (f":{r['row']}" if r["row"] is not None else "")
        out.append(
            "\t".join(
                [
                    r["id"],
                    r["time"],
                    r["command"],
                    f"{r['pack_id']}@{r['pack_version']}",
                    r["as_of"],
                    r["uscc"] or "",
                    r["name"] or "",
                    " ".join(f"{d}={outcomes[d]}" for d in DECISIONS if d in outcomes),
                    where,
                ]
            )
        )
    return "".join(line + "\n" for line in out)


def warn(message: str) -> None:
    print(f"policyrules: {message}", file=sys.stderr)


# --- command line -------------------------------------------------------------------------------------------------

_FACTS_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".ndjson", ".csv", ".xlsx")


class _RecordAction(argparse.Action):
    """`--record [DB]`. A DB named like a facts or register file is almost certainly the FILE argument swallowed
    by the optional value (`--record facts.yaml`), so it is refused with a hint."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        if isinstance(values, str) and values.lower().endswith(_FACTS_SUFFIXES):
            raise argparse.ArgumentError(
                self,
                f"'{values}' looks like an input file, not a records database: put FILE before --record, "
                "or give the database as --record=DB",
            )
        setattr(namespace, self.dest, values)


def add_record_option(cmd: Any) -> None:
    cmd.add_argument(
        "--record",
        action=_RecordAction,
        nargs="?",
        const="",
        default=None,
        metavar="DB",
        help=f"append every decision to this SQLite records database (no DB: ${ENV_VAR}, "
        "else ~/.local/share/policyrules/records.sqlite)",
    )


def record_path(args: Any) -> Path | None:
    """The records database `--record` asks for: None without the option, the default location for a bare
    `--record`."""
    value = getattr(args, "record", None)
    if value is None:
        return None
    if value == "":
        return default_db_path()
    return Path(value)


def record_evaluation(args: Any, pack: Pack, result: Result, document: Mapping[str, Any], source: str) -> None:
    """`evaluate` / `explain` with --record: append the evaluation and say where it went."""
    db = record_path(args)
    if db is None:
        return
    recorder = Recorder.start(db, pack, args.pack, args.command)
    try:
        record_id = recorder.record(document, result, source, None)
    finally:
        recorder.store.close()
    print(f"policyrules: recorded {record_id} in {db}", file=sys.stderr)


def add_records_parsers(sub: Any) -> None:
    records = sub.add_parser("records", help="the decision records database")
    verbs = records.add_subparsers(dest="records_command", required=True)
    listing = verbs.add_parser("list", help="recorded decisions, newest first")
    listing.add_argument("--db", default=None, help=f"records database (default ${ENV_VAR} or ~/.local/share/…)")
    listing.add_argument("--pack", default=None)
    listing.add_argument("--uscc", default=None)
    listing.add_argument("--command", dest="source_command", choices=("evaluate", "explain", "batch"), default=None)
    listing.add_argument("--limit", type=int, default=20, help="at most this many (0: all; default 20)")
    listing.add_argument("--format", choices=("text", "json"), default="text")

    rep = sub.add_parser("replay", help="re-evaluate a recorded decision with its own pack and the current one")
    rep.add_argument("id", help="a record id (or a unique start of one)")
    rep.add_argument("--db", default=None, help="records database (default as for records list)")
    rep.add_argument("--format", choices=("text", "json"), default="text")


def _db(args: Any) -> Path:
    return Path(args.db) if args.db else default_db_path()


def cmd_records(args: Any) -> int:
    with RecordStore.open(_db(args), create=False) as store:
        rows = store.list(args.pack, args.uscc, args.source_command, args.limit)
    if args.format == "json":
        out = []
        for r in rows:
            item = {k: r[k] for k in RECORD_COLUMNS if k != "input"}
            item["outcomes"] = json.loads(r["outcomes"])
            item["citations"] = json.loads(r["citations"])
            out.append(item)
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(render_list(rows), end="")
    return 0


def cmd_replay(args: Any) -> int:
    with RecordStore.open(_db(args), create=False) as store:
        rep = replay(store, args.id)
    if args.format == "json":
        print(json.dumps(rep.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render_replay(rep), end="")
    return 0 if rep.stands else 1
