"""`policyrules new`: start a pack for a new document from its text."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import EXIT_OK, Handler, as_of


def register(sub: Any) -> dict[str, Handler]:
    new = sub.add_parser(
        "new",
        help="start a pack from a document's text: pack.yaml, the cleaned source, every numbered clause, no rules",
    )
    new.add_argument("pack_id", metavar="PACK_ID", help="the new pack's id, also its directory's name")
    new.add_argument("--extends", required=True, help="the pack it builds on: a shipped id (mee_2021) or a directory")
    new.add_argument("--source", required=True, metavar="FILE", help="the document's text as received")
    new.add_argument("--document", metavar="NUMBER", help="the document number, when the text's header lacks it")
    new.add_argument("--title", help="the document's title, when it cannot be read from the text")
    new.add_argument("--issuer", help="the issuing authority, when it cannot be read from the text")
    new.add_argument("--jurisdiction", help="e.g. 某市 (default: the issuer without 生态环境局)")
    new.add_argument("--date", type=as_of, help="the date of issue, when it cannot be read from the text")
    new.add_argument("--in-force-from", type=as_of, help="the first day in force, when the text does not say")
    new.add_argument("--dir", default=".", help="where to create the pack directory (default: here)")
    return {"new": cmd_new}


def cmd_new(args: argparse.Namespace) -> int:
    from ..packs import new_pack  # the scaffolding loads for this command only: tests/test_startup.py

    given = {
        "number": args.document,
        "title": args.title,
        "issuer": args.issuer,
        "jurisdiction": args.jurisdiction,
        "date": args.date,
        "in_force_from": args.in_force_from,
    }
    made = new_pack(args.pack_id, args.extends, Path(args.source), Path(args.dir), given)
    print(f"created {made.directory}/")
    for name in ("pack.yaml", "source.txt", "clauses.yaml", "rules.yaml", "cases/"):
        print(f"  {name}")
    for key, how in made.found.items():
        print(f"{key}: {how}")
    print(f"{made.clauses} clauses, each `encoded: pending`; no rules of its own yet")
    print(f"next: policyrules coverage --pack {made.directory}")
    return EXIT_OK
