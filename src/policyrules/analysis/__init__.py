"""Analysis of packs: the complete variant diff between two packs, static analysis of one (lint), clause
coverage, whether the durable engine and the diff can run a pack, and what would make a decision hold for one
enterprise (whatif)."""

from .compare import diff_packs
from .coverage import coverage
from .domain import DiffError, Domain
from .findings import KINDS, Finding, render_findings, yaml_text
from .lint import LintReport, lint_pack
from .render import render_json, render_markdown, render_text
from .render_rules import render_rules_text
from .report import Difference, DiffReport
from .rule_compare import RuleComparison, RuleRow, compare_rules
from .runnable import runnable_problems
from .search import search
from .variants import VARIANT_PAIRS, render_variants
from .whatif import CHANGEABLE, Alternative, Change, WhatIf, what_if

__all__ = [
    "CHANGEABLE",
    "KINDS",
    "VARIANT_PAIRS",
    "Alternative",
    "Change",
    "DiffError",
    "DiffReport",
    "Difference",
    "Domain",
    "Finding",
    "LintReport",
    "RuleComparison",
    "RuleRow",
    "WhatIf",
    "compare_rules",
    "coverage",
    "diff_packs",
    "lint_pack",
    "render_findings",
    "render_json",
    "render_markdown",
    "render_rules_text",
    "render_text",
    "render_variants",
    "runnable_problems",
    "search",
    "what_if",
    "yaml_text",
]
