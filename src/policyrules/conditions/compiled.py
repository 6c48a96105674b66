"""A compiled pack: each active rule with its parsed condition, the atoms the pack reads, the flat view of a
set of facts, and rule and outcome references inlined for engines that cannot chain decisions."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from ..facts import Facts, as_known_on
from ..packs import DECISIONS, PackDefinition, Rule
from .ir import AllOf, AnyOf, Cond, Leaf, NotOf, RuleRef
from .view import Atom, Value
from .view_code import ViewFunction, compile_view


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    cond: Cond
    # copied from the rule once, because evaluation reads them for every rule of every enterprise
    id: str = field(init=False)
    decision: str = field(init=False)
    yields: str | None = field(init=False)
    sets: Mapping[str, bool] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.rule.id)
        object.__setattr__(self, "decision", self.rule.decision)
        object.__setattr__(self, "yields", self.rule.spec.yields)
        object.__setattr__(self, "sets", dict(self.rule.spec.sets))


@dataclass(frozen=True)
class CompiledPack:
    definition: PackDefinition
    atoms: Mapping[str, Atom]
    rules: tuple[CompiledRule, ...]  # active rules (disabled ones are in definition.rules only)
    grade_codes: Mapping[str, str]

    @functools.cached_property
    def by_decision(self) -> dict[str, tuple[CompiledRule, ...]]:
        return {d: tuple(r for r in self.rules if r.decision == d) for d in DECISIONS}

    def rules_of(self, decision: str) -> tuple[CompiledRule, ...]:
        return self.by_decision[decision]

    def rule(self, rule_id: str) -> CompiledRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def view(self, facts: Facts, as_of: date, known: bool = False) -> dict[str, Value]:
        """The flat, typed view of the facts on `as_of`: every atom the pack reads, by key. Pass known=True
        when `facts` are already as_known_on(as_of)."""
        return self._view(facts if known else as_known_on(facts, as_of), as_of, self.grade_codes)

    @functools.cached_property
    def _view(self) -> ViewFunction:
        """The view as one generated function (view_code.py), compiled when the pack first evaluates."""
        return compile_view(self.atoms, self.definition.id)

    def inline(self, cond: Cond) -> Cond:
        """`cond` with every rule and outcome reference replaced by the condition it stands for."""
        if isinstance(cond, Leaf):
            return cond
        if isinstance(cond, AllOf):
            return AllOf(tuple(self.inline(c) for c in cond.children), cond.says)
        if isinstance(cond, AnyOf):
            return AnyOf(tuple(self.inline(c) for c in cond.children), cond.says)
        if isinstance(cond, NotOf):
            return NotOf(self.inline(cond.child), cond.says)
        if isinstance(cond, RuleRef):
            return self.inline(self.rule(cond.rule_id).cond)
        outcomes = AnyOf(tuple(self.outcome_condition(cond.decision, o) for o in cond.outcomes))
        return AllOf((cond.presence, outcomes), cond.says) if cond.presence else replace(outcomes, says=cond.says)

    def outcome_condition(self, decision: str, outcome: str) -> Cond:
        """When `decision` comes out as `outcome`, under the decision's hit policy, as one inlined tree."""
        policy = self.definition.decisions[decision]
        yielding = {
            o: [self.inline(r.cond) for r in self.rules_of(decision) if r.rule.spec.yields == o]
            for o in policy.priority
        }

        def some_rule(o: str) -> Cond:
            return AnyOf(tuple(yielding[o]))  # an empty AnyOf never holds

        branches: list[Cond] = []
        if outcome in policy.priority:
            higher = policy.priority[: policy.priority.index(outcome)]
            branches.append(AllOf((some_rule(outcome), *(NotOf(some_rule(h)) for h in higher))))
        if outcome == policy.default:
            branches.append(AllOf(tuple(NotOf(some_rule(o)) for o in policy.priority)))
        return AnyOf(tuple(branches))
