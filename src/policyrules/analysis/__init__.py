"""Analysis of packs: the complete variant diff between two packs and clause coverage."""

from .diff import diff_packs, render_json, render_markdown, render_text

__all__ = [
    "diff_packs",
    "render_json",
    "render_markdown",
    "render_text",
]
