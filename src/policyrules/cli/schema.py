"""`policyrules schema facts|result|pack`: the JSON Schemas (2020-12) generated from the models."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import Problem
from .common import EXIT_OK, Handler, UsageError, print_json

# The schemas' names, written out so that building the parser does not generate the models' schemas
# (tests/test_startup.py checks they are the library's NAMES).
NAMES = ("facts", "result", "pack")


def register(sub: Any) -> dict[str, Handler]:
    cmd = sub.add_parser("schema", help="JSON Schema of the facts, the result or a pack file")
    cmd.add_argument("name", choices=NAMES, help="facts (the input), result (evaluate's JSON) or pack (a pack's YAML)")
    cmd.add_argument(
        "--markdown",
        action="store_true",
        help="the reference page instead (facts: docs/reference/facts.md, result: docs/reference/decisions.md)",
    )
    return {"schema": cmd_schema}


def cmd_schema(args: argparse.Namespace) -> int:
    from ..schema import MARKDOWN, schema

    if not args.markdown:
        print_json(schema(args.name))
        return EXIT_OK
    if args.name not in MARKDOWN:
        raise UsageError(
            [Problem("--markdown", f"no reference page for '{args.name}'; pack files: docs/pack-format.md")]
        )
    print(MARKDOWN[args.name](), end="")
    return EXIT_OK
