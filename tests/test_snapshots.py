"""Explain snapshots: the readable trace of every shipped example, checked in under tests/snapshots/<pack>/.

A change in a pack or in the renderer that changes what an officer reads shows up here, in review. After an
intended change, regenerate with:  UPDATE_SNAPSHOTS=1 python -m pytest tests/test_snapshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from packs import example_as_of, examples, pack
from policyrules.explain import render_result
from policyrules.packs import load_facts

SNAPSHOTS = Path(__file__).parent / "snapshots"


def render(pack_id: str, example: Path) -> str:
    document = load_facts(example)
    result = pack(pack_id).evaluate(document.facts, as_of=example_as_of(example))
    ent = document.facts.enterprise
    return render_result(result, "zh", f"{ent.name}（{ent.uscc}）")


@pytest.mark.parametrize(("pack_id", "example"), examples(), ids=lambda v: getattr(v, "stem", v))
def test_explain_matches_snapshot(pack_id: str, example: Path) -> None:
    snapshot = SNAPSHOTS / pack_id / f"{example.stem}.txt"
    text = render(pack_id, example)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
    assert snapshot.is_file(), f"no snapshot {snapshot}; run with UPDATE_SNAPSHOTS=1 and review it"
    assert text == snapshot.read_text(encoding="utf-8"), f"explain of {example} changed; review and regenerate"


def test_every_snapshot_has_its_example() -> None:
    """A snapshot whose example was renamed or removed is stale."""
    expected = {SNAPSHOTS / p / f"{e.stem}.txt" for p, e in examples()}
    stale = sorted(str(s) for s in SNAPSHOTS.glob("*/*.txt") if s not in expected)
    assert not stale, f"stale snapshots: {stale}"
