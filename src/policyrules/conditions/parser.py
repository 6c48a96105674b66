"""Parsing `when:` trees into the condition IR: groups, references to rules and outcomes, and leaves (leaves.py),
with every problem collected and located rather than stopping at the first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import did_you_mean
from ..packs import DECISIONS, OUTCOMES, CreditSchemeSpec, Where
from .ir import AllOf, AnyOf, Cond, Leaf, NotOf, OutcomeRef, RuleRef
from .leaves import LEAF_SUBJECTS, LeafParser
from .periods import Period


class ConditionParser(LeafParser):
    """Parses raw `when:` mappings into the IR, collecting located problems rather than stopping at one."""

    def __init__(self, scheme: CreditSchemeSpec, rule_ids: Iterable[str], validity: Period | None = None) -> None:
        super().__init__(scheme, validity)
        self.rule_ids = set(rule_ids)

    def parse(self, raw: object, where: Where) -> Cond | None:
        if not isinstance(raw, Mapping):
            self.problems.append(where.problem(f"expected a condition (a mapping), found {type(raw).__name__}"))
            return None
        keys = set(raw)
        groups = keys & {"all", "any", "not"}
        if groups:
            return self._group(raw, groups, where)
        subjects = keys & set(LEAF_SUBJECTS)
        if len(subjects) != 1:
            known = ", ".join(("all", "any", "not", *LEAF_SUBJECTS))
            extra = sorted(str(k) for k in keys - {"says", "note"})
            hint = did_you_mean(extra[0], ("all", "any", "not", *LEAF_SUBJECTS)) if extra and not subjects else ""
            found = ", ".join(sorted(str(s) for s in subjects)) or "none"
            self.problems.append(
                where.problem(
                    f"a condition needs exactly one of {known}; found {found} (keys: {', '.join(extra)}){hint}"
                )
            )
            return None
        says = raw.get("says")
        if not isinstance(says, str) or not says.strip():
            self.problems.append(
                where.at("says").problem("every condition needs `says:`, the phrase of the source text it encodes")
            )
            return None
        subject = subjects.pop()
        if subject == "rule":
            return self._rule_ref(raw, says, where)
        if subject == "outcome":
            return self._outcome_ref(raw, says, where)
        return self.leaf(subject, raw, says, where)

    def _group(self, raw: Mapping[str, Any], groups: set[str], where: Where) -> Cond | None:
        extra = set(raw) - groups - {"says", "note"}
        if len(groups) > 1 or extra:
            self.problems.append(
                where.problem(
                    f"a group takes one of all/any/not (plus says/note); found {', '.join(sorted(map(str, raw)))}"
                )
            )
            return None
        kind = groups.pop()
        says = raw.get("says")
        if kind == "not":
            child = self.parse(raw["not"], where.at("not"))
            return None if child is None else NotOf(child, says, where)
        items = raw[kind]
        if not isinstance(items, list) or not items:
            self.problems.append(where.at(kind).problem(f"`{kind}:` takes a non-empty list of conditions"))
            return None
        children = [self.parse(item, where.at(kind, i)) for i, item in enumerate(items)]
        if any(c is None for c in children):
            return None
        kids = tuple(c for c in children if c is not None)
        return AllOf(kids, says, where) if kind == "all" else AnyOf(kids, says, where)

    def _rule_ref(self, raw: Mapping[str, Any], says: str, where: Where) -> Cond | None:
        self._only(raw, {"rule", "says", "note"}, where)
        rule_id = str(raw["rule"])
        if rule_id not in self.rule_ids:
            self.problems.append(
                where.at("rule").problem(f"unknown rule '{rule_id}'{did_you_mean(rule_id, self.rule_ids)}")
            )
            return None
        return RuleRef(rule_id, says, where)

    def _outcome_ref(self, raw: Mapping[str, Any], says: str, where: Where) -> Cond | None:
        self._only(raw, {"outcome", "is", "in", "says", "note"}, where)
        decision = str(raw["outcome"])
        if decision not in DECISIONS:
            self.problems.append(
                where.at("outcome").problem(f"unknown decision '{decision}'{did_you_mean(decision, DECISIONS)}")
            )
            return None
        wanted = raw.get("in", [raw["is"]] if "is" in raw else None)
        if not isinstance(wanted, list) or not wanted:
            self.problems.append(where.problem("`outcome:` needs `is: <outcome>` or `in: [<outcome>, …]`"))
            return None
        bad = [o for o in wanted if o not in OUTCOMES[decision]]
        if bad:
            self.problems.append(
                where.problem(f"{bad} not outcomes of {decision}; expected some of {', '.join(OUTCOMES[decision])}")
            )
            return None
        return OutcomeRef(decision, tuple(wanted), says, where, self._presence(decision, says, where))

    def _presence(self, decision: str, says: str, where: Where) -> Leaf | None:
        """The leaf that holds exactly when `decision` is present (engine.present_decisions)."""
        subject = {
            "listing": "listing_not_removed",
            "inspection": "inspection_request",
            "penalty": "violation_case",
        }.get(decision)
        if subject is None:
            return None
        raw = (
            {"fact": subject, "says": says}
            if subject == "listing_not_removed"
            else {"fact": subject, "present": True, "says": says}
        )
        leaf = self.leaf("fact", raw, says, where)
        assert isinstance(leaf, Leaf)
        return leaf
