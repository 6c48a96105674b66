"""The results' columns, and a decision or a value written as a CSV field, a JSON object or a cell of sheet XML."""

from __future__ import annotations

import re
from typing import Any

from ..engines import Decision
from ..packs import DECISIONS, FLAGS

ENTERPRISE_COLUMNS = ("uscc", "name", "district", "industry", "permit_no", "listed_on")


def decision_columns() -> list[str]:
    out = []
    for d in DECISIONS:
        out.append(f"{d}.outcome")
        if d == "inclusion":
            out.append("inclusion.categories")
        out += [f"{d}.{flag}" for flag in FLAGS.get(d, ())]
        out += [f"{d}.rules", f"{d}.citations"]
    return out


def output_columns(recording: bool) -> list[str]:
    return ["row", *(["record_id"] if recording else []), "pack", "as_of", *ENTERPRISE_COLUMNS, *decision_columns()]


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_cell(text: str) -> str:
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def decision_cells(name: str, decision: Decision | None) -> list[str]:
    n_flags = len(FLAGS.get(name, ()))
    if decision is None:
        return [""] * (3 + n_flags + (name == "inclusion"))
    cells = [decision.outcome]
    if name == "inclusion":
        cells.append("; ".join(decision.categories))
    cells += ["true" if decision.flags.get(f) else "false" for f in FLAGS.get(name, ())]
    cells.append("; ".join(r.id for r in decision.rules if r.holds))
    cells.append("; ".join(_cited(decision)))
    return cells


def _cited(decision: Decision) -> list[str]:
    """The decision's citations as 'doc clause', each once (two quoted passages of one clause cite it twice)."""
    return list(dict.fromkeys(f"{c['doc']} {c['clause']}" for c in decision.citations))


def decision_json(decision: Decision) -> dict[str, Any]:
    out: dict[str, Any] = {"outcome": decision.outcome}
    if decision.name == "inclusion":
        out["categories"] = list(decision.categories)
    out.update(decision.flags)
    out["rules"] = [r.id for r in decision.rules if r.holds]
    out["citations"] = _cited(decision)
    return out


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_cell(text: str | None) -> str:
    """One cell of sheet XML, its text inline (no shared-string table to build), in column order."""
    if not text:
        return "<c/>"
    text = _XML_ILLEGAL.sub("", text.translate(_XML_ESCAPES))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"><is><t{space}>{text}</t></is></c>'
