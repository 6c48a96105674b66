"""`explain --brief`: one screen for an officer — each decision's outcome and why in one line (the reason the
register's 理由 column gives: the rule that decided and its clause, or for a negative outcome the source phrases
not met and their clauses), and for a negative outcome what would change it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..engines import Decision, Result
from ..packs import DECISION_LABELS
from .labels import Lang, colon, outcome_label, pick, semi, word
from .reasons import decision_reason, needs_trace
from .trace import flags_text

# The outcome an enterprise hopes for where the others take it off the positive list: what `whatif` is asked for.
FAVOURABLE: dict[str, str] = {"inclusion": "eligible", "listing": "keep"}

MAX_CLAUSES = 3  # clauses named for a default outcome that needs no reason beyond itself


def is_negative(name: str, decision: Decision) -> bool:
    return name in FAVOURABLE and decision.outcome != FAVOURABLE[name]


def render_brief(
    result: Result, lang: Lang = "zh", enterprise: str | None = None, hints: Mapping[str, str] | None = None
) -> str:
    """At most a screen: the header, the warnings, then two or three lines per decision."""
    head = f"{result.pack} {result.pack_version} · {word('as_of', lang)} {result.as_of}"
    lines = [f"{enterprise} · {head}" if enterprise else head]
    warnings = result.warnings_zh if lang == "zh" and result.warnings_zh else result.warnings
    lines += [f"⚠ {w}" for w in warnings]
    for name, decision in result.decisions.items():
        outcome = outcome_label(decision.outcome, lang) + flags_text(decision, lang)
        lines.append(f"{pick(DECISION_LABELS[name], lang)}{colon(lang)}{outcome}")
        lines.append(_why(decision, lang))
        hint = (hints or {}).get(name)
        if hint:
            lines.append(f"  {word('whatif', lang)}{colon(lang)}{hint}")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _why(decision: Decision, lang: Lang) -> str:
    """The reason (decisions.reasons), or for a default outcome that needs none, the first clauses checked."""
    if decision.decided_by or needs_trace(decision):
        return f"  {word('reason', lang)}{colon(lang)}{decision_reason(decision, lang)}"
    clauses = _clauses(decision.citations, lang, limit=MAX_CLAUSES)
    basis = f"（{clauses}）" if lang == "zh" else f" ({clauses})"
    return f"  {word('basis', lang)}{colon(lang)}{word('by_default', lang)}{basis}"


def _clauses(citations: Sequence[Mapping[str, str]], lang: Lang, limit: int) -> str:
    """`doc clause，clause；doc2 clause`: each document once, with the first `limit` clauses."""
    unique = list(dict.fromkeys((c["doc"], c["clause"]) for c in citations))
    by_doc: dict[str, list[str]] = {}
    for doc, clause in unique[:limit]:
        by_doc.setdefault(doc, []).append(clause)
    sep = "，" if lang == "zh" else ", "
    text = semi(lang).join(f"{doc} {sep.join(clauses)}" for doc, clauses in by_doc.items())
    if len(unique) > limit:
        text += f"等 {len(unique)} 条" if lang == "zh" else f" and {len(unique) - limit} more"
    return text
