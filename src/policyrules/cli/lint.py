"""`policyrules lint`: static analysis of packs on their decision diagrams; `validate --lint` runs it too."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from ..engines import Pack, load_pack
from ..packs import shipped_pack_ids
from .common import EXIT_FAILED, EXIT_OK, Handler, as_of, print_json


def register(sub: Any) -> dict[str, Handler]:
    lint = sub.add_parser(
        "lint",
        help="rules that never hold or never decide, overlaps the hit policy settles, constant conditions, "
        "uncited clauses",
    )
    lint.add_argument("packs", nargs="*", metavar="PACK", help="pack ids or directories (default: every shipped pack)")
    lint.add_argument("--format", choices=("text", "json"), default="text")
    lint.add_argument("--as-of", type=as_of, default=None, help="the date facts are read on (default: in force date)")
    lint.add_argument("--all", action="store_true", help="also show the findings the packs acknowledge")
    return {"lint": cmd_lint}


def cmd_lint(args: argparse.Namespace) -> int:
    packs = [load_pack(ref) for ref in args.packs or shipped_pack_ids()]
    return lint_packs(packs, args.format, args.as_of, args.all)


def lint_packs(packs: list[Pack], fmt: str, day: date | None, show_acknowledged: bool) -> int:
    """Lint each pack and print the findings; 1 when any is not acknowledged in its pack."""
    from ..analysis import lint_pack, render_findings  # loaded for lint only: see tests/test_startup.py

    reports = [lint_pack(pack, day) for pack in packs]
    if fmt == "json":
        print_json([r.to_json() for r in reports])
    else:
        for report in reports:
            text = render_findings(report.pack, report.as_of.isoformat(), report.findings, show_acknowledged)
            if report.incomplete:
                text += f"{report.pack}: INCOMPLETE: the diagrams of {', '.join(report.incomplete)} hit their limit\n"
            print(text, end="")
    return EXIT_FAILED if any(r.open or r.incomplete for r in reports) else EXIT_OK
