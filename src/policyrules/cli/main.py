"""The `policyrules` command (contract section 4): the parser assembled from the command modules, and the one
place that turns the library's errors into exit codes. Bad input of any kind exits 2 with located messages on
standard error and never a traceback."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from .. import __version__
from ..errors import PolicyRulesError
from . import authoring, batch, diff, evaluate, lint, new, packs, records, register, schema, serve, template, whatif
from .common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, Handler, Parser, safe_streams
from .terminal import make_safe

# In the order `policyrules --help` lists them.
COMMAND_MODULES = (
    packs,
    evaluate,
    whatif,
    new,
    authoring,
    lint,
    diff,
    batch,
    records,
    register,
    template,
    schema,
    serve,
)
# Each command and the module that registers it, in the same order: a command line that starts with a command
# builds that module's parsers only (all of them cost ~3 ms of a cold `evaluate`); tests/test_startup.py
# checks this against what the modules register and that both parsers answer alike.
COMMANDS = {
    "packs": packs,
    "evaluate": evaluate,
    "explain": evaluate,
    "whatif": whatif,
    "new": new,
    "validate": authoring,
    "test": authoring,
    "show": authoring,
    "coverage": authoring,
    "clean-source": authoring,
    "lint": lint,
    "diff": diff,
    "batch": batch,
    "records": records,
    "replay": records,
    "register": register,
    "template": template,
    "schema": schema,
    "serve": serve,
}


def build_parser(command: str | None = None) -> tuple[Parser, dict[str, Handler]]:
    """The parser of every command, or (for a known `command`) of that command's module, which parses and
    refuses that command's lines alike."""
    parser = Parser(prog="policyrules", description="Positive-list enforcement policies as testable rules.")
    parser.add_argument("--version", action="version", version=f"policyrules {__version__}")
    if command not in COMMANDS:
        sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
        return parser, _register(sub, COMMAND_MODULES)
    # the usage (printed with a refusal of extra arguments) lists every command, as the full parser's does
    every = "{" + ",".join(COMMANDS) + "}"
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar=every)
    return parser, _register(sub, (COMMANDS[command],))


def _register(sub: Any, modules: Iterable[Any]) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for module in modules:
        handlers |= module.register(sub)
    return handlers


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the process's own command line: the console script, `python -m policyrules`
        settle_modules()
    make_safe(sys.stdout)  # a GBK or ASCII terminal gets plain fallbacks for ✓ ✗ ⚠ ¬ ∋, never an error
    make_safe(sys.stderr)
    with safe_streams():  # input text never reaches the terminal as control characters (textsafe)
        return _run(argv)


def settle_modules() -> None:
    """Move everything the imports made (modules, classes, pydantic-core validators) out of the collector's
    view (gc.freeze): it lives as long as the process anyway. Otherwise a full collection walks every
    pydantic-core validator (~7 ms here), and the interpreter's exit spends ~25 ms collecting them, more than
    a tenth of a cold `policyrules evaluate`. What a command creates afterwards is collected as usual (files
    and databases it leaves behind are closed as before); only a process's own command does this: a program
    that calls main(argv) keeps its collector as it was."""
    gc.freeze()


def _run(argv: Sequence[str] | None) -> int:
    try:
        line = sys.argv[1:] if argv is None else list(argv)
        parser, handlers = build_parser(line[0] if line else None)
        args = parser.parse_args(line)
        return handlers[args.command](args)
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
