"""The answer of `whatif`: each alternative (its changes, its date, the changed facts, the clauses it rests on and
the evaluation that verified it) and the JSON of `policyrules whatif --format json`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ...engines import Result


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any
    says: str  # the phrase of the source the change satisfies (or stops holding)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "from": self.before, "to": self.after, "says": self.says}


@dataclass(frozen=True)
class Alternative:
    changes: tuple[Change, ...]
    as_of: date
    facts: dict[str, Any]
    cites: tuple[dict[str, str], ...]  # the rules that decide the outcome (or whose failing leaves it), with clauses
    result: Result  # the verifying evaluation

    def to_json(self, asked: date) -> dict[str, Any]:
        out: dict[str, Any] = {"changes": [c.to_json() for c in self.changes]}
        if self.as_of != asked:
            out["as_of"] = self.as_of.isoformat()
        out["facts"] = self.facts
        out["cites"] = [dict(c) for c in self.cites]
        return out


@dataclass(frozen=True)
class WhatIf:
    decision: str
    outcome: str
    as_of: date
    current: str | None  # the decision's outcome today (None: the decision is not asked by the facts)
    alternatives: tuple[Alternative, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "outcome": self.outcome,
            "alternatives": [a.to_json(self.as_of) for a in self.alternatives],
        }
