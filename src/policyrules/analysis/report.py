"""What a diff reports: each difference (a region, its witness and both decisions on it, whether the change is
documented) and the whole report, with their JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..conditions import Value
from ..engines import Decision, Pack
from .dimensions import Region
from .domain import Domain
from .search import Row, SearchStats


@dataclass
class Difference:
    """One region where the packs decide differently: its conditions in words, the witness and both packs'
    decisions on it, the rules behind each side, and whether the change is documented."""

    decision: str
    row: Row
    region_text: str
    witness: dict[str, Any]
    a: Decision
    b: Decision
    a_rules: list[str]
    b_rules: list[str]
    documented: bool
    note: str
    flags: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (pack, origin, rule) behind a documented one

    @property
    def a_outcome(self) -> str:
        return self.a.outcome

    @property
    def b_outcome(self) -> str:
        return self.b.outcome

    def to_json(self, domain: Domain) -> dict[str, Any]:
        def listed(region: Region) -> dict[str, list[Value]]:
            return {
                name: [v for v in domain.dims[name].values if v in values]
                for name, values in region.items()
                if values != frozenset(domain.dims[name].values)
            }

        return {
            "decision": self.decision,
            "a_outcome": self.a.outcome,
            "b_outcome": self.b.outcome,
            "region": self.region_text,
            "witness": self.witness,
            "a_citations": [dict(c) for c in self.a.citations],
            "b_citations": [dict(c) for c in self.b.citations],
            "documented": self.documented,
            "flags": {f: {"a": fa, "b": fb} for f, (fa, fb) in self.flags.items()},
            "a_flags": dict(self.a.flags),
            "b_flags": dict(self.b.flags),
            "a_by": list(self.row.rules[0]),
            "b_by": list(self.row.rules[1]),
            "a_rules": self.a_rules,
            "b_rules": self.b_rules,
            "a_decided_by": list(self.a.decided_by),
            "b_decided_by": list(self.b.decided_by),
            "conditions": {
                "all": listed(self.row.hull),
                "any": [listed(c) for c in self.row.alternatives],
                "except": [listed(e) for e in self.row.exceptions],
            },
            "note": self.note,
        }


@dataclass
class DiffReport:
    """Every difference between two packs on one date, with the domain and the search statistics per decision."""

    a: Pack
    b: Pack
    as_of: date
    domain: Domain
    decisions: list[str]
    stats: dict[str, SearchStats]
    differences: list[Difference]
    warnings: list[str]
    relation: str

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.stats.values())

    def to_json(self) -> dict[str, Any]:
        domain = self.domain.to_json()
        domain["decisions"] = {
            d: {
                "dimensions": s.dimensions,
                "fixed": s.fixed,
                "points": s.points,
                "diagram_nodes": s.nodes,
                "verdict_pairs": s.pairs,
                "regions": sum(1 for x in self.differences if x.decision == d),
                "complete": s.complete,
            }
            for d, s in self.stats.items()
        }
        domain["method"] = METHOD
        domain["notes"] = self.domain.notes
        out: dict[str, Any] = {
            "a": self.a.id,
            "b": self.b.id,
            "as_of": self.as_of.isoformat(),
            "domain": domain,
            "complete": self.complete,
            "differences": [d.to_json(self.domain) for d in self.differences],
            "relation": self.relation,
        }
        if self.warnings:
            out["warnings"] = self.warnings
        return out


METHOD = (
    "Exhaustive case splitting over the dimensions each decision's rules read in either pack, in one fixed "
    "order and with equal sub-results shared (a reduced ordered decision diagram). Every atom value is read by "
    "the pack's own atom reader from a concrete facts document; rules, references and the hit policy are "
    "combined exactly as the engine resolves them, so every point of the product of the dimensions is settled "
    "for both packs. Every value the conditions can tell apart is a dimension value (counts are capped where no "
    "threshold tells more apart, ages are bucketed at the thresholds, texts beyond the literals the packs "
    "compare with are one value 'other'), so the regions cover the whole input space: the differences listed "
    "are all of them. A region is the set of points of one pair of verdicts with one responsible rule on each "
    "side: the smallest cube holding it minus a few exception cubes (largest cubes, checked exactly). Regions "
    "of different verdict pairs are disjoint; regions of the same pair may overlap. Each witness is the "
    "region's least point (default values first), evaluated with both packs by Pack.evaluate."
)
