"""The compiled engine: a pack's conditions generated once into one Python function over the view."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..conditions import AllOf, AnyOf, CompiledPack, Cond, Leaf, NotOf, RuleRef, Value, references
from .result import ConditionTrace
from .trace import Env, trace_condition


class CompiledEngine:
    """Every rule's conditions compiled once into one straight-line Python function over the view (see
    `generate_source`); the trace is produced separately by walking the condition IR, and the test suite
    checks that the two always agree."""

    name = "compiled"

    def __init__(self, pack: CompiledPack) -> None:
        self.pack = pack
        self.rule_ids = tuple(r.id for r in pack.rules)
        self.source = generate_source(pack)
        namespace: dict[str, Any] = {}
        exec(compile(self.source, f"<policyrules {pack.definition.id}>", "exec"), namespace)
        self._vector: Callable[[Mapping[str, Value]], tuple[bool, ...]] = namespace["holding_vector"]

    def vector(self, view: Mapping[str, Value]) -> tuple[bool, ...]:
        """Whether each rule holds, in the order of `rule_ids`."""
        return self._vector(view)

    def holding(self, view: Mapping[str, Value]) -> frozenset[str]:
        return frozenset(i for i, held in zip(self.rule_ids, self._vector(view), strict=True) if held)

    def trace(self, cond: Cond, env: Env) -> ConditionTrace:
        return trace_condition(cond, env)


def generate_source(pack: CompiledPack) -> str:
    """Python source of `holding_vector(view) -> tuple[bool, ...]`: one local per atom, one per rule in
    dependency order (a rule after the rules it refers to; a decision's outcome after all of its rules), each
    condition an inline boolean expression, constants hoisted. Generated from the IR, never from pack text,
    so nothing a pack author writes is executed."""
    gen = ExpressionWriter(pack)
    body = ["def holding_vector(view):"]
    body += [f"    {name} = view[{key!r}]" for key, name in gen.atoms.items()]
    for kind, name in _evaluation_order(pack):
        if kind == "rule":
            rule = pack.rule(name)
            body.append(f"    {gen.rules[rule.id]} = {gen.expression(rule.cond)}")
        else:
            body += _outcome_lines(pack, name, gen.rules)
    body.append(f"    return ({''.join(f'{gen.rules[r.id]}, ' for r in pack.rules)})")
    return "\n".join([*gen.constants, *body]) + "\n"


class ExpressionWriter:
    """Python expressions for conditions over locals named after the atoms and rules (shared with the trace
    generator, trace_code.py, so both test a leaf the same way)."""

    def __init__(self, pack: CompiledPack) -> None:
        self.atoms = {key: f"a{i}" for i, key in enumerate(pack.atoms)}
        self.rules = {r.id: f"r{i}" for i, r in enumerate(pack.rules)}
        self.constants: list[str] = []
        self._names: dict[str, str] = {}

    def constant(self, value: object) -> str:
        """A module-level name for a constant, written deterministically (a frozenset from sorted items, so the
        source does not depend on the hash seed) and shared by equal constants."""
        text = f"frozenset({tuple(sorted(value))!r})" if isinstance(value, frozenset) else repr(value)
        if text not in self._names:
            self._names[text] = f"K{len(self._names)}"
            self.constants.append(f"{self._names[text]} = {text}")
        return self._names[text]

    def expression(self, cond: Cond) -> str:
        if isinstance(cond, Leaf):
            return self.leaf(cond, self.atoms[cond.atom.key])
        if isinstance(cond, AllOf):
            return "(" + " and ".join(map(self.expression, cond.children)) + ")" if cond.children else "True"
        if isinstance(cond, AnyOf):
            return "(" + " or ".join(map(self.expression, cond.children)) + ")" if cond.children else "False"
        if isinstance(cond, NotOf):
            return f"(not {self.expression(cond.child)})"
        if isinstance(cond, RuleRef):
            return self.rules[cond.rule_id]
        reference = f"(o_{cond.decision} in {self.constant(frozenset(cond.outcomes))})"
        return f"({self.expression(cond.presence)} and {reference})" if cond.presence else reference

    def leaf(self, leaf: Leaf, var: str) -> str:
        """The same test as Leaf.test: an absent value (None) satisfies nothing but `present: false`."""
        op, operand = leaf.op, leaf.operand
        if op == "present":
            return f"(({var} is not None) == {operand!r})"
        if op == "is":
            return f"({var} == {operand!r})"
        if op == "in":
            assert isinstance(operand, tuple)
            return f"({var} in {self.constant(frozenset(operand))})"
        if leaf.atom.kind == "grade":
            # rank 0 is the best grade, so "at least good" is rank <= rank(good)
            ranks = dict(leaf.grade_rank)
            flipped = "<=" if op == "at_least" else ">="
            return f"({var} is not None and {self.constant(ranks)}[{var}] {flipped} {ranks[str(operand)]!r})"
        comparison = ">=" if op == "at_least" else "<="
        return f"({var} is not None and {var} {comparison} {operand!r})"


def _outcome_lines(pack: CompiledPack, decision: str, rules: Mapping[str, str]) -> list[str]:
    policy = pack.definition.decisions[decision]
    lines = [f"    o_{decision} = {policy.default!r}"]
    keyword = "if"
    for outcome in policy.priority:
        yielding = [rules[r.id] for r in pack.rules_of(decision) if r.yields == outcome]
        if yielding:
            lines.append(f"    {keyword} {' or '.join(yielding)}:")
            lines.append(f"        o_{decision} = {outcome!r}")
            keyword = "elif"
    return lines


def _evaluation_order(pack: CompiledPack) -> list[tuple[str, str]]:
    """Rules and decision outcomes, each after everything it refers to (compile_pack rejected cycles)."""
    order: list[tuple[str, str]] = []
    done: set[tuple[str, str]] = set()

    def visit(step: tuple[str, str]) -> None:
        if step in done:
            return
        done.add(step)
        if step[0] == "decision":
            for rule in pack.rules_of(step[1]):
                visit(("rule", rule.id))
        else:
            ref_rules, ref_decisions = references(pack.rule(step[1]).cond)
            for rule_id in sorted(ref_rules):
                visit(("rule", rule_id))
            for decision in sorted(ref_decisions):
                visit(("decision", decision))
        order.append(step)

    for rule in pack.rules:
        visit(("rule", rule.id))
    return order
