"""Running a pack's YAML cases (cases/case.py reads them) on each engine: the runs, the failures, and which
rules were seen holding and not holding (the coverage rule of `policyrules test`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..engines import Decision, Pack, Result
from ..errors import PolicyRulesError
from ..packs import FLAGS, Where, inside_pack
from .case import Case, Expectation, load_cases
from .select import Selection


@dataclass(frozen=True)
class Failure:
    case: Case
    engine: str
    message: str

    def __str__(self) -> str:
        line = f":{self.case.where.line}" if self.case.where.line else ""
        return f"{self.case.where.file}{line}: [{self.engine}] {self.case.name}: {self.message}"


@dataclass(frozen=True)
class Run:
    """One case run on one engine: what failed in it (nothing when it passed)."""

    case: Case
    engine: str
    messages: tuple[str, ...]


@dataclass
class Report:
    pack: str
    cases: int = 0
    runs: int = 0
    failures: list[Failure] = field(default_factory=list)
    seen_holding: set[str] = field(default_factory=set)
    seen_failing: set[str] = field(default_factory=set)
    results: list[Run] = field(default_factory=list)

    def uncovered(self, rule_ids: Iterable[str]) -> dict[str, list[str]]:
        """Rules no case saw holding, and rules no case saw not holding."""
        ids = list(rule_ids)
        return {
            "never_holds": [r for r in ids if r not in self.seen_holding],
            "never_fails": [r for r in ids if r not in self.seen_failing],
        }


def pack_case_files(pack: Pack) -> list[Path]:
    """The pack's case files: cases/*.yaml, each a file inside the pack directory (a link out of it is refused)."""
    directory = pack.definition.directory
    paths = sorted((directory / "cases").glob("*.yaml"))
    for path in paths:
        inside_pack(directory, path.relative_to(directory).as_posix(), Where(str(path), ()))
    return paths


def run_cases(
    pack: Pack,
    engines: Sequence[str],
    files: Sequence[Path] | None = None,
    selection: Selection | None = None,
) -> Report:
    """Run the pack's cases (those `selection` picks, every one by default) on each engine; collect the runs,
    the failures and which rules were seen holding and not holding."""
    report = Report(pack.id)
    chosen = selection or Selection()
    for path in files if files is not None else pack_case_files(pack):
        for case in load_cases(path):
            if not chosen.by_name(case.name):
                continue
            # a case may restrict itself to some engines; it never adds one the caller did not ask for
            runs = [e for e in engines if case.spec.engines is None or e in case.spec.engines]
            results = [(engine, _evaluate(pack, case, engine)) for engine in runs]
            if not chosen.by_rule(case, [r for _, r in results if isinstance(r, Result)]):
                continue
            report.cases += 1
            for engine, result in results:
                report.runs += 1
                _record(case, engine, result, report)
    return report


def _evaluate(pack: Pack, case: Case, engine: str) -> Result | str:
    try:
        return pack.evaluate(case.facts, as_of=case.spec.as_of, engine=engine)
    except PolicyRulesError as exc:
        return f"evaluation failed: {exc}"


def _record(case: Case, engine: str, result: Result | str, report: Report) -> None:
    if isinstance(result, str):
        messages = [result]
    else:
        for decision in result.decisions.values():
            for rule in decision.rules:
                (report.seen_holding if rule.holds else report.seen_failing).add(rule.id)
        messages = []
        for name, expected in case.spec.expect.items():
            exp = Expectation(outcome=expected) if isinstance(expected, str) else expected
            messages += [f"{name}: {m}" for m in check_decision(result, name, exp)]
    report.results.append(Run(case, engine, tuple(messages)))
    report.failures += [Failure(case, engine, m) for m in messages]


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
    notes = (*decision.notes, *decision.notes_zh)  # a case may quote a note in either language
    for fragment in exp.notes_contain:
        if not any(fragment in n for n in notes):
            out.append(f"expected a note containing '{fragment}', got {list(notes)}")
    return out


def _missing_citations(decision: Decision, cites: Iterable[str]) -> list[str]:
    labels = {c["clause"] for c in decision.citations} | {f"{c['doc']} {c['clause']}" for c in decision.citations}
    return [
        f"expected a citation of {label}; cited: {sorted({c['clause'] for c in decision.citations})}"
        for label in cites
        if label not in labels
    ]
