"""The Pack facade: a loaded, compiled pack that evaluates facts on a date into decisions with citations,
traces and warnings, whichever engine decides which rules hold."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from ..conditions import CompiledPack, CompiledRule, Context, as_known_on
from ..conditions import compile_pack as _compile
from ..errors import EvaluationError, FactsError, Problem, did_you_mean
from ..facts import Facts, ValueProblem, parse_date, parse_facts
from ..packs import DECISIONS, DocumentStatus, PackDefinition, load_definition
from . import supersession
from .compiled import CompiledEngine
from .hit_policy import present_decisions, resolve
from .protocol import ENGINES, Engine
from .result import Decision, Result, RuleTrace, shared, unique_citations
from .trace import Env, EvaluationTrace
from .trace_code import RuleJson, compile_trace_json


@dataclass(frozen=True)
class _RuleInfo:
    """What a decision needs of a rule besides whether it holds, computed once per pack."""

    citations: tuple[Mapping[str, str], ...]
    draft_docs: tuple[str, ...]  # titles of draft documents the rule cites


class Pack:
    """A loaded, compiled pack: `load_pack(...)`, then `evaluate(facts, as_of=...)`."""

    def __init__(self, compiled: CompiledPack, own_only: bool = False) -> None:
        self.compiled = compiled
        self._engines: dict[str, Engine] = {}
        self._by_decision = {d: compiled.rules_of(d) for d in DECISIONS}
        self._info = {r.id: self._rule_info(r) for r in compiled.rules}
        self._memo: dict[tuple[str, tuple[bool, ...]], Decision] = {}
        self._decision_sets: dict[tuple[tuple[str, ...], tuple[bool, ...]], dict[str, Decision]] = {}
        self._rule_ids = tuple(r.id for r in compiled.rules)
        # a decision's pattern: its rules' holdings, picked from the vector of all rules' holdings
        position = {rule_id: i for i, rule_id in enumerate(self._rule_ids)}
        self._pattern = {d: _picker(tuple(position[r.id] for r in rules)) for d, rules in self._by_decision.items()}
        self._date_checks: dict[date, tuple[tuple[str, str], ...]] = {}
        # without a trace a rule's entry is one of two immutable values: build them once
        self._untraced = {(r.id, held): self._rule_trace(r, held) for r in compiled.rules for held in (True, False)}
        self._conditions = {r.id: r.cond for r in compiled.rules}
        superseding = None if own_only else compiled.definition.superseding
        self.superseding = Pack(_compile(superseding)) if superseding is not None else None
        # where the listing decision yields, the superseding pack's validity also decides who is still a
        # 正面清单企业 for this pack's own rules (docs/decisions.md, Supersession)
        self._after: Pack | None = None
        if (
            superseding is not None
            and supersession.validity_yields(compiled.definition)
            and superseding.validity_period != compiled.definition.validity_period
        ):
            self._after = Pack(_compile(compiled.definition, superseding.validity_period), own_only=True)

    @functools.cached_property
    def _trace_json(self) -> dict[str, RuleJson]:
        """The generated writers of the traced JSON, compiled when a pack is first evaluated with a trace."""
        return compile_trace_json(self.compiled, self._untraced)

    def _rule_trace(self, rule: CompiledRule, held: bool) -> RuleTrace:
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
            sets=shared(dict(spec.sets)),
            citations=self._info[rule.id].citations,
            interpretation=tuple(shared(i.model_dump(exclude_none=True)) for i in spec.interpretation),
        )

    def _rule_info(self, rule: CompiledRule) -> _RuleInfo:
        docs = [self.definition.document_of(c) for c in rule.rule.cites]
        drafts = tuple(dict.fromkeys(d.title for d in docs if d.status is DocumentStatus.draft))
        # read-only: the same citation objects appear in every result (and its JSON) that cites the rule
        return _RuleInfo(tuple(shared(c.citation()) for c in rule.rule.cites), drafts)

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
        as_of: date | str | None = None,
        engine: str = "compiled",
        trace: bool = True,
        supersede: bool = True,
    ) -> Result:
        """Every decision the facts ask for, with citations. With the compiled engine and trace=True (the
        default) every rule also carries its condition trace; trace=False is the fast path for registers.
        supersede=False answers by this pack's own rules even where a superseding pack prevails (the diff
        compares packs that way); the warning still says so.
        `as_of` is read like a fact's date (facts.values.parse_date: a date, or "2022-03-01", …); None is today."""
        model = parse_facts(facts)
        day = evaluation_date(as_of)
        if not (supersede and self.superseding is not None and supersession.in_effect(self.definition, day)):
            return self._evaluate_own(model, day, engine, trace)
        own = self.rules_on(day)._evaluate_own(model, day, engine, trace)
        theirs = self.superseding.evaluate(model, as_of=day, engine=engine, trace=trace)
        decisions = supersession.apply(self.definition, own.decisions, theirs.decisions, day)
        return Result(
            self.id,
            self.version,
            day,
            own.engine,
            decisions,
            own.warnings,
            traced=own.traced,
            warnings_zh=own.warnings_zh,
        )

    def rules_on(self, day: date) -> Pack:
        """The pack whose own rules decide on `day`: this one, or — where a supersession is in effect and the
        listing decision yields — this one read with the superseding pack's listing validity."""
        if self._after is not None and supersession.in_effect(self.definition, day):
            return self._after
        return self

    def deciding_packs(self, day: date, supersede: bool = True) -> tuple[Pack, ...]:
        """The packs whose rules take part in an evaluation on `day`: this pack as it reads on that day
        (rules_on), and, where a supersession is in effect, the packs of the superseding evaluation. A decision's
        rules and their traces come from these packs' views, so whatever caches by the atoms a decision reads
        must read them in each (explain.ReasonCache)."""
        if not (supersede and self.superseding is not None and supersession.in_effect(self.definition, day)):
            return (self,)  # as evaluate decides then: by this pack's own rules, as they are
        return (self.rules_on(day), *self.superseding.deciding_packs(day))

    def _evaluate_own(self, model: Facts, day: date, engine: str, trace: bool) -> Result:
        warnings = self._date_checks.get(day)
        if warnings is None:  # the same few dates again and again in a register: check each once
            warnings = _date_warnings_of(self.definition, day)
            if len(self._date_checks) < 4096:
                self._date_checks[day] = warnings
        self._check_facts(model, day)
        known = as_known_on(model, day)
        view = self.compiled.view(known, day, known=True)
        chosen = self.engine(engine)
        if isinstance(chosen, CompiledEngine):
            vector = chosen.vector(view)
        else:
            holding = chosen.holding(view)
            vector = tuple(rule_id in holding for rule_id in self._rule_ids)
        traced = trace and isinstance(chosen, CompiledEngine)
        decisions = self._decisions(present_decisions(known), vector)
        if traced:
            held = dict(zip(self._rule_ids, vector, strict=True))
            env = Env(self.compiled, view, held, Context(known, day, self.compiled.grade_codes))
            source = EvaluationTrace(env, self._conditions, self._trace_json)
            decisions = {name: d.traced_by(source) for name, d in decisions.items()}
        return Result.of(
            self.id,
            self.version,
            day,
            chosen.name,
            decisions,
            tuple(en for en, _ in warnings),
            traced,
            tuple(zh for _, zh in warnings),
        )

    def _decisions(self, present: tuple[str, ...], vector: tuple[bool, ...]) -> dict[str, Decision]:
        """The untraced decisions asked for, from every rule's holding. They depend only on which decisions
        are asked and on the vector, and a register has few distinct vectors (262 in 5,000 generated Chongqing
        enterprises), so the whole set is memoised; each result gets its own dict."""
        key = (present, vector)
        decisions = self._decision_sets.get(key)
        if decisions is None:
            decisions = {d: self._decision(d, vector) for d in present}
            if len(self._decision_sets) < 65536:
                self._decision_sets[key] = decisions
        return dict(decisions)

    def check_date(self, day: date, lang: str = "en") -> tuple[str, ...]:
        """Errors for a date outside the force window of this pack or of any pack it extends (a local pack
        cannot apply before the rules it builds on); warnings for a draft, a superseded pack, or a date of
        issue known only within a range (in English, or in Chinese with lang="zh")."""
        return tuple(zh if lang == "zh" else en for en, zh in _date_warnings_of(self.definition, day))

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

    def _decision(self, name: str, vector: tuple[bool, ...]) -> Decision:
        """The decision from which of its rules hold (`vector`: every rule's holding, in the pack's order).
        Without its trace the decision depends only on its rules' pattern, so it is memoised (a register has
        few distinct patterns per decision); a traced evaluation adds the trace to the memoised decision."""
        key = (name, self._pattern[name](vector))
        cached = self._memo.get(key)
        if cached is None:
            held = dict(zip(self._rule_ids, vector, strict=True))
            cached = self._build_decision(name, held.__getitem__)
            if len(self._memo) < 65536:
                self._memo[key] = cached
        return cached

    def _build_decision(self, name: str, holds: Callable[[str], bool]) -> Decision:
        rules = self._by_decision[name]
        res = resolve(self.compiled, name, holds)
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
        drafts = [title for info in infos for title in info.draft_docs]
        deciding = (*res.decided_by, *res.flag_rules)
        rule_notes = [(r.rule.spec.decision_note, r.rule.spec.decision_note_zh) for r in deciding]
        policy = self.definition.decisions[name]
        default = (policy.default_note, policy.default_note_zh) if not res.decided_by else (None, None)
        notes = tuple(
            dict.fromkeys(
                (
                    *(f"依据征求意见稿，未生效 / rests on a draft for comment ({t}), never in force" for t in drafts),
                    *(en for en, _ in rule_notes if en),
                    *([f"默认结论 / default outcome: {default[0]}"] if default[0] else []),
                )
            )
        )
        notes_zh = tuple(
            dict.fromkeys(
                (
                    *(f"依据《{t}》，该文件是征求意见稿，从未生效" for t in drafts),
                    *(n for n in (zh or en for en, zh in rule_notes) if n),
                    *([f"默认结论：{default[1] or default[0]}"] if default[0] or default[1] else []),
                )
            )
        )
        return Decision(
            name,
            res.outcome,
            traces,
            citations,
            categories,
            MappingProxyType(res.flags),  # read-only: decisions are memoised and shared between results
            tuple(r.id for r in res.decided_by),
            notes,
            notes_zh,
        )


def _date_warnings_of(definition: PackDefinition, day: date) -> tuple[tuple[str, str], ...]:
    """(English, Chinese) of every date warning of the pack and the packs it extends, each once."""
    return tuple(dict.fromkeys(w for d in definition.chain() for w in _date_warnings(d, day)))


def _picker(positions: tuple[int, ...]) -> Callable[[tuple[bool, ...]], tuple[bool, ...]]:
    """The items at `positions` of a tuple, as a tuple (itemgetter gives a bare item for one position)."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    return lambda vector: tuple(vector[i] for i in positions)


def _date_warnings(definition: PackDefinition, day: date) -> list[tuple[str, str]]:
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
    warnings: list[tuple[str, str]] = []
    if doc.in_force_earliest and doc.in_force_from and doc.in_force_earliest <= day < doc.in_force_from:
        warnings.append(
            (
                f"{doc.number} may not yet have applied on {day}: its date of issue is known only to lie between "
                f"{doc.in_force_earliest} and {doc.in_force_from} ({doc.date_note or 'see the pack notes'})",
                f"{day}时{doc.number}可能尚未施行：其印发日期只知在 {doc.in_force_earliest} 至 {doc.in_force_from} "
                f"之间（见包 {meta.id} 的说明）",
            )
        )
    if doc.status is DocumentStatus.draft:
        warnings.append(
            (
                f"《{doc.title}》 is a draft for comment (征求意见稿), never in force: its decisions are not binding",
                f"《{doc.title}》是征求意见稿，从未生效：据此得出的结论不具约束力",
            )
        )
    superseded = supersession.warning(definition, day)
    if superseded:
        warnings.append(superseded)
    elif doc.status is DocumentStatus.superseded and not meta.supersession:
        warnings.append(
            (
                f"{doc.number} ({meta.id}) is marked superseded: check which document now governs",
                f"{doc.number}（{meta.id}）已标注为被取代：请核实现行有效的文件",
            )
        )
    return warnings


def evaluation_date(as_of: object) -> date:
    """The evaluation date as given (any form a fact's date may take), today for None, else EvaluationError."""
    if as_of is None:
        return date.today()
    if isinstance(as_of, date) and not isinstance(as_of, datetime):
        return as_of
    try:
        return parse_date(as_of)
    except ValueProblem as exc:
        raise EvaluationError([Problem("as_of", f"{exc} (found {as_of!r})")]) from None


def compile_pack(definition: PackDefinition) -> Pack:
    return Pack(_compile(definition))


def load_pack(ref: str) -> Pack:
    """A shipped pack by id (e.g. "mee_2021"), or a pack directory by path."""
    return Pack(_compile(load_definition(ref)))


def load_pack_for(place: str, as_of: date | None = None) -> Pack:
    """The shipped pack that governs `place` on `as_of` (default today): see packs_for."""
    from ..packs import packs_for  # the places table loads only when a place is asked for (a cold evaluate needs none)

    return load_pack(packs_for(place, as_of or date.today()).pack)
