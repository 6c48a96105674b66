"""Source texts: the cleaned form clauses are quoted in, the span of a shared file that is one document, and
saying where a quote stops matching its source."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import PackError, Problem
from ..yamlio import Where
from .files import MAX_SOURCE_BYTES, inside_pack, read_pack_text

_LINE_BREAK = re.compile(r"[ \t]*\r?\n[ \t]*")


def clean_source(raw: str) -> str:
    """The cleaned form clauses are quoted in: line breaks, and the spaces a page or line break leaves
    beside it, removed; every other character kept."""
    return _LINE_BREAK.sub("", raw)


def read_sources(
    directory: Path,
    documents: Mapping[str, Any],
    where: Where,
    problems: list[Problem],
) -> dict[str, str]:
    """The cleaned text of each document, by document id; `where` is the place of `documents:` in pack.yaml."""
    sources: dict[str, str] = {}
    for doc_id, doc in documents.items():
        try:
            path = inside_pack(directory, doc.source, where.at(doc_id, "source"))
            text = clean_source(read_pack_text(path, MAX_SOURCE_BYTES))
        except PackError as exc:
            problems.extend(exc.problems)
            continue
        span = document_span(text, doc.source_starts, doc.source_ends)
        if isinstance(span, str):
            sources[doc_id] = span
        else:
            problems.append(where.at(doc_id, span[0]).problem(span[1]))
    return sources


def document_span(text: str, starts: str | None, ends: str | None) -> str | tuple[str, str]:
    """The part of a shared source file that is one document's text, or (key, problem) when a marker is absent."""
    begin = 0
    if starts is not None:
        begin = text.find(starts)
        if begin < 0:
            return "source_starts", f"'{starts}' is not in the cleaned source text"
    if ends is None:
        return text[begin:]
    end = text.find(ends, begin)
    if end < 0:
        return "source_ends", f"'{ends}' is not in the cleaned source text after source_starts"
    return text[begin : end + len(ends)]


def not_verbatim(quote: str, source: str, source_name: str) -> str:
    """Say how far the quote matches the source, so the author sees where it diverges."""
    best = 0
    for length in range(1, len(quote) + 1):
        if quote[:length] in source:
            best = length
        else:
            break
    if best == 0:
        return f"quoted text is not found verbatim in {source_name}: even its first character is absent"
    return (
        f"quoted text is not found verbatim in {source_name}: it matches up to "
        f"'…{quote[max(0, best - 12) : best]}' and diverges at '{quote[best : best + 12]}…'"
    )
