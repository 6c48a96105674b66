"""The pack author's commands: `validate`, `test`, `show`, `coverage` and `clean-source`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..analysis import coverage
from ..cases import run_cases
from ..engines import ENGINES, Pack, load_pack
from ..errors import EngineUnavailable, PackError, PolicyRulesError, Problem
from ..explain import effective_rules, render_rows
from ..packs import Clause, clean_source, read_text, shipped_pack_ids, shipped_packs_dir
from .common import EXIT_FAILED, EXIT_OK, Handler, print_json


def register(sub: Any) -> dict[str, Handler]:
    validate = sub.add_parser("validate", help="check pack directories (all shipped packs when none given)")
    validate.add_argument("paths", nargs="*")

    test = sub.add_parser("test", help="run the YAML cases beside each pack")
    test.add_argument("--pack", action="append", help="pack id or directory (repeatable; default: all shipped)")
    test.add_argument("--engine", choices=(*ENGINES, "all"), default="all")

    show = sub.add_parser("show", help="the effective rule set of a pack, with the origin of every rule")
    show.add_argument("--pack", required=True)
    show.add_argument("--format", choices=("text", "json"), default="text")

    cov = sub.add_parser("coverage", help="every clause of a pack: encoded by which rules, or why not")
    cov.add_argument("--pack", required=True)
    cov.add_argument("--format", choices=("text", "json"), default="text")

    clean = sub.add_parser("clean-source", help="print a received source text in the cleaned form packs quote")
    clean.add_argument("file")
    return {
        "validate": cmd_validate,
        "test": cmd_test,
        "show": cmd_show,
        "coverage": cmd_coverage,
        "clean-source": cmd_clean_source,
    }


def cmd_validate(args: argparse.Namespace) -> int:
    targets = args.paths or [str(p) for p in sorted(shipped_packs_dir().glob("*")) if (p / "pack.yaml").is_file()]
    problems: list[Problem] = []
    for target in targets:
        try:
            pack = load_pack(target)
        except PolicyRulesError as exc:
            problems += exc.problems
            continue
        uncovered = [
            pack.definition.clauses[f"{pack.id}:{row['clause']}"]
            for row in coverage(pack)
            if row["status"] == "UNCOVERED"
        ]
        problems += [uncovered_problem(clause) for clause in uncovered]
        if not uncovered:
            print(f"ok\t{pack.id}\t{pack.definition.directory}")
    if problems:
        raise PackError(problems)
    return EXIT_OK


def uncovered_problem(clause: Clause) -> Problem:
    message = "marked encoded but no rule cites it; cite it from a rule or mark it `encoded: false` with a reason"
    if clause.where is None:
        return Problem(f"clauses.{clause.id}", message)
    return clause.where.problem(message)


def cmd_test(args: argparse.Namespace) -> int:
    refs = args.pack or shipped_pack_ids()
    failed = 0
    for ref in refs:
        pack = load_pack(ref)
        engines = engines_for(pack, args.engine)
        report = run_cases(pack, engines)
        for failure in report.failures:
            print(f"FAIL {failure}")
        gaps = report.uncovered(r.id for r in pack.compiled.rules)
        for kind, ids in gaps.items():
            if ids:
                print(f"GAP  {pack.id}: {kind.replace('_', ' ')}: {', '.join(ids)}")
        failed += len(report.failures) + sum(len(v) for v in gaps.values())
        print(
            f"{pack.id}: {report.cases} cases, {report.runs} runs on {', '.join(engines)}: "
            f"{report.runs - len(report.failures)} passed, {len(report.failures)} failed"
        )
    return EXIT_FAILED if failed else EXIT_OK


def engines_for(pack: Pack, wanted: str) -> list[str]:
    """The engines to run a pack's cases on. Asked for by name, an engine that cannot run is an error; with
    --engine all, an engine this interpreter cannot run (durable on Python 3.13) is skipped with a note."""
    if wanted != "all":
        pack.engine(wanted)
        return [wanted]
    engines = []
    for name in ENGINES:
        try:
            pack.engine(name)
        except EngineUnavailable as exc:
            print(f"policyrules: note: engine {name} not run: {exc}", file=sys.stderr)
            continue
        engines.append(name)
    return engines


def cmd_show(args: argparse.Namespace) -> int:
    pack = load_pack(args.pack)
    rows = effective_rules(pack)
    if args.format == "json":
        print_json({"pack": pack.id, "extends": pack.definition.meta.extends, "rules": rows})
        return EXIT_OK
    print(f"{pack.id} (extends {pack.definition.meta.extends or '—'})")
    for row in rows:
        cites = "; ".join(f"{c['doc']} {c['clause']}" for c in row["citations"])
        then = row["yields"] or ", ".join(row["sets"])
        print(f"{row['origin']:<11} {row['decision']:<11} {row['id']} → {then}  [{cites}]")
        if "replaces" in row:
            parent = "; ".join(f"{c['doc']} {c['clause']}" for c in row["replaces"]["citations"])
            print(f"{'':<24}replaces {row['replaces']['pack']} [{parent}]")
        if row.get("reason"):
            print(f"{'':<24}reason: {row['reason']}")
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    pack = load_pack(args.pack)
    rows = coverage(pack)
    if args.format == "json":
        print_json({"pack": pack.id, "clauses": rows})
    else:
        print(render_rows(rows, ["clause", "status", "rules", "reason"]), end="")
    return EXIT_FAILED if any(r["status"] == "UNCOVERED" for r in rows) else EXIT_OK


def cmd_clean_source(args: argparse.Namespace) -> int:
    text, _ = read_text(args.file)
    print(clean_source(text).replace("。", "。\n"), end="")
    return EXIT_OK
