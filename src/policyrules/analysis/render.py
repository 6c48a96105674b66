"""A diff report for people and programs: plain text, a markdown section (docs/variants.md), and JSON."""

from __future__ import annotations

import json
from typing import Literal

from ..engines import Decision
from .render_zh import render_markdown_zh, render_text_zh
from .report import Difference, DiffReport

Lang = Literal["zh", "en"]


def _clauses(decision: Decision) -> str:
    return "; ".join(dict.fromkeys(f"{c['doc']} {c['clause']}" for c in decision.citations))


def _outcome_text(diff: Difference, side: int) -> str:
    decision = (diff.a, diff.b)[side]
    shown = decision.outcome
    for flag, values in diff.flags.items():
        shown += f" ({flag}: {'yes' if values[side] else 'no'})"
    rules = diff.row.rules[side]
    return shown + (f" by {', '.join(rules)}" if rules else "")


def render_text(report: DiffReport, lang: Lang = "en") -> str:
    """The report as text: in Chinese (the command line's default) or in English (today's developer form)."""
    if lang == "zh":
        return render_text_zh(report)
    a, b = report.a.id, report.b.id
    lines = [f"diff {a} → {b} on {report.as_of} ({report.relation})"]
    if not report.complete:
        lines.append("INCOMPLETE: the search hit its node limit; the differences below are not all of them")
    lines += [f"warning: {w}" for w in report.warnings]
    for decision in report.decisions:
        rows = [d for d in report.differences if d.decision == decision]
        stats = report.stats[decision]
        lines.append("")
        lines.append(
            f"== {decision}: {len(rows)} region{'s' if len(rows) != 1 else ''} "
            f"({len(stats.dimensions)} dimensions, {stats.points} points)"
        )
        for i, diff in enumerate(rows, 1):
            lines.append(f"{i:>3}. {diff.region_text}")
            lines.append(f"     {a}: {_outcome_text(diff, 0)}  [{_clauses(diff.a)}]")
            lines.append(f"     {b}: {_outcome_text(diff, 1)}  [{_clauses(diff.b)}]")
            lines.append(f"     documented: {'yes' if diff.documented else 'no'} — {diff.note}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DiffReport, heading: str = "##", lang: Lang = "en") -> str:
    """A markdown section; docs/variants.md is generated in English (lang="en")."""
    if lang == "zh":
        return render_markdown_zh(report, heading)
    a, b = report.a.id, report.b.id
    docs = {p.id: p.definition.primary.number for p in (report.a, report.b)}
    total = len(report.differences)
    out = [
        f"{heading} {a} ({docs[a]}) → {b} ({docs[b]}), on {report.as_of}",
        "",
        f"{report.relation[0].upper()}{report.relation[1:]}.",
        "",
        f"{total} region{'s' if total != 1 else ''} where the decisions differ"
        + ("" if report.complete else " (INCOMPLETE: the search hit its node limit)")
        + "; every region is listed, with the clauses each side cites for its outcome.",
    ]
    for warning in report.warnings:
        out += ["", f"> {_md(warning)}"]
    for decision in report.decisions:
        rows = [d for d in report.differences if d.decision == decision]
        stats = report.stats[decision]
        out += ["", f"{heading}# {decision}", ""]
        if not rows:
            out.append(f"No difference ({len(stats.dimensions)} dimensions, {stats.points} points).")
            continue
        out.append(f"| # | where | {a} | {b} | documented |")
        out.append("|---|---|---|---|---|")
        for i, diff in enumerate(rows, 1):
            cells = [
                str(i),
                diff.region_text,
                f"**{_outcome_text(diff, 0)}** — {_clauses(diff.a)}",
                f"**{_outcome_text(diff, 1)}** — {_clauses(diff.b)}",
                ("yes — " if diff.documented else "no — ") + diff.note,
            ]
            out.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


def render_json(report: DiffReport) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2)
