"""Bounds on what a pack may ask of the engines, checked when a pack is compiled so that `validate` refuses
every pack the compiled engine, the durable engine or `diff` could not run in bounded time and memory
(docs/security.md). The shipped packs stay far inside each: a rule nests at most 4 groups, holds at most 7
conditions and inlines to at most 290 parts nested 10 deep."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import Problem
from ..packs import PackDefinition
from .compiled import CompiledRule
from .ir import AllOf, AnyOf, Cond, Leaf, NotOf, OutcomeRef, RuleRef, references

MAX_GROUP_DEPTH = 24  # all/any/not nested in one rule's `when:` (Python's parser allows 200 nested brackets)
MAX_CONDITIONS = 400  # conditions (leaves and references) in one rule
MAX_INLINED_NODES = 20_000  # one rule's conditions with every rule and outcome reference replaced by what it says
MAX_INLINED_DEPTH = 96  # …and their nesting, references included
MAX_WINDOW = {"years": 100, "months": 1_200, "days": 36_600}  # `within:` windows (a date moves at most 100 years)
MAX_NUMBER = 1_000_000  # a count or a number of years a condition compares with


def own_shape(cond: Cond) -> tuple[int, int]:
    """(group nesting, conditions) of one rule's own `when:` tree, references counted as one condition."""
    if isinstance(cond, AllOf | AnyOf):
        shapes = [own_shape(c) for c in cond.children]
        return 1 + max((d for d, _ in shapes), default=0), sum(n for _, n in shapes)
    if isinstance(cond, NotOf):
        depth, count = own_shape(cond.child)
        return depth + 1, count
    return 0, 1


def limit_problems(definition: PackDefinition, rules: Sequence[CompiledRule]) -> list[Problem]:
    """Rules whose own tree or whose inlined tree is beyond the limits above (the pack has no reference
    cycle: find_cycle ran first)."""
    problems = []
    for rule in rules:
        depth, count = own_shape(rule.cond)
        where = rule.rule.where.at("when")
        if depth > MAX_GROUP_DEPTH:
            problems.append(where.problem(f"conditions nested {depth} deep: the limit is {MAX_GROUP_DEPTH}"))
        if count > MAX_CONDITIONS:
            problems.append(where.problem(f"{count:,} conditions in one rule: the limit is {MAX_CONDITIONS:,}"))
    if problems:
        return problems
    sizes = _inlined_sizes(definition, rules)
    for rule in rules:
        nodes, depth = sizes[rule.id]
        if nodes > MAX_INLINED_NODES or depth > MAX_INLINED_DEPTH:
            problems.append(
                rule.rule.where.at("when").problem(
                    f"with the rules and outcomes it refers to written out, this rule's conditions have "
                    f"{'more than ' if nodes > MAX_INLINED_NODES else ''}{min(nodes, MAX_INLINED_NODES + 1):,} "
                    f"parts nested {depth} deep: the limits are {MAX_INLINED_NODES:,} parts and {MAX_INLINED_DEPTH} "
                    "levels (a rule referring several times to a rule that does the same doubles at every step)"
                )
            )
    return problems


def _inlined_sizes(definition: PackDefinition, rules: Sequence[CompiledRule]) -> dict[str, tuple[int, int]]:
    """(nodes, depth) of each rule's condition once references are inlined, as CompiledPack.inline builds it;
    computed rule by rule in reference order, without building anything, and capped so numbers stay small."""
    cap = MAX_INLINED_NODES + 1
    by_id = {r.id: r for r in rules}
    by_decision: dict[str, list[CompiledRule]] = {}
    for r in rules:
        by_decision.setdefault(r.decision, []).append(r)
    sizes: dict[str, tuple[int, int]] = {}

    def decision_size(decision: str) -> tuple[int, int] | None:
        members = by_decision.get(decision, [])
        if any(m.id not in sizes for m in members):
            return None
        branches = len(definition.decisions[decision].priority) + 2 if decision in definition.decisions else 2
        total = sum(sizes[m.id][0] for m in members) * branches
        return min(total + 4, cap), max((sizes[m.id][1] for m in members), default=0) + 4

    def size(cond: Cond) -> tuple[int, int] | None:
        if isinstance(cond, Leaf):
            return 1, 1
        if isinstance(cond, RuleRef):
            return sizes.get(cond.rule_id)
        if isinstance(cond, OutcomeRef):
            known = decision_size(cond.decision)
            return None if known is None else (min(known[0] * len(cond.outcomes) + 2, cap), known[1] + 2)
        children = cond.children if isinstance(cond, AllOf | AnyOf) else (cond.child,)
        parts = [size(c) for c in children]
        if any(p is None for p in parts):
            return None
        return min(1 + sum(p[0] for p in parts if p), cap), 1 + max((p[1] for p in parts if p), default=0)

    for rule_id in reference_order(rules):
        found = size(by_id[rule_id].cond)
        sizes[rule_id] = found if found is not None else (cap, MAX_INLINED_DEPTH + 1)
    return sizes


def reference_order(rules: Sequence[CompiledRule]) -> list[str]:
    """Rule ids, each after every rule it refers to (directly, or through an outcome of a decision): Kahn's
    algorithm, no recursion however long a chain of references is. Rules in a cycle come last."""
    by_decision: dict[str, list[str]] = {}
    for r in rules:
        by_decision.setdefault(r.decision, []).append(r.id)
    needs: dict[str, set[str]] = {}
    for r in rules:
        ref_rules, ref_decisions = references(r.cond)
        needs[r.id] = ref_rules | {m for d in ref_decisions for m in by_decision.get(d, ())}
    users: dict[str, list[str]] = {}
    for rule_id, deps in needs.items():
        for dep in deps:
            users.setdefault(dep, []).append(rule_id)
    waiting = {rule_id: len(deps) for rule_id, deps in needs.items()}
    ready = [rule_id for rule_id, n in waiting.items() if n == 0]
    order: list[str] = []
    while ready:
        rule_id = ready.pop()
        order.append(rule_id)
        for user in users.get(rule_id, ()):
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(user)
    return order + [rule_id for rule_id in needs if rule_id not in set(order)]


def window_problem(unit: str, amount: int) -> str | None:
    limit = MAX_WINDOW.get(unit)
    if limit is not None and amount > limit:
        return f"a window of {amount:,} {unit}: the limit is {limit:,} {unit} (100 years)"
    return None
