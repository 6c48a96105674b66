"""`policyrules records verify`: every record checked against its chain hash in order, every stored result and
pack file against its content hash, every pack against its manifest; the first broken link reported."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .schema import GENESIS, RECORD_COLUMNS
from .snapshot import PackFile, content_hash
from .store import RecordStore, chain_hash


@dataclass(frozen=True)
class Verification:
    """What `records verify` found: how many records it checked, the last record_hash (the head of the chain:
    keep it elsewhere to detect a rewritten tail), and the first problem, if any."""

    records: int
    head: str
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "records": self.records, "head": self.head, "first_problem": self.problem}


def verify(store: RecordStore) -> Verification:
    db = store.db
    checked, previous = 0, GENESIS
    sql = f"SELECT seq, {', '.join(RECORD_COLUMNS)}, record_hash FROM records ORDER BY seq"
    for seq, *values, stored in db.execute(sql):
        try:
            expected = chain_hash(previous, values)
        except (TypeError, ValueError):  # a value no record holds (a BLOB written by other means)
            expected = ""
        if stored != expected:
            what = "its content, or its link to the record before it, does not match its record_hash"
            return Verification(checked, previous, f"record #{seq} ({values[0]}): {what}")
        previous, checked = stored, checked + 1
    problem = _content_problem(store)
    return Verification(checked, previous, problem)


def _content_problem(store: RecordStore) -> str | None:
    """The first stored result, pack file or pack whose content does not match its hash, or a record that names
    a result or pack that is not stored."""
    db = store.db
    for sha, text in db.execute("SELECT sha256, json FROM results"):
        if not isinstance(text, str) or hashlib.sha256(text.encode()).hexdigest() != sha:
            return f"stored result {sha}: its content does not match its hash"
    for sha, content in db.execute("SELECT sha256, content FROM pack_files"):
        if not isinstance(content, bytes) or hashlib.sha256(content).hexdigest() != sha:
            return f"stored pack file {sha}: its content does not match its hash"
    for digest, manifest in db.execute("SELECT content_hash, manifest FROM packs"):
        try:
            files = [PackFile(*entry) for entry in json.loads(manifest)]
        except (TypeError, ValueError, RecursionError):
            return f"stored pack {digest}: its manifest is malformed"
        if content_hash(files) != digest:
            return f"stored pack {digest}: its manifest does not match its hash"
    missing = db.execute(
        "SELECT r.id FROM records r WHERE NOT EXISTS (SELECT 1 FROM results s WHERE s.sha256 = r.result_hash) "
        "OR NOT EXISTS (SELECT 1 FROM packs p WHERE p.content_hash = r.pack_hash) LIMIT 1"
    ).fetchone()
    return None if missing is None else f"record {missing[0]}: its result or its pack is not stored"
