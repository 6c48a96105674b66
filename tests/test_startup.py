"""A command loads only what it uses: `evaluate` starts without the batch, records, analysis and authoring
machinery (and openpyxl, rich, SQLite, multiprocessing), which load when a command or option needs them; the
pack package's authoring names load on first use, and the command's own process takes its imports out of the
collector's view."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

import policyrules.packs
from policyrules import schema
from policyrules.cli import batch as cli_batch
from policyrules.cli import main
from policyrules.cli import records as cli_records
from policyrules.cli import schema as cli_schema
from policyrules.cli.common import Parser, UsageError
from policyrules.cli.main import COMMAND_MODULES, COMMANDS, build_parser
from policyrules.records import ENV_VAR
from policyrules.registers import DEFAULT_CHUNK

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "policies" / "chongqing" / "examples"
HEAVY = (
    "policyrules.registers",
    "policyrules.records",
    "policyrules.analysis",
    "policyrules.cases",
    "openpyxl",
    "rich",
    "sqlite3",
    "multiprocessing",
    "durable",
    "policyrules.schema",
    "policyrules.packs.scaffold",
    "policyrules.packs.numbering",
    "policyrules.packs.provenance",
    "policyrules.packs.notes",
    "policyrules.packs.chinese",
    "policyrules.packs.dump",
    "policyrules.packs.places",
)
RUN = """
import gc, json, sys
from policyrules.cli import main
out = sys.argv.pop(1)
code = main()
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules), "frozen": gc.get_freeze_count()}, f)
"""


def run_command(tmp_path: Path, *argv: str) -> dict[str, object]:
    """Run `policyrules ARGV` as its own process, as the console script does (main() reading sys.argv)."""
    out = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", RUN, str(out), *argv], capture_output=True, text=True, cwd=ROOT)
    assert out.exists(), proc.stderr
    seen: dict[str, object] = json.loads(out.read_text())
    return seen


def modules_after(tmp_path: Path, *argv: str) -> tuple[int, list[str]]:
    seen = run_command(tmp_path, *argv)
    assert isinstance(seen["code"], int) and isinstance(seen["modules"], list)
    return seen["code"], seen["modules"]


def loaded(modules: list[str], prefix: str) -> bool:
    return any(m == prefix or m.startswith(prefix + ".") for m in modules)


def test_evaluate_loads_no_batch_records_analysis_or_terminal_machinery(tmp_path: Path) -> None:
    example = sorted(EXAMPLE.glob("*.yaml"))[0]
    code, modules = modules_after(tmp_path, "evaluate", "--pack", "chongqing", "--as-of", "2022-03-01", str(example))
    assert code == 0
    assert loaded(modules, "policyrules.engines")
    assert [m for m in HEAVY if loaded(modules, m)] == []


def test_evaluate_with_record_loads_the_records_package(tmp_path: Path) -> None:
    example = sorted(EXAMPLE.glob("*.yaml"))[0]
    db = tmp_path / "records.sqlite"
    code, modules = modules_after(
        tmp_path, "evaluate", "--pack", "chongqing", "--as-of", "2022-03-01", str(example), "--record", str(db)
    )
    assert code == 0
    assert loaded(modules, "policyrules.records") and db.exists()
    assert not loaded(modules, "policyrules.registers")


def test_the_constants_the_parser_writes_out_are_the_librarys() -> None:
    assert cli_batch.DEFAULT_CHUNK == DEFAULT_CHUNK
    assert cli_records.RECORDS_ENV_VAR == ENV_VAR


def test_the_schema_names_the_parser_offers_are_the_librarys() -> None:
    assert cli_schema.NAMES == schema.NAMES


def test_the_packs_authoring_names_load_on_first_use_and_are_the_modules_own() -> None:
    from policyrules.packs import dump, new_pack, numbered_parts, scaffold

    assert new_pack is scaffold.new_pack and numbered_parts.__module__ == "policyrules.packs.numbering"
    assert policyrules.packs.dump_pack is dump.dump_pack
    assert {name for name in policyrules.packs.__all__ if not hasattr(policyrules.packs, name)} == set()
    assert set(policyrules.packs.__all__) <= set(dir(policyrules.packs))


def test_an_unknown_name_of_the_packs_package_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        policyrules.packs.no_such_name  # noqa: B018


def test_the_commands_own_process_freezes_its_imports_and_a_caller_of_main_keeps_its_collector(
    tmp_path: Path,
) -> None:
    seen = run_command(tmp_path, "packs")
    assert seen["code"] == 0 and isinstance(seen["frozen"], int) and seen["frozen"] > 10_000
    before = gc.get_freeze_count()
    assert main(["packs"]) == 0
    assert gc.get_freeze_count() == before


def test_the_command_table_is_what_the_modules_register_in_the_parsers_order() -> None:
    registered = []
    for module in COMMAND_MODULES:
        names = list(module.register(Parser().add_subparsers(dest="command")))
        registered += names
        assert {COMMANDS[name] for name in names} == {module}
    assert registered == list(COMMANDS)


def parsed(parser: Parser, line: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str, str]:
    try:
        outcome = repr(parser.parse_args(line))
    except SystemExit as exc:  # --help, --version
        outcome = f"exit {exc.code}"
    except UsageError as exc:
        outcome = f"refused: {exc.problems}"
    seen = capsys.readouterr()
    return outcome, seen.out, seen.err


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_commands_own_parser_answers_as_the_full_parser_does(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        [command, "--help"],
        [command, "--no-such-option"],
        [command],
        [command, "--version"],
        [command, "--pack", "chongqing", "--as-of", "2022-03-01", "facts.json"],
        [command, "--pack", "chongqing", "--as-of", "2022-03-01", "facts.json", "one too many"],
        [command, "facts"],
    ]
    full, _ = build_parser()
    own, handlers = build_parser(command)
    assert command in handlers
    for line in lines:
        assert parsed(own, line, capsys) == parsed(full, line, capsys), line
