"""Decision records: the append-only SQLite store and the replay of a recorded decision."""

from .store import (
    Recorder,
    add_record_option,
    add_records_parsers,
    canonical_json,
    cmd_records,
    cmd_replay,
    decision_summary,
    format_id,
    record_evaluation,
    record_path,
    reserve_ids,
    sha256_text,
    utc_now,
)

__all__ = [
    "Recorder",
    "add_record_option",
    "add_records_parsers",
    "canonical_json",
    "cmd_records",
    "cmd_replay",
    "decision_summary",
    "format_id",
    "record_evaluation",
    "record_path",
    "reserve_ids",
    "sha256_text",
    "utc_now",
]
