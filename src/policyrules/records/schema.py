"""The records database's tables, its append-only triggers and the column order of a record."""

from __future__ import annotations

SCHEMA_VERSION = 1

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
INSERT_RECORD = f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES ({', '.join('?' * len(RECORD_COLUMNS))})"


def _triggers() -> list[str]:
    out = []
    for table in _TABLES:
        for action in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'policyrules records are append-only: {action} on {table} refused'); END"
            )
    return out


def create_statements() -> list[str]:
    """What a new database runs, in order: the tables, the index, then the triggers."""
    return [statement for statement in [*_SCHEMA.split(";"), *_triggers()] if statement.strip()]
