"""One decision as decision diagrams over the dimensions its rules read: each pack's rules and decision
(rules, references and the hit policy combined exactly as the engine resolves them), their product, and the
rules behind each side of a verdict pair."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

from ..conditions import (
    AllOf,
    AnyOf,
    CompiledPack,
    CompiledRule,
    Cond,
    Leaf,
    NotOf,
    OutcomeRef,
    RuleRef,
    Value,
    references,
)
from ..packs import FLAGS
from .cubes import Cube
from .diagrams import Diagram, Key
from .dimensions import Assignment, Region
from .domain import DiffError, Domain

# the question or listing state a decision is only asked under (contract section 3)
FIXED: dict[str, tuple[str, Value]] = {
    "listing": ("listing", "current"),
    "inspection": ("question:inspection_request", True),
    "penalty": ("question:violation_case", True),
}

Verdict: TypeAlias = tuple[str, tuple[tuple[str, bool], ...]]  # an outcome and the decision's flags


SAME = "same"  # the terminal of the product where both packs decide alike


class DecisionDiagrams:
    """For one decision: the dimensions in order (the decision's fixed dimension has its one value), each
    pack's rules as diagrams, and each pack's decision."""

    def __init__(self, domain: Domain, decision: str, limit: int) -> None:
        self.domain = domain
        self.decision = decision
        self.fixed: Assignment = dict([FIXED[decision]]) if decision in FIXED else {}
        names = set(searched_dims(domain, decision)) | {
            d for i in (0, 1) for d in domain.dims_of_rules(i, _reachable(domain.packs[i], decision))
        }
        self.dims = sorted(names, key=domain.order.__getitem__)
        self.values = [(self.fixed[d],) if d in self.fixed else domain.dims[d].values for d in self.dims]
        self.level = {d: i for i, d in enumerate(self.dims)}
        self.dd = Diagram([len(v) for v in self.values], limit)
        self._rules: dict[tuple[int, str], int] = {}
        self._decisions: dict[tuple[int, str], int] = {}
        self._leaves: dict[tuple[int, str, str, Any], int] = {}

    def decided(self, index: int) -> int:
        """The diagram of what pack `index` decides (terminals are verdicts: outcome and flags)."""
        return self._decision(index, self.decision, full=True)

    def outcome(self, index: int) -> int:
        """The diagram of the outcome pack `index` decides (terminals are outcomes, flags left out)."""
        return self._decision(index, self.decision, full=False)

    def product(self) -> int:
        """Both packs' decisions together: SAME where outcome and flags agree, else the pair."""

        def pair(a: Verdict, b: Verdict) -> Key:
            return SAME if a == b else (a, b)

        return self.dd.apply("pair", pair, (self.decided(0), self.decided(1)))

    def responsible(self, index: int, key: tuple[Verdict, Verdict]) -> list[tuple[str | None, int]]:
        """The rules of pack `index` that can be behind its side of a verdict pair, each with its diagram:
        the rules yielding its outcome when the outcomes differ, else those setting a flag it sets and the
        other does not; None, with its diagram, stands for "none of them holds"."""
        (outcome, flags), (other_outcome, other_flags) = key if index == 0 else key[::-1]
        differing = {f for (f, v), (_, w) in zip(flags, other_flags, strict=True) if v and not w}
        rules = [
            r
            for r in self.domain.packs[index].rules_of(self.decision)
            if (
                r.rule.spec.yields == outcome
                if outcome != other_outcome
                else any(r.rule.spec.sets.get(f) for f in differing)
            )
        ]
        out: list[tuple[str | None, int]] = [(r.id, self.rule(index, r.id)) for r in rules]
        none = self.dd.not_(self.dd.or_([holds for _, holds in out])) if out else self.dd.const(True)
        return [*out, (None, none)]

    def region(self, cube: Cube, dims: Sequence[str], within: Region | None = None) -> Region:
        """The cube as value sets by dimension; with `within`, only the dimensions where the cube says more
        than `within` does (the rest cannot matter inside it)."""
        out: Region = {}
        for d in dims:
            values = self.values[self.level[d]]
            chosen = frozenset(values[i] for i in cube[self.level[d]])
            if within is not None and chosen >= within[d]:
                continue
            out[d] = chosen
        return out

    def _decision(self, index: int, decision: str, full: bool) -> int:
        key = (index, decision + ("!" if full else ""))
        if key not in self._decisions:
            pack = self.domain.packs[index]
            rules = pack.rules_of(decision)
            policy = pack.definition.decisions[decision]
            flags = FLAGS.get(decision, ())

            def resolve(*holds: bool) -> Key:
                held = [r for r, h in zip(rules, holds, strict=True) if h]
                outcome = next(
                    (o for o in policy.priority if any(r.rule.spec.yields == o for r in held)), policy.default
                )
                if not full:
                    return outcome
                return outcome, tuple((f, any(r.rule.spec.sets.get(f, False) for r in held)) for f in flags)

            args = tuple(self.rule(index, r.id) for r in rules)
            self._decisions[key] = self.dd.apply(("decide", *key), resolve, args)
        return self._decisions[key]

    def rule(self, index: int, rule_id: str) -> int:
        key = (index, rule_id)
        if key not in self._rules:
            self._rules[key] = self.cond(index, self.domain.packs[index].rule(rule_id).cond)
        return self._rules[key]

    def cond(self, index: int, cond: Cond) -> int:
        dd = self.dd
        if isinstance(cond, Leaf):
            return self._leaf(index, cond)
        if isinstance(cond, AllOf):
            return dd.and_([self.cond(index, c) for c in cond.children])
        if isinstance(cond, AnyOf):
            return dd.or_([self.cond(index, c) for c in cond.children])
        if isinstance(cond, NotOf):
            return dd.not_(self.cond(index, cond.child))
        if isinstance(cond, RuleRef):
            return self.rule(index, cond.rule_id)
        assert isinstance(cond, OutcomeRef)
        wanted = frozenset(cond.outcomes)
        outcome = self._decision(index, cond.decision, full=False)
        reference = dd.apply(("in", wanted), wanted.__contains__, (outcome,))
        return dd.and_([self.cond(index, cond.presence), reference]) if cond.presence else reference

    def _leaf(self, index: int, leaf: Leaf) -> int:
        key = (index, leaf.atom.key, leaf.op, leaf.operand)
        if key not in self._leaves:
            atom = self.domain.packs[index].atoms[leaf.atom.key]
            deps = sorted(set(self.domain.deps(index, atom.key)), key=self.level.__getitem__)
            _check_leaf_size(leaf, [len(self.values[self.level[d]]) for d in deps])

            def build(i: int, point: Assignment) -> int:
                if i == len(deps):
                    return self.dd.const(leaf.test(self.domain.value(index, atom, point)))
                level = self.level[deps[i]]
                return self.dd.make(level, [build(i + 1, {**point, deps[i]: v}) for v in self.values[level]])

            self._leaves[key] = build(0, {})
        return self._leaves[key]


# A condition is enumerated over every combination of the dimensions it reads before the diagram shares them:
# beyond this many, `diff` refuses the pack with the condition's place rather than run for minutes (a count over
# 8 different `within:` windows reads 9 event classes with up to 9 counts each: 9^9 combinations).
MAX_LEAF_POINTS = 100_000


def _check_leaf_size(leaf: Leaf, sizes: Sequence[int]) -> None:
    points = 1
    for size in sizes:
        points *= size
        if points > MAX_LEAF_POINTS:
            raise DiffError(
                [
                    leaf.where.problem(
                        f"this condition reads {len(sizes)} dimensions with more than {MAX_LEAF_POINTS:,} combinations "
                        f"of values (the limit of `diff`'s decision diagrams); it can be evaluated, but not compared "
                        "exhaustively: use fewer distinct `within:` windows or filters on one list"
                    )
                ]
            )


def searched_dims(domain: Domain, decision: str) -> list[str]:
    """The dimensions the decision's rules (and the rules they refer to) read in either pack, without the
    dimension the decision is only asked under."""
    dims: dict[str, None] = {}
    for index, pack in enumerate(domain.packs):
        for dim in domain.dims_of_rules(index, _reachable(pack, decision)):
            dims[dim] = None
    fixed = FIXED[decision][0] if decision in FIXED else None
    return sorted((d for d in dims if d != fixed), key=domain.order.__getitem__)


def _reachable(pack: CompiledPack, decision: str) -> list[CompiledRule]:
    """The decision's rules and every rule they refer to, directly or through another decision's outcome."""
    todo = list(pack.rules_of(decision))
    seen: dict[str, CompiledRule] = {}
    while todo:
        rule = todo.pop()
        if rule.id in seen:
            continue
        seen[rule.id] = rule
        ref_rules, ref_decisions = references(rule.cond)
        todo += [pack.rule(r) for r in ref_rules]
        for d in ref_decisions:
            todo += list(pack.rules_of(d))
    return list(seen.values())
