"""A command loads only what it uses: `evaluate` starts without the batch, records, analysis and authoring
machinery (and openpyxl, rich, SQLite, multiprocessing), which load when a command or option needs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from policyrules.cli import batch as cli_batch
from policyrules.cli import records as cli_records
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
)
RUN = """
import json, sys
from policyrules.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""


def modules_after(tmp_path: Path, *argv: str) -> tuple[int, list[str]]:
    out = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", RUN, str(out), *argv], capture_output=True, text=True, cwd=ROOT)
    assert out.exists(), proc.stderr
    seen = json.loads(out.read_text())
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
