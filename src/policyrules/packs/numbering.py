"""How a document numbers its parts: sections (三、), clauses (（二）) and items (四是), read from the cleaned text,
each with the label packs use (三、, 三、（二）, 三、（二）四是, or 二、三是 where items stand directly under a section)
and its verbatim text, up to where the next numbered part starts."""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMERALS = "一二三四五六七八九十"
_MARKERS = re.compile(
    rf"(?:(?<=[。：；\s　])|^)([{NUMERALS}]+)、"  # a section: 三、
    rf"|（([{NUMERALS}]+)）"  # a clause: （七）
    rf"|(?<=[。；：，])([{NUMERALS}])是"  # an item: 二是
)
_EDGES = " \t\u3000"
_ANNEX = re.compile(r"(?<=。)附\s*[件表]")  # the attachments (附件, 附表) after the last sentence of the body


@dataclass(frozen=True)
class NumberedPart:
    label: str
    text: str  # verbatim, without the spaces at either end


def numbered_parts(text: str) -> list[NumberedPart]:
    """Every section, clause and item the body of the text numbers, in order, with its text. A clause or item
    before the first section belongs to a preamble and is left out; the body ends where the attachments (附件,
    附表) begin, and what they number is not part of it."""
    found = _markers(text)
    annex = _ANNEX.search(text, found[0][1]) if found else None
    end_of_body = annex.start() if annex else len(text)
    found = [(label, start) for label, start in found if start < end_of_body]
    parts = []
    for i, (label, start) in enumerate(found):
        end = found[i + 1][1] if i + 1 < len(found) else end_of_body
        body = text[start:end].strip(_EDGES)
        if body:
            parts.append(NumberedPart(label, body))
    return parts


def numbered_labels(text: str) -> list[str]:
    """The label of every section, clause and item the whole text numbers (attachments included), each once."""
    return list(dict.fromkeys(label for label, _ in _markers(text)))


def _markers(text: str) -> list[tuple[str, int]]:
    """(label, position) of each numbering marker, labels built from the section and clause they stand in."""
    found: list[tuple[str, int]] = []
    section: str | None = None
    clause: str | None = None
    for match in _MARKERS.finditer(text):
        if match[1]:
            section, clause = match[1], None
            found.append((f"{section}、", match.start()))
        elif match[2] and section:
            clause = match[2]
            found.append((f"{section}、（{clause}）", match.start()))
        elif match[3] and section:
            found.append((f"{section}、" + (f"（{clause}）" if clause else "") + f"{match[3]}是", match.start()))
    return found
