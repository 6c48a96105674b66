"""The `policyrules` command (contract section 4). Bad input of any kind exits 2 with located messages on
standard error and never a traceback."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NoReturn

from .. import __version__
from ..cases import run_cases
from ..engines import ENGINES, Pack, load_pack
from ..errors import EngineUnavailable, FactsError, PackError, PolicyRulesError, Problem
from ..explain import coverage, effective_rules, pack_summary, render_result, render_rows
from ..packs import Clause, clean_source, load_facts, read_text, shipped_pack_ids, shipped_packs_dir
from ..records import add_record_option, record_evaluation
from ..registers import BATCH_COMMANDS, add_batch_parsers

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(PolicyRulesError):
    """A bad command-line argument."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError([Problem("", message)])


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found '{text}'") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="policyrules", description="Positive-list enforcement policies as testable rules.")
    parser.add_argument("--version", action="version", version=f"policyrules {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    packs = sub.add_parser("packs", help="list the shipped packs")
    packs.add_argument("--format", choices=("text", "json"), default="text")

    for name, helptext in (
        ("evaluate", "decisions for one enterprise"),
        ("explain", "a readable decision trace"),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--pack", required=True, help="a shipped pack id or a pack directory")
        cmd.add_argument("--as-of", type=_as_of, default=None, help="evaluation date YYYY-MM-DD (default today)")
        cmd.add_argument("--engine", choices=tuple(ENGINES), default="compiled")
        cmd.add_argument("file", help="facts document (YAML or JSON); '-' reads standard input")
        add_record_option(cmd)
        if name == "evaluate":
            cmd.add_argument("--format", choices=("json", "text"), default="json")
            cmd.add_argument("--trace", action="store_true", help="include the full trace in the JSON")
        else:
            cmd.add_argument("--lang", choices=("zh", "en"), default="zh")
            cmd.add_argument("--format", choices=("text", "json"), default="text")

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

    diff = sub.add_parser("diff", help="every region of the input space where two packs decide differently")
    diff.add_argument("a", help="a shipped pack id or a pack directory")
    diff.add_argument("b", help="the pack to compare it with")
    diff.add_argument("--decision", action="append", choices=DIFF_DECISIONS, help="repeatable; default: all")
    diff.add_argument("--as-of", type=_as_of, default=None, help="default: the later in-force date of the two")
    diff.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    add_batch_parsers(sub, _as_of)  # batch, records, replay, register
    return parser


# --- commands ---------------------------------------------------------------------------------------------


def cmd_packs(args: argparse.Namespace) -> int:
    summaries: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for pack_id in shipped_pack_ids():
        try:
            summaries.append(pack_summary(load_pack(pack_id)))
        except PolicyRulesError as exc:  # list the others all the same, then fail
            problems += exc.problems
    if args.format == "json":
        _print_json(summaries)
        return _fail_with(problems)
    for s in summaries:
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
            print(f"\tsuperseded where inconsistent from {s['superseded_from']}")
    return _fail_with(problems)


def _fail_with(problems: list[Problem]) -> int:
    if problems:
        raise PackError(problems)
    return EXIT_OK


def _evaluate(args: argparse.Namespace) -> tuple[Pack, Any, dict[str, Any]]:
    pack = load_pack(args.pack)
    document = load_facts(args.file)
    try:
        wants_trace = args.command == "explain" or getattr(args, "trace", False)
        result = pack.evaluate(document.facts, as_of=args.as_of, engine=args.engine, trace=wants_trace)
    except FactsError as exc:  # e.g. a credit grade outside the pack's scheme: point at the line
        raise document.locate(exc) from None
    raw = document.data
    for warning in result.warnings:
        print(f"policyrules: warning: {warning}", file=sys.stderr)
    record_evaluation(args, pack, result, raw, document.file)
    return pack, result, raw


def cmd_evaluate(args: argparse.Namespace) -> int:
    _, result, _raw = _evaluate(args)
    if args.format == "json":
        _print_json(result.to_json(trace=args.trace))
    else:
        for name, decision in result.decisions.items():
            flags = "".join(f" {f}" for f, v in decision.flags.items() if v)
            print(f"{name}: {decision.outcome}{flags}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    _, result, raw = _evaluate(args)
    if args.format == "json":
        _print_json(result.to_json(trace=True))
        return EXIT_OK
    ent = raw.get("enterprise", {})
    print(render_result(result, args.lang, f"{ent.get('name')}（{ent.get('uscc')}）"), end="")
    return EXIT_OK


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
        problems += [_uncovered_problem(clause) for clause in uncovered]
        if not uncovered:
            print(f"ok\t{pack.id}\t{pack.definition.directory}")
    if problems:
        raise PackError(problems)
    return EXIT_OK


def _uncovered_problem(clause: Clause) -> Problem:
    message = "marked encoded but no rule cites it; cite it from a rule or mark it `encoded: false` with a reason"
    if clause.where is None:
        return Problem(f"clauses.{clause.id}", message)
    return clause.where.problem(message)


def cmd_test(args: argparse.Namespace) -> int:
    refs = args.pack or shipped_pack_ids()
    failed = 0
    for ref in refs:
        pack = load_pack(ref)
        engines = _engines_for(pack, args.engine)
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


def _engines_for(pack: Pack, wanted: str) -> list[str]:
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
        _print_json({"pack": pack.id, "extends": pack.definition.meta.extends, "rules": rows})
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
        _print_json({"pack": pack.id, "clauses": rows})
    else:
        print(render_rows(rows, ["clause", "status", "rules", "reason"]), end="")
    return EXIT_FAILED if any(r["status"] == "UNCOVERED" for r in rows) else EXIT_OK


def cmd_clean_source(args: argparse.Namespace) -> int:
    text, _ = read_text(args.file)
    print(clean_source(text).replace("。", "。\n"), end="")
    return EXIT_OK


DIFF_DECISIONS = ("inclusion", "listing", "inspection", "penalty", "supervision")


def cmd_diff(args: argparse.Namespace) -> int:
    from ..analysis import diff_packs, render_json, render_markdown, render_text

    report = diff_packs(load_pack(args.a), load_pack(args.b), as_of=args.as_of, decisions=args.decision)
    for warning in report.warnings:
        print(f"policyrules: warning: {warning}", file=sys.stderr)
    render = {"json": render_json, "markdown": render_markdown, "text": render_text}[args.format]
    print(render(report).rstrip("\n"))
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "packs": cmd_packs,
    "evaluate": cmd_evaluate,
    "explain": cmd_explain,
    "validate": cmd_validate,
    "test": cmd_test,
    "show": cmd_show,
    "coverage": cmd_coverage,
    "clean-source": cmd_clean_source,
    **BATCH_COMMANDS,
    "diff": cmd_diff,
}


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except PolicyRulesError as exc:
        for problem in exc.problems:
            print(f"policyrules: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug in policyrules, not bad input: say so without a traceback
        if os.environ.get("POLICYRULES_DEBUG"):
            raise
        print(
            f"policyrules: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in policyrules; rerun with POLICYRULES_DEBUG=1 for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
