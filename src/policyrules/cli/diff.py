"""`policyrules diff`: every region of the input space where two packs decide differently."""

from __future__ import annotations

import argparse
from typing import Any

from ..engines import load_pack
from ..errors import Problem
from .common import EXIT_OK, Handler, UsageError, as_of, print_json, warn

DIFF_DECISIONS = ("inclusion", "listing", "inspection", "penalty", "supervision")


def register(sub: Any) -> dict[str, Handler]:
    diff = sub.add_parser("diff", help="every region of the input space where two packs decide differently")
    diff.add_argument("a", help="a shipped pack id or a pack directory")
    diff.add_argument("b", help="the pack to compare it with")
    diff.add_argument("--decision", action="append", choices=DIFF_DECISIONS, help="repeatable; default: all")
    diff.add_argument("--as-of", type=as_of, default=None, help="default: the later in-force date of the two")
    diff.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    diff.add_argument(
        "--rules", action="store_true", help="compare the packs rule by rule (same id: conditions, outcome, citations)"
    )
    diff.add_argument(
        "--lang", choices=("zh", "en"), default="zh", help="text and markdown: Chinese (default) or English"
    )
    return {"diff": cmd_diff}


def cmd_diff(args: argparse.Namespace) -> int:
    from ..analysis import diff_packs, render_json, render_markdown, render_text  # see tests/test_startup.py

    if args.rules:
        return cmd_diff_rules(args)
    report = diff_packs(load_pack(args.a), load_pack(args.b), as_of=args.as_of, decisions=args.decision)
    for warning in report.warnings:
        warn(warning)
    if args.format == "json":
        print(render_json(report))
    elif args.format == "markdown":
        print(render_markdown(report, lang=args.lang).rstrip("\n"))
    else:
        print(render_text(report, lang=args.lang).rstrip("\n"))
    return EXIT_OK


def cmd_diff_rules(args: argparse.Namespace) -> int:
    from ..analysis import compare_rules, render_rules_text

    if args.format == "markdown":
        raise UsageError([Problem("--format", "diff --rules prints text or json")])
    comparison = compare_rules(load_pack(args.a), load_pack(args.b), as_of=args.as_of)
    if args.format == "json":
        print_json(comparison.to_json())
    else:
        print(render_rules_text(comparison, lang=args.lang).rstrip("\n"))
    return EXIT_OK
