"""The words of the readable trace in Chinese and English: decision, outcome and flag labels, the operators,
the fixed phrases, the punctuation of each language, and how a value read from the facts is shown."""

from __future__ import annotations

from typing import Any, Literal

from ..facts import ENUM_LABELS
from ..packs import NATIONAL_CREDIT_SCHEME, OUTCOME_LABELS

Lang = Literal["zh", "en"]

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
    "whatif": ("如何可以改变", "what would change it"),
    "reason": ("理由", "reason"),
    "by_default": ("无规则成立，默认结论", "no rule holds: default"),
}


# the Chinese label of every enum code (and of the national credit grades), shown beside a code read from the facts
ENUM_LABEL = {code: label for labels in ENUM_LABELS.values() for code, label in labels.items()} | {
    g.code: g.label for g in NATIONAL_CREDIT_SCHEME.grades
}


# punctuation: full-width in Chinese
def colon(lang: Lang) -> str:
    return "：" if lang == "zh" else ": "


def semi(lang: Lang) -> str:
    return "；" if lang == "zh" else "; "


def section_heading(text: str, lang: Lang) -> str:
    return f"【{text}】" if lang == "zh" else f"[{text}]"


def bracket(text: str, lang: Lang) -> str:
    return f"〔{text}〕" if lang == "zh" else f"[{text}]"


def word(key: str, lang: Lang) -> str:
    """One of the fixed phrases (WORDS) in the language."""
    zh, en = WORDS[key]
    return zh if lang == "zh" else en


def pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "zh" else pair[1]


def outcome_label(outcome: str, lang: Lang) -> str:
    label = pick(OUTCOME_LABELS.get(outcome, (outcome, outcome)), lang)
    return f"{label}（{outcome}）" if lang == "zh" else label


def value_text(value: Any, lang: Lang) -> str:
    """A value read from the facts, as the trace shows it."""
    if value is True:
        return word("yes", lang)
    if value is False:
        return word("no", lang)
    if value is None:
        return word("absent", lang)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(value_text(v, lang) for v in value) + "]"
    if lang == "zh" and isinstance(value, str):
        label = ENUM_LABEL.get(value)
        return f"{value}（{label}）" if label else value
    return str(value)
