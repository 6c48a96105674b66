"""Shared helpers for tests over the shipped packs."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path

from policyrules import Pack, PolicyRulesError, load_pack
from policyrules.packs import shipped_pack_ids

ROOT = Path(__file__).resolve().parents[1]
SHARED_SOURCES = ROOT.parent / "shared" / "sources"
AS_OF_LINE = re.compile(r"^#\s*as-of:\s*(\d{4}-\d{2}-\d{2})\s*$")


@cache
def pack(pack_id: str) -> Pack:
    return load_pack(pack_id)


def pack_ids() -> list[str]:
    return shipped_pack_ids()


def available_engines() -> list[str]:
    """The compiled engine always; durable where durable_rules imports (not on Python 3.13+)."""
    engines = ["compiled"]
    try:
        pack("mee_2021").engine("durable")
    except PolicyRulesError:
        return engines
    return [*engines, "durable"]


def examples() -> list[tuple[str, Path]]:
    return [(p, ex) for p in pack_ids() for ex in sorted((pack(p).definition.directory / "examples").glob("*.yaml"))]


def example_as_of(path: Path) -> date:
    """The evaluation date an example names in its leading comment ('# as-of: YYYY-MM-DD')."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = AS_OF_LINE.match(line)
        if match:
            return date.fromisoformat(match[1])
    raise AssertionError(f"{path}: the leading comment must name the evaluation date as '# as-of: YYYY-MM-DD'")
