"""`policyrules packs`: the shipped packs, their documents and force windows."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from ..engines import load_pack
from ..errors import PackError, PolicyRulesError, Problem
from ..packs import shipped_pack_ids
from .common import EXIT_OK, Handler, as_of, print_json


def register(sub: Any) -> dict[str, Handler]:
    packs = sub.add_parser("packs", help="list the shipped packs, or the ones governing a place on a date")
    packs.add_argument("--format", choices=("text", "json"), default="text")
    packs.add_argument("--at", metavar="PLACE", help="which rules govern this place (e.g. 重庆, 山西省长治市)?")
    packs.add_argument("--as-of", type=as_of, default=None, help="with --at: the date (default today)")
    return {"packs": cmd_packs}


def cmd_packs(args: argparse.Namespace) -> int:
    from ..explain import pack_summary  # loaded for this command only: tests/test_startup.py

    if args.at is not None:
        return cmd_packs_at(args)
    summaries: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for pack_id in shipped_pack_ids():
        try:
            summaries.append(pack_summary(load_pack(pack_id)))
        except PolicyRulesError as exc:  # list the others all the same, then fail
            problems += exc.problems
    if args.format == "json":
        print_json(summaries)
        return fail_with(problems)
    for s in summaries:
        print_summary(s)
    return fail_with(problems)


def print_summary(s: dict[str, Any]) -> None:
    status = {"in_force": "in force", "draft": "draft", "superseded": "superseded"}[s["status"]]
    print(
        f"{s['id']}\t{s['jurisdiction']}\t{status}\tv{s['version']}"
        + (f"\textends {s['extends']}" if s["extends"] else "")
    )
    for d in s["documents"]:
        if d["status"] == "draft":
            window = "never in force"
        else:
            window = f"in force {d['in_force_from'] or '?'} – {d['in_force_until'] or ''}".rstrip(" –")
        if d.get("in_force_earliest"):
            window += f" (possibly from {d['in_force_earliest']})"
        print(f"\t{d['number']}\t{d['issuer']}\t{d['date'] or ''}\t{window}\t{d['status']}")
    if s["superseded_from"]:
        print(f"\tsuperseded where inconsistent from {s['superseded_from']} by {s['superseded_by']}")


def cmd_packs_at(args: argparse.Namespace) -> int:
    from ..packs import packs_for  # finding packs by place loads for this command only: tests/test_startup.py

    answer = packs_for(args.at, args.as_of or date.today())
    if args.format == "json":
        print_json(answer.to_json())
        return EXIT_OK
    print(f"{answer.place} {answer.as_of}: {answer.pack}")
    for link in answer.chain:
        window = f"{link.in_force_from or '?'} – {link.in_force_until or ''}".rstrip(" –")
        print(f"\t{link.pack}\t{link.role}\tin force {window}\t{'、'.join(link.documents)}\t{link.note}")
    for note in answer.notes:
        print(f"\tnote: {note}")
    return EXIT_OK


def fail_with(problems: list[Problem]) -> int:
    if problems:
        raise PackError(problems)
    return EXIT_OK
