"""Static analysis of one pack (`policyrules lint`), on the decision diagrams the diff builds: each rule, each
decision and each sub-condition as a diagram over every value the conditions tell apart, so that a finding is a
fact about every enterprise, not about the cases someone wrote. It finds rules that can never hold, rules the
hit policy masks (another rule's outcome wins wherever they hold), rules of one decision with different outcomes
that can hold together (with a witness enterprise and the hit-policy line that settles it), conditions that are
always true or always false or add nothing to their group, and clauses cited by no rule and not marked as not
encoded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..conditions import AllOf, AnyOf, CompiledRule, Cond, NotOf, references
from ..engines import Pack
from ..packs import DECISIONS, PackDefinition
from ..yamlio import Where
from .compare import default_as_of
from .coverage import coverage
from .cubes import least_point
from .decision_diagrams import DecisionDiagrams
from .diagrams import LimitHit
from .domain import Domain
from .findings import Finding, acknowledge
from .search import DEFAULT_MAX_NODES


@dataclass
class LintReport:
    pack: str
    as_of: date
    findings: list[Finding]
    incomplete: list[str] = field(default_factory=list)  # decisions whose diagrams hit the node limit

    @property
    def open(self) -> list[Finding]:
        """The findings the pack does not acknowledge."""
        return [f for f in self.findings if f.acknowledged is None]

    def to_json(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "as_of": self.as_of.isoformat(),
            "complete": not self.incomplete,
            "incomplete_decisions": self.incomplete,
            "findings": [f.to_json() for f in self.findings],
            "open": len(self.open),
        }


def lint_pack(pack: Pack, as_of: date | None = None, max_nodes: int = DEFAULT_MAX_NODES) -> LintReport:
    day = as_of or default_as_of(pack, pack)
    domain = Domain((pack.compiled, pack.compiled), day)
    referenced = _referenced(pack)
    findings: list[Finding] = []
    incomplete = []
    for decision in DECISIONS:
        rules = list(pack.compiled.rules_of(decision))
        if not rules:
            continue
        try:
            checker = _Checker(pack, DecisionDiagrams(domain, decision, max_nodes), domain)
            findings += checker.rules(rules, referenced)
            for rule in rules:  # a rule that never holds makes every condition of it look redundant: skip it
                if not any(f.kind == "never_holds" and f.rules == (rule.id,) for f in findings):
                    findings += checker.conditions(rule)
        except LimitHit:
            incomplete.append(decision)
    findings += _uncited_clauses(pack)
    return LintReport(pack.id, day, acknowledge(findings, pack.definition), incomplete)


class _Checker:
    def __init__(self, pack: Pack, diagrams: DecisionDiagrams, domain: Domain) -> None:
        self.pack = pack
        self.dd = diagrams.dd
        self.diagrams = diagrams
        self.domain = domain
        self.false = self.dd.const(False)
        self.policy = pack.definition.decisions[diagrams.decision]

    def rules(self, rules: list[CompiledRule], referenced: set[str]) -> list[Finding]:
        out = []
        holds = {r.id: self.diagrams.rule(0, r.id) for r in rules}
        outcome = self.diagrams.outcome(0)
        for rule in rules:
            where = rule.rule.where
            if holds[rule.id] == self.false:
                out.append(self._finding("never_holds", where, (rule,), "no enterprise satisfies its conditions"))
                continue
            yields = rule.yields
            if yields in self.policy.priority and not rule.sets and rule.id not in referenced:
                decides = self.dd.and_([holds[rule.id], self.dd.apply(("is", yields), yields.__eq__, (outcome,))])
                if decides == self.false:
                    witness = self._witness(holds[rule.id])
                    won = self.pack.evaluate(witness, as_of=self.domain.as_of).decisions[rule.decision]
                    out.append(
                        self._finding(
                            "masked",
                            where,
                            (rule,),
                            f"wherever it holds, another rule's outcome wins ({won.outcome} by "
                            f"{', '.join(won.decided_by)} in the witness): it never decides {rule.decision}",
                            witness=witness,
                        )
                    )
        yielding = [r for r in rules if r.yields is not None and holds[r.id] != self.false]
        for i, first in enumerate(yielding):
            for second in yielding[i + 1 :]:
                if first.yields == second.yields:
                    continue
                both = self.dd.and_([holds[first.id], holds[second.id]])
                if both != self.false:
                    out.append(self._overlap(first, second, both))
        return out

    def _overlap(self, first: CompiledRule, second: CompiledRule, both: int) -> Finding:
        witness = self._witness(both)
        held = {
            r.id
            for r in self.pack.evaluate(witness, as_of=self.domain.as_of).decisions[first.decision].rules
            if r.holds
        }
        assert {first.id, second.id} <= held, f"lint: the overlap witness of {first.id} and {second.id} is wrong"
        rank = {o: i for i, o in enumerate(self.policy.priority)}
        assert first.yields is not None and second.yields is not None
        wins = min((first.yields, second.yields), key=lambda o: rank.get(o, len(rank)))
        settled, line = self._policy_line()
        return self._finding(
            "overlap",
            second.rule.where,
            (first, second),
            f"{first.id} ({first.yields}) and {second.id} ({second.yields}) can hold together; "
            f"the hit policy decides {wins}",
            witness=witness,
            settled_by=(f"{settled}:{line}" if line else settled) + f": priority: [{', '.join(self.policy.priority)}]",
        )

    def _policy_line(self) -> tuple[str, int | None]:
        """Where the decision's hit policy is written: the nearest pack in the chain that states it."""
        for definition in self.pack.definition.chain():
            lines = definition.where.lines
            if ("decisions", self.diagrams.decision) in lines:
                return definition.where.file, lines.get(("decisions", self.diagrams.decision, "priority"))
        return f"the default hit policy of {self.diagrams.decision} (docs/pack-format.md#hit-policies)", None

    def conditions(self, rule: CompiledRule) -> list[Finding]:
        out = []
        for path, cond, siblings, group in _walk(rule.cond, "when"):
            node = self.diagrams.cond(0, cond)
            where = getattr(cond, "where", None) or rule.rule.where.at("when")
            if self.dd.is_const(node) and (path != "when" or self.dd.values[node]):  # a false rule: never_holds
                value = "true" if self.dd.values[node] else "false"
                message = f"{path} is always {value}" + (f" («{cond.says}»)" if getattr(cond, "says", None) else "")
                if path == "when":
                    message += f": the rule holds for every enterprise {rule.decision} is decided for"
                out.append(self._finding("constant_condition", where, (rule,), message, condition=path))
                continue
            if group is None or not siblings or self.dd.is_const(node):
                continue
            rest = [self.diagrams.cond(0, s) for s in siblings]
            if group == "all":
                redundant = self.dd.and_([*rest, self.dd.not_(node)]) == self.false
                said = "holds wherever the rest of its `all` holds"
            else:
                redundant = self.dd.and_([node, self.dd.not_(self.dd.or_(rest))]) == self.false
                said = "never holds where the rest of its `any` does not"
            if redundant:
                phrase = f" («{cond.says}»)" if getattr(cond, "says", None) else ""
                out.append(
                    self._finding("redundant_condition", where, (rule,), f"{path}{phrase} {said}", condition=path)
                )
        return out

    def _witness(self, node: int) -> dict[str, Any]:
        least = least_point(self.dd, node)
        point = {d: self.diagrams.values[level][least[level]] for level, d in enumerate(self.diagrams.dims)}
        return self.domain.document({**point, **self.diagrams.fixed})

    def _finding(self, kind: str, where: Where, rules: tuple[CompiledRule, ...], message: str, **more: Any) -> Finding:
        clauses = tuple(dict.fromkeys(f"{c.doc} {c.label}" for r in rules for c in r.rule.cites))
        return Finding(kind, where.file, where.line, message, tuple(r.id for r in rules), clauses, **more)


def _walk(cond: Cond, path: str) -> Iterator[tuple[str, Cond, list[Cond], str | None]]:
    """Every condition of a rule with its path, its siblings and the kind of group it is in."""
    yield path, cond, [], None
    stack: list[tuple[Cond, str]] = [(cond, path)]
    while stack:
        node, here = stack.pop()
        if isinstance(node, AllOf | AnyOf):
            name = "all" if isinstance(node, AllOf) else "any"
            for i, child in enumerate(node.children):
                child_path = f"{here}.{name}[{i}]"
                yield child_path, child, [c for j, c in enumerate(node.children) if j != i], name
                stack.append((child, child_path))
        elif isinstance(node, NotOf):
            yield f"{here}.not", node.child, [], None
            stack.append((node.child, f"{here}.not"))


def _referenced(pack: Pack) -> set[str]:
    """The rules another rule refers to: whether they hold matters beyond their own outcome."""
    out: set[str] = set()
    for rule in pack.compiled.rules:
        out |= set(references(rule.cond)[0])
    return out


def _uncited_clauses(pack: Pack) -> list[Finding]:
    definition: PackDefinition = pack.definition
    out = []
    for row in coverage(pack):
        if row["status"] not in ("pending", "UNCOVERED"):
            continue
        clause = definition.clauses[f"{pack.id}:{row['clause']}"]
        state = "marked `encoded: pending`" if clause.pending else "marked encoded"
        where = clause.where
        out.append(
            Finding(
                "uncited_clause",
                where.file if where else str(definition.directory / "clauses.yaml"),
                where.line if where else None,
                f"clause {clause.id} is {state} and no rule cites it: encode it, or mark it `encoded: false` with a "
                "reason",
                clauses=(clause.id,),
                extra={"pack": pack.id},
            )
        )
    return out
