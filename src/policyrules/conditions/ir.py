"""The condition IR: fact leaves over atoms, the groups all/any/not, and references to another rule or to a
decision's outcome; with the walks over a tree that the checks and the engines share."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from ..packs import Where
from .view import Atom, Value


@dataclass(frozen=True)
class Leaf:
    atom: Atom
    op: str
    operand: Value | tuple[str, ...]
    says: str
    where: Where = field(compare=False, repr=False)
    grade_rank: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def test(self, value: Value) -> bool:
        op, operand = self.op, self.operand
        if op == "present":
            return (value is not None) == operand
        if value is None:
            return False  # an absent fact satisfies no comparison
        if op == "is":
            return value == operand
        if op == "in":
            assert isinstance(operand, tuple)
            return value in operand
        if self.atom.kind == "grade":
            rank, bound = self.grade_rank[str(value)], self.grade_rank[str(operand)]
            return rank <= bound if op == "at_least" else rank >= bound  # rank 0 is the best grade
        assert isinstance(value, int) and isinstance(operand, int)
        return value >= operand if op == "at_least" else value <= operand

    def encoded_test(self, atoms: Mapping[str, Atom]) -> IntTest:
        """The same test over the atom's integer encoding (with the pack's final atom domains), as a
        formula of integer comparisons."""
        atom, op, operand = atoms[self.atom.key], self.op, self.operand
        if op == "present":
            return ("cmp", "ne" if operand else "eq", -1)
        if op == "is":
            assert not isinstance(operand, tuple)
            return ("cmp", "eq", atom.encode(operand))
        if op == "in":
            assert isinstance(operand, tuple)
            return ("or", tuple(("cmp", "eq", atom.encode(v)) for v in operand))
        if atom.kind == "grade":
            # domain is best first, so "at least good" is index <= index(good) and never absent (-1)
            bound = atom.encode(str(operand))
            if op == "at_least":
                return ("and", (("cmp", "ge", 0), ("cmp", "le", bound)))
            return ("cmp", "ge", bound)
        assert isinstance(operand, int)
        if op == "at_least":
            return ("cmp", "ge", operand)
        return ("and", (("cmp", "ge", 0), ("cmp", "le", operand)))


IntTest: TypeAlias = tuple[Any, ...]  # ("cmp", "eq"|"ne"|"ge"|"le", int) | ("and"|"or", tuple[IntTest, ...])


@dataclass(frozen=True)
class AllOf:
    children: tuple[Cond, ...]
    says: str | None = None
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Cond, ...]
    says: str | None = None
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class NotOf:
    child: Cond
    says: str | None = None
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class RuleRef:
    rule_id: str
    says: str
    where: Where = field(compare=False, repr=False)


@dataclass(frozen=True)
class OutcomeRef:
    decision: str
    outcomes: tuple[str, ...]
    says: str
    where: Where = field(compare=False, repr=False)
    # A decision that is not present (contract §3: e.g. no penalty without a violation_case) has no outcome,
    # so the reference holds only where this leaf does too; None for decisions that are always present.
    presence: Leaf | None = None


Cond: TypeAlias = Leaf | AllOf | AnyOf | NotOf | RuleRef | OutcomeRef


def nodes(cond: Cond) -> Iterator[Cond]:
    """Every node of a condition tree, depth first (references are not followed)."""
    yield cond
    if isinstance(cond, AllOf | AnyOf):
        for child in cond.children:
            yield from nodes(child)
    elif isinstance(cond, NotOf):
        yield from nodes(cond.child)


def leaves(cond: Cond) -> Iterator[Leaf]:
    """The fact leaves of a condition tree."""
    return (node for node in nodes(cond) if isinstance(node, Leaf))


def references(cond: Cond) -> tuple[set[str], set[str]]:
    """The rule ids and decisions a condition refers to."""
    if isinstance(cond, RuleRef):
        return {cond.rule_id}, set()
    if isinstance(cond, OutcomeRef):
        return set(), {cond.decision}
    kids: tuple[Cond, ...] = ()
    if isinstance(cond, AllOf | AnyOf):
        kids = cond.children
    elif isinstance(cond, NotOf):
        kids = (cond.child,)
    rules: set[str] = set()
    decisions: set[str] = set()
    for kid in kids:
        r, d = references(kid)
        rules |= r
        decisions |= d
    return rules, decisions
