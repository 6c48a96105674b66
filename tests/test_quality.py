"""The code standards as tests, so CI enforces them: ruff clean everywhere, mypy --strict clean on src/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_is_clean() -> None:
    out = tool("ruff", "check", "src", "tests", "benchmarks")
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_format_is_applied() -> None:
    out = tool("ruff", "format", "--check", "src", "tests", "benchmarks")
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_strict_is_clean_on_src() -> None:
    out = tool("mypy", "--strict", "src")
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_package_is_typed() -> None:
    assert (ROOT / "src" / "policyrules" / "py.typed").is_file()
