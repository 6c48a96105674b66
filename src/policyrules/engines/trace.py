"""The condition trace: each rule's condition tree re-evaluated node by node on one evaluation's view, so an
explanation shows why each rule held or not."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ..conditions import AllOf, AnyOf, CompiledPack, Cond, Context, Leaf, NotOf, OutcomeRef, RuleRef, Value
from .hit_policy import resolve
from .result import ConditionTrace, RuleTrace


class Env:
    """One evaluation as the trace sees it: the view, every rule's holding, and outcomes on demand."""

    __slots__ = ("_outcomes", "context", "held", "pack", "view")

    def __init__(
        self,
        pack: CompiledPack,
        view: Mapping[str, Value],
        held: Mapping[str, bool],
        context: Context | None = None,
    ) -> None:
        self.pack = pack
        self.view = view
        self.held = held
        self._outcomes: dict[str, str] = {}
        self.context = context  # the facts as known and the evaluation date: for the day an atom was read on

    def read_on(self, atom_key: str) -> date | None:
        """The day an atom that names one (`read_on:`) was read on; None for atoms read on the evaluation date."""
        atom = self.pack.atoms[atom_key]
        if atom.on is None or atom.read_date is None or self.context is None:
            return None
        return atom.read_date(self.context)

    def holds(self, rule_id: str) -> bool:
        return self.held[rule_id]

    def outcome(self, decision: str) -> str:
        known = self._outcomes.get(decision)
        if known is None:
            known = self._outcomes[decision] = resolve(self.pack, decision, self.holds).outcome
        return known


def trace_condition(cond: Cond, env: Env) -> ConditionTrace:
    """The trace of `cond`: rule and outcome references read the evaluation's holdings (`env`), so the trace
    says what the engine decided instead of deciding again."""
    if isinstance(cond, Leaf):
        value = env.view[cond.atom.key]
        on = env.pack.atoms[cond.atom.key].on
        return ConditionTrace(
            "fact",
            cond.test(value),
            cond.says,
            cond.atom.key,
            cond.op,
            cond.operand,
            value,
            read_on=env.read_on(cond.atom.key),
            on=on,
        )
    if isinstance(cond, AllOf | AnyOf):
        kids = tuple(trace_condition(c, env) for c in cond.children)
        if isinstance(cond, AllOf):
            return ConditionTrace("all", all(k.holds for k in kids), cond.says, children=kids)
        return ConditionTrace("any", any(k.holds for k in kids), cond.says, children=kids)
    if isinstance(cond, NotOf):
        kid = trace_condition(cond.child, env)
        return ConditionTrace("not", not kid.holds, cond.says, children=(kid,))
    if isinstance(cond, RuleRef):
        held = env.holds(cond.rule_id)
        return ConditionTrace("rule", held, cond.says, cond.rule_id, "holds", True, held)
    assert isinstance(cond, OutcomeRef)
    if cond.presence is not None and not cond.presence.test(env.view[cond.presence.atom.key]):
        return ConditionTrace("outcome", False, cond.says, cond.decision, "in", cond.outcomes, None)
    outcome = env.outcome(cond.decision)
    return ConditionTrace("outcome", outcome in cond.outcomes, cond.says, cond.decision, "in", cond.outcomes, outcome)


class EvaluationTrace:
    """The trace of one evaluation, per rule on demand (result.TraceSource): the condition tree walked over the
    IR, or the rule's JSON entry written by its generated function (trace_code.py), which gives the same."""

    __slots__ = ("_conditions", "_json", "env")

    def __init__(
        self, env: Env, conditions: Mapping[str, Cond], json_writers: Mapping[str, Callable[..., Any]]
    ) -> None:
        self.env = env
        self._conditions = conditions
        self._json = json_writers

    def condition(self, rule_id: str) -> ConditionTrace:
        return trace_condition(self._conditions[rule_id], self.env)

    def rule_json(self, rule_id: str) -> dict[str, Any]:
        env = self.env
        return self._json[rule_id](env.view, env.held, env.outcome, env.read_on)  # type: ignore[no-any-return]

    def rules_json(self, rules: tuple[RuleTrace, ...]) -> list[dict[str, Any]]:
        env, writers = self.env, self._json
        view, held, outcome, read_on = env.view, env.held, env.outcome, env.read_on
        return [writers[r.id](view, held, outcome, read_on) for r in rules]
