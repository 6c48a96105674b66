"""What `explain` explains and how: a facts file, a row of a register (`--row N` / `--uscc CODE`), or a recorded
decision (`--from-record ID`); the full trace or `--brief`; and, for a negative outcome, the first alternative
`whatif` finds."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engines import Pack, Result, load_pack, load_pack_for
from ..errors import FactsError, PolicyRulesError, Problem
from ..facts import FactsDocument, parse_facts
from ..packs import load_facts
from .common import UsageError, warn
from .records import RECORDS_ENV_VAR

# analysis, explain, records and registers load when `explain` (or --from-record, --row) uses them, so that
# `evaluate` starts without them (tests/test_startup.py)
if TYPE_CHECKING:
    from ..explain.labels import Lang


@dataclass(frozen=True)
class Input:
    """One enterprise to decide: the pack, the facts document, where it came from, and the date and engine
    (those of a recorded decision, else the command line's)."""

    pack: Pack
    document: FactsDocument
    as_of: date | None
    engine: str


def add_explain_options(cmd: Any) -> None:
    cmd.add_argument("--row", type=int, default=None, help="FILE is a register: explain this row (as Excel numbers it)")
    cmd.add_argument("--uscc", default=None, help="FILE is a register: explain the row of this 统一社会信用代码")
    cmd.add_argument("--sheet", default=None, help="the register's sheet (XLSX; default the first)")
    cmd.add_argument(
        "--from-record", default=None, metavar="ID", help="explain a recorded decision (its input, pack, date)"
    )
    cmd.add_argument(
        "--db", default=None, help=f"records database for --from-record (default ${RECORDS_ENV_VAR} or ~/.local/…)"
    )
    cmd.add_argument("--brief", action="store_true", help="one screen: outcomes, clauses, what was not met")


def load_input(args: argparse.Namespace) -> Input:
    """The enterprise `evaluate` or `explain` is asked about."""
    if getattr(args, "from_record", None):
        return _from_record(args)
    if args.pack is None and args.at is None:
        raise UsageError(
            [
                Problem(
                    "",
                    "one of the arguments --pack --at is required (or --from-record ID for a recorded decision)",
                )
            ]
        )
    if args.file is None:
        raise UsageError(
            [Problem("", "the following arguments are required: FILE (a facts document, or a register with --row N)")]
        )
    pack = load_pack(args.pack) if args.pack else load_pack_for(args.at, args.as_of)
    if getattr(args, "row", None) is not None or getattr(args, "uscc", None) is not None:
        return Input(pack, _register_row(args, pack), args.as_of, args.engine)
    return Input(pack, load_facts(args.file), args.as_of, args.engine)


def _register_row(args: argparse.Namespace, pack: Pack) -> FactsDocument:
    from ..registers import find_row

    found = find_row(args.file, pack, args.row, args.uscc, args.sheet)
    name = f"{args.file}, row {found.row}"
    if found.problems:
        raise FactsError([Problem(p.path, p.message, name) for p in found.problems])
    try:
        facts = parse_facts(found.document)
    except FactsError as exc:
        raise FactsError([Problem(p.path, p.message, name) for p in exc.problems]) from None
    return FactsDocument(facts, found.document, name, {})


def _from_record(args: argparse.Namespace) -> Input:
    from ..records import RecordStore, default_db_path, recorded_input

    for option, value in (("FILE", args.file), ("--pack", args.pack), ("--at", args.at), ("--as-of", args.as_of)):
        if value is not None:
            raise UsageError(
                [Problem(option, "a recorded decision is explained with its own input, pack and date; drop " + option)]
            )
    with RecordStore.open(Path(args.db) if args.db else default_db_path(), create=False) as store:
        recorded = recorded_input(store, args.from_record)
    name = f"record {recorded.record['id']}"
    if not recorded.intact:  # explained all the same: the officer is told, as `records verify` would tell
        if getattr(args, "lang", "zh") == "zh":
            warn(f"记录 {recorded.record['id']} 与其哈希不符：写入后被改动过（policyrules records verify）")
        else:
            warn(f"{name} does not match its hash: it was altered after it was written (policyrules records verify)")
    try:
        facts = parse_facts(recorded.facts)
    except FactsError as exc:
        raise FactsError([Problem(p.path, p.message, name) for p in exc.problems]) from None
    return Input(recorded.pack, FactsDocument(facts, recorded.facts, name, {}), recorded.as_of, recorded.engine)


def whatif_hints(pack: Pack, result: Result, facts: Mapping[str, Any], lang: Lang) -> dict[str, str]:
    """For each negative decision, the first alternative that would make it favourable, in one line."""
    from ..analysis import what_if
    from ..explain import FAVOURABLE, alternative_line, is_negative

    hints: dict[str, str] = {}
    for name, decision in result.decisions.items():
        if not is_negative(name, decision):
            continue
        try:
            answer = what_if(pack, facts, name, FAVOURABLE[name], result.as_of, result.engine, max_changes=2)
        except PolicyRulesError:
            continue
        line = alternative_line(answer.to_json(), lang)
        if line:
            hints[name] = line
    return hints


def render(args: argparse.Namespace, source: Input, result: Result) -> str:
    from ..explain import render_brief, render_result

    ent = source.document.data.get("enterprise", {})
    who = f"{ent.get('name')}（{ent.get('uscc')}）"
    hints = whatif_hints(source.pack, result, source.document.data, args.lang)
    if args.brief:
        return render_brief(result, args.lang, who, hints)
    return render_result(result, args.lang, who, hints)
