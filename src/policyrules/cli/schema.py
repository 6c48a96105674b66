"""`policyrules schema facts|result|pack`: the JSON Schemas (2020-12) generated from the models."""

from __future__ import annotations

import argparse
from typing import Any

from ..schema import NAMES, schema
from .common import EXIT_OK, Handler, print_json


def register(sub: Any) -> dict[str, Handler]:
    cmd = sub.add_parser("schema", help="JSON Schema of the facts, the result or a pack file")
    cmd.add_argument("name", choices=NAMES, help="facts (the input), result (evaluate's JSON) or pack (a pack's YAML)")
    return {"schema": cmd_schema}


def cmd_schema(args: argparse.Namespace) -> int:
    print_json(schema(args.name))
    return EXIT_OK
