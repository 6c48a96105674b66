"""The shipped packs travel inside the wheel: built from this tree, unpacked on its own, it lists and runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_every_pack_and_runs_without_the_source_tree(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("policyrules-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(p.parent.name for p in (ROOT / "policies").glob("*/pack.yaml"))
    for pack_id in shipped:
        for part in ("pack.yaml", "clauses.yaml", "rules.yaml"):
            assert f"policyrules/policies/{pack_id}/{part}" in names
    assert "policyrules/py.typed" in names

    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    env = {k: v for k, v in os.environ.items() if k != "POLICYRULES_PACKS_DIR"} | {"PYTHONPATH": str(unpacked)}
    packs = subprocess.run(
        [sys.executable, "-m", "policyrules.cli", "packs", "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
    )
    assert packs.returncode == 0, packs.stderr
    import json

    assert sorted(p["id"] for p in json.loads(packs.stdout)) == shipped
    where = subprocess.run(
        [sys.executable, "-c", "import policyrules.packs as l; print(l.shipped_packs_dir())"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert where.stdout.strip().startswith(str(unpacked)), where.stdout


def test_the_wheel_metadata_has_one_version_the_license_and_durable_only_as_an_extra(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr
    wheel = zipfile.ZipFile(next(tmp_path.glob("policyrules-*.whl")))
    metadata_name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = wheel.read(metadata_name).decode()
    from policyrules import __version__

    assert f"\nVersion: {__version__}\n" in metadata
    assert "\nLicense-Expression: Apache-2.0\n" in metadata
    assert any(n.endswith("LICENSE") for n in wheel.namelist())
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    durable = [line for line in requires if "durable" in line and "policyrules[" not in line]
    assert durable and all('extra == "durable"' in line for line in durable), durable
    assert {"durable", "serve", "docs", "test"} <= {
        line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Provides-Extra:")
    }


def test_without_durable_rules_the_durable_engine_says_how_to_install_it(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text('{"enterprise": {"name": "x", "uscc": "91350100M000100Y43"}}', encoding="utf-8")
    script = (
        "import sys; sys.modules['durable'] = None  # as if policyrules[durable] were not installed\n"
        "from policyrules.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    evaluate = [sys.executable, "-c", script, "evaluate", "--pack", "mee_2021", "--as-of", "2021-10-01"]
    done = subprocess.run(
        [*evaluate, "--engine", "durable", str(facts)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 2, done.stderr
    assert 'pip install "policyrules[durable]"' in done.stderr and "Traceback" not in done.stderr
    compiled = subprocess.run(
        [*evaluate, str(facts)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert compiled.returncode == 0, compiled.stderr
