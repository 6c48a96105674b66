"""The pack reports behind `packs` and `show`, and the plain text table `coverage` prints."""

from __future__ import annotations

from typing import Any

from ..engines import Pack


def pack_summary(pack: Pack) -> dict[str, Any]:
    """What `policyrules packs` lists for one pack."""
    meta = pack.definition.meta
    return {
        "id": meta.id,
        "title": meta.title,
        "jurisdiction": meta.jurisdiction,
        "version": meta.version,
        "extends": meta.extends,
        "status": str(pack.definition.status),
        "documents": [
            {
                "number": d.number,
                "issuer": d.issuer,
                "date": d.date.isoformat() if d.date else None,
                "in_force_from": d.in_force_from.isoformat() if d.in_force_from else None,
                "in_force_earliest": d.in_force_earliest.isoformat() if d.in_force_earliest else None,
                "in_force_until": d.in_force_until.isoformat() if d.in_force_until else None,
                "status": str(d.status),
            }
            for d in meta.documents.values()
        ],
        "superseded_from": meta.supersession.from_.isoformat() if meta.supersession else None,
        "superseded_by": meta.supersession.by if meta.supersession else None,
    }


def effective_rules(pack: Pack) -> list[dict[str, Any]]:
    """The effective rule set with the origin of each rule and the citations on both sides of an override."""
    out = []
    for rule in pack.definition.rules:
        entry: dict[str, Any] = {
            "id": rule.id,
            "decision": rule.decision,
            "origin": rule.origin,
            "pack": rule.pack_id,
            "yields": rule.spec.yields,
            "sets": dict(rule.spec.sets),
            "citations": [c.citation() for c in rule.cites],
        }
        if rule.replaced is not None:
            entry["replaces"] = {
                "pack": rule.replaced.pack_id,
                "citations": [c.citation() for c in rule.replaced.cites],
            }
        if rule.origin == "disabled":
            entry["reason"] = rule.reason
        out.append(entry)
    return out


def render_rows(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain text table (monospace alignment is approximate with CJK text; JSON is the exact form)."""
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append("\t".join(_cell(row.get(c)) for c in columns))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return "" if value is None else str(value)
