"""Which cases a run takes: by a fragment of the case name (`-k`), and by a rule (`--rule`: the cases that
touch it). Files are chosen by the caller (`--case`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..engines import Result
from .case import Case


@dataclass(frozen=True)
class Selection:
    """`keyword`: a fragment the case name must contain (case-insensitive). `rule`: a rule id; a case touches
    the rule when its expectations name it (`holds`, `not_holds`) or when the rule holds on the case's facts
    on some engine. A case where the rule is evaluated and fails, but which says nothing of it, does not touch
    it: every case of a decision evaluates each of its rules."""

    keyword: str | None = None
    rule: str | None = None

    @property
    def narrowed(self) -> bool:
        return self.keyword is not None or self.rule is not None

    def by_name(self, name: str) -> bool:
        return self.keyword is None or self.keyword.casefold() in name.casefold()

    def by_rule(self, case: Case, results: Sequence[Result]) -> bool:
        if self.rule is None:
            return True
        for expected in case.spec.expect.values():
            if not isinstance(expected, str) and self.rule in (*expected.holds, *expected.not_holds):
                return True
        return any(
            rule.id == self.rule and rule.holds
            for result in results
            for decision in result.decisions.values()
            for rule in decision.rules
        )
