"""Evaluation: the Pack facade, the engine interface, the compiled evaluator and the shared hit-policy
resolution that turns "which rules hold" into decisions with citations.

Both engines answer one question — which rules hold on this flat view of the facts — and everything after
that (hit policy, flags, citations, notes) is computed here, once, so they cannot drift apart there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Protocol

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
    as_known_on,
    references,
)
from ..conditions import compile_pack as _compile
from ..errors import EvaluationError, FactsError, Problem, did_you_mean
from ..facts import Facts, parse_facts
from ..packs import DECISIONS, FLAGS, DocumentStatus, PackDefinition, load_definition
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
    from .durable import DurableEngine  # imported lazily: durable_rules may be unavailable

    engine: Engine = DurableEngine(pack)
    return engine


ENGINES: dict[str, EngineFactory] = {}  # filled below, once CompiledEngine is defined


# --- the compiled evaluator ------------------------------------------------------------------------------


class Env:
    """One evaluation as the trace sees it: the view, every rule's holding, and outcomes on demand."""

    __slots__ = ("_holds", "_outcomes", "pack", "view")

    def __init__(self, pack: CompiledPack, view: Mapping[str, Value], holds: Mapping[str, bool]) -> None:
        self.pack = pack
        self.view = view
        self._holds = holds
        self._outcomes: dict[str, str] = {}

    def holds(self, rule_id: str) -> bool:
        return self._holds[rule_id]

    def outcome(self, decision: str) -> str:
        known = self._outcomes.get(decision)
        if known is None:
            known = self._outcomes[decision] = resolve(self.pack, decision, self.holds).outcome
        return known


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
        return _trace(cond, env)


ENGINES.update(compiled=CompiledEngine, durable=_durable_factory)


def generate_source(pack: CompiledPack) -> str:
    """Python source of `holding_vector(view) -> tuple[bool, ...]`: one local per atom, one per rule in
    dependency order (a rule after the rules it refers to; a decision's outcome after all of its rules), each
    condition an inline boolean expression, constants hoisted. Generated from the IR, never from pack text,
    so nothing a pack author writes is executed."""
    gen = _Generator(pack)
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


class _Generator:
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
    if cond.presence is not None and not cond.presence.test(env.view[cond.presence.atom.key]):
        return ConditionTrace("outcome", False, cond.says, cond.decision, "in", cond.outcomes, None)
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
    held = [r for r in pack.by_decision[decision] if holds(r.id)]
    yielded = {r.yields for r in held}
    outcome = next((o for o in policy.priority if o in yielded), policy.default)
    decided_by = tuple(r for r in held if r.yields == outcome)
    flag_rules = tuple(r for r in held if r.sets)
    flags = {f: any(r.sets.get(f, False) for r in flag_rules) for f in FLAGS.get(decision, ())}
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


@dataclass(frozen=True)
class _RuleInfo:
    """What a decision needs of a rule besides whether it holds, computed once per pack."""

    citations: tuple[Mapping[str, str], ...]
    draft_docs: tuple[str, ...]  # titles of draft documents the rule cites


class Pack:
    """A loaded, compiled pack: `load_pack(...)`, then `evaluate(facts, as_of=...)`."""

    def __init__(self, compiled: CompiledPack) -> None:
        self.compiled = compiled
        self._engines: dict[str, Engine] = {}
        self._by_decision = {d: compiled.rules_of(d) for d in DECISIONS}
        self._info = {r.id: self._rule_info(r) for r in compiled.rules}
        self._memo: dict[tuple[str, tuple[bool, ...]], Decision] = {}
        # without a trace a rule's entry is one of two immutable values: build them once
        self._untraced = {
            (r.id, held): self._rule_trace(r, held, None) for r in compiled.rules for held in (True, False)
        }

    def _rule_trace(self, rule: CompiledRule, held: bool, condition: ConditionTrace | None) -> RuleTrace:
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
            sets=MappingProxyType(dict(spec.sets)),
            citations=self._info[rule.id].citations,
            condition=condition,
            interpretation=tuple(MappingProxyType(i.model_dump()) for i in spec.interpretation),
        )

    def _rule_info(self, rule: CompiledRule) -> _RuleInfo:
        docs = [self.definition.document_of(c) for c in rule.rule.cites]
        drafts = tuple(dict.fromkeys(d.title for d in docs if d.status is DocumentStatus.draft))
        # read-only: the same citation objects appear in every result that cites the rule
        return _RuleInfo(tuple(MappingProxyType(c.citation()) for c in rule.rule.cites), drafts)

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

    def evaluate(
        self,
        facts: Facts | Mapping[str, Any],
        as_of: date | None = None,
        engine: str = "compiled",
        trace: bool = True,
    ) -> Result:
        """Every decision the facts ask for, with citations. With the compiled engine and trace=True (the
        default) every rule also carries its condition trace; trace=False is the fast path for registers."""
        model = parse_facts(facts)
        day = as_of or date.today()
        warnings = self.check_date(day)
        self._check_facts(model, day)
        known = as_known_on(model, day)
        view = self.compiled.view(known, day, known=True)
        chosen = self.engine(engine)
        if isinstance(chosen, CompiledEngine):
            held = dict(zip(chosen.rule_ids, chosen.vector(view), strict=True))
        else:
            holding = chosen.holding(view)
            held = {r.id: r.id in holding for r in self.compiled.rules}
        env = Env(self.compiled, view, held)
        traced = trace and isinstance(chosen, CompiledEngine)
        decisions = {d: self._decision(d, held, env, traced) for d in present_decisions(known)}
        return Result(self.id, self.version, day, chosen.name, decisions, warnings, traced=traced)

    def check_date(self, day: date) -> tuple[str, ...]:
        """Errors for a date outside the force window of this pack or of any pack it extends (a local pack
        cannot apply before the rules it builds on); warnings for a draft, a superseded pack, or a date of
        issue known only within a range."""
        warnings: list[str] = []
        for definition in self.definition.chain():
            warnings += _date_warnings(definition, day)
        return tuple(dict.fromkeys(warnings))

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

    def _decision(self, name: str, held: Mapping[str, bool], env: Env, traced: bool) -> Decision:
        """The decision from which of its rules hold. Without a trace the result depends only on that pattern,
        so it is memoised (a register has few distinct patterns per decision)."""
        if traced:
            return self._build_decision(name, held.__getitem__, env, traced=True)
        key = (name, tuple(held[r.id] for r in self._by_decision[name]))
        cached = self._memo.get(key)
        if cached is None:
            cached = self._build_decision(name, held.__getitem__, env, traced=False)
            if len(self._memo) < 65536:
                self._memo[key] = cached
        return cached

    def _build_decision(self, name: str, holds: Callable[[str], bool], env: Env, traced: bool) -> Decision:
        rules = self._by_decision[name]
        res = resolve(self.compiled, name, holds)
        if traced:
            traces = tuple(self._rule_trace(r, holds(r.id), _trace(r.cond, env)) for r in rules)
        else:
            traces = tuple(self._untraced[(r.id, holds(r.id))] for r in rules)
        # a default outcome rests on the clauses whose conditions were checked and did not hold
        citing = (*res.decided_by, *res.flag_rules) if res.decided_by else (*rules, *res.flag_rules)
        infos = [self._info[r.id] for r in citing]
        citations = unique_citations(c for info in infos for c in info.citations)
        categories = (
            tuple(r.rule.spec.category for r in res.decided_by if r.rule.spec.category)
            if (name == "inclusion" and res.outcome == "eligible")
            else ()
        )
        drafts = [
            f"依据征求意见稿，未生效 / rests on a draft for comment ({title}), never in force"
            for info in infos
            for title in info.draft_docs
        ]
        rule_notes = [
            r.rule.spec.decision_note for r in (*res.decided_by, *res.flag_rules) if r.rule.spec.decision_note
        ]
        policy_note = self.definition.decisions[name].default_note
        default_note = [f"默认结论 / default outcome: {policy_note}"] if not res.decided_by and policy_note else []
        notes = tuple(dict.fromkeys((*drafts, *rule_notes, *default_note)))
        return Decision(
            name,
            res.outcome,
            traces,
            citations,
            categories,
            MappingProxyType(res.flags),  # read-only: decisions are memoised and shared between results
            tuple(r.id for r in res.decided_by),
            notes,
        )


def _date_warnings(definition: PackDefinition, day: date) -> list[str]:
    doc = definition.primary
    meta = definition.meta
    starts = doc.in_force_earliest or doc.in_force_from
    if starts and day < starts:
        raise EvaluationError(
            [
                Problem(
                    "as_of",
                    f"{doc.number} is in force from {starts}; the evaluation date {day} is before it (pack "
                    f"{meta.id}). Evaluate on {starts} or later, or with another pack.",
                )
            ]
        )
    if doc.in_force_until and day > doc.in_force_until:
        raise EvaluationError(
            [
                Problem(
                    "as_of",
                    f"{doc.number} was in force until {doc.in_force_until}; the evaluation date {day} is after it "
                    f"(pack {meta.id}).",
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
            f"《{doc.title}》 is a draft for comment (征求意见稿), never in force: its decisions are not binding"
        )
    if meta.superseded_from and day >= meta.superseded_from:
        warnings.append(
            f"from {meta.superseded_from} {meta.superseded_by or 'a later document'} prevails where it differs; "
            f"{meta.id} is superseded where inconsistent"
        )
    elif doc.status is DocumentStatus.superseded and not meta.superseded_from:
        warnings.append(f"{doc.number} ({meta.id}) is marked superseded: check which document now governs")
    return warnings


def compile_pack(definition: PackDefinition) -> Pack:
    return Pack(_compile(definition))


def load_pack(ref: str) -> Pack:
    """A shipped pack by id (e.g. "mee_2021"), or a pack directory by path."""
    return Pack(_compile(load_definition(ref)))
