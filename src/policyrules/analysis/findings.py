"""What `policyrules lint` reports: a finding (its kind, where it is written, the rules and clauses it names, a
witness enterprise and the hit-policy line that settles an overlap), matching findings against the pack's
`acknowledged:` entries, and the report's JSON."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..packs import Acknowledgment, PackDefinition

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

KINDS: dict[str, str] = {
    "never_holds": "rule can never hold",
    "masked": "rule masked by the hit policy",
    "overlap": "rules with different outcomes overlap",
    "constant_condition": "condition always true or always false",
    "redundant_condition": "condition implied by the rest of its group",
    "uncited_clause": "clause cited by no rule and not marked not encoded",
    "stale_acknowledgment": "acknowledgment that matches no finding",
}


@dataclass
class Finding:
    kind: str
    file: str
    line: int | None
    message: str
    rules: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()  # "doc label" of the clauses the rules cite, or the uncited clause's id
    condition: str | None = None  # the condition's path in its rule, e.g. when.all[1]
    witness: dict[str, Any] | None = None  # an enterprise (facts document) where the finding shows
    settled_by: str | None = None  # for an overlap: the hit-policy line that settles it
    acknowledged: str | None = None  # the reason, when the pack acknowledges the finding
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "file": self.file,
            "line": self.line,
            "rules": list(self.rules),
            "clauses": list(self.clauses),
            "message": self.message,
        }
        for key in ("condition", "witness", "settled_by", "acknowledged"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


def acknowledge(findings: Sequence[Finding], definition: PackDefinition) -> list[Finding]:
    """Mark the findings the pack (or a pack it extends) acknowledges; add a stale_acknowledgment finding for
    each of this pack's own entries that matches none."""
    entries = [a for pack in definition.chain() for a in pack.acknowledged]
    used: set[int] = set()
    for finding in findings:
        for i, entry in enumerate(entries):
            if _matches(entry, finding):
                finding.acknowledged = entry.spec.reason
                used.add(i)
                break
    stale = [
        Finding(
            "stale_acknowledgment",
            entry.where.file,
            entry.where.line,
            f"acknowledges a {entry.spec.finding} finding"
            + (f" of {', '.join(entry.spec.rules)}" if entry.spec.rules else "")
            + (f" of clause {entry.spec.clause}" if entry.spec.clause else "")
            + " that lint no longer reports; delete the entry",
            rules=entry.spec.rules,
        )
        for i, entry in enumerate(entries)
        if i not in used and entry.pack_id == definition.id
    ]
    return [*findings, *stale]


def _matches(entry: Acknowledgment, finding: Finding) -> bool:
    spec = entry.spec
    if spec.finding != finding.kind:
        return False
    if spec.finding == "uncited_clause":
        return spec.clause in finding.clauses and entry.pack_id == finding.extra.get("pack")
    if spec.finding == "overlap":  # naming one rule acknowledges its overlaps with every other rule of the decision
        if not set(spec.rules) <= set(finding.rules):
            return False
    elif set(spec.rules) != set(finding.rules):
        return False
    return spec.condition is None or spec.condition == finding.condition


def render_findings(pack_id: str, as_of: str, findings: Sequence[Finding], show_acknowledged: bool) -> str:
    """The findings as text: one block per finding (file:line, kind, rules and clauses, what is wrong, and for
    an overlap the hit-policy line and a witness enterprise to run `explain` on), then a summary line."""
    lines = []
    shown = [f for f in findings if show_acknowledged or f.acknowledged is None]
    for f in shown:
        cited = "; ".join(f.clauses)
        named = f"{', '.join(f.rules)} [{cited}]" if f.rules and cited else ", ".join(f.rules) or cited
        lines.append(f"{f.location}: {f.kind}: {named}: {f.message}")
        if f.settled_by:
            lines.append(f"    settled by {f.settled_by}")
        if f.acknowledged:
            lines.append(f"    acknowledged: {f.acknowledged}")
        if f.witness is not None:
            lines.append(f"    witness (policyrules explain --pack {pack_id} --as-of {as_of} FILE):")
            lines += ["      " + line for line in yaml_text(f.witness).splitlines()]
    open_count = sum(1 for f in findings if f.acknowledged is None)
    acknowledged = len(findings) - open_count
    lines.append(
        f"{pack_id}: {open_count} finding{'s' if open_count != 1 else ''}"
        + (f" ({acknowledged} acknowledged in the pack)" if acknowledged else "")
    )
    return "\n".join(lines) + "\n"


def yaml_text(data: Any) -> str:
    """A facts document as short YAML: nested mappings in block style, dates as dates (unquoted)."""
    return yaml.safe_dump(_dates(data), allow_unicode=True, sort_keys=False, default_flow_style=False, width=100)


def _dates(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _dates(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_dates(v) for v in data]
    if isinstance(data, str) and _ISO_DATE.fullmatch(data):
        return dt.date.fromisoformat(data)
    return data
