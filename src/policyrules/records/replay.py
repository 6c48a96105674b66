"""Replay: re-evaluate a recorded input with the pack it was decided under and with the current pack, and say
what changed, decision by decision."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..engines import Pack, load_pack
from ..errors import PolicyRulesError
from ..packs import DECISIONS
from .schema import READ_COLUMNS
from .snapshot import snapshot_pack
from .store import RecordsError, RecordStore


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
    intact: bool = True  # the record still matches its record_hash (chained to the record before it)

    @property
    def stands(self) -> bool:
        return self.intact and self.current_pack.same

    def to_json(self) -> dict[str, Any]:
        rec = {k: self.record[k] for k in READ_COLUMNS if k not in ("input", "outcomes", "citations")}
        rec["outcomes"] = json.loads(self.record["outcomes"])
        return {
            "record": rec,
            "recorded_pack": self.recorded_pack.to_json(),
            "current_pack": self.current_pack.to_json(),
            "intact": self.intact,
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
    return Replay(record, original, current, store.intact(record["id"]))


@dataclass(frozen=True)
class RecordedInput:
    """What a recorded decision was made from: its input, its date and engine, and the very pack it was decided
    under (rebuilt from the store and its content hash checked), so it can be explained again as it was."""

    record: dict[str, Any]
    pack: Pack
    facts: dict[str, Any]
    as_of: date
    engine: str
    intact: bool  # whether the record still matches its hash (False: altered since it was written)


def recorded_input(store: RecordStore, record_id: str) -> RecordedInput:
    record = store.get(record_id)
    with tempfile.TemporaryDirectory(prefix="policyrules-explain-") as tmp:
        directory = store.rebuild_pack(record["pack_hash"], Path(tmp))
        pack = load_pack(str(directory))  # read whole into memory: the directory may go
    facts: dict[str, Any] = json.loads(record["input"])
    day = date.fromisoformat(record["as_of"])
    return RecordedInput(record, pack, facts, day, record["engine"], store.intact(record["id"]))
