"""The fast path of fact validation: the fact model's own pydantic-core schema with every Python validator that
only widens what is accepted replaced by pydantic-core's strict native form, so that a document written the
usual way (JSON booleans, ISO dates, enumeration codes, identifiers as text) is validated without calling
Python per field.

Why it is safe: the fast schema accepts a subset of what the model accepts, and gives the same value for it.

- `parse_bool` (是/否, "yes", 1/0, …) becomes a strict boolean: only `True`/`False`;
- `parse_date` (2021/9/30, 2021年9月30日, 20210930, datetimes at midnight, …) becomes a strict `date`, or a
  text exactly `YYYY-MM-DD` that pydantic-core reads as that calendar date (an impossible day fails);
- an enumeration's label parser (Chinese labels, quotes and spaces) becomes the enumeration by its code;
- the digits-as-text validators (YAML's `uscc: 915…` read as a number) become plain text;
- the 统一社会信用代码 check on `uscc` and the permit check on the enterprise become one after-validator
  that only answers yes or no (`identifiers.identifiers_valid`).

Anything the fast schema refuses — a Chinese label, 是, a bad check character, a misspelt key — is validated
again by the model itself (parse.py), which accepts the wider forms or reports the located error exactly as
before. So the one parser (values.py) still decides every value; this is its common case, compiled.
tests/test_fast_facts.py checks, on generated documents in every accepted form, that whatever the fast path
accepts the model accepts with an equal result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator
from pydantic_core import core_schema as cs

from .enums import LabeledEnum
from .identifiers import identifiers_valid
from .model import Enterprise, Facts, Listing
from .values import parse_bool, parse_date

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"

# The model's widening validators and what each becomes in the fast schema (given the inner schema).
_LABEL_PARSER = vars(LabeledEnum)["parse"].__func__  # the classmethod's function, shared by every enumeration
_DIGITS_AS_TEXT = (Enterprise._digits_as_text.__func__, Listing._category_as_text.__func__)  # type: ignore[attr-defined]


def _fast_date() -> cs.CoreSchema:
    iso_text = cs.chain_schema([cs.str_schema(pattern=ISO_DATE), cs.date_schema()])
    return cs.union_schema([iso_text, cs.date_schema(strict=True)], mode="left_to_right")


def _replacement(function: Callable[..., Any], inner: cs.CoreSchema) -> cs.CoreSchema:
    """What a model's before-validator becomes: its strict native form."""
    if function is parse_bool:
        return cs.bool_schema(strict=True)
    if function is parse_date:
        return _fast_date()
    unbound = getattr(function, "__func__", None)
    if unbound is _LABEL_PARSER or unbound in _DIGITS_AS_TEXT:
        return inner
    raise TypeError(f"the fast fact schema does not know the validator {function!r}; add its strict form here")


def _after(function: Callable[..., Any], schema: cs.CoreSchema) -> cs.CoreSchema:
    """What a model's after-validator becomes: the identifier checks as one yes/no check on the enterprise."""
    unbound = getattr(function, "__func__", function)
    if unbound is Enterprise._valid_uscc.__func__:  # type: ignore[attr-defined]
        return schema  # checked with the permit by _identifiers_checked, on the enterprise
    if unbound is Enterprise._permit_matches_uscc:
        return cs.no_info_after_validator_function(_identifiers_checked, schema)
    return cs.no_info_after_validator_function(function, schema)


def _identifiers_checked(enterprise: Enterprise) -> Enterprise:
    if not identifiers_valid(enterprise.uscc, enterprise.permit_no):
        raise ValueError("identifiers")  # the model reports which and why
    return enterprise


def fast_schema(schema: Any) -> Any:
    """`schema` (a model's core schema, as a plain structure) with every validator replaced as above."""
    if isinstance(schema, list):
        return [fast_schema(part) for part in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if kind == "function-before":
        return _replacement(schema["function"]["function"], fast_schema(schema["schema"]))
    if kind == "function-after":
        return _after(schema["function"]["function"], fast_schema(schema["schema"]))
    if kind in ("function-wrap", "function-plain"):
        raise TypeError(f"the fast fact schema does not know the {kind} validator {schema['function']!r}")
    return {key: fast_schema(value) for key, value in schema.items()}


def fast_validator(model: type[BaseModel] = Facts) -> SchemaValidator:
    """A validator that builds `model` instances from documents written the usual way, or raises."""
    schema = fast_schema(model.__pydantic_core_schema__)
    with _validators_not_reused(_models_in(schema)):
        return SchemaValidator(schema)


def _models_in(schema: Any) -> set[type[BaseModel]]:
    if isinstance(schema, list):
        return set().union(*(_models_in(part) for part in schema))
    if not isinstance(schema, dict):
        return set()
    found = {schema["cls"]} if schema.get("type") == "model" else set()
    return found.union(*(_models_in(value) for value in schema.values()))


@contextmanager
def _validators_not_reused(models: set[type[BaseModel]]) -> Iterator[None]:
    """pydantic-core builds a model's schema by reusing the model's own, already built validator when the class
    says it is complete (`__pydantic_complete__`, pydantic-core's "prebuilt" validators), which would bring back
    every Python validator this module replaces. While the fast validator is built (once, at import), the models
    say they are not complete; nothing else is built from them in that time."""
    complete = {model: model.__dict__.get("__pydantic_complete__") for model in models}
    try:
        for model in models:
            model.__pydantic_complete__ = False
        yield
    finally:
        for model, was in complete.items():
            model.__pydantic_complete__ = bool(was)
