"""A region in words, as a lawyer reads it: the conditions every point meets, then the exceptions
("listed ∧ grounds ∈ {complaint, media, referral} ∧ approvals ∌ enforcement_head")."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from typing import Any

from ..conditions import Value
from .dimensions import Dim, EventClass, Region, short
from .domain import Domain
from .events import EVENT_ATTRIBUTES
from .search import Row


def describe(domain: Domain, row: Row) -> str:
    """The region as a lawyer reads it: the conditions every point meets, then the exceptions."""
    universe = list(row.hull)
    text = describe_region(domain, row.hull, universe)
    if row.alternatives:
        either = " ∨ ".join(f"({describe_region(domain, c, universe)})" for c in row.alternatives)
        text = either if text == "every enterprise" else f"{text} ∧ [{either}]"
    if row.exceptions:
        text += " — except where " + " ∨ ".join(f"({describe_region(domain, e, universe)})" for e in row.exceptions)
    return text


def split_region(
    domain: Domain, region: Region
) -> tuple[list[tuple[str, Dim, frozenset[Value]]], dict[str, list[str]]]:
    """What a region constrains, in the order said: the dimensions it narrows (name, dimension, values), and per
    event list the classes it holds at no events, which are said together (English and Chinese alike)."""
    narrowed: list[tuple[str, Dim, frozenset[Value]]] = []
    zero: dict[str, list[str]] = {}
    for name, values in region.items():
        dim = domain.dims[name]
        if values == frozenset(dim.values):
            continue
        if dim.kind == "events" and values == frozenset({0}):
            assert dim.event is not None
            zero.setdefault(dim.event.subject, []).append(name)
            continue
        narrowed.append((name, dim, values))
    return narrowed, zero


def describe_region(domain: Domain, region: Region, universe: Collection[str]) -> str:
    narrowed, events = split_region(domain, region)
    parts = [_describe_dim(dim, values) for _, dim, values in narrowed]
    for subject, zero in events.items():
        parts += describe_no_events(domain, subject, zero, universe)
    return " ∧ ".join(parts) or "every enterprise"


def describe_no_events(domain: Domain, subject: str, zero: Collection[str], universe: Collection[str]) -> list[str]:
    """ "No events of these classes", said with as few attribute combinations as cover them: e.g. the
    violation classes that are serious or of the named kinds become `no violations[serious] ∧ no
    violations[kind ∈ {…}]`."""
    out = []
    for restricted, _ in no_event_groups(domain, subject, zero, universe):
        parts = [domain.events.attribute_text(subject, attr, values) for attr, values in restricted]
        out.append(f"no {subject}" + (f"[{', '.join(parts)}]" if parts else ""))
    return out


def no_event_groups(
    domain: Domain, subject: str, zero: Collection[str], universe: Collection[str]
) -> list[tuple[list[tuple[str, list[Any]]], set[str]]]:
    """The attribute combinations that cover the classes held at zero, fewest first: each as the attributes it
    restricts (with their allowed values) and the dimensions it covers. A combination may only cover classes
    the region holds at zero (a class no rule reads may have any number of events, so it is never swept in)."""
    dims_by_class = {
        domain.dims[name].event: name
        for name in universe
        if domain.dims[name].kind == "events" and domain.dims[name].path == subject
    }
    classes = domain.events.classes(subject)
    options: list[list[tuple[Any, ...]]] = []
    for attr in EVENT_ATTRIBUTES:
        values = sorted({getattr(c, attr) for c in classes}, key=repr)
        options.append([c for n in range(1, len(values) + 1) for c in itertools.combinations(values, n)])

    def covers(product: Sequence[tuple[Any, ...]], cls: EventClass | None) -> bool:
        return all(getattr(cls, a) in allowed for a, allowed in zip(EVENT_ATTRIBUTES, product, strict=True))

    valid = [
        p for p in itertools.product(*options) if all(dims_by_class.get(c) in zero for c in classes if covers(p, c))
    ]
    todo = set(zero)
    out = []
    while todo:
        best = max(
            valid,
            key=lambda p: (
                sum(1 for c, n in dims_by_class.items() if n in todo and covers(p, c)),
                sum(map(len, p)),
            ),
        )
        covered = {n for c, n in dims_by_class.items() if covers(best, c)}
        todo -= covered
        restricted = [
            (attr, [v for v in allowed if v is not None])
            for attr, allowed, full in zip(EVENT_ATTRIBUTES, best, options, strict=True)
            if len(allowed) < len(full[-1])
        ]
        out.append((restricted, covered))
    return out


def _describe_dim(dim: Dim, values: frozenset[Value]) -> str:
    ordered = [v for v in dim.values if v in values]
    if dim.kind == "listing":
        names = {
            ("current",): "listed",
            ("absent",): "never listed",
            ("removed",): "removed from the list",
            ("absent", "removed"): "not listed",
            ("current", "removed"): "listed now or before",
        }
        return names.get(tuple(map(str, ordered)), "listing ∈ {" + ", ".join(map(str, ordered)) + "}")
    if dim.kind == "question":
        return f"{dim.path} asked" if ordered == [True] else f"no {dim.path}"
    if dim.kind == "contains":
        path = short(dim.path)
        return f"{path} ∋ {dim.member}" if ordered == [True] else f"{path} ∌ {dim.member}"
    if dim.kind == "fact" and dim.field_kind == "bool":
        return dim.label if ordered == [True] else f"¬{dim.label}"
    if dim.kind in ("age", "events"):
        return f"{dim.label} {int_set(dim, [int(v or 0) for v in ordered])}"
    shown = [_show_value(dim, v) for v in ordered]
    rest = [_show_value(dim, v) for v in dim.values if v not in values]
    if len(shown) == 1:
        return f"{dim.label} = {shown[0]}"
    named_only = dim.field_kind == "text" and all(v is not None and v != dim.values[-1] for v in ordered)
    if len(rest) == 1 and not named_only:
        return f"{dim.label} ≠ {rest[0]}"
    if len(rest) < len(shown) and not named_only:
        return f"{dim.label} ∉ {{{', '.join(rest)}}}"
    return f"{dim.label} ∈ {{{', '.join(shown)}}}"


def _show_value(dim: Dim, value: Value) -> str:
    if value is None:
        return "(absent)"
    if dim.field_kind == "text" and value == dim.values[-1]:
        return "(any other text)"
    return str(value)


def int_set(dim: Dim, chosen: list[int]) -> str:
    """A set of values of an ordered dimension as a range. Event counts: the top value stands for itself and
    more. Ages: each value starts a bucket that runs to the next value (the last one is open)."""
    values = [int(v or 0) for v in dim.values]
    first, last = values.index(chosen[0]), values.index(chosen[-1])
    contiguous = chosen == values[first : last + 1]
    upper = values[last + 1] if last + 1 < len(values) else None  # the first value above the chosen span
    if contiguous and upper is None:
        return f"≥ {chosen[0]}"
    if contiguous and upper == chosen[-1] + 1 and chosen[0] == chosen[-1]:
        return f"= {chosen[0]}"
    if contiguous and first == 0:
        return f"< {upper}"
    if contiguous:
        return f"∈ [{chosen[0]}, {upper})"
    shown = [f"≥ {v}" if v == values[-1] else str(v) for v in chosen]
    return "∈ {" + ", ".join(shown) + "}"
