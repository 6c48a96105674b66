"""The search: on the evaluation date and each later date where something changes by itself, every set of
candidate changes, smallest first, kept when it reaches the outcome and no kept one needs only some of its changes
and holds as soon."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from itertools import combinations
from typing import Any

from ...conditions import as_known_on
from ...engines import Pack, Result
from ...errors import EvaluationError, PolicyRulesError, Problem
from ...facts import parse_facts
from ...packs import OUTCOME_LABELS, OUTCOMES, outcome_code
from .answer import Alternative, Change, WhatIf
from .dates import candidate_dates, first_day_of
from .edits import Edit, apply, candidates, consistent, get, plain, relevant_leaves


def what_if(
    pack: Pack,
    facts: Mapping[str, Any],
    decision: str,
    outcome: str,
    as_of: date | None = None,
    engine: str = "compiled",
    max_changes: int = 3,
) -> WhatIf:
    """The minimal alternatives under which `decision` comes out as `outcome` (a code, or its Chinese label as a
    test case may write it: 可以纳入). `facts` is a facts document (a mapping as read from YAML or JSON); it is
    validated and evaluated first, so bad facts, an unknown engine or a date outside the pack's force are the
    errors `evaluate` gives."""
    outcome = _outcome_asked(decision, outcome)
    day = as_of or date.today()
    model = parse_facts(facts)
    today = pack.evaluate(model, as_of=day, engine=engine, trace=False).decisions.get(decision)
    document = plain(model.model_dump(mode="json", exclude_defaults=True))
    alternatives = _Search(pack, document, decision, outcome, engine).run(day, max_changes)
    return WhatIf(decision, outcome, day, today.outcome if today else None, alternatives)


def _outcome_asked(decision: str, outcome: str) -> str:
    if decision not in OUTCOMES:
        raise EvaluationError([Problem("--decision", f"unknown decision '{decision}'; one of {', '.join(OUTCOMES)}")])
    code = outcome_code(decision, outcome)
    if code is None:
        choices = ", ".join(f"{c} ({OUTCOME_LABELS[c][0]})" for c in OUTCOMES[decision])
        raise EvaluationError([Problem("--outcome", f"'{outcome}' is not an outcome of {decision}; one of {choices}")])
    return code


class _Search:
    def __init__(self, pack: Pack, document: dict[str, Any], decision: str, outcome: str, engine: str) -> None:
        self.pack, self.document, self.decision, self.outcome, self.engine = pack, document, decision, outcome, engine
        self.leaves = relevant_leaves(pack, decision)
        self.edits = candidates(self.leaves, document, pack.compiled.grade_codes)

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
                    if not consistent(combo) or any(f <= chosen for f, _ in found):
                        continue  # an alternative holding sooner (or as soon) needs only some of these changes
                    if self.outcome_on(apply(self.document, combo), day) == self.outcome:
                        found.append((chosen, day))
            if any(not f for f, _ in found):
                break  # from here on, waiting needs no change at all
        return tuple(self.alternative(sorted(edits), day) for edits, day in found)

    def alternative(self, edits: Sequence[Edit], day: date) -> Alternative:
        changed = apply(self.document, edits)
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
        before = get(self.document, path)
        after = get(apply(self.document, mine), path)
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
        for day in candidate_dates(self.document, self.leaves, as_of):
            now = self.signature(day)
            if now is not None and now != last:
                yield first_day_of(day, now, self.signature, as_of)
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


def _flipped_rules(before: Result | None, after: Result) -> set[str]:
    held = {r.id: r.holds for d in (before.decisions.values() if before else ()) for r in d.rules}
    return {r.id for d in after.decisions.values() for r in d.rules if held.get(r.id) != r.holds}
