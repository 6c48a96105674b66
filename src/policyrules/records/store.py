"""The append-only SQLite store of decision records: where it lives, opening it, appending, reading back.

Triggers abort every UPDATE and DELETE. The database runs in WAL mode with synchronous=FULL, and a batch commits
one transaction per chunk *before* it writes that chunk's rows (which carry their record ids) to its output, so
whatever a batch has reported is recorded, and a batch killed at any point leaves every committed record intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import PolicyRulesError, Problem
from .canonical import utc_now
from .schema import INSERT_RECORD, RECORD_COLUMNS, SCHEMA_VERSION, create_statements
from .snapshot import PackFile, PackSnapshot, content_hash

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
                    for statement in create_statements():
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
            self.db.executemany(INSERT_RECORD, records)

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
        """Write the stored pack (and its ancestors, as siblings) under `into`; return the pack's directory.

        A records database from elsewhere is untrusted: every file's content is checked against its hash and the
        manifest against the pack's content hash BEFORE anything is written, each path must be relative and
        stay inside `into`, and files are created new, never through a link."""
        row = self.db.execute("SELECT pack_id, manifest FROM packs WHERE content_hash = ?", (content_hash_,)).fetchone()
        if row is None:
            raise RecordsError([Problem("", f"the pack {content_hash_} is not stored", str(self.path))])
        pack_id, entries = row[0], _read_manifest(row[1], self.path)
        blobs: list[tuple[str, str, bytes]] = []
        files: list[PackFile] = []
        for file_pack, directory, rel, digest in entries:
            blob = self.db.execute("SELECT content FROM pack_files WHERE sha256 = ?", (digest,)).fetchone()
            if blob is None or not isinstance(blob[0], bytes) or hashlib.sha256(blob[0]).hexdigest() != digest:
                raise RecordsError(
                    [Problem("", f"stored pack file {directory}/{rel} is missing or altered", str(self.path))]
                )
            files.append(PackFile(file_pack, directory, rel, digest))
            blobs.append((directory, rel, blob[0]))
        tops = {directory for file_pack, directory, _, _ in entries if file_pack == pack_id}
        if len(tops) != 1:
            raise RecordsError([Problem("", f"the stored pack {content_hash_} has no single directory of {pack_id}")])
        rebuilt = content_hash(files)
        if rebuilt != content_hash_:
            raise RecordsError(
                [Problem("", f"the stored files of pack {pack_id} hash to {rebuilt}, not {content_hash_}")]
            )
        for directory, rel, data in blobs:
            write_new_file(into, (directory, *rel.split("/")), data)
        return into / tops.pop()


# One component of a path a records database may name: no separators, not '.' or '..', no control characters.
_SAFE_NAME = re.compile(r"(?!\.\.?$)[^/\\\x00-\x1f]{1,255}")


def _read_manifest(text: str, db: Path) -> list[tuple[str, str, str, str]]:
    """The stored manifest, each entry checked: four strings, a directory that is one plain name and a path
    of plain names (no '..', nothing absolute)."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        data = None
    out: list[tuple[str, str, str, str]] = []
    for entry in data if isinstance(data, list) else [None]:
        if not (isinstance(entry, list) and len(entry) == 4 and all(isinstance(x, str) for x in entry)):
            raise RecordsError([Problem("", "a stored pack manifest is malformed", str(db))])
        pack, directory, rel, digest = entry
        if not _SAFE_NAME.fullmatch(directory) or not all(_SAFE_NAME.fullmatch(p) for p in rel.split("/")):
            raise RecordsError(
                [Problem("", f"a stored pack file has an unsafe path {directory[:60]!r}/{rel[:60]!r}", str(db))]
            )
        out.append((pack, directory, rel, digest))
    return out


def write_new_file(root: Path, parts: tuple[str, ...], data: bytes) -> None:
    """Create root/parts… as a new file: directories made as needed, no link followed (O_NOFOLLOW and O_EXCL)."""
    parent = root
    for part in parts[:-1]:
        parent = parent / part
        if parent.is_symlink():
            raise RecordsError([Problem("", f"refusing to write through a link: {parent}")])
        parent.mkdir(exist_ok=True)
    target = parent / parts[-1]
    if not target.resolve().is_relative_to(root.resolve()):
        raise RecordsError([Problem("", f"refusing to write outside {root}: {target}")])
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        raise RecordsError([Problem("", f"a stored pack names the file {'/'.join(parts)} twice")]) from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
