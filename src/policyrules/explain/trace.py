"""The readable decision trace, as an enforcement officer reads it (Chinese by default, English with
lang="en"): outcomes on top, then per decision the clauses quoted and every rule considered with its
conditions. Everything here reads data the result already holds; nothing is decided here."""

from __future__ import annotations

from collections.abc import Mapping

from ..engines import ConditionTrace, Decision, Result, RuleTrace
from ..packs import DECISION_LABELS, FLAG_LABELS
from ..textsafe import printable
from .labels import (
    OP_SYMBOLS,
    Lang,
    bracket,
    colon,
    outcome_label,
    pick,
    section_heading,
    semi,
    value_text,
    word,
)


def render_result(
    result: Result, lang: Lang = "zh", enterprise: str | None = None, hints: Mapping[str, str] | None = None
) -> str:
    """The readable trace: outcomes on top, then per decision the clauses quoted and every rule considered.
    `hints` (decision -> a line) are shown under a decision's outcome, e.g. what would make it hold."""
    lines = [
        f"{result.pack} {result.pack_version} · {word('as_of', lang)} {result.as_of} · "
        f"{word('engine', lang)} {result.engine}",
    ]
    if enterprise:
        lines.append(f"{word('enterprise', lang)}{colon(lang)}{enterprise}")
    warnings = result.warnings_zh if lang == "zh" and result.warnings_zh else result.warnings
    lines += [f"⚠ {word('warning', lang)}{colon(lang)}{w}" for w in warnings]
    lines.append("")
    lines.append(f"{word('summary', lang)}{colon(lang)}")
    for name, decision in result.decisions.items():
        lines.append(
            f"  {pick(DECISION_LABELS[name], lang)}{colon(lang)}{outcome_label(decision.outcome, lang)}"
            + flags_text(decision, lang)
        )
    for name, decision in result.decisions.items():
        lines.append("")
        lines += _decision_lines(name, decision, lang, result.traced, (hints or {}).get(name))
    return printable("\n".join(line.rstrip() for line in lines) + "\n")  # names and values are input text


def flags_text(decision: Decision, lang: Lang) -> str:
    set_flags = [pick(FLAG_LABELS[f], lang) for f, v in decision.flags.items() if v]
    return f"{semi(lang)}{('、' if lang == 'zh' else ', ').join(set_flags)}" if set_flags else ""


def _decision_lines(name: str, decision: Decision, lang: Lang, traced: bool, hint: str | None) -> list[str]:
    heading = section_heading(pick(DECISION_LABELS[name], lang), lang)
    outcome = outcome_label(decision.outcome, lang) + flags_text(decision, lang)
    lines = [f"{heading} {word('outcome', lang)}{colon(lang)}{outcome}"]
    if hint:
        lines.append(f"  {word('whatif', lang)}{colon(lang)}{hint}")
    if decision.categories:
        lines.append(f"  {word('category', lang)}{colon(lang)}{semi(lang).join(decision.categories)}")
    if not decision.decided_by:
        lines.append(f"  {word('default', lang)}")
    notes = decision.notes_zh if lang == "zh" and decision.notes_zh else decision.notes
    lines += [f"  {word('note', lang)}{colon(lang)}{n}" for n in notes]
    lines.append(f"  {word('basis', lang)}{colon(lang)}")
    lines += [f"    {c['doc']} {c['clause']}{colon(lang)}「{c['text']}」" for c in decision.citations]
    for rule in decision.rules:
        lines += _rule_lines(rule, lang, traced)
    return lines


def _rule_lines(rule: RuleTrace, lang: Lang, traced: bool) -> list[str]:
    mark = "✓" if rule.holds else "✗"
    title = (rule.title_en or rule.title) if lang == "en" else (rule.title or rule.title_en)
    verdict = word("holds" if rule.holds else "not_holds", lang)
    then = outcome_label(rule.yields, lang) if rule.yields else "、".join(pick(FLAG_LABELS[f], lang) for f in rule.sets)
    cites = semi(lang).join(dict.fromkeys(f"{c['doc']} {c['clause']}" for c in rule.citations))
    origin = "" if rule.origin in ("own", "inherited") else f" [{rule.origin}]"
    lines = [
        f"  {mark} {word('rule', lang)} {rule.id}{origin} — {title or ''}",
        f"      {verdict}{semi(lang)}{word('yields', lang)}{colon(lang)}{then}"
        f"{semi(lang)}{word('basis', lang)}{colon(lang)}{cites}",
    ]
    if not traced or rule.condition is None:
        lines.append(f"      {word('no_trace', lang)}")
        return lines
    if not rule.holds:
        failed = semi(lang).join(_failure_phrase(f, lang) for f in rule.failed)
        lines.append(f"      {word('failed', lang)}{colon(lang)}{failed}")
    lines += _condition_lines(rule.condition, lang, depth=3)
    for note in rule.interpretation:
        lines.append(f"      ※ {word('interpretation', lang)}{colon(lang)}{note_text(note, 'question', lang)}")
        lines.append(f"        {word('reading', lang)}{colon(lang)}{note_text(note, 'reading', lang)}")
        lines.append(f"        {word('alternative', lang)}{colon(lang)}{note_text(note, 'alternative', lang)}")
    return lines


def note_text(note: Mapping[str, str], key: str, lang: Lang) -> str:
    """A part of an interpretation note in the language (its Chinese sibling `<key>_zh` in Chinese)."""
    return note.get(f"{key}_zh") or note[key] if lang == "zh" else note[key]


def _failure_phrase(node: ConditionTrace, lang: Lang) -> str:
    if node.says:
        return node.says
    if node.kind == "not" and node.children:
        inner = _failure_phrase(node.children[0], lang)
        return f"并非「{inner}」" if lang == "zh" else f"not “{inner}”"
    return _node_label(node, lang)


def _condition_lines(node: ConditionTrace, lang: Lang, depth: int) -> list[str]:
    pad = "  " * depth
    mark = "✓" if node.holds else "✗"
    if node.kind in ("all", "any", "not"):
        head = f"{pad}{mark} {word(node.kind, lang)}" + (f"{colon(lang)}{node.says}" if node.says else "")
        return [head] + [line for child in node.children for line in _condition_lines(child, lang, depth + 1)]
    return [f"{pad}{mark} {node.says}  {bracket(_node_label(node, lang), lang)}"]


def _node_label(node: ConditionTrace, lang: Lang) -> str:
    read = value_text(node.value, lang)
    if node.kind == "rule":
        return f"{word('rule', lang)} {node.subject}{colon(lang)}{word('holds' if node.value else 'not_holds', lang)}"
    if node.kind == "outcome":
        wanted = " / ".join(outcome_label(o, lang) for o in node.operand or ())
        found = outcome_label(str(node.value), lang) if node.value is not None else word("not_present", lang)
        return f"{node.subject} {word('outcome', lang)}{colon(lang)}{found}{semi(lang)}{word('wanted', lang)} {wanted}"
    if node.kind in ("all", "any", "not"):
        return word(node.kind, lang)
    op = OP_SYMBOLS.get(node.op or "", node.op or "")
    wanted = f"{word('wanted', lang)} {op} {value_text(node.operand, lang)}"
    # an atom read on another day carries the day in its key (…@entry); the day is said in words after it
    subject = node.subject.removesuffix(f"@{node.on}") if node.on and node.subject else node.subject
    return f"{subject} {word('read', lang)} {read}{semi(lang)}{wanted}{_read_on_text(node, lang)}"


def _read_on_text(node: ConditionTrace, lang: Lang) -> str:
    """The day a value read on another day than the evaluation date was read on (`read_on:` in the pack)."""
    if node.on is None:
        return ""
    day = node.read_on.isoformat() if node.read_on else ("无" if lang == "zh" else "none")
    if lang == "zh":
        which = "纳入之日" if node.on == "entry" else node.on
        return f"{semi(lang)}于 {day} 读取（{which}）"
    return f"{semi(lang)}read on {day} ({node.on})"
