"""The readable decision trace, in Chinese or English, and the summaries of packs and rule sets."""

from .brief import FAVOURABLE, is_negative, render_brief
from .reasons import ReasonCache, decision_reason
from .summary import effective_rules, pack_summary, render_rows
from .trace import render_result
from .whatif import alternative_line, render_whatif

__all__ = [
    "FAVOURABLE",
    "ReasonCache",
    "alternative_line",
    "decision_reason",
    "effective_rules",
    "is_negative",
    "pack_summary",
    "render_brief",
    "render_result",
    "render_rows",
    "render_whatif",
]
