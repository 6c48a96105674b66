"""Decision records: every evaluation made with `--record`, appended to SQLite so that a decision can be traced
back and replayed (环办执法〔2021〕10号 二、（五）: 全过程留痕和可回溯管理).

One row per evaluation of one facts document: a sortable unique id, the time, the pack (id, version and a
content hash over its files and its ancestors'), the engine and library version, the evaluation date, the input
document as canonical JSON, the outcome of every decision, and the hash of the full result (every rule's holding,
citations and their texts, notes), stored once per distinct result; every file a pack reads is stored once,
content-addressed, so `replay` can rebuild the exact pack a decision was made under. Each record carries a hash
chained to the record before it; `verify` checks the chain.

ids (ULIDs) → canonical (JSON, hashes, time) → snapshot (pack files, content hash) → schema → store (the
append-only database) → recorder (writing records) → rebuild (a stored pack into a folder) → replay
(re-evaluating one) → verify (the chain) → render (text and JSON).
"""

from .canonical import canonical_json, sha256_text, utc_now
from .ids import format_id, format_ids, new_id, parse_id, reserve_ids
from .migrate import migrate
from .recorder import Recorder, decision_summary
from .render import list_json, record_json, render_list, render_replay
from .replay import DecisionChange, Evaluation, RecordedInput, Replay, compare_results, recorded_input, replay
from .schema import RECORD_COLUMNS, SCHEMA_VERSION
from .snapshot import PackFile, PackSnapshot, content_hash, pack_ref, snapshot_pack
from .store import ENV_VAR, RecordsError, RecordStore, chain_hash, default_db_path
from .verify import Verification, verify

__all__ = [
    "ENV_VAR",
    "RECORD_COLUMNS",
    "SCHEMA_VERSION",
    "DecisionChange",
    "Evaluation",
    "PackFile",
    "PackSnapshot",
    "RecordStore",
    "RecordedInput",
    "Recorder",
    "RecordsError",
    "Replay",
    "Verification",
    "canonical_json",
    "chain_hash",
    "compare_results",
    "content_hash",
    "decision_summary",
    "default_db_path",
    "format_id",
    "format_ids",
    "list_json",
    "migrate",
    "new_id",
    "pack_ref",
    "parse_id",
    "record_json",
    "recorded_input",
    "render_list",
    "render_replay",
    "replay",
    "reserve_ids",
    "sha256_text",
    "snapshot_pack",
    "utc_now",
    "verify",
]
