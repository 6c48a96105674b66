"""Rendering for people: a decision trace as an enforcement officer reads it (Chinese by default, English with
lang="en"), and the pack reports behind `show` and `coverage`. Everything here reads data that result.py and
pack.py already hold; nothing is decided here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from ..engines import ConditionTrace, Decision, Pack, Result, RuleTrace
from ..facts import ENUM_LABELS
from ..packs import Clause

Lang = Literal["zh", "en"]

DECISION_LABELS: dict[str, tuple[str, str]] = {
    "inclusion": ("纳入正面清单", "Inclusion on the positive list"),
    "listing": ("清单内企业的调整", "Listing (keep / remove / expired)"),
    "inspection": ("现场执法检查", "On-site inspection"),
    "penalty": ("行政处罚", "Penalty"),
    "supervision": ("“双随机、一公开”监管", "Random-draw supervision"),
}

OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    "eligible": ("可以纳入", "eligible"),
    "ineligible": ("不符合纳入条件", "ineligible"),
    "barred": ("不得纳入", "barred"),
    "keep": ("保留", "keep"),
    "remove": ("移出正面清单", "remove"),
    "expired": ("有效期已满", "expired"),
    "permitted": ("可以启动现场检查", "permitted"),
    "needs_approval": ("须经批准后方可启动", "needs approval"),
    "self_check_first": ("企业先行自查并提交书面报告", "self-check first"),
    "non_site": ("以非现场方式开展", "non-site"),
    "refused": ("不得启动", "refused"),
    "may_waive": ("可依法不予行政处罚", "may waive"),
    "severe": ("依法从严从重处罚", "severe"),
    "ordinary": ("依法处理", "ordinary"),
    "exempt_on_site": ("抽中可免于现场执法检查", "exempt from on-site inspection when drawn"),
    "reduced": ("减少抽查频次", "fewer draws"),
    "general": ("一般监管对象", "general"),
    "special": ("特殊监管对象", "special (more draws)"),
}

FLAG_LABELS: dict[str, tuple[str, str]] = {
    "refer_to_police": ("移送公安机关", "refer to the police"),
    "remove_from_list": ("移出正面清单", "remove from the list"),
    "publicize": ("向社会公开", "make public"),
}

OP_SYMBOLS = {"is": "=", "in": "∈", "at_least": "≥", "at_most": "≤", "holds": "成立", "present": "存在"}

WORDS: dict[str, tuple[str, str]] = {
    "as_of": ("评估日期", "evaluation date"),
    "engine": ("引擎", "engine"),
    "enterprise": ("企业", "enterprise"),
    "outcome": ("结论", "outcome"),
    "category": ("类别", "categories"),
    "basis": ("依据", "basis"),
    "rule": ("规则", "rule"),
    "holds": ("成立", "holds"),
    "not_holds": ("不成立", "does not hold"),
    "failed": ("未满足", "failed"),
    "yields": ("成立时", "when it holds"),
    "read": ("读取", "read"),
    "wanted": ("要求", "expected"),
    "reading": ("解释", "reading"),
    "alternative": ("另一种理解", "alternative"),
    "warning": ("警告", "warning"),
    "note": ("说明", "note"),
    "default": ("无规则成立，适用默认结论", "no rule holds: the default outcome applies"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "absent": ("（无）", "(absent)"),
    "all": ("以下全部满足", "all of"),
    "any": ("以下任一满足", "any of"),
    "not": ("以下不成立", "not"),
    "summary": ("结论汇总", "Summary"),
    "no_trace": ("（此引擎不产生逐条件追踪）", "(this engine produces no condition trace)"),
    "interpretation": ("文本解释", "interpretation"),
    "not_present": ("（此决定不适用）", "(decision not present)"),
}


def _colon(lang: Lang) -> str:
    return "：" if lang == "zh" else ": "


def _semi(lang: Lang) -> str:
    return "；" if lang == "zh" else "; "


def _heading(text: str, lang: Lang) -> str:
    return f"【{text}】" if lang == "zh" else f"[{text}]"


def _bracket(text: str, lang: Lang) -> str:
    return f"〔{text}〕" if lang == "zh" else f"[{text}]"


def _w(key: str, lang: Lang) -> str:
    zh, en = WORDS[key]
    return zh if lang == "zh" else en


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "zh" else pair[1]


def outcome_label(outcome: str, lang: Lang) -> str:
    label = _pick(OUTCOME_LABELS.get(outcome, (outcome, outcome)), lang)
    return f"{label}（{outcome}）" if lang == "zh" else label


def render_result(result: Result, lang: Lang = "zh", enterprise: str | None = None) -> str:
    """The readable trace: outcomes on top, then per decision the clauses quoted and every rule considered."""
    lines = [
        f"{result.pack} {result.pack_version} · {_w('as_of', lang)} {result.as_of} · "
        f"{_w('engine', lang)} {result.engine}",
    ]
    if enterprise:
        lines.append(f"{_w('enterprise', lang)}{_colon(lang)}{enterprise}")
    lines += [f"⚠ {_w('warning', lang)}{_colon(lang)}{w}" for w in result.warnings]
    lines.append("")
    lines.append(f"{_w('summary', lang)}{_colon(lang)}")
    for name, decision in result.decisions.items():
        lines.append(
            f"  {_pick(DECISION_LABELS[name], lang)}{_colon(lang)}{outcome_label(decision.outcome, lang)}"
            + _flags_text(decision, lang)
        )
    for name, decision in result.decisions.items():
        lines.append("")
        lines += _decision_lines(name, decision, lang, result.traced)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _flags_text(decision: Decision, lang: Lang) -> str:
    set_flags = [_pick(FLAG_LABELS[f], lang) for f, v in decision.flags.items() if v]
    return f"{_semi(lang)}{('、' if lang == 'zh' else ', ').join(set_flags)}" if set_flags else ""


def _decision_lines(name: str, decision: Decision, lang: Lang, traced: bool) -> list[str]:
    heading = _heading(_pick(DECISION_LABELS[name], lang), lang)
    outcome = outcome_label(decision.outcome, lang) + _flags_text(decision, lang)
    lines = [f"{heading} {_w('outcome', lang)}{_colon(lang)}{outcome}"]
    if decision.categories:
        lines.append(f"  {_w('category', lang)}{_colon(lang)}{_semi(lang).join(decision.categories)}")
    if not decision.decided_by:
        lines.append(f"  {_w('default', lang)}")
    lines += [f"  {_w('note', lang)}{_colon(lang)}{n}" for n in decision.notes]
    lines.append(f"  {_w('basis', lang)}{_colon(lang)}")
    lines += [f"    {c['doc']} {c['clause']}{_colon(lang)}「{c['text']}」" for c in decision.citations]
    for rule in decision.rules:
        lines += _rule_lines(rule, lang, traced)
    return lines


def _rule_lines(rule: RuleTrace, lang: Lang, traced: bool) -> list[str]:
    mark = "✓" if rule.holds else "✗"
    title = (rule.title_en or rule.title) if lang == "en" else (rule.title or rule.title_en)
    verdict = _w("holds" if rule.holds else "not_holds", lang)
    then = (
        outcome_label(rule.yields, lang) if rule.yields else "、".join(_pick(FLAG_LABELS[f], lang) for f in rule.sets)
    )
    cites = _semi(lang).join(dict.fromkeys(f"{c['doc']} {c['clause']}" for c in rule.citations))
    origin = "" if rule.origin in ("own", "inherited") else f" [{rule.origin}]"
    lines = [
        f"  {mark} {_w('rule', lang)} {rule.id}{origin} — {title or ''}",
        f"      {verdict}{_semi(lang)}{_w('yields', lang)}{_colon(lang)}{then}"
        f"{_semi(lang)}{_w('basis', lang)}{_colon(lang)}{cites}",
    ]
    if not traced or rule.condition is None:
        lines.append(f"      {_w('no_trace', lang)}")
        return lines
    if not rule.holds:
        failed = _semi(lang).join(_failure_phrase(f, lang) for f in rule.failed)
        lines.append(f"      {_w('failed', lang)}{_colon(lang)}{failed}")
    lines += _condition_lines(rule.condition, lang, depth=3)
    for note in rule.interpretation:
        lines.append(f"      ※ {_w('interpretation', lang)}{_colon(lang)}{note['question']}")
        lines.append(f"        {_w('reading', lang)}{_colon(lang)}{note['reading']}")
        lines.append(f"        {_w('alternative', lang)}{_colon(lang)}{note['alternative']}")
    return lines


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
        head = f"{pad}{mark} {_w(node.kind, lang)}" + (f"{_colon(lang)}{node.says}" if node.says else "")
        return [head] + [line for child in node.children for line in _condition_lines(child, lang, depth + 1)]
    return [f"{pad}{mark} {node.says}  {_bracket(_node_label(node, lang), lang)}"]


def _node_label(node: ConditionTrace, lang: Lang) -> str:
    read = _value(node.value, lang)
    if node.kind == "rule":
        return f"{_w('rule', lang)} {node.subject}{_colon(lang)}{_w('holds' if node.value else 'not_holds', lang)}"
    if node.kind == "outcome":
        wanted = " / ".join(outcome_label(o, lang) for o in node.operand or ())
        found = outcome_label(str(node.value), lang) if node.value is not None else _w("not_present", lang)
        return f"{node.subject} {_w('outcome', lang)}{_colon(lang)}{found}{_semi(lang)}{_w('wanted', lang)} {wanted}"
    if node.kind in ("all", "any", "not"):
        return _w(node.kind, lang)
    op = OP_SYMBOLS.get(node.op or "", node.op or "")
    wanted = f"{_w('wanted', lang)} {op} {_value(node.operand, lang)}"
    return f"{node.subject} {_w('read', lang)} {read}{_semi(lang)}{wanted}"


def _value(value: Any, lang: Lang) -> str:
    if value is True:
        return _w("yes", lang)
    if value is False:
        return _w("no", lang)
    if value is None:
        return _w("absent", lang)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v, lang) for v in value) + "]"
    if lang == "zh" and isinstance(value, str):
        label = _ENUM_LABEL.get(value)
        return f"{value}（{label}）" if label else value
    return str(value)


_ENUM_LABEL = {code: label for labels in ENUM_LABELS.values() for code, label in labels.items()}


# --- pack reports --------------------------------------------------------------------------------------


def pack_summary(pack: Pack) -> dict[str, Any]:
    """What `policyrules packs` lists for one pack."""
    meta = pack.definition.meta
    return {
        "id": meta.id,
        "title": meta.title,
        "jurisdiction": meta.jurisdiction,
        "version": meta.version,
        "extends": meta.extends,
        "status": str(pack.definition.status),
        "documents": [
            {
                "number": d.number,
                "issuer": d.issuer,
                "date": d.date.isoformat() if d.date else None,
                "in_force_from": d.in_force_from.isoformat() if d.in_force_from else None,
                "in_force_earliest": d.in_force_earliest.isoformat() if d.in_force_earliest else None,
                "in_force_until": d.in_force_until.isoformat() if d.in_force_until else None,
                "status": str(d.status),
            }
            for d in meta.documents.values()
        ],
        "superseded_from": meta.superseded_from.isoformat() if meta.superseded_from else None,
    }


def effective_rules(pack: Pack) -> list[dict[str, Any]]:
    """The effective rule set with the origin of each rule and the citations on both sides of an override."""
    out = []
    for rule in pack.definition.rules:
        entry: dict[str, Any] = {
            "id": rule.id,
            "decision": rule.decision,
            "origin": rule.origin,
            "pack": rule.pack_id,
            "yields": rule.spec.yields,
            "sets": dict(rule.spec.sets),
            "citations": [c.citation() for c in rule.cites],
        }
        if rule.replaced is not None:
            entry["replaces"] = {
                "pack": rule.replaced.pack_id,
                "citations": [c.citation() for c in rule.replaced.cites],
            }
        if rule.origin == "disabled":
            entry["reason"] = rule.reason
        out.append(entry)
    return out


def coverage(pack: Pack) -> list[dict[str, Any]]:
    """Every clause of the pack's own documents: encoded (and by which rules) or not encoded (and why)."""
    citing: dict[str, list[str]] = {}
    for rule in pack.definition.rules:
        if rule.origin == "disabled":
            continue
        for clause in rule.cites:
            citing.setdefault(clause.ref, []).append(rule.id)
    rows = []
    for clause in _own_clauses(pack.definition.clauses.values(), pack.id):
        rules = citing.get(clause.ref, [])
        status = "encoded" if clause.encoded and rules else ("not encoded" if not clause.encoded else "UNCOVERED")
        rows.append(
            {
                "clause": clause.id,
                "label": clause.label,
                "doc": clause.doc,
                "status": status,
                "rules": rules,
                "reason": clause.reason,
            }
        )
    return rows


def _own_clauses(clauses: Iterable[Clause], pack_id: str) -> list[Clause]:
    return [c for c in clauses if c.pack_id == pack_id]


def render_rows(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain text table (monospace alignment is approximate with CJK text; JSON is the exact form)."""
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append("\t".join(_cell(row.get(c)) for c in columns))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return "" if value is None else str(value)
