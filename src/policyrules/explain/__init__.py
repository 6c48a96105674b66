"""The readable decision trace, in Chinese or English, and the summaries of packs and rule sets."""

from .summary import effective_rules, pack_summary, render_rows
from .trace import render_result

__all__ = [
    "effective_rules",
    "pack_summary",
    "render_result",
    "render_rows",
]
