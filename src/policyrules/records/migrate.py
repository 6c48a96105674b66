"""Moving records written by an earlier policyrules into a database of this schema. The old file is opened
read-only and left as it is; the records go, in their order, into a new file, chained as they are appended. What
version 2 derives (pack id and version, name, input hash, citations) is dropped from the copy, since it is derived
again on reading from what is kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import Problem
from .schema import RECORD_COLUMNS
from .store import RecordsError, RecordStore, insert_new

# Version 1 (policyrules 0.1): the columns of a record, and the tables whose rows carry over unchanged.
_V1_TABLES = {
    "pack_files": ("sha256", "content"),
    "packs": ("content_hash", "pack_id", "version", "manifest", "stored_at"),
    "results": ("sha256", "json"),
}
_BATCH = 5_000


def migrate(old: Path, new: Path) -> int:
    """Copy every record of the version-1 database `old` into the new version-2 database `new` (which must not
    exist); return the number of records copied."""
    if new.exists():
        raise RecordsError([Problem("", "the new database must not exist yet (nothing is overwritten)", str(new))])
    source = _open_v1(old)
    try:
        with RecordStore.open(new) as target:
            with target.transaction():
                for table, columns in _V1_TABLES.items():
                    for row in source.execute(f"SELECT {', '.join(columns)} FROM {table}"):
                        insert_new(target.db, table, columns[0], row)
            copied = 0
            cursor = source.execute(f"SELECT {', '.join(RECORD_COLUMNS)} FROM records ORDER BY seq")
            while batch := cursor.fetchmany(_BATCH):
                target.append(batch)
                copied += len(batch)
    finally:
        source.close()
    return copied


def _open_v1(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise RecordsError([Problem("", "no records database here", str(path))])
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        columns = {r[1] for r in db.execute("PRAGMA table_info(records)")}
    except sqlite3.DatabaseError as exc:
        raise RecordsError([Problem("", f"not a policyrules records database ({exc})", str(path))]) from None
    if version != 1 or not set(RECORD_COLUMNS) <= columns:
        db.close()
        raise RecordsError([Problem("", f"not a version-1 records database (schema version {version})", str(path))])
    return db
