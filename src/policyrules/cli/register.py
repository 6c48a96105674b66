"""`policyrules register export`: the published list (附表2) from batch results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..registers import export
from .common import EXIT_OK, Handler, as_of


def register(sub: Any) -> dict[str, Handler]:
    """The `register` subcommand and its `export` verb."""
    reg = sub.add_parser("register", help="the published list (附表2) from batch results")
    verbs = reg.add_subparsers(dest="register_command", required=True)
    exp = verbs.add_parser("export", help="监督执法正面清单企业列表: the enterprises whose listing is kept")
    exp.add_argument("results", help="batch results (.jsonl, .csv or .xlsx)")
    exp.add_argument("-o", "--output", required=True, help=".xlsx or .csv")
    exp.add_argument("--pack", default=None, help="default: the pack named in the results")
    exp.add_argument("--unit", default="", help="填报单位")
    exp.add_argument("--date", type=as_of, default=None, help="填表时间 YYYY-MM-DD (default today)")
    exp.add_argument("--link", default="", help="公示网站链接")
    exp.add_argument(
        "--validity-years", type=int, default=None, help="正面清单有效期 in years, for a pack that sets none"
    )
    return {"register": cmd_register}


def cmd_register(args: argparse.Namespace) -> int:
    count = export(
        Path(args.results), Path(args.output), args.pack, args.unit, args.date, args.link, args.validity_years
    )
    print(f"policyrules: {count} enterprises on the list → {args.output}", file=sys.stderr)
    return EXIT_OK
