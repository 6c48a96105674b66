"""Parsing a facts document into the model: pydantic's errors become located `FactsError`s, with a
did-you-mean for a misspelt key and the allowed codes for a bad enumeration value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import FactsError, Problem, did_you_mean, format_path
from ..yamlio import excerpt, innermost_model
from .fast import fast_validator
from .model import Facts

# Documents written the usual way are validated by pydantic-core alone (fast.py); the rest, and every error,
# by the model.
_FAST = fast_validator(Facts)


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class whose fields sit at `loc` inside Facts (list indices skipped)."""
    model: type[BaseModel] = Facts
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        inner = innermost_model(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _problem_from_error(error: Mapping[str, Any], file: str | None) -> Problem:
    loc = tuple(error["loc"])
    path = format_path(loc)
    kind = error["type"]
    found = error.get("input")
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        known = list(parent.model_fields) if parent else []
        hint = did_you_mean(str(loc[-1]), known)
        return Problem(path, f"unknown key '{loc[-1]}'{hint} (known keys here: {', '.join(known)})", file)
    if kind == "missing":
        return Problem(path, "required field is missing", file)
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return Problem(path, f"expected one of {expected} (or its Chinese label), found {excerpt(found)}", file)
    message = str(error["msg"]).removeprefix("Value error, ")
    shown = "" if isinstance(found, dict | list) else f" (found {excerpt(found)})"
    return Problem(path, f"{message}{shown}", file)


def parse_facts(document: object, file: str | None = None) -> Facts:
    """Validate a facts document (a mapping as read from YAML/JSON) into the model, or raise FactsError."""
    if type(document) is not dict:  # a plain dict, as JSON and YAML give, is validated as it is
        if isinstance(document, Facts):
            return document
        if not isinstance(document, Mapping):
            kind = type(document).__name__
            raise FactsError([Problem("", f"expected a mapping with an 'enterprise' key, found {kind}", file)])
        document = dict(document)
    try:
        return _FAST.validate_python(document)  # type: ignore[no-any-return]
    except ValidationError:
        pass  # a wider form or an error: the model decides and says where
    try:
        return Facts.model_validate(document)
    except ValidationError as exc:
        raise FactsError([_problem_from_error(e, file) for e in exc.errors()]) from None
