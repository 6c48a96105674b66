"""Recording evaluations: one record per evaluated facts document, sharing one pack snapshot per run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .. import __version__
from ..engines import Pack, Result
from .canonical import canonical_json, sha256_text, utc_now
from .ids import new_id
from .snapshot import PackSnapshot, pack_ref, snapshot_pack
from .store import RecordStore


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

    def shared(self, engine: str, as_of: date) -> tuple[str, str, str, str, str]:
        """The columns pack_hash … as_of, in RECORD_COLUMNS order."""
        return (
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
        outcomes, _ = decision_summary(result)  # the citations are in the stored result
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
            input_json,
            outcomes,
            result_hash,
        )
        self.store.append([row_values], [(result_hash, result_json)])
        return record_id


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
