"""`policyrules evaluate` and `policyrules explain`: one enterprise's decisions, as JSON or as a readable trace."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..engines import ENGINES, Result
from ..errors import FactsError
from .common import EXIT_OK, Handler, as_of, print_json
from .explaining import Input, add_explain_options, load_input, render
from .records import add_record_option, record_evaluation
from .terminal import can_encode


def register(sub: Any) -> dict[str, Handler]:
    for name, helptext in (
        ("evaluate", "decisions for one enterprise"),
        ("explain", "a readable decision trace"),
    ):
        cmd = sub.add_parser(name, help=helptext)
        which = cmd.add_mutually_exclusive_group(required=name == "evaluate")  # explain may name a record instead
        which.add_argument("--pack", help="a shipped pack id or a pack directory")
        which.add_argument("--at", metavar="PLACE", help="the place: the pack governing it on --as-of is used")
        cmd.add_argument("--as-of", type=as_of, default=None, help="evaluation date YYYY-MM-DD (default today)")
        cmd.add_argument("--engine", choices=tuple(ENGINES), default="compiled")
        cmd.add_argument(
            "file",
            nargs="?" if name == "explain" else None,
            help="facts document (YAML or JSON); '-' reads standard input"
            + (", or a register" if name == "explain" else ""),
        )
        add_record_option(cmd)
        if name == "evaluate":
            cmd.add_argument("--format", choices=("json", "text"), default="json")
            cmd.add_argument("--trace", action="store_true", help="include the full trace in the JSON")
        else:
            cmd.add_argument("--lang", choices=("zh", "en"), default="zh")
            cmd.add_argument("--format", choices=("text", "json"), default="text")
            add_explain_options(cmd)
    return {"evaluate": cmd_evaluate, "explain": cmd_explain}


def evaluate(args: argparse.Namespace) -> tuple[Input, Result, dict[str, Any]]:
    """Load, evaluate, print the warnings and record: what `evaluate` and `explain` share."""
    source = load_input(args)
    pack, document = source.pack, source.document
    try:
        wants_trace = args.command == "explain" or getattr(args, "trace", False)
        result = pack.evaluate(document.facts, as_of=source.as_of, engine=source.engine, trace=wants_trace)
    except FactsError as exc:  # e.g. a credit grade outside the pack's scheme: point at the line
        raise document.locate(exc) from None
    raw = document.data
    chinese = getattr(args, "lang", "en") == "zh" and result.warnings_zh  # explain speaks Chinese to people
    for warning in result.warnings_zh if chinese else result.warnings:
        print(f"policyrules: warning: {warning}", file=sys.stderr)
    record_evaluation(args, pack, result, raw, document.file)
    return source, result, raw


def cmd_evaluate(args: argparse.Namespace) -> int:
    _, result, _raw = evaluate(args)
    if args.format == "json":
        text = result.json_text(trace=args.trace, indent=2)  # each memoised decision's text rendered once
        if can_encode(sys.stdout, text):
            print(text)
        else:  # a terminal that cannot write the Chinese: \u escapes, as print_json writes them
            print_json(result.to_json(trace=args.trace))
    else:
        for name, decision in result.decisions.items():
            flags = "".join(f" {f}" for f, v in decision.flags.items() if v)
            print(f"{name}: {decision.outcome}{flags}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    source, result, _raw = evaluate(args)
    if args.format == "json":
        print_json(result.to_json(trace=True))
        return EXIT_OK
    print(render(args, source, result), end="")
    return EXIT_OK
