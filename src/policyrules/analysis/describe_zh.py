"""A diff region in Chinese, for the officers and analysts who read it: each condition with the Chinese name of
its fact, its values by their Chinese labels, and the `says:` phrases of the pack conditions that read it
(「以下全部满足」 is implicit: the conditions are joined by ，)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..conditions import FACT_FIELDS, Leaf, Value, leaves
from ..facts import ENUM_LABELS
from .describe import int_set, no_event_groups, split_region
from .dimensions import Dim, EventClass, Region
from .domain import Domain
from .search import Row
from .words_zh import EVENT_WORDS, EVENTS, LISTING_STATES, UNITS, field_label

KIND_LABELS = ENUM_LABELS["ViolationKind"]
APPROVAL_LABELS = ENUM_LABELS["Approval"]
MAX_PHRASES = 2


Phrases = Mapping[str, list[tuple[str, Leaf]]]


def phrases_by_dimension(domain: Domain) -> dict[str, list[tuple[str, Leaf]]]:
    """For each dimension, the `says:` phrases of the conditions that read it in either pack, with the condition."""
    out: dict[str, list[tuple[str, Leaf]]] = {}
    for index, pack in enumerate(domain.packs):
        for rule in pack.rules:
            for leaf in leaves(rule.cond):
                for dim in domain.models[index][leaf.atom.key].inner:
                    said = out.setdefault(dim, [])
                    if all(leaf.says != s for s, _ in said):
                        said.append((leaf.says, leaf))
    return out


def describe_zh(domain: Domain, row: Row, phrases: Phrases) -> str:
    text = _region(domain, row.hull, phrases)
    if row.alternatives:
        either = "；或".join(f"（{_region(domain, c, phrases)}）" for c in row.alternatives)
        text = f"以下任一：{either}" if text == "任何企业" else f"{text}，且以下任一：{either}"
    if row.exceptions:
        text += "；但不包括：" + "；".join(f"（{_region(domain, e, phrases)}）" for e in row.exceptions)
    return text


def _region(domain: Domain, region: Region, phrases: Phrases) -> str:
    parts = []
    narrowed, zero = split_region(domain, region)
    for name, dim, values in narrowed:
        chosen = [v for v in dim.values if v in values]
        enum = dim.kind == "fact" and dim.field_kind in ("enum", "text", "grade")
        parts.append(_condition(domain, dim, chosen) + _quoted(phrases, [name], chosen if enum else None))
    for subject, names in zero.items():
        for restricted, covered in no_event_groups(domain, subject, names, list(region)):
            words = [_attribute(domain, subject, attr, values) for attr, values in restricted]
            text = "无" + "、".join(words) + ("的" if words else "") + EVENTS.get(subject, subject)
            parts.append(text + _quoted(phrases, sorted(covered)))
    return "，".join(parts) or "任何企业"


def _quoted(phrases: Phrases, names: list[str], chosen: list[Value] | None = None) -> str:
    """The phrases of the conditions reading these dimensions; for a value fact, only those of conditions that
    one of the chosen values meets (「双随机抽中」 is not quoted with the phrase of a special action)."""
    said = [
        p
        for name in names
        for p, leaf in phrases.get(name, [])
        if chosen is None or leaf.op not in ("is", "in") or any(leaf.test(v) for v in chosen)
    ]
    said = list(dict.fromkeys(said))[:MAX_PHRASES]
    return "（" + "".join(f"「{p}」" for p in said) + "）" if said else ""


def _attribute(domain: Domain, subject: str, attr: str, values: list[Any]) -> str:
    if attr == "bucket":
        return "或".join(_bucket(domain, subject, b) for b in values)
    if attr == "kinds":
        kinds = [k for group in values for k in group]
        return "类型为" + "、".join(KIND_LABELS.get(k, k) for k in kinds)
    yes, no = EVENT_WORDS[attr]
    return "或".join(yes if v else no for v in values)


def _condition(domain: Domain, dim: Dim, chosen: list[Value]) -> str:
    if dim.kind == "listing":
        return LISTING_STATES.get(tuple(map(str, chosen)), "正面清单状态为" + "或".join(map(str, chosen)))
    if dim.kind == "question":
        return ("有" if chosen == [True] else "无") + field_label(dim.path)
    if dim.kind == "contains":
        verb = "包含" if chosen == [True] else "不包含"
        return f"{field_label(dim.path)}{verb}「{APPROVAL_LABELS.get(dim.member, dim.member)}」"
    if dim.kind == "age":
        return f"自{field_label(dim.path)}起已满整年数 {int_set(dim, [int(v or 0) for v in chosen])}"
    if dim.kind == "events":
        assert dim.event is not None
        label = event_label(domain, dim.event)
        if chosen == [0]:
            return f"无{label}"
        return f"{label}数 {int_set(dim, [int(v or 0) for v in chosen])}"
    label = field_label(dim.path)
    if dim.field_kind == "bool":
        return f"{label}：{'是' if chosen == [True] else '否'}"
    shown = [_value(domain, dim, v) for v in chosen]
    rest = [_value(domain, dim, v) for v in dim.values if v not in chosen]
    if len(shown) == 1:
        return f"{label}为{shown[0]}"
    if len(rest) == 1 and dim.field_kind != "text":
        return f"{label}不为{rest[0]}"
    return f"{label}为{'或'.join(shown)}"


def _value(domain: Domain, dim: Dim, value: Value) -> str:
    if value is None:
        return "（无）"
    if dim.field_kind == "text" and value == dim.values[-1]:
        return "（其他）"
    if dim.field_kind == "grade":
        grades = {g.code: g.label for g in domain.packs[0].definition.credit_scheme.grades}
        return f"「{grades.get(str(value), value)}」"
    info = FACT_FIELDS.get(dim.path)
    labels = info.enum.labels() if info is not None and info.enum is not None else {}
    return f"「{labels.get(str(value), value)}」"


def event_label(domain: Domain, cls: EventClass) -> str:
    """An event class in Chinese: 近1年内严重的环境违法记录（恶意偷排）."""
    before: list[str] = []
    after: list[str] = []
    if cls.bucket is not None:
        before.append(_bucket(domain, cls.subject, cls.bucket))
    for attr, words in EVENT_WORDS.items():
        value = getattr(cls, attr)
        if value is not None:
            before.append(words[0] if value else words[1])
    if cls.kinds is not None:
        after.append("、".join(KIND_LABELS.get(k, k) for k in cls.kinds))
    text = "".join(before) + ("的" if before else "") + EVENTS.get(cls.subject, cls.subject)
    return text + (f"（{'；'.join(after)}）" if after else "")


def _bucket(domain: Domain, subject: str, bucket: int) -> str:
    windows = domain.events.windows[subject]

    def period(i: int) -> str:
        unit, amount = windows[i][1][0]
        return f"{amount}{UNITS.get(unit, unit)}"

    if bucket == 0:
        return f"近{period(0)}内"
    if bucket == len(windows):
        return f"{period(-1)}以前"
    return f"{period(bucket - 1)}至{period(bucket)}以前"
