"""The invalid-input corpus: one file per mistake, each message naming the file, the field path and the line.

tests/invalid/packs/*.yaml each change one file of tests/fixtures/minimal (a valid pack) by a text
replacement; tests/invalid/facts/*.yaml are facts documents whose first line says what the error must name.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policyrules import PackError, load_pack

HERE = Path(__file__).parent
MINIMAL = HERE / "fixtures" / "minimal"
PACK_CASES = sorted((HERE / "invalid" / "packs").glob("*.yaml"))
FACT_CASES = sorted((HERE / "invalid" / "facts").glob("*.yaml"))


def test_the_minimal_pack_itself_is_valid() -> None:
    pack = load_pack(str(MINIMAL))
    assert {r.decision for r in pack.compiled.rules} == {"inclusion", "listing", "inspection", "penalty", "supervision"}


@pytest.mark.parametrize("case", PACK_CASES, ids=lambda p: p.stem)
def test_invalid_pack_is_reported_with_file_path_and_line(case: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    pack_dir = tmp_path / "minimal"
    shutil.copytree(MINIMAL, pack_dir)
    target = pack_dir / spec["file"]
    old, new = spec["replace"]
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{case.name}: the text to replace is not in {spec['file']}"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(PackError) as err:
        load_pack(str(pack_dir))

    expect = spec["expect"]
    expected_file = str(pack_dir / expect.get("file", spec["file"]))
    matching = [
        p
        for p in err.value.problems
        if p.file == expected_file and p.path == expect["path"] and expect["message"] in p.message
    ]
    assert matching, f"no problem names {expected_file} {expect['path']!r} with {expect['message']!r}: {err.value}"
    assert matching[0].line == expect["line"], f"line {matching[0].line}, expected {expect['line']}"


@pytest.mark.parametrize("case", FACT_CASES, ids=lambda p: p.stem)
def test_invalid_facts_exit_2_naming_file_field_and_line(case: Path) -> None:
    header = case.read_text(encoding="utf-8").splitlines()[0]
    match = re.match(r"# expect: (?P<path>\S+) \| line (?P<line>\d+) \| (?P<message>.+)$", header)
    assert match, f"{case.name}: first line must be '# expect: <path> | line <n> | <message>'"
    run = subprocess.run(
        [sys.executable, "-m", "policyrules.cli", "evaluate", "--pack", "mee_2021", "--as-of", "2022-01-01", str(case)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    expected = f"{case}:{match['line']}: {match['path']}:"
    lines = [line for line in run.stderr.splitlines() if expected in line]
    assert lines, f"stderr does not name {expected!r}:\n{run.stderr}"
    assert any(match["message"] in line for line in lines), run.stderr
