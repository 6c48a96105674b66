"""A result written as JSON text — what `evaluate` prints and a service returns — byte for byte what
`json.dumps(result.to_json(trace), ensure_ascii=False, indent=indent)` writes, with each untraced decision
rendered once: untraced decisions are memoised by the pack and shared by every result with the same rule
holdings, so each keeps its text (its clause texts are most of a result's ~4.6 KB) for the next result."""

from __future__ import annotations

import json
from typing import Any

from .result import Decision, Result


def result_json_text(result: Result, trace: bool = False, indent: int | None = None) -> str:
    if trace and result.traced:
        return _dumps(result.to_json(trace=True), indent)  # a trace is the evaluation's own: nothing to share
    decisions = [(name, _at(decision_text(d, indent), indent, 2)) for name, d in result.decisions.items()]
    items = [
        ("pack", _dumps(result.pack, indent)),
        ("pack_version", _dumps(result.pack_version, indent)),
        ("as_of", _dumps(result.as_of.isoformat(), indent)),
        ("engine", _dumps(result.engine, indent)),
        ("decisions", _object(decisions, indent, 1)),
    ]
    if result.warnings:
        items.append(("warnings", _at(_dumps(list(result.warnings), indent), indent, 1)))
    return _object(items, indent, 0)


def decision_text(decision: Decision, indent: int | None) -> str:
    """The untraced decision's JSON, rendered on first use and kept with the (immutable) decision."""
    text = decision.rendered.get(indent)
    if text is None:
        text = decision.rendered[indent] = _dumps(decision.to_json(trace=False), indent)
    return text


def _dumps(value: Any, indent: int | None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _at(text: str, indent: int | None, depth: int) -> str:
    """JSON text rendered on its own, indented as json.dumps indents it `depth` levels down (a newline in
    json.dumps output only ever comes from indentation: newlines in strings are escaped)."""
    return text.replace("\n", "\n" + " " * (indent * depth)) if indent else text


def _object(items: list[tuple[str, str]], indent: int | None, depth: int) -> str:
    """A JSON object from its keys and rendered values, laid out as json.dumps lays it out."""
    if not items:
        return "{}"
    if indent is None:
        return "{" + ", ".join(f"{_dumps(k, None)}: {v}" for k, v in items) + "}"
    pad = "\n" + " " * (indent * (depth + 1))
    body = ("," + pad).join(f"{_dumps(k, None)}: {v}" for k, v in items)
    return "{" + pad + body + "\n" + " " * (indent * depth) + "}"
