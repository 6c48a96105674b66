"""The trace as data, generated: one Python function per rule that writes the rule's entry of the traced JSON
(contract §3 with --trace) straight from the view, the rules' holdings and the decisions' outcomes, without
building the ConditionTrace tree first.

Each function computes every node's holding bottom-up in locals (the same tests as Leaf.test, written by the
compiled engine's generator), then returns one dict literal: the rule's constant fields (titles; its citations,
interpretation and flags as the pack's read-only SharedDict objects, shared by every result) and the condition
tree with its values. The phrases of the failed nodes are constants too: which of them a failed rule
lists depends only on the nodes' holdings. The test suite checks that the output equals
`RuleTrace.condition.to_json()` (the tree walked by trace.py) on generated facts for every shipped pack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..conditions import AllOf, AnyOf, CompiledPack, Cond, Leaf, NotOf, OutcomeRef, RuleRef
from .compiled import ExpressionWriter
from .result import ConditionTrace, RuleTrace, SharedDict, frozen_json, jsonable

# view values of these atom kinds are JSON scalars already (bool, int, str or None)
SCALAR_KINDS = frozenset({"bool", "enum", "text", "grade", "int"})
MEMO_LIMIT = 4096  # entries kept per rule: the distinct inputs of a rule are few in a register

# (view, holdings by rule id, outcome of a decision, the day an atom is read on) -> the rule's traced JSON entry
RuleJson = Callable[[Mapping[str, Any], Mapping[str, bool], Callable[[str], str], Callable[[str], Any]], dict[str, Any]]


def compile_trace_json(pack: CompiledPack, entries: Mapping[tuple[str, bool], RuleTrace]) -> dict[str, RuleJson]:
    """Per rule id, the function writing its traced JSON entry; `entries` are the untraced entries of every
    (rule id, holds), whose fields the functions write as constants."""
    source, constants = generate_trace_source(pack, entries)
    namespace: dict[str, Any] = {"J": jsonable, "FREEZE": frozen_json, **constants}
    exec(compile(source, f"<policyrules trace {pack.definition.id}>", "exec"), namespace)
    return {r.id: namespace[f"rule_{i}"] for i, r in enumerate(pack.rules)}


def generate_trace_source(
    pack: CompiledPack, entries: Mapping[tuple[str, bool], RuleTrace]
) -> tuple[str, dict[str, Any]]:
    """The Python source of one function per rule, and the constants it reads by name. Generated from the IR
    and the pack's own data, never from pack text: nothing a pack author writes is executed."""
    writer = _TraceWriter(pack)
    lines: list[str] = []
    for i, rule in enumerate(pack.rules):
        lines += writer.rule_function(f"rule_{i}", rule.cond, entries[(rule.id, True)], entries[(rule.id, False)])
    return "\n".join([*writer.expressions.constants, *lines]) + "\n", writer.values


class _TraceWriter:
    def __init__(self, pack: CompiledPack) -> None:
        self.expressions = ExpressionWriter(pack)
        self.atoms = pack.atoms
        self.values: dict[str, Any] = {}  # name -> constant too large or too shared to repeat in the source
        self._names: dict[str, str] = {}
        self._shared: dict[int, str] = {}
        self._body: list[str] = []
        self._loads: list[str] = []
        self._inputs: list[str] = []
        self._hashable = True
        self._count = 0

    def constant(self, value: str) -> str:
        """A module-level name for a text constant (a clause text appears once however many rules cite it)."""
        name = self._names.get(value)
        if name is None:
            name = self._names[value] = f"T{len(self.values)}"
            self.values[name] = value
        return name

    def shared(self, value: SharedDict) -> str:
        name = self._shared.get(id(value))
        if name is None:
            name = self._shared[id(value)] = f"S{len(self._shared)}"
            self.values[name] = value
        return name

    def literal(self, value: Any) -> str:
        """Python source for a JSON value: a fresh container on every call, texts by constant name."""
        if isinstance(value, str):
            return self.constant(value) if len(value) > 24 else repr(value)
        if isinstance(value, bool | int | float) or value is None:
            return repr(value)
        if isinstance(value, list | tuple):
            return "[" + ", ".join(self.literal(v) for v in value) + "]"
        if isinstance(value, SharedDict):  # a per-pack constant: every result holds the same object
            return self.shared(value)
        if isinstance(value, Mapping):
            return "{" + ", ".join(f"{k!r}: {self.literal(v)}" for k, v in value.items()) + "}"
        raise TypeError(f"not a JSON constant: {value!r}")

    def rule_function(self, name: str, cond: Cond, held: RuleTrace, not_held: RuleTrace) -> list[str]:
        """The rule's writer. What it writes depends only on what it reads (the atoms' values, the holdings
        and outcomes it refers to, whether the rule holds), so the entry is memoised on those, read-only."""
        self._body, self._loads, self._inputs, self._count, self._hashable = [], [], [], 0, True
        skeleton = ConditionTraceSkeleton.of(cond)
        condition = self.node(cond, skeleton)[1]
        failures = self.failures(cond, skeleton)
        write = [
            *self._body,
            "    if own:",
            f"        entry = {self.entry(held, condition, '[]')}",
            "    else:",
            f"        entry = {self.entry(not_held, condition, failures)}",
        ]
        head = [f"def {name}(v, h, o, d):", f"    own = h[{held.id!r}]", *self._loads]
        if not self._hashable:  # a value that cannot be a key: written afresh each time
            return [*head, *write, "    return entry"]
        memo = f"M_{name}"
        self.values[memo] = {}
        return [
            *head,
            f"    key = (own, {''.join(f'{i}, ' for i in self._inputs)})",
            f"    entry = {memo}.get(key)",
            "    if entry is not None:",
            "        return entry",
            *write,
            "    entry = FREEZE(entry)",
            f"    if len({memo}) < {MEMO_LIMIT}:",
            f"        {memo}[key] = entry",
            "    return entry",
        ]

    def entry(self, rule: RuleTrace, condition: str, failed: str) -> str:
        """The rule's JSON entry: its constant fields as the untraced entry writes them, then the trace."""
        fixed = ", ".join(f"{k!r}: {self.literal(v)}" for k, v in rule.to_json(trace=True).items())
        return f"{{{fixed}, 'condition': {condition}, 'failed': {failed}}}"

    def _load(self, name: str, expression: str) -> None:
        """A value the entry depends on: read before the memo is looked up, and part of its key."""
        self._loads.append(f"    {name} = {expression}")
        self._inputs.append(name)

    def _local(self) -> str:
        self._count += 1
        return f"n{self._count}"

    def node(self, cond: Cond, skeleton: ConditionTrace) -> tuple[str, str]:
        """(the local holding whether the node holds, the source of its JSON dict); lines go to the body."""
        says = "" if skeleton.says is None else f", 'says': {self.literal(skeleton.says)}"
        holds = self._local()
        if isinstance(cond, Leaf):
            value = self._local()
            self._load(value, f"v[{cond.atom.key!r}]")
            self._body.append(f"    {holds} = {self.expressions.leaf(cond, value)}")
            shown = value if cond.atom.kind in SCALAR_KINDS else f"J({value})"
            self._hashable = self._hashable and cond.atom.kind in SCALAR_KINDS
            operand = self.literal(jsonable(cond.operand))
            fields = f"'subject': {cond.atom.key!r}, 'op': {cond.op!r}, 'operand': {operand}, 'value': {shown}"
            on = self.atoms[cond.atom.key].on
            if on is not None:  # read on another day than the evaluation date: that day, and what it is
                day = self._local()
                self._load(day, f"d({cond.atom.key!r})")
                fields += f", 'on': {on!r}, 'read_on': J({day})"
            return holds, f"{{'kind': 'fact', 'holds': {holds}{says}, {fields}}}"
        if isinstance(cond, AllOf | AnyOf):
            kids = [self.node(c, s) for c, s in zip(cond.children, skeleton.children, strict=True)]
            joined = " and ".join(k[0] for k in kids) if isinstance(cond, AllOf) else " or ".join(k[0] for k in kids)
            self._body.append(f"    {holds} = {joined or ('True' if isinstance(cond, AllOf) else 'False')}")
            children = f", 'children': [{', '.join(k[1] for k in kids)}]" if kids else ""
            return holds, f"{{'kind': {skeleton.kind!r}, 'holds': {holds}{says}{children}}}"
        if isinstance(cond, NotOf):
            kid = self.node(cond.child, skeleton.children[0])
            self._body.append(f"    {holds} = not {kid[0]}")
            return holds, f"{{'kind': 'not', 'holds': {holds}{says}, 'children': [{kid[1]}]}}"
        if isinstance(cond, RuleRef):
            self._load(holds, f"h[{cond.rule_id!r}]")
            fields = f"'subject': {cond.rule_id!r}, 'op': 'holds', 'operand': True, 'value': {holds}"
            return holds, f"{{'kind': 'rule', 'holds': {holds}{says}, {fields}}}"
        assert isinstance(cond, OutcomeRef)
        value = self._local()
        if cond.presence is None:
            self._load(value, f"o({cond.decision!r})")
        else:
            present = self.expressions.leaf(cond.presence, f"v[{cond.presence.atom.key!r}]")
            self._load(value, f"o({cond.decision!r}) if {present} else None")
        self._body.append(f"    {holds} = {value} in {self.expressions.constant(frozenset(cond.outcomes))}")
        operand = self.literal(list(cond.outcomes))
        fields = f"'subject': {cond.decision!r}, 'op': 'in', 'operand': {operand}, 'value': {value}"
        return holds, f"{{'kind': 'outcome', 'holds': {holds}{says}, {fields}}}"

    def failures(self, cond: Cond, skeleton: ConditionTrace) -> str:
        """Source of the list ConditionTrace.failures() gives, as phrases, from the nodes' holding locals.
        Re-walks the tree in the order `node` numbered it, so the locals line up."""
        self._count = 0
        return self._failures(cond, skeleton)

    def _failures(self, cond: Cond, skeleton: ConditionTrace) -> str:
        holds = self._local()
        own = f"[{self.literal(skeleton.phrase)}]"
        if isinstance(cond, Leaf | OutcomeRef):
            self._count += 1  # the value local
            if isinstance(cond, Leaf) and self.atoms[cond.atom.key].on is not None:
                self._count += 1  # the local of the day it is read on
            return f"([] if {holds} else {own})"
        if isinstance(cond, AllOf | AnyOf):
            kids = [self._failures(c, s) for c, s in zip(cond.children, skeleton.children, strict=True)]
            inner = "[" + ", ".join(f"*{k}" for k in kids) + "]"
            if isinstance(cond, AnyOf):
                inner = f"({inner} or {own})"
            return f"([] if {holds} else {inner})"
        if isinstance(cond, NotOf):
            self._failures(cond.child, skeleton.children[0])
        return f"([] if {holds} else {own})"


class ConditionTraceSkeleton:
    """A condition tree's trace shape without values: kinds, says, subjects and children, hence the phrases
    (ConditionTrace.phrase reads nothing else), so generated phrases are the ones the tree gives."""

    @staticmethod
    def of(cond: Cond) -> ConditionTrace:
        if isinstance(cond, Leaf):
            return ConditionTrace("fact", False, cond.says, cond.atom.key, cond.op, cond.operand)
        if isinstance(cond, AllOf | AnyOf):
            kids = tuple(ConditionTraceSkeleton.of(c) for c in cond.children)
            return ConditionTrace("all" if isinstance(cond, AllOf) else "any", False, cond.says, children=kids)
        if isinstance(cond, NotOf):
            return ConditionTrace("not", False, cond.says, children=(ConditionTraceSkeleton.of(cond.child),))
        if isinstance(cond, RuleRef):
            return ConditionTrace("rule", False, cond.says, cond.rule_id, "holds", True)
        return ConditionTrace("outcome", False, cond.says, cond.decision, "in", cond.outcomes)
