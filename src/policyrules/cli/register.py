"""`policyrules register export`: the published list (附表2) from batch results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import PolicyRulesError
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
    exp.add_argument(
        "--proposed",
        action="store_true",
        help="拟纳入名单: the enterprises eligible for inclusion and not yet listed, for the public comment "
        "(公示) that 环办执法〔2021〕10号 二、（三） requires before the list is issued",
    )
    return {"register": cmd_register}


def cmd_register(args: argparse.Namespace) -> int:
    from ..registers import zh_problems  # loaded for this command only: see tests/test_startup.py

    try:
        count = _export(args)
    except PolicyRulesError as exc:  # for people: in Chinese, as batch's
        raise type(exc)(zh_problems(exc.problems)) from None
    which = "拟纳入名单" if args.proposed else "正面清单企业列表"
    print(f"policyrules: {which}：{count} 家企业 → {args.output}", file=sys.stderr)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from ..registers import export

    return export(
        Path(args.results),
        Path(args.output),
        args.pack,
        args.unit,
        args.date,
        args.link,
        args.validity_years,
        proposed=args.proposed,
    )
