"""The readable decision trace, in Chinese or English, and the summaries of packs and rule sets."""

from .render import coverage, effective_rules, pack_summary, render_result, render_rows

__all__ = [
    "coverage",
    "effective_rules",
    "pack_summary",
    "render_result",
    "render_rows",
]
