"""The envelope of a decision request, read as strictly as the facts inside it: `{"pack", "as_of", "facts",
"trace"?, "engine"?}` for /v1/evaluate, with `"lang"?` instead of `"trace"?` for /v1/explain. Values are read by the
fact model's parser (facts.values), so `as_of` takes exactly the forms a fact's date takes, at every door."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ..errors import FactsError, Problem, did_you_mean
from ..facts import ValueProblem, parse_bool, parse_date, parse_facts
from .problems import RequestProblem, prefixed

Kind = Literal["evaluate", "explain"]
LANGS = ("zh", "en")
ENGINES = ("compiled", "durable")

REQUIRED = ("pack", "as_of", "facts")
OPTIONAL: dict[Kind, tuple[str, ...]] = {"evaluate": ("trace", "engine"), "explain": ("lang", "engine")}


@dataclass(frozen=True)
class DecisionRequest:
    """One decision request, its envelope checked (the facts are checked when evaluated)."""

    pack: str
    as_of: date
    facts: Mapping[str, Any]
    trace: bool = False
    lang: str = "zh"
    engine: str = "compiled"


def parse_body(body: bytes) -> Any:
    """A request body as JSON, or 400."""
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RequestProblem.of(400, "", f"not valid JSON: {exc}") from None
    except RecursionError:  # nesting deeper than the parser's stack: no facts document is like that
        raise RequestProblem.of(400, "", "not valid JSON: nested too deeply") from None


def read_request(data: object, kind: Kind) -> DecisionRequest:
    """The request's envelope, or 422 naming every field that is missing, unknown or malformed."""
    if not isinstance(data, Mapping):
        found = type(data).__name__
        raise RequestProblem.of(422, "", f"expected a JSON object with {', '.join(REQUIRED)}, found {found}")
    known = (*REQUIRED, *OPTIONAL[kind])
    problems = [
        Problem(str(key), f"unknown key '{key}'{did_you_mean(str(key), known)} (known keys: {', '.join(known)})")
        for key in data
        if key not in known
    ]
    problems += [Problem(key, "required field is missing") for key in REQUIRED if key not in data]
    fields: dict[str, Any] = {}
    for key, read in _READERS.items():
        if key in data and key in known:
            try:
                fields[key] = read(data[key])
            except ValueProblem as exc:
                problems.append(Problem(key, f"{exc} (found {data[key]!r})"))
    if problems:
        raise RequestProblem(422, (*problems, *_facts_problems(fields.get("facts"))))
    return DecisionRequest(**fields)


def _facts_problems(facts: Mapping[str, Any] | None) -> tuple[Problem, ...]:
    """With a bad envelope, the facts' own problems too, so that one answer lists everything to fix."""
    if facts is None:
        return ()
    try:
        parse_facts(facts)
    except FactsError as exc:
        return prefixed(exc.problems, "facts")
    return ()


def _pack_id(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueProblem("expected a pack id, e.g. 'mee_2021' (GET /v1/packs lists them)")
    return value


def _facts(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueProblem("expected a facts document: an object with an 'enterprise' key")
    return value


def _choice(allowed: tuple[str, ...]) -> Any:
    def read(value: object) -> str:
        if value not in allowed:
            raise ValueProblem(f"expected one of {', '.join(allowed)}")
        return str(value)

    return read


_READERS: dict[str, Any] = {
    "pack": _pack_id,
    "as_of": parse_date,
    "facts": _facts,
    "trace": parse_bool,
    "lang": _choice(LANGS),
    "engine": _choice(ENGINES),
}
