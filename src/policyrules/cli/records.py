"""`--record`, `policyrules records list` and `policyrules replay`: the decision records from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..engines import Pack, Result
from .common import EXIT_FAILED, EXIT_OK, Handler, print_json

# records.ENV_VAR, written out so that parsing the command line does not import the records package (SQLite,
# the store): every command's parser offers --record, few commands use it (tests/test_startup.py checks the two
# agree)
RECORDS_ENV_VAR = "POLICYRULES_RECORDS"

_FACTS_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".ndjson", ".csv", ".xlsx")


class _RecordAction(argparse.Action):
    """`--record [DB]`. A DB named like a facts or register file is almost certainly the FILE argument swallowed
    by the optional value (`--record facts.yaml`), so it is refused with a hint."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        if isinstance(values, str) and values.lower().endswith(_FACTS_SUFFIXES):
            raise argparse.ArgumentError(
                self,
                f"'{values}' looks like an input file, not a records database: put FILE before --record, "
                "or give the database as --record=DB",
            )
        setattr(namespace, self.dest, values)


def add_record_option(cmd: Any) -> None:
    cmd.add_argument(
        "--record",
        action=_RecordAction,
        nargs="?",
        const="",
        default=None,
        metavar="DB",
        help=f"append every decision to this SQLite records database (no DB: ${RECORDS_ENV_VAR}, "
        "else ~/.local/share/policyrules/records.sqlite)",
    )


def record_path(args: Any) -> Path | None:
    """The records database `--record` asks for: None without the option, the default location for a bare
    `--record`."""
    value = getattr(args, "record", None)
    if value is None:
        return None
    if value == "":
        from ..records import default_db_path

        return default_db_path()
    return Path(value)


def record_evaluation(args: Any, pack: Pack, result: Result, document: Mapping[str, Any], source: str) -> None:
    """`evaluate` / `explain` with --record: append the evaluation and say where it went."""
    db = record_path(args)
    if db is None:
        return
    from ..records import Recorder

    recorder = Recorder.start(db, pack, args.pack, args.command)
    try:
        record_id = recorder.record(document, result, source, None)
    finally:
        recorder.store.close()
    print(f"policyrules: recorded {record_id} in {db}", file=sys.stderr)


def register(sub: Any) -> dict[str, Handler]:
    """The `records` and `replay` subcommands."""
    records = sub.add_parser("records", help="the decision records database")
    verbs = records.add_subparsers(dest="records_command", required=True)
    listing = verbs.add_parser("list", help="recorded decisions, newest first")
    listing.add_argument(
        "--db", default=None, help=f"records database (default ${RECORDS_ENV_VAR} or ~/.local/share/…)"
    )
    listing.add_argument("--pack", default=None)
    listing.add_argument("--uscc", default=None)
    listing.add_argument("--command", dest="source_command", choices=("evaluate", "explain", "batch"), default=None)
    listing.add_argument("--limit", type=int, default=20, help="at most this many (0: all; default 20)")
    listing.add_argument("--format", choices=("text", "json"), default="text")

    check = verbs.add_parser("verify", help="check every record's hash chain and every stored content hash")
    check.add_argument("--db", default=None, help="records database (default as for records list)")
    check.add_argument("--format", choices=("text", "json"), default="text")

    move = verbs.add_parser("migrate", help="copy the records of an older records database into a new one")
    move.add_argument("--db", required=True, help="the older records database (read only, left as it is)")
    move.add_argument("new", help="the new records database to create (must not exist)")

    rep = sub.add_parser("replay", help="re-evaluate a recorded decision with its own pack and the current one")
    rep.add_argument("id", help="a record id (or a unique start of one)")
    rep.add_argument("--db", default=None, help="records database (default as for records list)")
    rep.add_argument("--format", choices=("text", "json"), default="text")
    return {"records": cmd_records, "replay": cmd_replay}


def _db(args: argparse.Namespace) -> Path:
    from ..records import default_db_path

    return Path(args.db) if args.db else default_db_path()


def cmd_records(args: argparse.Namespace) -> int:
    from ..records import RecordStore, migrate, record_json, render_list

    if args.records_command == "verify":
        return cmd_verify(args)
    if args.records_command == "migrate":
        copied = migrate(Path(args.db), Path(args.new))
        print(f"{copied} records copied into {args.new}; {args.db} is unchanged")
        return EXIT_OK
    with RecordStore.open(_db(args), create=False) as store:
        rows = store.iter_records(args.pack, args.uscc, args.source_command, args.limit)
        if args.format == "json":  # streamed: a listing of 200k records holds one record at a time
            sys.stdout.write("[")
            for n, row in enumerate(rows):
                sys.stdout.write(("," if n else "") + "\n  " + json.dumps(record_json(row), ensure_ascii=False))
            sys.stdout.write("\n]\n")
        else:
            for row in rows:
                sys.stdout.write(render_list([row]))
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 when every link of the chain and every content hash holds, 1 at the first that does not."""
    from ..records import RecordStore, verify

    with RecordStore.open(_db(args), create=False) as store:
        found = verify(store)
    if args.format == "json":
        print_json(found.to_json())
    elif found.ok:
        print(f"{found.records} records, chain intact; head {found.head}")
    else:
        print(f"BROKEN after {found.records} intact records: {found.problem}")
    return EXIT_OK if found.ok else EXIT_FAILED


def cmd_replay(args: argparse.Namespace) -> int:
    """Exit 0 when the recorded decision still stands under the current pack, 1 when it does not."""
    from ..records import RecordStore, render_replay, replay

    with RecordStore.open(_db(args), create=False) as store:
        rep = replay(store, args.id)
    if args.format == "json":
        print_json(rep.to_json())
    else:
        print(render_replay(rep), end="")
    return EXIT_OK if rep.stands else EXIT_FAILED
