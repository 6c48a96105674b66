"""The records as text and JSON: a listing of records and the report of a replay."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..packs import DECISIONS
from ..textsafe import printable, printable_line
from .replay import Replay
from .schema import READ_COLUMNS


def render_replay(rep: Replay) -> str:
    r = rep.record
    outcomes = json.loads(r["outcomes"])
    lines = [
        f"record {r['id']}  {r['time']}  {r['command']}"
        + (f"  {r['source']}" if r["source"] else "")
        + (f" row {r['row']}" if r["row"] is not None else ""),
        f"  enterprise: {r['name']}（{r['uscc']}）",
        f"  pack: {r['pack_id']} {r['pack_version']}  content sha256 {r['pack_hash'][:16]}…  engine {r['engine']}  "
        f"policyrules {r['library_version']}  as of {r['as_of']}",
        "  recorded: " + ", ".join(f"{d} {outcomes[d]}" for d in DECISIONS if d in outcomes),
        "",
    ]
    if not rep.intact:
        lines[-1:-1] = [
            "  ALTERED: this record no longer matches its record_hash; it was changed after it was written "
            "(policyrules records verify shows the whole chain)"
        ]
    for title, ev in (
        ("with the pack it was made under", rep.recorded_pack),
        ("with the current pack", rep.current_pack),
    ):
        if ev.pack_hash is None or ev.pack_hash == r["pack_hash"]:
            state = "rebuilt from the record store, content hash matches" if ev is rep.recorded_pack else "unchanged"
        else:
            state = f"content sha256 {ev.pack_hash[:16]}… differs from the recorded one"
        lines.append(f"{title} ({ev.label}; {state}):")
        if ev.error:
            lines.append(f"  {ev.error}")
        elif ev.same:
            lines.append("  every decision as recorded")
        for change in ev.changes:
            lines.append(f"  {change.decision}:")
            lines += [f"    {c}" for c in change.changes]
    lines.append("")
    if not rep.intact:
        lines.append("the record was altered: what it says was recorded cannot be trusted")
    elif rep.stands:
        lines.append("the recorded decision still stands")
    else:
        n = len(rep.current_pack.changes)
        what = f"{n} decision{'s' if n != 1 else ''} changed" if n else "the current pack cannot decide it"
        lines.append(f"the recorded decision no longer stands: {what}")
    return printable("\n".join(lines) + "\n")  # a records database from elsewhere is input text


def render_list(rows: Sequence[Mapping[str, Any]]) -> str:
    out = []
    for r in rows:
        outcomes = json.loads(r["outcomes"])
        where = (r["source"] or "") + (f":{r['row']}" if r["row"] is not None else "")
        out.append(
            "\t".join(
                printable_line(cell)  # one record a line, one field a column, whatever a name holds
                for cell in [
                    r["id"],
                    r["time"],
                    r["command"],
                    f"{r['pack_id']}@{r['pack_version']}",
                    r["as_of"],
                    r["uscc"] or "",
                    r["name"] or "",
                    " ".join(f"{d}={outcomes[d]}" for d in DECISIONS if d in outcomes),
                    where,
                ]
            )
        )
    return "".join(line + "\n" for line in out)


def list_json(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The records of a listing as JSON: every column but the input, outcomes and citations decoded."""
    return [record_json(r) for r in rows]


def record_json(r: Mapping[str, Any]) -> dict[str, Any]:
    """One record of a listing as JSON (streamed one by one by `records list --format json`)."""
    item = {k: r[k] for k in READ_COLUMNS if k != "input"}
    item["outcomes"] = json.loads(r["outcomes"])
    item["citations"] = json.loads(r["citations"])
    return item
