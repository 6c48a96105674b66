"""What a condition may name: every fact path of the model with what may be done with it, the derived facts,
and the events that may be counted with their filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from ..facts import Enterprise, Facts, LabeledEnum

COUNT_FILTERS: dict[str, tuple[str, ...]] = {
    "violations": ("within", "serious", "kind"),
    "inspections": ("within", "on_site"),
    "objections": ("upheld", "objector", "reasoned"),
}
DERIVED_FACTS: dict[str, str] = {
    "listed": "正面清单企业: listed on or before the day read, not removed by it, and within the pack's "
    "listing validity (pack.yaml listing_validity) on it",
    "listing_not_removed": "a listing recorded on or before the day read and not removed by it, whether or not "
    "its validity has run out (the listing decision is asked exactly then)",
}
# What `read_on:` may name besides the date fields of the model: the day the enterprise entered the list, while
# it is on it (else the evaluation date).
READ_ON_ENTRY = "entry"


@dataclass(frozen=True)
class FieldInfo:
    kind: Literal["bool", "enum", "text", "grade", "date", "events", "group", "optional_group", "enum_list"]
    enum: type[LabeledEnum] | None = None


def fact_fields() -> dict[str, FieldInfo]:
    """Every fact path of the model (contract sections 1-2) with what a condition may do with it."""
    out: dict[str, FieldInfo] = {}
    _walk_model(Facts, "", out)
    out["enterprise.credit_rating"] = FieldInfo("grade")
    return out


def _walk_model(model: type[BaseModel], prefix: str, out: dict[str, FieldInfo]) -> None:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = type(None) in get_args(annotation)
        inner = args[0] if optional and len(args) == 1 else annotation
        inner = get_args(inner)[0] if get_origin(inner) is not None and _is_annotated(inner) else inner
        if get_origin(inner) is tuple:
            element = get_args(inner)[0]
            element = get_args(element)[0] if _is_annotated(element) else element
            if isinstance(element, type) and issubclass(element, LabeledEnum):
                out[path] = FieldInfo("enum_list", element)
            else:
                out[path] = FieldInfo("events")
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            out[path] = FieldInfo("optional_group" if optional else "group")
            _walk_model(inner, path + ".", out)
        elif inner is bool:
            out[path] = FieldInfo("bool")
        elif isinstance(inner, type) and issubclass(inner, LabeledEnum):
            out[path] = FieldInfo("enum", inner)
        elif inner is date:
            out[path] = FieldInfo("date")
        else:
            out[path] = FieldInfo("text")


def event_fields() -> dict[str, dict[str, FieldInfo]]:
    """The fields of each countable event, by event list (violations -> date, serious, kind), read from the
    model as the fact paths are."""
    out: dict[str, dict[str, FieldInfo]] = {}
    for subject in COUNT_FILTERS:
        element = get_args(Enterprise.model_fields[subject].annotation)[0]
        out[subject] = {}
        _walk_model(element, "", out[subject])
    return out


def _is_annotated(tp: Any) -> bool:
    return hasattr(tp, "__metadata__")


FACT_FIELDS = fact_fields()
EVENT_FIELDS = event_fields()
