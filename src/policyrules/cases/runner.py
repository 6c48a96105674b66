"""YAML test cases beside each pack (policies/<pack>/cases/*.yaml), run by `policyrules test` and by pytest.

A case file:

    base:                       # optional: facts every case starts from (deep-merged under each case's facts)
      enterprise: {...}
    cases:
      - name: a listed small enterprise with a first, minor, corrected offence
        as_of: 2021-10-01
        facts: {violation_case: {...}}
        expect:
          penalty: may_waive                      # the outcome alone, or:
          inspection:
            outcome: needs_approval
            cites: [三、（七）]                    # clause labels that must be among the citations
            holds: [clue_track_needs_approval]     # rules that must hold
            not_holds: [clue_track_approved]       # rules that must not hold
            refer_to_police: false                 # flags
            categories: [...]                      # inclusion categories, exactly
            absent: false                          # true: the decision must not be present
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import Field

from ..engines import Decision, Pack, Result
from ..errors import PackError, PolicyRulesError, Problem
from ..packs import DECISIONS, FLAGS, OUTCOMES, Spec, Where, read_yaml, validate


class Expectation(Spec):
    outcome: str | None = None
    cites: tuple[str, ...] = ()
    holds: tuple[str, ...] = ()
    not_holds: tuple[str, ...] = ()
    categories: tuple[str, ...] | None = None
    refer_to_police: bool | None = None
    remove_from_list: bool | None = None
    publicize: bool | None = None
    absent: bool = False
    notes_contain: tuple[str, ...] = ()


class CaseSpec(Spec):
    name: str = Field(min_length=1)
    as_of: date
    facts: dict[str, Any] = Field(default_factory=dict)
    expect: dict[str, Expectation | str] = Field(min_length=1)
    engines: tuple[str, ...] | None = None


class CaseFile(Spec):
    base: dict[str, Any] = Field(default_factory=dict)
    cases: tuple[CaseSpec, ...] = Field(min_length=1)


@dataclass(frozen=True)
class Case:
    spec: CaseSpec
    facts: dict[str, Any]
    where: Where

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class Failure:
    case: Case
    engine: str
    message: str

    def __str__(self) -> str:
        line = f":{self.case.where.line}" if self.case.where.line else ""
        return f"{self.case.where.file}{line}: [{self.engine}] {self.case.name}: {self.message}"


@dataclass
class Report:
    pack: str
    cases: int = 0
    runs: int = 0
    failures: list[Failure] = field(default_factory=list)
    seen_holding: set[str] = field(default_factory=set)
    seen_failing: set[str] = field(default_factory=set)

    def uncovered(self, rule_ids: Iterable[str]) -> dict[str, list[str]]:
        """Rules no case saw holding, and rules no case saw not holding."""
        ids = list(rule_ids)
        return {
            "never_holds": [r for r in ids if r not in self.seen_holding],
            "never_fails": [r for r in ids if r not in self.seen_failing],
        }


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` laid on `base`: mappings merge key by key, everything else (lists included) replaces."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_cases(path: Path) -> list[Case]:
    data, lines = read_yaml(path.read_text(encoding="utf-8"), str(path), PackError)
    where = Where(str(path), (), lines)
    spec = validate(CaseFile, data, where, PackError)
    problems: list[Problem] = []
    cases = []
    for i, case in enumerate(spec.cases):
        case_where = where.at("cases", i)
        problems += _expectation_problems(case, case_where)
        cases.append(Case(case, deep_merge(spec.base, case.facts), case_where))
    if problems:
        raise PackError(problems)
    return cases


def _expectation_problems(case: CaseSpec, where: Where) -> list[Problem]:
    problems = []
    for decision, expected in case.expect.items():
        here = where.at("expect", decision)
        if decision not in DECISIONS:
            problems.append(here.problem(f"unknown decision '{decision}'; expected one of {', '.join(DECISIONS)}"))
            continue
        outcome = expected if isinstance(expected, str) else expected.outcome
        if outcome is not None and outcome not in OUTCOMES[decision]:
            problems.append(here.problem(f"'{outcome}' is not an outcome of {decision}: {OUTCOMES[decision]}"))
    return problems


def pack_case_files(pack: Pack) -> list[Path]:
    return sorted((pack.definition.directory / "cases").glob("*.yaml"))


def run_cases(pack: Pack, engines: Sequence[str], files: Sequence[Path] | None = None) -> Report:
    """Run every case of the pack on each engine; collect failures and which rules were seen holding."""
    report = Report(pack.id)
    for path in files if files is not None else pack_case_files(pack):
        for case in load_cases(path):
            report.cases += 1
            # a case may restrict itself to some engines; it never adds one the caller did not ask for
            for engine in [e for e in engines if case.spec.engines is None or e in case.spec.engines]:
                report.runs += 1
                _run_one(pack, case, engine, report)
    return report


def _run_one(pack: Pack, case: Case, engine: str, report: Report) -> None:
    try:
        result = pack.evaluate(case.facts, as_of=case.spec.as_of, engine=engine)
    except PolicyRulesError as exc:
        report.failures.append(Failure(case, engine, f"evaluation failed: {exc}"))
        return
    for decision in result.decisions.values():
        for rule in decision.rules:
            (report.seen_holding if rule.holds else report.seen_failing).add(rule.id)
    for name, expected in case.spec.expect.items():
        exp = Expectation(outcome=expected) if isinstance(expected, str) else expected
        for message in check_decision(result, name, exp):
            report.failures.append(Failure(case, engine, f"{name}: {message}"))


def check_decision(result: Result, name: str, exp: Expectation) -> list[str]:
    """What in the decision differs from the expectation (empty when it matches)."""
    decision = result.decisions.get(name)
    if exp.absent:
        return [] if decision is None else [f"expected no {name} decision, got {decision.outcome}"]
    if decision is None:
        return [f"expected a {name} decision, but the facts did not ask for one"]
    out = []
    if exp.outcome is not None and decision.outcome != exp.outcome:
        out.append(
            f"expected outcome {exp.outcome}, got {decision.outcome} (decided by {decision.decided_by or 'default'})"
        )
    out += _missing_citations(decision, exp.cites)
    holding = {r.id for r in decision.rules if r.holds}
    known = {r.id for r in decision.rules}
    for rule_id in exp.holds:
        if rule_id not in known:
            out.append(f"rule '{rule_id}' is not a rule of this decision")
        elif rule_id not in holding:
            out.append(f"expected rule {rule_id} to hold; it did not")
    for rule_id in exp.not_holds:
        if rule_id not in known:
            out.append(f"rule '{rule_id}' is not a rule of this decision")
        elif rule_id in holding:
            out.append(f"expected rule {rule_id} not to hold; it did")
    if exp.categories is not None and tuple(decision.categories) != tuple(exp.categories):
        out.append(f"expected categories {list(exp.categories)}, got {list(decision.categories)}")
    for flag in FLAGS.get(name, ()):
        wanted = getattr(exp, flag)
        if wanted is not None and decision.flags.get(flag) != wanted:
            out.append(f"expected {flag}={wanted}, got {decision.flags.get(flag)}")
    for fragment in exp.notes_contain:
        if not any(fragment in n for n in decision.notes):
            out.append(f"expected a note containing '{fragment}', got {list(decision.notes)}")
    return out


def _missing_citations(decision: Decision, cites: Iterable[str]) -> list[str]:
    labels = {c["clause"] for c in decision.citations} | {f"{c['doc']} {c['clause']}" for c in decision.citations}
    return [
        f"expected a citation of {label}; cited: {sorted({c['clause'] for c in decision.citations})}"
        for label in cites
        if label not in labels
    ]
