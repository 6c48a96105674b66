"""Why, in one line: a decision's reason as a register's 理由 column gives it (and `explain --brief` may).

An outcome a rule decided is explained by that rule and its clause:
「企业环境信用评价结果为环保诚信」成立（渝环规〔2021〕5号 三、（二）五是）. A negative outcome that no rule decided
(the default: 不符合纳入条件) is explained by what was missing: the source phrases of the rules that would have
given a positive outcome and did not hold, with their clauses. Those phrases depend on the facts, not only on
which rules hold, so they come from a traced decision; `ReasonCache` traces a row only when its facts differ, in
what those rules read, from a row already explained.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from ..conditions import leaves
from ..engines import ConditionTrace, Decision, Pack, RuleTrace
from ..facts import Facts
from .labels import Lang

# the outcomes a register's reader hopes for: a default outcome outside these is explained by what was missing
POSITIVE_OUTCOMES: Mapping[str, frozenset[str]] = {
    "inclusion": frozenset({"eligible"}),
    "listing": frozenset({"keep"}),
    "inspection": frozenset({"permitted"}),
    "penalty": frozenset({"may_waive"}),
    "supervision": frozenset({"exempt_on_site", "reduced"}),
}


def _clauses(rule: RuleTrace) -> str:
    """The rule's clauses, each document named once, a clause dropped when a more precise one of it is cited:
    渝环规〔2021〕5号 三、（二）一是, not 渝环规〔2021〕5号 三、（二）、渝环规〔2021〕5号 三、（二）一是."""
    by_doc: dict[str, list[str]] = {}
    for c in rule.citations:
        clauses = by_doc.setdefault(c["doc"], [])
        if c["clause"] not in clauses:
            clauses.append(c["clause"])
    return "；".join(
        f"{doc} " + "、".join(c for c in clauses if not any(o != c and o.startswith(c) for o in clauses))
        for doc, clauses in by_doc.items()
    )


def _title(rule: RuleTrace, lang: Lang) -> str:
    if lang == "en":
        return rule.title_en or rule.title or rule.id
    return rule.title or rule.title_en or rule.id


def needs_trace(decision: Decision) -> bool:
    """Whether the reason for this decision names unmet source phrases (and so needs a traced decision)."""
    return not decision.decided_by and decision.outcome not in POSITIVE_OUTCOMES.get(decision.name, frozenset())


def decision_reason(decision: Decision, lang: Lang = "zh") -> str:
    """The decision's reason in one line (see the module docstring). An untraced decision with a negative
    default outcome names the rules that did not hold instead of their unmet phrases."""
    by_id = {r.id: r for r in decision.rules}
    if decision.decided_by:
        parts = [by_id[i] for i in decision.decided_by if i in by_id]
        if lang == "en":
            return "; ".join(f"“{_title(r, lang)}” holds ({_clauses(r)})" for r in parts)
        return "；".join(f"「{_title(r, lang)}」成立（{_clauses(r)}）" for r in parts)
    default = "无规则成立，适用默认结论" if lang == "zh" else "no rule holds: the default outcome applies"
    if not needs_trace(decision):
        return default
    wanted = POSITIVE_OUTCOMES.get(decision.name, frozenset())
    missing = [r for r in decision.rules if not r.holds and r.yields in wanted] or [
        r for r in decision.rules if not r.holds
    ]
    unmet = [_missing(r, lang) for r in missing]
    if lang == "en":
        return f"{default}; not met: " + "; ".join(unmet)
    return f"{default}；未满足：" + "；".join(unmet)


def _missing(rule: RuleTrace, lang: Lang) -> str:
    """A rule that did not hold: its unmet phrases (traced) or its title (untraced), and its clause."""
    phrases = list(dict.fromkeys(_phrase(f, lang) for f in rule.failed)) or [_title(rule, lang)]
    if lang == "en":
        return " ".join(f"“{p}”" for p in phrases) + f" ({_clauses(rule)})"
    return "".join(f"「{p}」" for p in phrases) + f"（{_clauses(rule)}）"


def _phrase(node: ConditionTrace, lang: Lang) -> str:
    if node.says:
        return node.says
    if node.kind == "not" and node.children:
        inner = _phrase(node.children[0], lang)
        return f"并非「{inner}」" if lang == "zh" else f"not “{inner}”"
    return node.phrase


def _atoms_read(pack: Pack, decision: str) -> tuple[str, ...]:
    """The keys of the atoms the decision's rules read (references inlined), in a fixed order."""
    compiled = pack.compiled
    return tuple(
        sorted({leaf.atom.key for r in compiled.rules_of(decision) for leaf in leaves(compiled.inline(r.cond))})
    )


def _values_of(keys: tuple[str, ...]) -> Callable[[Mapping[str, object]], object]:
    """The values at `keys` of a view, in one call (itemgetter: a bare value for one key, a tuple for more)."""
    return operator.itemgetter(*keys) if keys else lambda view: ()


class ReasonCache:
    """Reasons for a register's rows, one pack and date: a decided outcome's reason is the same for every row it
    is shared by (decisions without a trace are shared objects); a negative default outcome's reason depends on
    the values its rules read, so it is cached by those values and traced only for a new combination."""

    def __init__(self, pack: Pack, as_of: date, lang: Lang = "zh") -> None:
        self.pack = pack
        self.as_of = as_of
        self.lang = lang
        self._by_decision: dict[int, tuple[Decision, str]] = {}
        self._by_values: dict[tuple[object, ...], str] = {}
        # every pack whose rules take part on the date (a superseded pack's own rules as they read then, and the
        # superseding pack's): a decision's unmet phrases depend on the atoms its rules read in each of them
        self._packs = pack.deciding_packs(as_of)
        self._values = [{name: _values_of(_atoms_read(c, name)) for name in POSITIVE_OUTCOMES} for c in self._packs]

    def reasons(self, facts: Facts, decisions: Mapping[str, Decision]) -> dict[str, str]:
        """The reason of every decision of one row (decisions as evaluated without a trace)."""
        out: dict[str, str] = {}
        untold: list[str] = []
        for name, decision in decisions.items():
            if needs_trace(decision):
                untold.append(name)
                continue
            cached = self._by_decision.get(id(decision))
            if cached is None or cached[0] is not decision:
                cached = (decision, decision_reason(decision, self.lang))
                if len(self._by_decision) > 10_000:
                    self._by_decision.clear()
                self._by_decision[id(decision)] = cached
            out[name] = cached[1]
        if untold:
            out.update(self._traced(facts, decisions, untold))
        return out

    def _traced(self, facts: Facts, decisions: Mapping[str, Decision], names: Iterable[str]) -> dict[str, str]:
        # the cache key: the atoms these decisions' rules read, from each deciding pack's view (one generated
        # function for every atom, as fast as reading the atoms one by one)
        views = [p.compiled.view(facts, self.as_of) for p in self._packs]
        out: dict[str, str] = {}
        result = None
        for name in names:
            key = (
                name,
                decisions[name].outcome,
                *[values[name](view) for view, values in zip(views, self._values, strict=True)],
            )
            text = self._by_values.get(key)
            if text is None:
                if result is None:
                    result = self.pack.evaluate(facts, as_of=self.as_of, trace=True)
                text = decision_reason(result.decisions[name], self.lang)
                if len(self._by_values) > 100_000:
                    self._by_values.clear()
                self._by_values[key] = text
            out[name] = text
        return out
