"""Analysis of packs: the complete variant diff between two packs and clause coverage."""

from .compare import diff_packs
from .coverage import coverage
from .domain import DiffError, Domain
from .render import render_json, render_markdown, render_text
from .report import Difference, DiffReport
from .search import search
from .variants import VARIANT_PAIRS, render_variants

__all__ = [
    "VARIANT_PAIRS",
    "DiffError",
    "DiffReport",
    "Difference",
    "Domain",
    "coverage",
    "diff_packs",
    "render_json",
    "render_markdown",
    "render_text",
    "render_variants",
    "search",
]
