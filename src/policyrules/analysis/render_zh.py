"""A diff report in Chinese, the default for people (`policyrules diff`, text and markdown): a one-line count of
the regions per decision, then each region with its conditions in Chinese (fact names, value labels and the
`says:` phrases of the conditions that read them), each side's outcome and the clauses it cites (once), whether
the change is documented, and one example enterprise: the region's witness, as YAML `explain` accepts."""

from __future__ import annotations

from ..engines import Decision
from ..packs import DECISION_LABELS, FLAG_LABELS, OUTCOME_LABELS, PackDefinition
from .describe_zh import describe_zh, phrases_by_dimension
from .findings import yaml_text
from .report import Difference, DiffReport

VERBS = {"overridden": "改写了规则", "added": "新增了规则", "disabled": "停用了规则"}


def summary_zh(report: DiffReport) -> str:
    """One line: the regions per decision."""
    counts = [
        f"{DECISION_LABELS[d][0]} {sum(1 for x in report.differences if x.decision == d)} 处" for d in report.decisions
    ]
    return "差异区域：" + "；".join(counts) + ("（不完整：搜索达到节点上限）" if not report.complete else "")


def relation_zh(a: PackDefinition, b: PackDefinition) -> str:
    a_chain, b_chain = [p.id for p in a.chain()], [p.id for p in b.chain()]
    if a.id == b.id:
        return f"{a.id} 与自身比较"
    if a.id in b_chain or b.id in a_chain:
        child, parent = (b, a) if a.id in b_chain else (a, b)
        return f"{child.id} 扩展 {parent.id}：其规则载明所作的变更"
    common = [p for p in a_chain if p in b_chain]
    if common:
        return f"{a.id} 与 {b.id} 都扩展 {common[0]}，但互不扩展：双方规则都不是针对对方的变更"
    return f"{a.id} 与 {b.id} 互不扩展：彼此独立的文件，均未载明差异"


def render_text_zh(report: DiffReport) -> str:
    a, b = report.a.id, report.b.id
    lines = [f"差异 {a} → {b}，评估日期 {report.as_of}（{relation_zh(report.a.definition, report.b.definition)}）"]
    lines.append(summary_zh(report))
    lines += [f"警告：{w}" for w in report.warnings]
    phrases = phrases_by_dimension(report.domain)
    for decision in report.decisions:
        rows = [d for d in report.differences if d.decision == decision]
        stats = report.stats[decision]
        size = f"{len(stats.dimensions)} 个维度，{stats.points} 种组合"
        lines += ["", f"【{DECISION_LABELS[decision][0]}】{len(rows)} 处差异（{size}）"]
        for i, diff in enumerate(rows, 1):
            lines.append(f"{i:>3}. 条件：{describe_zh(report.domain, diff.row, phrases)}")
            for side, pack_id in ((0, a), (1, b)):
                lines.append(f"     {pack_id}：{_outcome(diff, side)}")
                lines.append(f"       依据：{_clauses((diff.a, diff.b)[side])}")
            lines.append(f"     说明：{_note(report, diff)}")
            explain = f"policyrules explain --pack {a}|{b} --as-of {report.as_of} 示例.yaml"
            lines.append(f"     示例企业（存为 示例.yaml，{explain}）：")
            lines += ["       " + line for line in yaml_text(diff.witness).splitlines()]
    return "\n".join(lines) + "\n"


def render_markdown_zh(report: DiffReport, heading: str = "##") -> str:
    a, b = report.a.id, report.b.id
    docs = {p.id: p.definition.primary.number for p in (report.a, report.b)}
    out = [
        f"{heading} {a}（{docs[a]}）→ {b}（{docs[b]}），评估日期 {report.as_of}",
        "",
        relation_zh(report.a.definition, report.b.definition) + "。",
        "",
        summary_zh(report) + "。每处差异都列出，并给出双方结论所依据的条款和一家示例企业。",
    ]
    out += [f"\n> 警告：{w}" for w in report.warnings]
    phrases = phrases_by_dimension(report.domain)
    for decision in report.decisions:
        rows = [d for d in report.differences if d.decision == decision]
        out += ["", f"{heading}# {DECISION_LABELS[decision][0]}（{decision}）", ""]
        if not rows:
            out.append("无差异。")
            continue
        for i, diff in enumerate(rows, 1):
            out += [
                f"{i}. **条件**：{describe_zh(report.domain, diff.row, phrases)}",
                f"   - **{a}**：{_outcome(diff, 0)} — {_clauses(diff.a)}",
                f"   - **{b}**：{_outcome(diff, 1)} — {_clauses(diff.b)}",
                f"   - 说明：{_note(report, diff)}",
                "   - 示例企业：",
                "",
                "     ```yaml",
                *["     " + line for line in yaml_text(diff.witness).splitlines()],
                "     ```",
            ]
    return "\n".join(out) + "\n"


def _outcome(diff: Difference, side: int) -> str:
    decision = (diff.a, diff.b)[side]
    text = f"{OUTCOME_LABELS[decision.outcome][0]}（{decision.outcome}）"
    for flag, values in diff.flags.items():
        text += f"，{FLAG_LABELS[flag][0]}：{'是' if values[side] else '否'}"
    rules = diff.row.rules[side]
    return text + (f"，由 {'、'.join(rules)} 决定" if rules else "，无规则成立，适用默认结论")


def _clauses(decision: Decision) -> str:
    return "；".join(dict.fromkeys(f"{c['doc']} {c['clause']}" for c in decision.citations))


def _note(report: DiffReport, diff: Difference) -> str:
    if diff.changes:
        said = "；".join(f"{pack} {VERBS.get(origin, '变更了规则')} {rule}" for pack, origin, rule in diff.changes)
        return f"已载明：{said}"
    child = relation_zh(report.a.definition, report.b.definition)
    return f"未载明（{child}）" if diff.documented is False else "已载明"
