"""Whether a pack's metadata comes from its own texts: each document's number, date of issue and force dates
must occur in the document's cleaned source, so that a pack copied from another city and given a new text
cannot keep the old number or dates unnoticed. A value the text does not print (a date inferred from other
documents, a number known only from a citation elsewhere) is declared under the document's `not_in_source:`
with the reason, and is then not looked for."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ..errors import Problem
from .definition import PackDefinition
from .spec import DocumentSpec

CHECKED = ("number", "date", "in_force_from", "in_force_earliest", "in_force_until")
_SPACE = re.compile(r"\s+")
_BRACKETS = str.maketrans("[［【(（", "〔〔〔〔〔") | str.maketrans("]］】)）", "〕〕〕〕〕")
_DIGITS = "〇一二三四五六七八九"


def document_text_problems(definition: PackDefinition) -> list[Problem]:
    """For each of the pack's own documents: the number and dates that its source text does not print and
    `not_in_source:` does not excuse."""
    problems = []
    where = definition.where.at("documents")
    for doc_id, doc in definition.meta.documents.items():
        text = definition.sources.get(doc_id)
        if text is None:  # a missing source is reported by the loader
            continue
        plain = _plain(text)
        for name in CHECKED:
            value = getattr(doc, name)
            if value is None or name in doc.not_in_source or _printed(name, value, doc, plain):
                continue
            shown = value.isoformat() if isinstance(value, dt.date) else value
            problems.append(
                where.at(doc_id, name).problem(
                    f"{name} {shown} does not occur in {doc.source}"
                    + (f" (the part from '{doc.source_starts}')" if doc.source_starts else "")
                    + "; correct it from the text, or, where the text does not print it, say why under "
                    f"`not_in_source: {{{name}: <reason>}}`"
                )
            )
    return problems


def _plain(text: str) -> str:
    """The text as numbers and dates are looked for in it: without spaces (PDF extraction leaves them inside
    `〔2021〕5 号` and `2021年 8月 6日`) and with every kind of bracket as 〔〕."""
    return _SPACE.sub("", text).translate(_BRACKETS)


def _printed(name: str, value: str | dt.date, doc: DocumentSpec, plain: str) -> bool:
    if isinstance(value, str):  # a title standing in for a number may be given in 《》; the text need not print them
        return _plain(value).strip("《》") in plain
    if any(form in plain for form in date_forms(value)):
        return True
    # a document that names no commencement date applies from its issue: a force date equal to a printed
    # date of issue is the text's own
    return (
        name != "date" and value == doc.date and "date" not in doc.not_in_source and _printed("date", value, doc, plain)
    )


def date_forms(day: dt.date) -> Iterator[str]:
    """The ways a Chinese document prints a date: 2021年4月6日, 2021年04月06日, 二〇二一年四月六日, 2021-04-06,
    2021.4.6."""
    y, m, d = day.year, day.month, day.day
    yield f"{y}年{m}月{d}日"
    yield f"{y}年{m:02d}月{d:02d}日"
    yield f"{_numeral_digits(y)}年{_numeral(m)}月{_numeral(d)}日"
    yield f"{_numeral_digits(y).replace('〇', '○')}年{_numeral(m)}月{_numeral(d)}日"
    yield day.isoformat()
    yield f"{y}.{m}.{d}"
    yield f"{y}.{m:02d}.{d:02d}"


def _numeral_digits(n: int) -> str:
    return "".join(_DIGITS[int(c)] for c in str(n))


def _numeral(n: int) -> str:
    """1-31 in Chinese numerals: 六, 十, 十二, 二十, 三十一."""
    tens, units = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")) + ("" if units == 0 else _DIGITS[units])
