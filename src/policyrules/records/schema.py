"""The records database's tables, its append-only triggers and the column order of a record.

A record stores only what cannot be derived (issue 12, lean records): the input, the pack's content hash, how
the pack was asked for, the engine, the library version, the evaluation date, the outcomes, the time, and the
hash of the full result, which is stored once per distinct result (its citations and their texts included).
The pack's id and version come from the `packs` table, the enterprise's name and the input's hash from the
input, the citations from the result. Each record also carries `record_hash`, sha256 over the previous record's
`record_hash` and its own stored columns: a chain `policyrules records verify` checks link by link.
"""

from __future__ import annotations

SCHEMA_VERSION = 2
GENESIS = "0" * 64  # the `previous record_hash` of the first record

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
    pack_hash TEXT NOT NULL REFERENCES packs(content_hash),
    pack_ref TEXT NOT NULL,
    engine TEXT NOT NULL,
    library_version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    uscc TEXT,
    input TEXT NOT NULL,
    outcomes TEXT NOT NULL,
    result_hash TEXT NOT NULL REFERENCES results(sha256),
    record_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_uscc ON records(uscc);
"""

# The key of each table: an INSERT that meets an existing key is refused, so INSERT OR REPLACE cannot rewrite.
_KEYS = {
    "pack_files": "sha256 = NEW.sha256",
    "packs": "content_hash = NEW.content_hash",
    "results": "sha256 = NEW.sha256",
    "records": "id = NEW.id OR seq = NEW.seq",
}

# What a record stores, in this order (the tuple the recorder and the batch workers build); record_hash follows.
RECORD_COLUMNS = (
    "id",
    "time",
    "command",
    "source",
    "row",
    "pack_hash",
    "pack_ref",
    "engine",
    "library_version",
    "as_of",
    "uscc",
    "input",
    "outcomes",
    "result_hash",
)
_MARKS = ", ".join("?" * (len(RECORD_COLUMNS) + 1))
INSERT_RECORD = f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}, record_hash) VALUES ({_MARKS})"

# A record as read: the stored columns, what is derived from them, and the chain hash.
READ_COLUMNS = (*RECORD_COLUMNS, "pack_id", "pack_version", "name", "input_hash", "citations", "record_hash")
SELECT_RECORDS = (
    f"SELECT {', '.join('r.' + c for c in RECORD_COLUMNS)}, p.pack_id, p.version, r.record_hash "
    "FROM records r LEFT JOIN packs p ON p.content_hash = r.pack_hash"
)


def _triggers() -> list[str]:
    out = []
    for table, key in _KEYS.items():
        for action in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'policyrules records are append-only: {action} on {table} refused'); END"
            )
        out.append(
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {key}) "
            f"BEGIN SELECT RAISE(ABORT, 'policyrules records are append-only: REPLACE on {table} refused'); END"
        )
    return out


def create_statements() -> list[str]:
    """What a new database runs, in order: the tables, the index, then the triggers."""
    return [statement for statement in [*_SCHEMA.split(";"), *_triggers()] if statement.strip()]


TABLES = tuple(_KEYS)
