"""The readable decision trace, in Chinese or English, and the summaries of packs and rule sets."""

from .labels import DECISION_LABELS, FLAG_LABELS, OUTCOME_LABELS
from .reasons import ReasonCache, decision_reason
from .summary import effective_rules, pack_summary, render_rows
from .trace import render_result

__all__ = [
    "DECISION_LABELS",
    "FLAG_LABELS",
    "OUTCOME_LABELS",
    "ReasonCache",
    "decision_reason",
    "effective_rules",
    "pack_summary",
    "render_result",
    "render_rows",
]
