"""A rule-by-rule comparison for people, in Chinese (default) or English: a count line, then each rule that
differs (what differs, each side's outcome and clauses, and where the conditions differ an enterprise on which
the rule holds in one pack only), the rules only one pack has, and the ids of the rules that are the same."""

from __future__ import annotations

from typing import Literal

from ..packs import DECISION_LABELS
from .findings import yaml_text
from .rule_compare import RuleComparison, RuleRow, RuleSide

Lang = Literal["zh", "en"]

ASPECT_WORDS = {"decision": "决定", "conditions": "条件", "outcome": "结论", "flags": "标志", "citations": "依据"}


def render_rules_text(comparison: RuleComparison, lang: Lang = "zh") -> str:
    a, b = comparison.a.id, comparison.b.id
    counts = {s: comparison.count(s) for s in ("same", "differs", "only_a", "only_b")}
    if lang == "zh":
        lines = [
            f"规则对照 {a} ↔ {b}，评估日期 {comparison.as_of}：相同 {counts['same']} 条，不同 {counts['differs']} 条，"
            f"仅 {a} 有 {counts['only_a']} 条，仅 {b} 有 {counts['only_b']} 条"
        ]
    else:
        lines = [
            f"rules {a} ↔ {b} on {comparison.as_of}: {counts['same']} same, {counts['differs']} differ, "
            f"{counts['only_a']} only in {a}, {counts['only_b']} only in {b}"
        ]
    for row in comparison.rows:
        if row.status == "differs":
            lines += _differs(row, a, b, comparison.as_of.isoformat(), lang)
    for status, pack in (("only_a", a), ("only_b", b)):
        for row in (r for r in comparison.rows if r.status == status):
            side = row.a if status == "only_a" else row.b
            assert side is not None
            other = row.b if status == "only_a" else row.a
            absent = ("（另一方停用）" if lang == "zh" else " (disabled in the other)") if other else ""
            head = f"仅 {pack} 有" if lang == "zh" else f"only in {pack}"
            colon = "：" if lang == "zh" else ": "
            lines.append(f"{head}  {_decision(side, lang)}  {row.id}{absent}{colon}{_side(side)}")
    same = [r.id for r in comparison.rows if r.status == "same"]
    if same:
        lines.append(("相同：" if lang == "zh" else "same: ") + ", ".join(same))
    return "\n".join(lines) + "\n"


def _differs(row: RuleRow, a: str, b: str, as_of: str, lang: Lang) -> list[str]:
    assert row.a is not None and row.b is not None
    what = ("、".join(ASPECT_WORDS[d] for d in row.differs)) if lang == "zh" else ", ".join(row.differs)
    head = "不同" if lang == "zh" else "differs"
    colon = "：" if lang == "zh" else ": "
    lines = [f"{head}  {_decision(row.a, lang)}  {row.id}{colon}{what}"]
    lines.append(f"    {a}{colon}{_side(row.a)}")
    lines.append(f"    {b}{colon}{_side(row.b)}")
    if row.note:
        lines.append(f"    {row.note}")
    if row.witness is not None:
        other = b if row.holds_in == a else a
        if lang == "zh":
            lines.append(f"    条件不同，例如此企业在 {row.holds_in} 中成立、在 {other} 中不成立（{as_of}）：")
        else:
            lines.append(
                f"    conditions differ: on {as_of} this enterprise meets it in {row.holds_in}, not in {other}:"
            )
        lines += ["      " + line for line in yaml_text(row.witness).splitlines()]
    return lines


def _decision(side: RuleSide, lang: Lang) -> str:
    return DECISION_LABELS[side.decision][0] if lang == "zh" else side.decision


def _side(side: RuleSide) -> str:
    then = side.yields or ", ".join(f for f, v in side.sets.items() if v)
    flags = [f for f, v in side.sets.items() if v]
    extra = f" + {', '.join(flags)}" if side.yields and flags else ""
    return f"→ {then}{extra}  [{'; '.join(side.cites)}]  ({side.origin})"
