"""What would make it hold: the minimal sets of changes to an enterprise's facts under which a decision has the
asked outcome, and where waiting is the answer, the earliest date from which it holds.

Only facts the enterprise or the bureau can still change are changed (CHANGEABLE): what happened cannot be
undone — a recorded violation, an inspection, an objection, the case's harm or first-offence — but time can
carry it out of a window (a violation three years old no longer bars listing). So the search runs on the
evaluation date and on every later date where something the rules read changes by itself (a window closing, a
listing's anniversary), and keeps the alternatives no other beats: none has all the changes of another that
holds on the same date or sooner. Every alternative is found by evaluating its facts on its date with the
asked engine, and is evaluated once more before it is returned (`Alternative.result`).

The search is exhaustive over the candidate changes, up to `max_changes` at a time: a candidate is a value of a
changeable fact that some condition of the decision's rules (or the rules and decisions they refer to) tests —
each boolean flipped, each grade of the credit scheme, each code an enumeration is compared with, each member a
list is tested for. Breadth first, so a set is tried only when none of its subsets holds."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from ..conditions import Leaf, Period, as_known_on, leaves, references, shift
from ..engines import Pack, Result
from ..errors import EvaluationError, PolicyRulesError, Problem
from ..facts import parse_facts
from ..packs import OUTCOMES

# The facts a person can still change, and so the only ones an alternative changes. Left out, because they
# record what happened or what the enterprise is: the violations, inspections and objections; the listing;
# the size, the industry traits (民生, 重点行业, 重大项目, 防疫), the findings of frequent exceedances,
# complaints or violations; the case's date, harm, first offence, malice, fault, self-report.
CHANGEABLE: frozenset[str] = frozenset(
    {
        "enterprise.traits.low_emission",  # 污染物排放量小: reduced by treatment
        "enterprise.traits.low_risk",  # 环境风险低
        "enterprise.traits.high_employment",  # 吸纳就业能力强
        "enterprise.traits.green_certified",
        "enterprise.traits.long_term_compliant",
        "enterprise.traits.high_disclosure",
        "enterprise.traits.community_engagement",
        "enterprise.monitoring.installed",
        "enterprise.monitoring.networked",
        "enterprise.monitoring.stable",
        "enterprise.monitoring.compliant",
        "enterprise.credit_rating",  # re-rated, or repaired
        "inspection_request.self_check_report",
        "inspection_request.review_needs_site_visit",
        "inspection_request.approvals",
        "inspection_request.enterprise_consent",
        "violation_case.corrected",  # 及时改正
        "violation_case.eliminated",  # 消除危害后果
        "violation_case.harm_mitigated",  # 主动减轻危害后果
    }
)

HORIZON_YEARS = 10  # how far ahead waiting is considered


@dataclass(frozen=True, order=True)
class Edit:
    """One candidate change: a fact set to a value, or a member added to a list fact."""

    path: str
    value: Any
    member: bool = False  # value is a member added to the list at `path`


@dataclass(frozen=True)
class Change:
    path: str
    before: Any
    after: Any
    says: str  # the phrase of the source the change satisfies (or stops holding)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "from": self.before, "to": self.after, "says": self.says}


@dataclass(frozen=True)
class Alternative:
    changes: tuple[Change, ...]
    as_of: date
    facts: dict[str, Any]
    cites: tuple[dict[str, str], ...]  # the rules that decide the outcome (or whose failing leaves it), with clauses
    result: Result  # the verifying evaluation

    def to_json(self, asked: date) -> dict[str, Any]:
        out: dict[str, Any] = {"changes": [c.to_json() for c in self.changes]}
        if self.as_of != asked:
            out["as_of"] = self.as_of.isoformat()
        out["facts"] = self.facts
        out["cites"] = [dict(c) for c in self.cites]
        return out


@dataclass(frozen=True)
class WhatIf:
    decision: str
    outcome: str
    as_of: date
    current: str | None  # the decision's outcome today (None: the decision is not asked by the facts)
    alternatives: tuple[Alternative, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "outcome": self.outcome,
            "alternatives": [a.to_json(self.as_of) for a in self.alternatives],
        }


def what_if(
    pack: Pack,
    facts: Mapping[str, Any],
    decision: str,
    outcome: str,
    as_of: date | None = None,
    engine: str = "compiled",
    max_changes: int = 3,
) -> WhatIf:
    """The minimal alternatives under which `decision` comes out as `outcome` (see the module docstring).
    `facts` is a facts document (a mapping as read from YAML or JSON); it is validated first."""
    _check_question(decision, outcome)
    day = as_of or date.today()
    document = _plain(parse_facts(facts).model_dump(mode="json", exclude_defaults=True))
    search = _Search(pack, document, decision, outcome, engine)
    current = search.outcome_on(document, day)
    alternatives = search.run(day, max_changes)
    return WhatIf(decision, outcome, day, current, alternatives)


def _check_question(decision: str, outcome: str) -> None:
    if decision not in OUTCOMES:
        raise EvaluationError([Problem("--decision", f"unknown decision '{decision}'; one of {', '.join(OUTCOMES)}")])
    if outcome not in OUTCOMES[decision]:
        raise EvaluationError(
            [
                Problem(
                    "--outcome",
                    f"'{outcome}' is not an outcome of {decision}; one of {', '.join(OUTCOMES[decision])}",
                )
            ]
        )


class _Search:
    def __init__(self, pack: Pack, document: dict[str, Any], decision: str, outcome: str, engine: str) -> None:
        self.pack, self.document, self.decision, self.outcome, self.engine = pack, document, decision, outcome, engine
        self.leaves = _relevant_leaves(pack, decision)
        self.edits = _candidates(self.leaves, document, pack.compiled.grade_codes)

    def evaluate(self, document: Mapping[str, Any], day: date) -> Result | None:
        try:
            return self.pack.evaluate(document, as_of=day, engine=self.engine, trace=False)
        except PolicyRulesError:  # a date outside the pack's force, or facts the change made inconsistent
            return None

    def outcome_on(self, document: Mapping[str, Any], day: date) -> str | None:
        result = self.evaluate(document, day)
        found = result.decisions.get(self.decision) if result else None
        return found.outcome if found else None

    def run(self, as_of: date, max_changes: int) -> tuple[Alternative, ...]:
        found: list[tuple[frozenset[Edit], date]] = []
        for day in self.dates(as_of):
            for size in range(max_changes + 1):
                for combo in combinations(self.edits, size):
                    chosen = frozenset(combo)
                    if not _consistent(combo) or any(f <= chosen for f, _ in found):
                        continue  # an alternative holding sooner (or as soon) needs only some of these changes
                    if self.outcome_on(_apply(self.document, combo), day) == self.outcome:
                        found.append((chosen, day))
            if any(not f for f, _ in found):
                break  # from here on, waiting needs no change at all
        return tuple(self.alternative(sorted(edits), day) for edits, day in found)

    def alternative(self, edits: Sequence[Edit], day: date) -> Alternative:
        changed = _apply(self.document, edits)
        before = self.evaluate(self.document, day)
        after = self.evaluate(changed, day)
        decision = after.decisions.get(self.decision) if after else None
        if after is None or decision is None or decision.outcome != self.outcome:
            raise AssertionError(f"what-if alternative {edits} on {day} does not verify")  # never shown unverified
        flipped = _flipped_rules(before, after)
        changes = tuple(self.change(path, edits, flipped) for path in dict.fromkeys(e.path for e in edits))
        return Alternative(changes, day, changed, self.cites(after, flipped), after)

    def change(self, path: str, edits: Sequence[Edit], flipped: set[str]) -> Change:
        mine = [e for e in edits if e.path == path]
        before = _get(self.document, path)
        after = _get(_apply(self.document, mine), path)
        phrases = [(rule, leaf.says) for rule, leaf in self.leaves if leaf.atom.reads[1] == path]
        says = [s for rule, s in phrases if rule in flipped] or [s for _, s in phrases]
        return Change(path, before, after, "；".join(dict.fromkeys(says)))

    def cites(self, after: Result, flipped: set[str]) -> tuple[dict[str, str], ...]:
        decision = after.decisions[self.decision]
        deciding = set(decision.decided_by) or {r.id for r in decision.rules if r.id in flipped}
        out = [{"rule": r.id, **c} for r in decision.rules if r.id in deciding for c in r.citations]
        return tuple(out) or tuple(dict(c) for c in decision.citations)

    def dates(self, as_of: date) -> Iterator[date]:
        """The evaluation date, then each later date on which a fact the rules read changes by itself."""
        yield as_of
        last = self.signature(as_of)
        for day in _candidate_dates(self.document, self.leaves, as_of):
            now = self.signature(day)
            if now is not None and now != last:
                yield _first_day_of(day, now, self.signature, as_of)
            last = now if now is not None else last

    def signature(self, day: date) -> tuple[Any, ...] | None:
        """What the decision's conditions read on `day` from the unchanged facts (None: the pack does not
        apply on that day)."""
        try:
            self.pack.check_date(day)
        except PolicyRulesError:
            return None
        model = parse_facts(self.document)
        view = self.pack.compiled.view(as_known_on(model, day), day, known=True)
        return tuple(view[leaf.atom.key] for _, leaf in self.leaves)


def _first_day_of(day: date, signature: tuple[Any, ...], read: Any, after: date) -> date:
    """The candidate dates sit on the change points; step back a few days in case one sits after it."""
    for _ in range(31):
        earlier = day - timedelta(days=1)
        if earlier <= after or read(earlier) != signature:
            break
        day = earlier
    return day


def _relevant_leaves(pack: Pack, decision: str) -> tuple[tuple[str, Leaf], ...]:
    """(rule id, leaf) for every fact leaf the decision depends on, through rule and outcome references."""
    compiled = pack.compiled
    todo, seen_rules, seen_decisions = [decision], set(), set()
    out: list[tuple[str, Leaf]] = []
    while todo:
        name = todo.pop()
        if name in seen_decisions:
            continue
        seen_decisions.add(name)
        stack = [r.id for r in compiled.rules_of(name)]
        while stack:
            rule_id = stack.pop()
            if rule_id in seen_rules:
                continue
            seen_rules.add(rule_id)
            rule = compiled.rule(rule_id)
            out += [(rule_id, leaf) for leaf in leaves(rule.cond)]
            rules, decisions = references(rule.cond)
            stack += sorted(rules)
            todo += sorted(decisions)
    return tuple(out)


def _candidates(
    found: Sequence[tuple[str, Leaf]], document: Mapping[str, Any], grade_codes: Mapping[str, str]
) -> tuple[Edit, ...]:
    edits: set[Edit] = set()
    for _, leaf in found:
        reads = leaf.atom.reads
        if not reads or reads[0] not in ("fact", "contains") or reads[1] not in CHANGEABLE:
            continue
        path = reads[1]
        if path.split(".")[0] != "enterprise" and path.split(".")[0] not in document:
            continue  # a question not asked cannot be changed into being asked
        current = _get(document, path)
        if reads[0] == "contains":
            if reads[2] not in (current or ()):
                edits.add(Edit(path, reads[2], member=True))
        elif leaf.atom.kind == "bool":
            edits.add(Edit(path, not bool(current)))
        else:
            values = leaf.atom.domain if leaf.atom.kind in ("grade", "enum") else _literals(leaf.operand)
            if leaf.atom.kind == "grade" and current is not None:  # a grade written by its label: keep to labels
                code = grade_codes.get(str(current), current)
                labels = {c: k for k, c in grade_codes.items() if k != c} if code != current else {}
                edits |= {Edit(path, labels.get(v, v)) for v in values if v != code}
                continue
            edits |= {Edit(path, v) for v in values if v != current}
    return tuple(sorted(edits))


def _literals(operand: Any) -> tuple[Any, ...]:
    return operand if isinstance(operand, tuple) else (operand,)


def _consistent(combo: Sequence[Edit]) -> bool:
    """At most one value per fact (members of one list may be added together)."""
    paths = [e.path for e in combo if not e.member]
    return len(paths) == len(set(paths))


def _candidate_dates(document: Mapping[str, Any], found: Sequence[tuple[str, Leaf]], as_of: date) -> list[date]:
    """Dates after `as_of` on which an atom may change: each date of the facts moved by each window and each
    number of years the conditions compare, a day either side."""
    periods: set[Period] = {("days", 0)}
    for _, leaf in found:
        reads = leaf.atom.reads
        if reads and reads[0] == "count":
            periods |= {v for k, v in reads[2] if k == "within"}
        if reads and reads[0] == "years_since" and isinstance(leaf.operand, int):
            periods |= {("years", leaf.operand), ("years", leaf.operand + 1)}
    horizon = shift(as_of, ("years", HORIZON_YEARS), +1)
    out: set[date] = set()
    for start in _dates_in(document):
        for period in periods:
            moved = shift(start, period, +1)
            out |= {moved + timedelta(days=d) for d in (-1, 0, 1)}
    return sorted(d for d in out if as_of < d <= horizon)


def _dates_in(value: Any) -> Iterator[date]:
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _dates_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dates_in(v)
    elif isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            yield date.fromisoformat(value)
        except ValueError:
            return


def _flipped_rules(before: Result | None, after: Result) -> set[str]:
    held = {r.id: r.holds for d in (before.decisions.values() if before else ()) for r in d.rules}
    return {r.id for d in after.decisions.values() for r in d.rules if held.get(r.id) != r.holds}


def _get(document: Mapping[str, Any], path: str) -> Any:
    current: Any = document
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return _default(path)
        current = current[part]
    return current


def _default(path: str) -> Any:
    if path == "inspection_request.approvals":
        return []
    if path == "enterprise.credit_rating":
        return None
    return False


def _apply(document: Mapping[str, Any], edits: Sequence[Edit]) -> dict[str, Any]:
    out: dict[str, Any] = copy.deepcopy(dict(document))
    for edit in edits:
        *parents, last = edit.path.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        if edit.member:
            node[last] = [*node.get(last, []), edit.value]
        else:
            node[last] = edit.value
    return out


def _plain(value: Any) -> Any:
    """The validated document as plain JSON data (tuples as lists)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
