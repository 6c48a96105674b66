"""`explain --brief`: one screen for an officer — each decision's outcome and the clauses it rests on, and for a
negative outcome the phrases of the text that were not met (or the bar that held) and what would change it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..engines import Decision, Result, RuleTrace
from ..packs import DECISION_LABELS
from .labels import Lang, colon, outcome_label, pick, semi, word
from .trace import failure_phrase

# The outcome an enterprise hopes for, where the others are negative for it (listing on the positive list).
FAVOURABLE: dict[str, str] = {"inclusion": "eligible", "listing": "keep"}

MAX_RULES = 4  # unmet categories shown for one negative decision; the full trace has them all
MAX_CLAUSES = 3  # clauses named for a default outcome


def is_negative(name: str, decision: Decision) -> bool:
    return name in FAVOURABLE and decision.outcome != FAVOURABLE[name]


def render_brief(
    result: Result, lang: Lang = "zh", enterprise: str | None = None, hints: Mapping[str, str] | None = None
) -> str:
    """At most a screen: the header, the warnings, then two to seven lines per decision."""
    head = f"{result.pack} {result.pack_version} · {word('as_of', lang)} {result.as_of}"
    lines = [f"{enterprise} · {head}" if enterprise else head]
    warnings = result.warnings_zh if lang == "zh" and result.warnings_zh else result.warnings
    lines += [f"⚠ {w}" for w in warnings]
    for name, decision in result.decisions.items():
        lines.append(f"{pick(DECISION_LABELS[name], lang)}{colon(lang)}{outcome_label(decision.outcome, lang)}")
        lines.append(f"  {word('basis', lang)}{colon(lang)}{_basis(decision, lang)}")
        if is_negative(name, decision):
            lines += _why_not(decision, lang, result.traced)
        hint = (hints or {}).get(name)
        if hint:
            lines.append(f"  {word('whatif', lang)}{colon(lang)}{hint}")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _basis(decision: Decision, lang: Lang) -> str:
    deciding = [r for r in decision.rules if r.id in decision.decided_by]
    if deciding:
        return _clauses([c for r in deciding for c in r.citations], lang)
    # a default rests on every clause checked; the brief names the first few
    clauses = _clauses(decision.citations, lang, limit=MAX_CLAUSES)
    return f"{word('by_default', lang)}（{clauses}）" if lang == "zh" else f"{word('by_default', lang)} ({clauses})"


def _clauses(citations: Sequence[Mapping[str, str]], lang: Lang, limit: int | None = None) -> str:
    """`doc clause，clause；doc2 clause`: each document once, with its clauses (the first `limit` of them)."""
    unique = list(dict.fromkeys((c["doc"], c["clause"]) for c in citations))
    shown = unique[:limit] if limit else unique
    by_doc: dict[str, list[str]] = {}
    for doc, clause in shown:
        by_doc.setdefault(doc, []).append(clause)
    sep = "，" if lang == "zh" else ", "
    text = semi(lang).join(f"{doc} {sep.join(clauses)}" for doc, clauses in by_doc.items())
    if len(unique) > len(shown):
        more = len(unique) - len(shown)
        text += f"等 {len(unique)} 条" if lang == "zh" else f" and {more} more"
    return text


def _why_not(decision: Decision, lang: Lang, traced: bool) -> list[str]:
    """The bar that held (an outcome a rule gave), or each favourable rule with the phrases it did not meet."""
    if decision.decided_by:
        held = [r for r in decision.rules if r.id in decision.decided_by]
        return [f"  {word('holds', lang)}{colon(lang)}{_title(r, lang)}（{_clauses(r.citations, lang)}）" for r in held]
    if not traced:
        return []
    wanted = [r for r in decision.rules if not r.holds and r.yields and r.yields == FAVOURABLE.get(decision.name)]
    lines = [f"  {word('unmet', lang)}{colon(lang)}{_unmet(r, lang)}" for r in wanted[:MAX_RULES]]
    if len(wanted) > MAX_RULES:
        more = len(wanted) - MAX_RULES
        lines.append(f"  ……另有 {more} 条规则未满足" if lang == "zh" else f"  … {more} more rules not met")
    return lines


def _unmet(rule: RuleTrace, lang: Lang) -> str:
    phrases = semi(lang).join(dict.fromkeys(failure_phrase(f, lang) for f in rule.failed))
    clause = _clauses(rule.citations[-1:], lang)  # the last cited clause is the rule's own (after a lead-in)
    return f"{phrases}（{clause}）" if lang == "zh" else f"{phrases} ({clause})"


def _title(rule: RuleTrace, lang: Lang) -> str:
    return ((rule.title_en or rule.title) if lang == "en" else (rule.title or rule.title_en)) or rule.id
