"""The results' columns, and a decision or a value written as a CSV field, a JSON object or a cell of sheet XML."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..engines import Decision
from ..packs import DECISIONS, FLAG_LABELS, FLAGS, OUTCOME_LABELS

ENTERPRISE_COLUMNS = ("uscc", "name", "district", "industry", "permit_no", "listed_on")
# the Chinese results (the default, for people): the same columns under 附表2's headers
ZH_ENTERPRISE_COLUMNS = (
    "统一社会信用代码",
    "企业名称",
    "所在地",
    "所属行业",
    "排污许可证编号（排污登记编号）",
    "纳入正面清单日期",
)
ZH_HEAD = {"row": "行号", "record_id": "记录编号", "pack": "政策包", "as_of": "评估日期"}
# each decision's columns begin with its short name: 纳入结论, 纳入理由, 纳入依据 …
ZH_DECISIONS = {
    "inclusion": "纳入",
    "listing": "清单调整",
    "inspection": "现场检查",
    "penalty": "行政处罚",
    "supervision": "双随机监管",
}
ZH_CATEGORIES = "纳入类别"


def decision_columns(lang: str = "en") -> list[str]:
    if lang == "zh":
        return [c for d in DECISIONS for c in _zh_decision_columns(d)]
    out = []
    for d in DECISIONS:
        out.append(f"{d}.outcome")
        if d == "inclusion":
            out.append("inclusion.categories")
        out += [f"{d}.{flag}" for flag in FLAGS.get(d, ())]
        out += [f"{d}.rules", f"{d}.citations"]
    return out


def _zh_decision_columns(name: str) -> list[str]:
    short = ZH_DECISIONS[name]
    flags = [FLAG_LABELS[f][0] for f in FLAGS.get(name, ())]
    return [f"{short}结论", *([ZH_CATEGORIES] if name == "inclusion" else []), *flags, f"{short}理由", f"{short}依据"]


def output_columns(recording: bool, lang: str = "en", carried: tuple[str, ...] = ()) -> list[str]:
    """The results' header: row, record id, pack, date, the enterprise, the register's carried columns, the
    decisions; the contract's names with lang="en", Chinese ones (the default of `batch`) with lang="zh"."""
    head = ["row", *(["record_id"] if recording else []), "pack", "as_of"]
    if lang == "zh":
        return [ZH_HEAD[h] for h in head] + [*ZH_ENTERPRISE_COLUMNS, *carried, *decision_columns("zh")]
    return [*head, *ENTERPRISE_COLUMNS, *carried, *decision_columns()]


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
# a cell a spreadsheet would read as a formula (=, +, -, @) or that begins with a tab or carriage return
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    """Text a spreadsheet shows as text: a leading apostrophe before what would start a formula (OWASP's CSV
    injection advice; Excel and WPS show the cell as the text after it). `=HYPERLINK(…)` in a name never runs."""
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_cell(text: str) -> str:
    """One CSV field: formula-safe, quoted when it holds a comma, a quote or a line end."""
    if text.startswith(FORMULA_START):
        text = "'" + text
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def safe_row(cells: Iterable[object]) -> list[object]:
    """A row for csv.writer with every text cell formula-safe (the errors file, 附表2)."""
    return [formula_safe(c) if isinstance(c, str) else c for c in cells]


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


def zh_decision_cells(name: str, decision: Decision | None, reason: str) -> list[str]:
    """A decision in the Chinese results: the outcome's label, the categories, the flags as 是/否, the reason
    in one line and the citations."""
    if decision is None:
        return [""] * len(_zh_decision_columns(name))
    cells = [OUTCOME_LABELS.get(decision.outcome, (decision.outcome, ""))[0]]
    if name == "inclusion":
        cells.append("；".join(decision.categories))
    cells += ["是" if decision.flags.get(f) else "否" for f in FLAGS.get(name, ())]
    cells += [reason, "；".join(_cited(decision))]
    return cells


def _cited(decision: Decision) -> list[str]:
    """The decision's citations as 'doc clause', each once (two quoted passages of one clause cite it twice)."""
    return list(dict.fromkeys(f"{c['doc']} {c['clause']}" for c in decision.citations))


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match[0]):04x}"


def xml_cell(text: str | None) -> str:
    """One cell of sheet XML, its text inline (no shared-string table to build), in column order."""
    if not text:
        return "<c/>"
    # a character XML cannot hold is shown as its escape (as textsafe.printable writes it), not dropped unseen
    text = _XML_ILLEGAL.sub(_escaped, text.translate(_XML_ESCAPES))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c t="inlineStr"><is><t{space}>{text}</t></is></c>'
