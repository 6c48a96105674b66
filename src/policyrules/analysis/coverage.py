"""Clause coverage of a pack: every clause of its own documents, encoded (and by which rules), not encoded (and
why) or pending (not yet encoded: what is left to do); a clause marked encoded that no rule cites is UNCOVERED."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..engines import Pack
from ..packs import Clause


def coverage(pack: Pack) -> list[dict[str, Any]]:
    """Every clause of the pack's own documents: encoded (and by which rules) or not encoded (and why)."""
    citing: dict[str, list[str]] = {}
    for rule in pack.definition.rules:
        if rule.origin == "disabled":
            continue
        for clause in rule.cites:
            citing.setdefault(clause.ref, []).append(rule.id)
    rows = []
    for clause in _own_clauses(pack.definition.clauses.values(), pack.id):
        rules = citing.get(clause.ref, [])
        status = clause_status(clause, bool(rules))
        rows.append(
            {
                "clause": clause.id,
                "label": clause.label,
                "doc": clause.doc,
                "status": status,
                "rules": rules,
                "reason": clause.reason,
            }
        )
    return rows


def clause_status(clause: Clause, cited: bool) -> str:
    """encoded (cited), not encoded (with a reason), pending (not yet encoded), or UNCOVERED (marked encoded and
    cited by no rule)."""
    if clause.pending:
        return "pending"
    if not clause.encoded:
        return "not encoded"
    return "encoded" if cited else "UNCOVERED"


def _own_clauses(clauses: Iterable[Clause], pack_id: str) -> list[Clause]:
    return [c for c in clauses if c.pack_id == pack_id]
