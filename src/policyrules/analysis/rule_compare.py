"""Two packs compared rule by rule (`policyrules diff --rules A B`), as an analyst compares two cities that
extend the same national pack: for each rule id, whether each pack has it (active or disabled), and where both
do, whether its decision, conditions, outcome, flags or citations differ. Conditions are compared by meaning on
the decision diagrams (two rules written differently that hold for the same enterprises are the same), and a
difference in conditions comes with a witness: an enterprise for which the rule holds in one pack only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..engines import Pack
from ..packs import Rule
from .compare import default_as_of
from .cubes import least_point
from .decision_diagrams import DecisionDiagrams
from .diagrams import LimitHit
from .domain import Domain
from .search import DEFAULT_MAX_NODES

ASPECTS = ("decision", "conditions", "outcome", "flags", "citations")


@dataclass
class RuleSide:
    origin: str  # own, inherited, overridden, added, disabled
    decision: str
    yields: str | None
    sets: dict[str, bool]
    cites: list[str]  # "doc label"

    def to_json(self) -> dict[str, Any]:
        return {"origin": self.origin, "decision": self.decision, "yields": self.yields, "sets": self.sets,
                "cites": self.cites}  # fmt: skip


@dataclass
class RuleRow:
    id: str
    a: RuleSide | None
    b: RuleSide | None
    differs: list[str] = field(default_factory=list)  # the aspects that differ
    witness: dict[str, Any] | None = None  # where the conditions differ: facts on which the rule holds in one pack
    holds_in: str | None = None  # the pack in which it holds on the witness
    note: str = ""

    @property
    def status(self) -> str:
        if self.a is None or self.a.origin == "disabled":
            return "absent" if self.b is None or self.b.origin == "disabled" else "only_b"
        if self.b is None or self.b.origin == "disabled":
            return "only_a"
        return "differs" if self.differs else "same"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "differs": self.differs,
            "a": self.a.to_json() if self.a else None,
            "b": self.b.to_json() if self.b else None,
        }
        if self.witness is not None:
            out["witness"] = self.witness
            out["holds_in"] = self.holds_in
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class RuleComparison:
    a: Pack
    b: Pack
    as_of: date
    rows: list[RuleRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a.id,
            "b": self.b.id,
            "as_of": self.as_of.isoformat(),
            "rules": [r.to_json() for r in self.rows],
        }


def compare_rules(a: Pack, b: Pack, as_of: date | None = None, max_nodes: int = DEFAULT_MAX_NODES) -> RuleComparison:
    day = as_of or default_as_of(a, b)
    domain = Domain((a.compiled, b.compiled), day)
    diagrams: dict[str, DecisionDiagrams] = {}
    by_id = [{r.id: r for r in p.definition.rules} for p in (a, b)]
    ids = list(dict.fromkeys([*by_id[0], *by_id[1]]))
    rows = []
    for rule_id in ids:
        sides = [_side(by_id[i].get(rule_id)) for i in (0, 1)]
        row = RuleRow(rule_id, sides[0], sides[1])
        if row.status in ("same", "differs"):
            _compare(row, (a, b), domain, diagrams, max_nodes)
        rows.append(row)
    return RuleComparison(a, b, day, rows)


def _side(rule: Rule | None) -> RuleSide | None:
    if rule is None:
        return None
    cites = list(dict.fromkeys(f"{c.doc} {c.label}" for c in rule.cites))
    return RuleSide(rule.origin, rule.decision, rule.spec.yields, dict(rule.spec.sets), cites)


def _compare(
    row: RuleRow, packs: tuple[Pack, Pack], domain: Domain, diagrams: dict[str, DecisionDiagrams], max_nodes: int
) -> None:
    a, b = row.a, row.b
    assert a is not None and b is not None
    if a.decision != b.decision:
        row.differs.append("decision")
    elif _conditions_differ(row, packs, domain, diagrams, max_nodes):
        row.differs.append("conditions")
    if a.yields != b.yields:
        row.differs.append("outcome")
    if a.sets != b.sets:
        row.differs.append("flags")
    if set(a.cites) != set(b.cites):
        row.differs.append("citations")


def _conditions_differ(
    row: RuleRow, packs: tuple[Pack, Pack], domain: Domain, diagrams: dict[str, DecisionDiagrams], max_nodes: int
) -> bool:
    """Whether the rule holds for different enterprises in the two packs (references to other rules and
    decisions included, each read in its own pack); records a witness when it does."""
    assert row.a is not None
    decision = row.a.decision
    try:
        if decision not in diagrams:
            diagrams[decision] = DecisionDiagrams(domain, decision, max_nodes)
        dd = diagrams[decision]
        holds = [dd.rule(i, row.id) for i in (0, 1)]
        if holds[0] == holds[1]:
            return False
        apart = dd.dd.apply("xor", lambda x, y: bool(x) != bool(y), tuple(holds))
        least = least_point(dd.dd, apart)
        point = {d: dd.values[level][least[level]] for level, d in enumerate(dd.dims)}
    except LimitHit:
        row.note = "the conditions could not be compared: the decision diagrams hit their node limit"
        return True
    row.witness = domain.document({**point, **dd.fixed})
    held = [_holds(p, row.id, decision, row.witness, domain.as_of) for p in packs]
    assert held[0] != held[1], f"rules: the witness of {row.id} does not tell the packs apart"
    row.holds_in = packs[0].id if held[0] else packs[1].id
    return True


def _holds(pack: Pack, rule_id: str, decision: str, facts: dict[str, Any], day: date) -> bool:
    result = pack.evaluate(facts, as_of=day).decisions.get(decision)
    return result is not None and any(r.id == rule_id and r.holds for r in result.rules)
