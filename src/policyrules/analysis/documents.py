"""Between points of the domain and concrete facts: the smallest facts document that realises a point (the
witness of a region, and what an atom is read from), and the point a facts document falls on."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from ..conditions import COUNT_FILTERS, Value, as_known_on, complete_years, shift
from ..facts import Facts, parse_facts
from .dimensions import QUESTIONS, WITNESS_NAME, WITNESS_USCC, Assignment, Dim, model_default
from .events import EventClasses


def facts_document(
    point: Mapping[str, Value], dims: Mapping[str, Dim], events: EventClasses, as_of: date
) -> dict[str, Any]:
    """The smallest facts document realising `point` (unassigned dimensions take their default): only
    fields that differ from the fact model's defaults are written."""
    doc = _skeleton(point, as_of)
    enterprise: dict[str, Any] = doc["enterprise"]
    entry_day = events.entry_day(parse_facts(doc).enterprise.listing) if events.entry_windows else None
    for name, value in point.items():
        dim = dims[name]
        if dim.gate is not None and point.get(dim.gate[0], dims[dim.gate[0]].values[0]) not in dim.gate[1]:
            continue
        if dim.kind == "fact" and dim.path != "inspection_request.grounds":
            if value is None or value == model_default(dim.path):
                continue
            _put(doc, dim.path, value)
        elif dim.kind == "contains" and value:
            head, rest = dim.path.split(".", 1)
            doc[head].setdefault(rest, []).append(dim.member)
        elif dim.kind == "events" and value:
            assert dim.event is not None
            event = events.fields(dim.event, entry_day)
            enterprise.setdefault(dim.event.subject, []).extend(dict(event) for _ in range(int(value)))
    for subject in COUNT_FILTERS:
        if subject in enterprise and subject != "objections":
            enterprise[subject].sort(key=lambda e: e["date"], reverse=True)
    return doc


def _skeleton(point: Mapping[str, Value], as_of: date) -> dict[str, Any]:
    """The enterprise, the questions asked and the listing state (with its age) of the point."""
    enterprise: dict[str, Any] = {"name": WITNESS_NAME, "uscc": WITNESS_USCC}
    doc: dict[str, Any] = {"enterprise": enterprise}
    asked = {q: bool(point.get(f"question:{q}", False)) for q in QUESTIONS}
    state = point.get("listing", "absent")
    if asked["inspection_request"]:
        doc["inspection_request"] = {"grounds": point.get("fact:inspection_request.grounds", "complaint")}
    if asked["violation_case"]:
        age = int(point.get("age:violation_case.date", 0) or 0)
        doc["violation_case"] = {"date": shift(as_of, ("years", age)).isoformat()}
    if state != "absent":
        age = int(point.get("age:enterprise.listing.listed_on", 0) or 0)
        listed_on = shift(shift(as_of, ("years", age)), ("months", 1))
        listing: dict[str, Any] = {"listed_on": listed_on.isoformat()}
        enterprise["listing"] = listing
        if state == "removed":
            listing["removed_on"] = date.fromordinal(as_of.toordinal() - 1).isoformat()
    return doc


def facts_point(
    facts: Facts, dims: Mapping[str, Dim], events: EventClasses, grade_codes: Mapping[str, str], as_of: date
) -> Assignment:
    """The point of the domain a concrete facts document falls on (what it is on the evaluation date):
    the inverse of `facts_document`, computed from the facts rather than from the atoms."""
    known = as_known_on(facts, as_of)
    ent = known.enterprise
    listing = ent.listing
    point: Assignment = {
        "listing": "absent" if listing is None else "removed" if listing.removed_on else "current",
        **{f"question:{q}": getattr(known, q) is not None for q in QUESTIONS},
    }
    for name, dim in dims.items():
        if dim.kind == "age":
            start = _get(known, dim.path)
            years = complete_years(start, as_of) if isinstance(start, date) else 0
            point[name] = max(v for v in dim.values if isinstance(v, int) and v <= max(years, 0))
        elif dim.kind == "fact":
            value = _get(known, dim.path)
            value = str(value.value) if isinstance(value, StrEnum) else value
            if dim.field_kind == "grade" and value is not None:
                value = grade_codes[str(value)]
            if dim.field_kind == "text" and value is not None and value not in dim.values[1:-1]:
                value = dim.values[-1]
            point[name] = value if value in dim.values else dim.values[0]
        elif dim.kind == "contains":
            members = _get(known, dim.path) or ()
            point[name] = dim.member in {str(getattr(m, "value", m)) for m in members}
        elif dim.kind == "events":
            assert dim.event is not None
            found = getattr(ent, dim.event.subject)
            entry_day = events.entry_day(listing)
            count = sum(1 for e in found if events.class_of(dim.event.subject, e, entry_day) == dim.event)
            point[name] = min(count, int(dim.values[-1] or 0))
    return point


def _get(facts: Facts, path: str) -> Any:
    current: Any = facts
    for part in path.split("."):
        current = getattr(current, part, None)
        if current is None:
            return None
    return current


def _put(doc: dict[str, Any], path: str, value: Value) -> None:
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
