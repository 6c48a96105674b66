"""The text of `whatif`: the alternatives under which a decision would have an outcome, for an officer (Chinese)
or in English. It reads the JSON form of the answer (analysis.whatif's `WhatIf.to_json()`), so this package
needs nothing of the search."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..packs import DECISION_LABELS
from .labels import Lang, colon, outcome_label, pick, semi, value_text, word

_TEXT = {
    "now": ("现为", "now"),
    "wanted": ("要得到", "to get"),
    "ways": ("种做法", "way(s)"),
    "none": (
        "在可改变的事实中找不到使其成立的做法（已发生的违法、检查等记录不能改变），等待也不能使其成立",
        "no change to the facts that can change makes it hold (what happened cannot be undone), nor does waiting",
    ),
    "already": ("已是该结论，无须改变", "already so: nothing to change"),
    "absent": (
        "事实中没有提出这一问题（如没有检查请求或违法案件），此决定不适用",
        "the facts do not ask this question (no inspection request or violation case): the decision does not apply",
    ),
    "option": ("方案", "option"),
    "from": ("起", ""),
    "from_en": ("从", "from"),
    "nothing": ("无须改变任何事实", "with no change to the facts"),
    "change": ("改变", "change"),
    "so": ("即可", "and it holds"),
}


def _t(key: str, lang: Lang) -> str:
    return pick(_TEXT[key], lang)


def render_whatif(data: Mapping[str, Any], as_of: str, current: str | None, lang: Lang = "zh") -> str:
    """The whole answer: the question, then each alternative with its changes and the clauses it rests on."""
    decision, outcome = data["decision"], data["outcome"]
    alternatives: Sequence[Mapping[str, Any]] = data["alternatives"]
    head = f"{pick(DECISION_LABELS[decision], lang)}{colon(lang)}"
    if current is not None:
        head += f"{_t('now', lang)} {outcome_label(current, lang)}{semi(lang)}"
    head += f"{_t('wanted', lang)} {outcome_label(outcome, lang)}"
    lines = [
        f"{word('as_of', lang)} {as_of}",
        head + (f"（{len(alternatives)} {_t('ways', lang)}）" if alternatives else ""),
    ]
    if not alternatives:
        lines.append(f"  {_t('none' if current is not None else 'absent', lang)}")
    for number, alt in enumerate(alternatives, start=1):
        lines.append("")
        lines.append(f"{_t('option', lang)} {number}{colon(lang)}{_when(alt, lang)}")
        if not alt["changes"]:
            lines.append(f"  {_t('already' if 'as_of' not in alt else 'nothing', lang)}")
        for change in alt["changes"]:
            lines.append(f"  {_t('change', lang)} {change_text(change, lang)}")
        lines += [f"  {word('basis', lang)}{colon(lang)}{c}" for c in cites_text(alt["cites"], lang)]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _when(alt: Mapping[str, Any], lang: Lang) -> str:
    if "as_of" not in alt:
        return "评估日期当日" if lang == "zh" else "on the evaluation date"
    return f"{_t('from_en', lang)} {alt['as_of']} {_t('from', lang)}".strip()


def change_text(change: Mapping[str, Any], lang: Lang) -> str:
    """`path：before → after「the phrase it satisfies」`."""
    said = f"「{change['says']}」" if change.get("says") else ""
    return (
        f"{change['path']}{colon(lang)}{value_text(change['from'], lang)} → {value_text(change['to'], lang)}"
        f"{' ' if said and lang == 'en' else ''}{said}"
    )


def cites_text(cites: Sequence[Mapping[str, str]], lang: Lang) -> list[str]:
    """One line per rule: the rule and the clauses it cites."""
    by_rule: dict[str, list[str]] = {}
    for c in cites:
        by_rule.setdefault(c.get("rule", ""), []).append(f"{c['doc']} {c['clause']}")
    return [
        (f"{word('rule', lang)} {rule} — " if rule else "") + semi(lang).join(dict.fromkeys(clauses))
        for rule, clauses in by_rule.items()
    ]


def alternative_line(data: Mapping[str, Any], lang: Lang = "zh") -> str | None:
    """The first alternative in one line, for `explain`: what would make the decision come out as asked."""
    if not data["alternatives"]:
        return None
    alt = data["alternatives"][0]
    target = outcome_label(data["outcome"], lang)
    changes = semi(lang).join(change_text(c, lang) for c in alt["changes"])
    clauses = semi(lang).join(
        dict.fromkeys(f"{c['doc']} {c['clause']}" for c in alt["cites"] if c.get("rule") or len(alt["cites"]) < 3)
    )
    if lang == "zh":
        when = f"从 {alt['as_of']} 起" if "as_of" in alt else ""
        said = "；".join(
            f"「{c['says']}」（{c['path']}：{value_text(c['from'], lang)} → {value_text(c['to'], lang)}）"
            for c in alt["changes"]
        )
        what = f"若{said}" if said else "无须改变"
        return f"{when}{what}，即为{target}（{clauses}）"
    when = f"from {alt['as_of']}" if "as_of" in alt else ""
    what = f"with {changes}" if changes else "with no change"
    return f"{target} {when} {what} ({clauses})".replace("  ", " ")
