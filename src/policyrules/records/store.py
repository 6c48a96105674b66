"""The append-only SQLite store of decision records: where it lives, opening it, appending, reading back.

Triggers abort every UPDATE, DELETE and every INSERT that meets an existing key (so INSERT OR REPLACE cannot
rewrite a record), and each record carries the hash of its content chained to the previous record's
(schema.py; verify.py checks the chain). The database runs in WAL mode with synchronous=FULL, and a batch commits
one transaction per group of chunks (registers.run: up to 25,000 records, or a few seconds' worth) *before* it
writes those chunks' rows (which carry their record ids) to its output, so whatever a batch has reported is
recorded, and a batch killed at any point leaves every committed record intact.
Read commands open the database read-only and change nothing in a file that is not a records database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import PolicyRulesError, Problem
from .canonical import canonical_json, utc_now
from .schema import GENESIS, INSERT_RECORD, RECORD_COLUMNS, SCHEMA_VERSION, SELECT_RECORDS, TABLES, create_statements
from .snapshot import PackSnapshot

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


def chain_hash(previous: str, values: Sequence[object]) -> str:
    """The record_hash of a record: sha256 over the previous record's hash and the record's stored columns."""
    return hashlib.sha256(f"{previous}\n{canonical_json(list(values))}".encode()).hexdigest()


class RecordStore:
    """The records database. Open with `RecordStore.open(path)` (to append) or `RecordStore.open(path,
    create=False)` (read-only); use as a context manager."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.db = connection
        self._citations: dict[str, str] = {}

    @classmethod
    def open(cls, path: Path | str, create: bool = True) -> RecordStore:
        path = Path(path)
        if not create:
            return cls(path, _open_read_only(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=60, isolation_level=None)
            db.execute("PRAGMA busy_timeout = 60000")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]:
                db.close()
                raise _not_records(path, "it is an SQLite database of something else")
            _check_version(version, path)
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            db.execute("PRAGMA synchronous = FULL")
            # The uscc index takes records in random order: with SQLite's 2 MB page cache a large database
            # re-reads an index page for almost every record; 64 MB holds the index of a few million records
            # (a cache, filled only as pages are used, and only on a connection that appends).
            db.execute("PRAGMA cache_size = -65536")
            # and it checkpoints every 64 MB of WAL, not every 4 MB: an index page changed by several commits in
            # between is copied into the database once (the WAL is emptied when the last connection closes)
            db.execute("PRAGMA wal_autocheckpoint = 16384")
            if version == 0:
                with _transaction(db):
                    for statement in create_statements():
                        db.execute(statement)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise _not_records(path, str(exc)) from None
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

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on any exception)."""
        with _transaction(self.db):
            yield

    def add_pack(self, snapshot: PackSnapshot) -> None:
        """Store a pack's files (each once, by content) and its manifest, unless already stored."""
        if self.db.execute("SELECT 1 FROM packs WHERE content_hash = ?", (snapshot.content_hash,)).fetchone():
            return
        with _transaction(self.db):
            for digest, content in snapshot.blobs.items():
                insert_new(self.db, "pack_files", "sha256", (digest, content))
            insert_new(
                self.db,
                "packs",
                "content_hash",
                (snapshot.content_hash, snapshot.pack_id, snapshot.version, snapshot.manifest(), utc_now()),
            )

    def append(self, records: Sequence[Sequence[object]], results: Iterable[tuple[str, str]] = ()) -> None:
        """Append records (tuples in RECORD_COLUMNS order) and the results they refer to, in one transaction,
        each record chained to the one before."""
        with _transaction(self.db):
            for result in results:
                insert_new(self.db, "results", "sha256", result)
            last = self.db.execute("SELECT record_hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
            previous = last[0] if last else GENESIS
            rows = []
            for values in records:
                previous = chain_hash(previous, values)
                rows.append((*values, previous))
            self.db.executemany(INSERT_RECORD, rows)

    # reading

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM records").fetchone()[0])

    def get(self, id_or_prefix: str) -> dict[str, Any]:
        prefix = id_or_prefix.strip().upper()
        rows = self.db.execute(
            f"{SELECT_RECORDS} WHERE r.id >= ? AND r.id < ? ORDER BY r.id LIMIT 2",
            (prefix, prefix + "\U0010ffff"),
        ).fetchall()
        if not rows:
            raise RecordsError([Problem("", f"no record with id '{id_or_prefix[:40]}'", str(self.path))])
        if len(rows) > 1 and rows[0][0] != prefix:
            raise RecordsError(
                [Problem("", f"'{id_or_prefix}' is the start of several record ids; give more of it", str(self.path))]
            )
        return self._as_read(rows[0])

    def intact(self, record_id: str) -> bool:
        """Whether a record still matches its record_hash, computed from the record before it (a record rewritten
        in place does not; `records verify` checks the whole chain)."""
        columns = ", ".join(RECORD_COLUMNS)
        row = self.db.execute(f"SELECT seq, {columns}, record_hash FROM records WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            return False
        before = self.db.execute(
            "SELECT record_hash FROM records WHERE seq < ? ORDER BY seq DESC LIMIT 1", (row[0],)
        ).fetchone()
        try:
            return bool(chain_hash(before[0] if before else GENESIS, row[1:-1]) == row[-1])
        except (TypeError, ValueError):  # a value no record holds (a BLOB written by other means)
            return False

    def result_json(self, result_hash: str) -> dict[str, Any]:
        row = self.db.execute("SELECT json FROM results WHERE sha256 = ?", (result_hash,)).fetchone()
        if row is None:
            raise RecordsError([Problem("", f"the stored result {result_hash} is missing", str(self.path))])
        data = stored_json(row[0], f"the stored result {result_hash}", self.path)
        if not isinstance(data, dict):
            raise RecordsError([Problem("", f"the stored result {result_hash} is not a JSON object", str(self.path))])
        return data

    def iter_records(
        self, pack: str | None = None, uscc: str | None = None, command: str | None = None, limit: int = 20
    ) -> Iterator[dict[str, Any]]:
        """The newest records first, optionally filtered, one at a time (bounded memory on any number)."""
        where, params = [], []
        for column, value in (("p.pack_id", pack), ("r.uscc", uscc), ("r.command", command)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = SELECT_RECORDS
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY r.seq DESC"
        if limit > 0:
            sql += f" LIMIT {int(limit)}"
        for row in self.db.execute(sql, params):
            yield self._as_read(row)

    def list(
        self, pack: str | None = None, uscc: str | None = None, command: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        """The newest records first, optionally filtered."""
        return [*self.iter_records(pack, uscc, command, limit)]

    def rebuild_pack(self, content_hash_: str, into: Path) -> Path:
        """Write the stored pack (and its ancestors, as siblings) under `into`; return the pack's directory."""
        from .rebuild import rebuild_pack

        return rebuild_pack(self, content_hash_, into)

    def _as_read(self, row: Sequence[Any]) -> dict[str, Any]:
        """A stored row (SELECT_RECORDS) as the record it stands for, the derivable columns derived."""
        stored, (pack_id, version, record_hash) = row[:-3], row[-3:]
        record = dict(zip(RECORD_COLUMNS, stored, strict=True))
        what = f"record {str(record['id'])[:40]}"
        _check_types(record, what, self.path)
        document = stored_json(record["input"], f"the input of {what}", self.path)
        enterprise = document.get("enterprise") if isinstance(document, dict) else None
        name = enterprise.get("name") if isinstance(enterprise, dict) else None
        outcomes = stored_json(record["outcomes"], f"the outcomes of {what}", self.path)
        if not (isinstance(outcomes, dict) and all(isinstance(v, str) for v in outcomes.values())):
            raise RecordsError([Problem("", f"the outcomes of {what} are not {{decision: outcome}}", str(self.path))])
        record.update(
            pack_id=pack_id or "?",
            pack_version=version or "?",
            name=None if name is None else str(name),
            input_hash=hashlib.sha256(str(record["input"]).encode()).hexdigest(),
            citations=self._citations_of(str(record["result_hash"])),
            record_hash=record_hash,
        )
        return record

    def _citations_of(self, result_hash: str) -> str:
        """{decision: ["doc clause", ...]} as JSON, from the stored result (once per distinct result)."""
        known = self._citations.get(result_hash)
        if known is None:
            try:
                decisions = self.result_json(result_hash).get("decisions", {})
                cited = {n: [f"{c['doc']} {c['clause']}" for c in d.get("citations", [])] for n, d in decisions.items()}
            except (RecordsError, ValueError, TypeError, KeyError, AttributeError):
                cited = {}
            known = canonical_json(cited)
            if len(self._citations) > 10_000:
                self._citations.clear()
            self._citations[result_hash] = known
        return known


_OPTIONAL = {"source", "row", "uscc"}


def _check_types(record: dict[str, Any], what: str, db: Path) -> None:
    """A record from elsewhere holds what this library writes: text, the row a number, the date a date."""
    for column, value in record.items():
        expected = int if column == "row" else str
        if not (isinstance(value, expected) or (value is None and column in _OPTIONAL)):
            raise RecordsError([Problem("", f"{what}: its {column} is not what a record holds", str(db))])
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["as_of"]):
        raise RecordsError([Problem("", f"{what}: its as_of is not a date", str(db))])
    try:
        date.fromisoformat(record["as_of"])
    except ValueError:
        raise RecordsError([Problem("", f"{what}: its as_of is not a date", str(db))]) from None


def stored_json(text: object, what: str, db: Path) -> Any:
    """JSON stored in a records database, which may come from elsewhere: anything but valid JSON of bounded
    nesting is a RecordsError naming what it is, never a crash."""
    try:
        return json.loads(text if isinstance(text, str | bytes) else "")
    except (ValueError, RecursionError):
        raise RecordsError([Problem("", f"{what} is not valid JSON", str(db))]) from None


def _not_records(path: Path, why: str) -> RecordsError:
    return RecordsError([Problem("", f"not a policyrules records database ({why})", str(path))])


def _check_version(version: int, path: Path) -> None:
    if version not in (0, SCHEMA_VERSION):
        raise RecordsError(
            [
                Problem(
                    "",
                    f"records schema version {version}; this policyrules reads version {SCHEMA_VERSION}: copy "
                    "the records into a new database with `policyrules records migrate --db OLD NEW`",
                    str(path),
                )
            ]
        )


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Open for reading only (mode=ro: no schema created, no switch to WAL), after checking that the file is a
    records database of this schema."""
    if not path.is_file():
        raise RecordsError([Problem("", "no records database here (record with --record first)", str(path))])
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60, isolation_level=None)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise _not_records(path, str(exc)) from None
    if version == 0 and not tables:
        # A file `--record` created but whose schema never committed (the run was killed first): no records yet.
        # Read it as the empty store it is, without writing to it.
        db.close()
        return _empty_store()
    if version == 0 or not set(TABLES) <= tables:
        db.close()
        raise _not_records(path, "its tables are not those of policyrules records")
    _check_version(version, path)
    return db


def _empty_store() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None)
    for statement in create_statements():
        db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return db


def insert_new(db: sqlite3.Connection, table: str, key: str, values: Sequence[object]) -> None:
    """Insert a content-addressed row unless its key is stored already (the triggers refuse a second insert)."""
    marks = ", ".join("?" * len(values))
    db.execute(
        f"INSERT INTO {table} SELECT {marks} WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {key} = ?)",
        (*values, values[0]),
    )


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
