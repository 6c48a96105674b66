"""Evaluation: the Pack facade, the engine interface, the compiled evaluator and the shared hit-policy
resolution that turns "which rules hold" into decisions with citations.

Both engines answer one question — which rules hold on this flat view of the facts — and everything after
that (hit policy, flags, citations, notes) is computed here, once, so they cannot drift apart there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from .compile import AllOf, AnyOf, CompiledPack, CompiledRule, Cond, Leaf, NotOf, OutcomeRef, RuleRef, Value
from .compile import compile_pack as _compile
from .errors import EvaluationError, FactsError, Problem, did_you_mean
from .load import load_definition
from .model import Facts, parse_facts
from .pack import DECISIONS, FLAGS, DocumentStatus, PackDefinition
from .result import ConditionTrace, Decision, Result, RuleTrace, unique_citations

# --- the engine interface ------------------------------------------------------------------------------------


class Engine(Protocol):
    """An engine decides which of a pack's rules hold on a view of the facts."""

    name: str

    def holding(self, view: Mapping[str, Value]) -> frozenset[str]:
        """The ids of every active rule of the pack that holds on `view`."""
        ...


EngineFactory = Callable[[CompiledPack], Engine]


def _durable_factory(pack: CompiledPack) -> Engine:
    from .durable_engine import DurableEngine  # imported lazily: durable_rules may be unavailable

    engine: Engine = DurableEngine(pack)
    return engine


ENGINES: dict[str, EngineFactory] = {}  # filled below, once CompiledEngine is defined


# --- the compiled evaluator ------------------------------------------------------------------------------------

Fast = Callable[["Env"], bool]


class Env:
    """One evaluation: the view, and memoised rule holdings and outcomes (rules may refer to both)."""

    __slots__ = ("_holds", "_outcomes", "evaluator", "view")

    def __init__(self, evaluator: CompiledEngine, view: Mapping[str, Value]) -> None:
        self.evaluator = evaluator
        self.view = view
        self._holds: dict[str, bool] = {}
        self._outcomes: dict[str, str] = {}

    def holds(self, rule_id: str) -> bool:
        known = self._holds.get(rule_id)
        if known is None:
            known = self._holds[rule_id] = self.evaluator.fast[rule_id](self)
        return known

    def outcome(self, decision: str) -> str:
        known = self._outcomes.get(decision)
        if known is None:
            known = self._outcomes[decision] = resolve(self.evaluator.pack, decision, self.holds).outcome
        return known


class CompiledEngine:
    """Conditions compiled once into nested Python closures; also produces the full trace."""

    name = "compiled"

    def __init__(self, pack: CompiledPack) -> None:
        self.pack = pack
        self.fast: dict[str, Fast] = {r.id: _fast(r.cond) for r in pack.rules}

    def holding(self, view: Mapping[str, Value]) -> frozenset[str]:
        env = Env(self, view)
        return frozenset(rule_id for rule_id in self.fast if env.holds(rule_id))

    def trace(self, cond: Cond, env: Env) -> ConditionTrace:
        return _trace(cond, env)


ENGINES.update(compiled=CompiledEngine, durable=_durable_factory)


def _fast(cond: Cond) -> Fast:
    if isinstance(cond, Leaf):
        key, test = cond.atom.key, cond.test
        return lambda env: test(env.view[key])
    if isinstance(cond, AllOf):
        parts = tuple(_fast(c) for c in cond.children)
        return lambda env: all(p(env) for p in parts)
    if isinstance(cond, AnyOf):
        parts = tuple(_fast(c) for c in cond.children)
        return lambda env: any(p(env) for p in parts)
    if isinstance(cond, NotOf):
        inner = _fast(cond.child)
        return lambda env: not inner(env)
    if isinstance(cond, RuleRef):
        rule_id = cond.rule_id
        return lambda env: env.holds(rule_id)
    decision, wanted = cond.decision, frozenset(cond.outcomes)
    return lambda env: env.outcome(decision) in wanted


def _trace(cond: Cond, env: Env) -> ConditionTrace:
    if isinstance(cond, Leaf):
        value = env.view[cond.atom.key]
        return ConditionTrace("fact", cond.test(value), cond.says, cond.atom.key, cond.op, cond.operand, value)
    if isinstance(cond, AllOf | AnyOf):
        kids = tuple(_trace(c, env) for c in cond.children)
        if isinstance(cond, AllOf):
            return ConditionTrace("all", all(k.holds for k in kids), cond.says, children=kids)
        return ConditionTrace("any", any(k.holds for k in kids), cond.says, children=kids)
    if isinstance(cond, NotOf):
        kid = _trace(cond.child, env)
        return ConditionTrace("not", not kid.holds, cond.says, children=(kid,))
    if isinstance(cond, RuleRef):
        held = env.holds(cond.rule_id)
        return ConditionTrace("rule", held, cond.says, cond.rule_id, "holds", True, held)
    assert isinstance(cond, OutcomeRef)
    outcome = env.outcome(cond.decision)
    return ConditionTrace("outcome", outcome in cond.outcomes, cond.says, cond.decision, "in", cond.outcomes, outcome)


# --- hit policy: from holding rules to a decision -----------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    outcome: str
    decided_by: tuple[CompiledRule, ...]  # holding rules that yield the outcome
    flag_rules: tuple[CompiledRule, ...]  # holding rules that set a flag
    flags: dict[str, bool] = field(default_factory=dict)


def resolve(pack: CompiledPack, decision: str, holds: Callable[[str], bool]) -> Resolution:
    """Apply the decision's hit policy: the first outcome in priority order that a holding rule yields,
    else the default; flags are set by any holding rule that sets them."""
    policy = pack.definition.decisions[decision]
    held = [r for r in pack.rules_of(decision) if holds(r.id)]
    outcome = next(
        (o for o in policy.priority if any(r.rule.spec.yields == o for r in held)),
        policy.default,
    )
    decided_by = tuple(r for r in held if r.rule.spec.yields == outcome)
    flag_rules = tuple(r for r in held if r.rule.spec.sets)
    flags = {f: any(r.rule.spec.sets.get(f, False) for r in flag_rules) for f in FLAGS.get(decision, ())}
    return Resolution(outcome, decided_by, flag_rules, flags)


# --- the Pack facade ---------------------------------------------------------------------------------------------


def present_decisions(facts: Facts) -> tuple[str, ...]:
    """Which decisions the contract's section 3 asks for, given the facts as known on the date."""
    listing = facts.enterprise.listing
    present = {
        "inclusion": True,
        "listing": listing is not None and listing.removed_on is None,
        "inspection": facts.inspection_request is not None,
        "penalty": facts.violation_case is not None,
        "supervision": True,
    }
    return tuple(d for d in DECISIONS if present[d])


class Pack:
    """A loaded, compiled pack: `load_pack(...)`, then `evaluate(facts, as_of=...)`."""

    def __init__(self, compiled: CompiledPack) -> None:
        self.compiled = compiled
        self._engines: dict[str, Engine] = {}

    @property
    def definition(self) -> PackDefinition:
        return self.compiled.definition

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def version(self) -> str:
        return self.definition.meta.version

    def engine(self, name: str) -> Engine:
        if name not in ENGINES:
            raise EvaluationError(
                [
                    Problem(
                        "--engine",
                        f"unknown engine '{name}'{did_you_mean(name, ENGINES)}; expected one of {', '.join(ENGINES)}",
                    )
                ]
            )
        if name not in self._engines:
            self._engines[name] = ENGINES[name](self.compiled)
        return self._engines[name]

    def evaluate(self, facts: Facts | Mapping[str, Any], as_of: date | None = None, engine: str = "compiled") -> Result:
        """Every decision the facts ask for, with citations; the compiled engine also records the trace."""
        model = parse_facts(facts)
        day = as_of or date.today()
        warnings = self.check_date(day)
        self._check_facts(model, day)
        from .compile import as_known_on

        known = as_known_on(model, day)
        view = self.compiled.view(model, day)
        chosen = self.engine(engine)
        compiled = self.engine("compiled")
        assert isinstance(compiled, CompiledEngine)
        if isinstance(chosen, CompiledEngine):
            env = Env(chosen, view)
            holds: Callable[[str], bool] = env.holds
        else:
            held = chosen.holding(view)
            env = Env(compiled, view)
            holds = held.__contains__
        decisions = {d: self._decision(d, holds, env, traced=chosen is compiled) for d in present_decisions(known)}
        return Result(self.id, self.version, day, chosen.name, decisions, warnings, traced=chosen is compiled)

    def check_date(self, day: date) -> tuple[str, ...]:
        """Errors for a date outside the force window; warnings for a draft or superseded pack."""
        doc = self.definition.primary
        meta = self.definition.meta
        starts = doc.in_force_earliest or doc.in_force_from
        if starts and day < starts:
            raise EvaluationError(
                [
                    Problem(
                        "--as-of",
                        f"{doc.number} is in force from {starts}; "
                        f"the evaluation date {day} is before it. Use --as-of "
                        f"{starts} or later, or another pack.",
                    )
                ]
            )
        if doc.in_force_until and day > doc.in_force_until:
            raise EvaluationError(
                [
                    Problem(
                        "--as-of",
                        f"{doc.number} was in force until {doc.in_force_until}; the evaluation date {day} is after it.",
                    )
                ]
            )
        warnings = []
        if doc.in_force_earliest and doc.in_force_from and doc.in_force_earliest <= day < doc.in_force_from:
            warnings.append(
                f"{doc.number} may not yet have applied on {day}: its date of issue is known only to lie between "
                f"{doc.in_force_earliest} and {doc.in_force_from} ({doc.date_note or 'see the pack notes'})"
            )
        if doc.status is DocumentStatus.draft:
            warnings.append(
                f"{doc.number or doc.title} is a draft for comment (征求意见稿), never in force: "
                "its decisions are not binding"
            )
        if meta.superseded_from and day >= meta.superseded_from:
            warnings.append(
                f"from {meta.superseded_from} {meta.superseded_by} prevails where it differs; "
                f"this pack is superseded where inconsistent"
            )
        return tuple(warnings)

    def _check_facts(self, facts: Facts, day: date) -> None:
        problems = []
        rating = facts.enterprise.credit_rating
        if rating is not None and rating not in self.compiled.grade_codes:
            scheme = self.definition.credit_scheme
            grades = ", ".join(f"{g.label} ({g.code})" for g in scheme.grades)
            problems.append(
                Problem(
                    "enterprise.credit_rating",
                    f"'{rating}' is not a grade of {scheme.name}"
                    f"{did_you_mean(rating, self.compiled.grade_codes)}; expected one of {grades}",
                )
            )
        case = facts.violation_case
        if case is not None and case.date > day:
            problems.append(
                Problem(
                    "violation_case.date",
                    f"the case is dated {case.date}, after the evaluation "
                    f"date {day}; a case not yet known on that date cannot be decided",
                )
            )
        if problems:
            raise FactsError(problems)

    def _decision(self, name: str, holds: Callable[[str], bool], env: Env, traced: bool) -> Decision:
        rules = self.compiled.rules_of(name)
        res = resolve(self.compiled, name, holds)
        compiled = env.evaluator
        traces = tuple(_rule_trace(r, holds(r.id), compiled.trace(r.cond, env) if traced else None) for r in rules)
        if res.decided_by:
            cited = [c for r in (*res.decided_by, *res.flag_rules) for c in r.rule.cites]
        else:
            # a default outcome rests on the clauses whose conditions were checked and did not hold
            cited = [c for r in (*rules, *res.flag_rules) for c in r.rule.cites]
        citations = unique_citations(c.citation() for c in cited)
        categories = (
            tuple(r.rule.spec.category for r in res.decided_by if r.rule.spec.category)
            if (name == "inclusion" and res.outcome == "eligible")
            else ()
        )
        rule_notes = [
            r.rule.spec.decision_note for r in (*res.decided_by, *res.flag_rules) if r.rule.spec.decision_note
        ]
        policy_note = self.definition.decisions[name].note
        default_note = [f"默认结论 / default outcome: {policy_note}"] if not res.decided_by and policy_note else []
        notes = tuple(dict.fromkeys((*self._notes(cited), *rule_notes, *default_note)))
        return Decision(
            name,
            res.outcome,
            traces,
            citations,
            categories,
            res.flags,
            tuple(r.id for r in res.decided_by),
            notes,
        )

    def _notes(self, cited: Any) -> tuple[str, ...]:
        notes = []
        for doc in {id(d): d for d in (self.definition.document_of(c) for c in cited)}.values():
            if doc.status is DocumentStatus.draft:
                notes.append(f"依据征求意见稿，未生效 / rests on a draft for comment ({doc.title}), never in force")
        return tuple(notes)


def _rule_trace(rule: CompiledRule, held: bool, condition: ConditionTrace | None) -> RuleTrace:
    spec = rule.rule.spec
    return RuleTrace(
        id=rule.id,
        holds=held,
        pack=rule.rule.pack_id,
        origin=rule.rule.origin,
        title=spec.title,
        title_en=spec.title_en,
        yields=spec.yields,
        category=spec.category,
        sets=dict(spec.sets),
        citations=tuple(c.citation() for c in rule.rule.cites),
        condition=condition,
        interpretation=tuple(i.model_dump() for i in spec.interpretation),
    )


def compile_pack(definition: PackDefinition) -> Pack:
    return Pack(_compile(definition))


def load_pack(ref: str) -> Pack:
    """A shipped pack by id (e.g. "mee_2021"), or a pack directory by path."""
    return Pack(_compile(load_definition(ref)))
