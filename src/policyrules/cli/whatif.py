"""`policyrules whatif`: what would make a decision come out as asked — the minimal changes to the facts, or the
date from which it holds by itself."""

from __future__ import annotations

import argparse
from typing import Any

from ..engines import ENGINES
from ..errors import FactsError
from ..packs import DECISIONS
from .common import EXIT_OK, Handler, as_of, print_json
from .explaining import load_input


def register(sub: Any) -> dict[str, Handler]:
    cmd = sub.add_parser("whatif", help="the minimal changes to the facts under which a decision has an outcome")
    cmd.add_argument("--pack", required=True, help="a shipped pack id or a pack directory")
    cmd.add_argument("--as-of", type=as_of, default=None, help="evaluation date YYYY-MM-DD (default today)")
    cmd.add_argument("--engine", choices=tuple(ENGINES), default="compiled")
    cmd.add_argument("file", help="facts document (YAML or JSON; '-' reads standard input), or a register with --row")
    cmd.add_argument("--row", type=int, default=None, help="FILE is a register: this row (as Excel numbers it)")
    cmd.add_argument("--uscc", default=None, help="FILE is a register: the row of this 统一社会信用代码")
    cmd.add_argument("--sheet", default=None, help="the register's sheet (XLSX; default the first)")
    cmd.add_argument("--decision", required=True, choices=DECISIONS)
    cmd.add_argument("--outcome", required=True, help="the outcome wanted: a code or its label (eligible, 可以纳入)")
    cmd.add_argument("--max-changes", type=int, default=3, help="at most this many facts changed at once (default 3)")
    cmd.add_argument("--lang", choices=("zh", "en"), default="zh")
    cmd.add_argument("--format", choices=("text", "json"), default="text")
    return {"whatif": cmd_whatif}


def cmd_whatif(args: argparse.Namespace) -> int:
    from ..analysis import what_if  # loaded for this command only: tests/test_startup.py
    from ..explain import render_whatif

    source = load_input(args)
    pack, document = source.pack, source.document
    try:
        answer = what_if(
            pack, document.data, args.decision, args.outcome, args.as_of, args.engine, max(0, args.max_changes)
        )
    except FactsError as exc:
        raise document.locate(exc) from None
    if args.format == "json":
        print_json(answer.to_json())
    else:
        print(render_whatif(answer.to_json(), answer.as_of.isoformat(), answer.current, args.lang), end="")
    return EXIT_OK
