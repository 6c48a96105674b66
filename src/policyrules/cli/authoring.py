"""The pack author's commands: `validate`, `test`, `show`, `coverage` and `clean-source`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engines import ENGINES, Pack, load_pack
from ..errors import EngineUnavailable, PackError, PolicyRulesError, Problem, did_you_mean
from ..packs import Clause, clean_source, read_text, shipped_pack_ids, shipped_packs_dir
from .common import EXIT_FAILED, EXIT_OK, Handler, UsageError, note, print_json
from .lint import lint_packs

if TYPE_CHECKING:  # the cases package loads only for `test`
    from ..cases import Report, Selection


def register(sub: Any) -> dict[str, Handler]:
    validate = sub.add_parser("validate", help="check pack directories (all shipped packs when none given)")
    validate.add_argument("paths", nargs="*")
    validate.add_argument("--lint", action="store_true", help="then run `policyrules lint` on the packs that pass")

    test = sub.add_parser("test", help="run the YAML cases beside each pack")
    test.add_argument("--pack", action="append", help="pack id or directory (repeatable; default: all shipped)")
    test.add_argument("--engine", choices=(*ENGINES, "all"), default="all")
    test.add_argument("-k", dest="keyword", metavar="PATTERN", help="only the cases whose name contains PATTERN")
    test.add_argument("--case", action="append", metavar="FILE", help="only the cases of this case file (repeatable)")
    test.add_argument("--rule", metavar="RULE_ID", help="only the cases that touch the rule (name it, or see it hold)")
    test.add_argument("--junit", metavar="FILE", help="also write the results as JUnit XML to FILE")

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
    from ..analysis import coverage, runnable_problems  # each command loads what it uses: tests/test_startup.py
    from ..packs import document_text_problems, missing_chinese, note_problems

    targets = args.paths or [str(p) for p in sorted(shipped_packs_dir().glob("*")) if (p / "pack.yaml").is_file()]
    problems: list[Problem] = []
    passed: list[Pack] = []
    for target in targets:
        try:
            pack = load_pack(target)
        except PolicyRulesError as exc:
            problems += exc.problems
            continue
        rows = coverage(pack)
        uncovered = [
            pack.definition.clauses[f"{pack.id}:{row['clause']}"] for row in rows if row["status"] == "UNCOVERED"
        ]
        found = [uncovered_problem(clause) for clause in uncovered] + document_text_problems(pack.definition)
        found += runnable_problems(pack)  # what the durable engine or `diff` would refuse
        found += missing_chinese(pack.definition)
        found += note_problems(pack.definition)  # notes that name a disabled rule or an uncited clause
        problems += found
        if not found:
            print(f"ok\t{pack.id}\t{pack.definition.directory}")
            passed.append(pack)
        pending = sum(1 for row in rows if row["status"] == "pending")
        if pending:
            where = pack.definition.directory
            note(f"{pack.id}: {pending} clauses not yet encoded; `policyrules coverage --pack {where}` lists them")
    if problems:
        raise PackError(problems)
    return lint_packs(passed, "text", None, show_acknowledged=False) if args.lint else EXIT_OK


def uncovered_problem(clause: Clause) -> Problem:
    message = "marked encoded but no rule cites it; cite it from a rule or mark it `encoded: false` with a reason"
    if clause.where is None:
        return Problem(f"clauses.{clause.id}", message)
    return clause.where.problem(message)


def cmd_test(args: argparse.Namespace) -> int:
    from ..cases import Selection, junit_xml, run_cases
    from ..registers import atomic_open, check_output

    selection = Selection(keyword=args.keyword, rule=args.rule)
    failed = 0
    reports: list[tuple[Report, dict[str, list[str]] | None]] = []
    targets = test_targets(args.pack, args.case, args.rule)
    if args.junit:  # checked before the run: never over a file of a pack tested
        inputs = [str(f) for pack, _ in targets for f in pack.definition.directory.rglob("*") if f.is_file()]
        check_output(args.junit, inputs, option="--junit")
    for pack, files in targets:
        engines = engines_for(pack, args.engine)
        report = run_cases(pack, engines, files, selection)
        for failure in report.failures:
            print(f"FAIL {failure}")
        gaps = coverage_gaps(pack, report, selection, narrowed=bool(files) or selection.keyword is not None)
        for kind, ids in (gaps or {}).items():
            if ids:
                print(f"GAP  {pack.id}: {kind.replace('_', ' ')}: {', '.join(ids)}")
        failed += len(report.failures) + sum(len(v) for v in (gaps or {}).values())
        reports.append((report, gaps))
        print(
            f"{pack.id}: {report.cases} cases, {report.runs} runs on {', '.join(engines)}: "
            f"{report.runs - len(report.failures)} passed, {len(report.failures)} failed"
        )
    if args.junit:
        with atomic_open(args.junit) as out:  # never half-written
            out.write(junit_xml(reports))
    return EXIT_FAILED if failed else EXIT_OK


def test_targets(
    refs: list[str] | None, case_files: list[str] | None, rule: str | None
) -> list[tuple[Pack, list[Path] | None]]:
    """The packs to test, each with the case files to run (None: all of its cases). `--case` files belong to
    the one `--pack` given, or to the pack directory that holds their `cases/` directory."""
    if case_files:
        files = [Path(f) for f in case_files]
        missing = [Problem("--case", "no such case file", str(f)) for f in files if not f.is_file()]
        if missing:
            raise UsageError(missing)
        if refs and len(refs) > 1:
            raise UsageError(
                [Problem("--case", "give at most one --pack with --case: the files are that pack's cases")]
            )
        by_pack: dict[str, tuple[Pack, list[Path]]] = {}
        for f in files:
            pack = load_pack(refs[0] if refs else _pack_of(f))
            by_pack.setdefault(pack.id, (pack, []))[1].append(f)
        targets: list[tuple[Pack, list[Path] | None]] = list(by_pack.values())
    else:
        targets = [(load_pack(ref), None) for ref in refs or shipped_pack_ids()]
    if rule is not None:
        before = targets
        targets = [(p, f) for p, f in targets if any(r.id == rule for r in p.compiled.rules)]
        if not targets:
            raise UsageError([Problem("--rule", _no_such_rule(rule, [p for p, _ in before]))])
    return targets


def _no_such_rule(rule: str, packs: list[Pack]) -> str:
    disabled = [p.id for p in packs if any(r.id == rule and r.origin == "disabled" for r in p.definition.rules)]
    if disabled:
        return f"rule '{rule}' is disabled in {', '.join(disabled)}: no case can touch it"
    known = {r.id for p in packs for r in p.compiled.rules}
    return f"no rule '{rule}' in {', '.join(p.id for p in packs)}{did_you_mean(rule, known)}"


def _pack_of(case_file: Path) -> str:
    directory = case_file.resolve().parent.parent
    if case_file.resolve().parent.name != "cases" or not (directory / "pack.yaml").is_file():
        raise UsageError(
            [
                Problem(
                    "--case",
                    "this file is not in the cases/ directory of a pack; name its pack with --pack",
                    str(case_file),
                )
            ]
        )
    return str(directory)


def coverage_gaps(pack: Pack, report: Report, selection: Selection, narrowed: bool) -> dict[str, list[str]] | None:
    """The coverage rule over the cases run: every active rule seen holding and not holding. With --rule, for
    that rule only; with -k or --case, not checked (a part of the cases cannot be held to it)."""
    if selection.rule is not None:
        return report.uncovered([selection.rule])
    if narrowed:
        return None
    return report.uncovered(r.id for r in pack.compiled.rules)


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
    from ..explain import effective_rules

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
    from ..analysis import coverage
    from ..explain import render_rows

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
