"""Hypothesis strategies for valid facts documents (contract sections 1-2) and evaluation dates.

The documents are built from the pydantic models of policyrules.facts.model, field by field: a new boolean,
enumeration, date or nested model added to the fact model is generated without touching this module, and a
field of a type this module does not know fails the first test that draws a document, naming the field.
Only the fields whose validity ties them to other fields (uscc and permit_no, the listing's dates, the case
date) are built by hand.

Generation is biased so that rules fire: booleans are true two times in three, most enterprises are listed,
enumerations are uniform over their codes and Chinese labels, events cluster around the evaluation date
(some after it, which must not count), and text facts the pack compares with take the pack's literals.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from hypothesis import strategies as st
from pydantic import BaseModel

from policyrules import Pack, load_pack
from policyrules.conditions import shift
from policyrules.facts import (
    USCC_CHARSET,
    Enterprise,
    Facts,
    LabeledEnum,
    Listing,
    ViolationCase,
    uscc_check_char,
)
from policyrules.packs import NATIONAL_CREDIT_SCHEME, shipped_pack_ids

DATE_MIN = date(2021, 8, 6)
DATE_MAX = date(2025, 12, 31)
HISTORY = timedelta(days=6 * 366)  # how far back events and listings go
LOOKAHEAD = timedelta(days=400)  # how far after the evaluation date events go (they must not count)

TEXT = st.text(alphabet="示例环保科技有限公司渝北区鼓楼ABC123 ", min_size=1, max_size=12).map(str.strip).filter(bool)
BIASED_BOOL = st.sampled_from((False, True, True))  # shrinks to False; true two times in three

Document = dict[str, Any]


# --- reading the fact model ----------------------------------------------------------------------------------


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the type inside Optional[...] and Annotated[...], whether None is allowed)."""
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) < len(get_args(annotation))
        annotation = args[0] if len(args) == 1 else annotation
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation, optional


def boolean_paths(model: type[BaseModel] = Facts, prefix: str = "") -> tuple[str, ...]:
    """Every boolean fact path of the model, nested models included (enterprise.traits.low_risk, ...)."""
    out: list[str] = []
    for name, info in model.model_fields.items():
        inner, _ = _unwrap(info.annotation)
        if inner is bool:
            out.append(prefix + name)
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            out.extend(boolean_paths(inner, f"{prefix}{name}."))
    return tuple(out)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def enum_values(enum: type[LabeledEnum]) -> st.SearchStrategy[str]:
    """A code or its Chinese label, uniform over the codes."""
    return st.sampled_from(tuple(enum.labels().items())).flatmap(lambda pair: st.sampled_from(pair))


def _dates(lo: date, hi: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=lo, max_value=max(lo, hi))


def _date_value(day: date, as_text: bool) -> date | str:
    return day.isoformat() if as_text else day  # JSON documents carry text, YAML documents dates


def field_strategy(owner: str, annotation: Any, as_of: date, texts: Mapping[str, Sequence[str]], path: str) -> Any:
    """A strategy for one field's value, from its annotation."""
    inner, _ = _unwrap(annotation)
    if inner is bool:
        return BIASED_BOOL
    if inner is str:
        literals = tuple(texts.get(path, ()))
        return st.one_of(st.sampled_from(literals), TEXT) if literals else TEXT
    if inner is date:
        return st.tuples(_dates(as_of - HISTORY, as_of + LOOKAHEAD), st.booleans()).map(lambda p: _date_value(*p))
    if isinstance(inner, type) and issubclass(inner, LabeledEnum):
        return enum_values(inner)
    if _is_model(inner):
        return model_strategy(inner, as_of, texts, path + ".")
    if get_origin(inner) is tuple:
        element, _ = _unwrap(get_args(inner)[0])
        if isinstance(element, type) and issubclass(element, LabeledEnum):
            # each member in or out with even odds, by code or by label
            members = st.tuples(*(st.tuples(st.booleans(), st.sampled_from(p)) for p in element.labels().items()))
            return members.map(lambda ms: [value for chosen, value in ms if chosen])
        if isinstance(element, type) and issubclass(element, BaseModel):
            return st.lists(model_strategy(element, as_of, texts, path + "."), max_size=3)
    raise TypeError(
        f"tests/strategies.py cannot generate {owner}.{path.rsplit('.', 1)[-1]} of type {annotation!r}; "
        "teach field_strategy this type"
    )


@st.composite
def model_strategy(
    draw: st.DrawFn,
    model: type[BaseModel],
    as_of: date,
    texts: Mapping[str, Sequence[str]],
    prefix: str,
    overrides: Mapping[str, st.SearchStrategy[Any]] | None = None,
) -> Document:
    """A document for `model`: required fields, booleans (biased to true) and nested groups with defaults
    always, every other field two times in three (so optional parts are usually there, and their absence is
    exercised too)."""
    overrides = overrides or {}
    doc: Document = {}
    for name, info in model.model_fields.items():
        inner, optional = _unwrap(info.annotation)
        always = info.is_required() or inner is bool or (_is_model(inner) and not optional)  # e.g. traits
        if not (always or draw(BIASED_BOOL)):
            continue
        strategy = overrides.get(name)
        if strategy is None:
            strategy = field_strategy(model.__name__, info.annotation, as_of, texts, prefix + name)
        doc[name] = draw(strategy)
    return doc


# --- the fields that depend on each other ----------------------------------------------------------------------


@st.composite
def usccs(draw: st.DrawFn) -> str:
    """A valid 统一社会信用代码: 17 characters of the GB 32100-2015 set and its check character."""
    first17 = draw(st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17))
    return first17 + uscc_check_char(first17)


@st.composite
def listings(draw: st.DrawFn, as_of: date, texts: Mapping[str, Sequence[str]]) -> Document:
    """Mostly listed before `as_of` (up to six years before, so validity periods run out); sometimes
    listed after it, or removed (before or after it)."""
    listed_on = draw(
        st.sampled_from((True, True, True, True, False)).flatmap(
            lambda before: _dates(as_of - HISTORY, as_of) if before else _dates(as_of, as_of + LOOKAHEAD)
        )
    )
    if draw(st.integers(0, 5)) == 0:  # a validity period running out around the evaluation date
        listed_on = shift(as_of, ("years", 3)) + timedelta(days=draw(st.integers(-2, 2)))
    as_text = draw(st.booleans())
    doc: Document = {"listed_on": _date_value(listed_on, as_text)}
    category_type = Listing.model_fields["category"].annotation
    category = draw(field_strategy("Listing", category_type, as_of, texts, "enterprise.listing.category") | st.none())
    if category is not None:
        doc["category"] = category
    if draw(st.sampled_from((False, False, False, False, False, True))):
        removed = draw(_dates(listed_on, listed_on + HISTORY))
        doc["removed_on"] = _date_value(removed, as_text)
    return doc


@st.composite
def enterprises(
    draw: st.DrawFn, as_of: date, grades: Sequence[tuple[str, str]], texts: Mapping[str, Sequence[str]]
) -> Document:
    uscc = draw(usccs())
    permit = st.tuples(st.integers(0, 999), st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ")).map(
        lambda p: f"{uscc}{p[0]:03d}{p[1]}"
    )
    rating = st.sampled_from(tuple(grades)).flatmap(lambda pair: st.sampled_from(pair))
    overrides: dict[str, st.SearchStrategy[Any]] = {
        "uscc": st.just(uscc),
        "permit_no": permit,
        "credit_rating": rating,
        "listing": listings(as_of, texts),
    }
    doc = draw(model_strategy(Enterprise, as_of, texts, "enterprise.", overrides))
    if "listing" not in doc and draw(BIASED_BOOL):
        doc["listing"] = draw(listings(as_of, texts))  # a listing eight times in nine
    return doc


@st.composite
def facts_documents(
    draw: st.DrawFn,
    as_of: date,
    grades: Sequence[tuple[str, str]] = tuple((g.code, g.label) for g in NATIONAL_CREDIT_SCHEME.grades),
    texts: Mapping[str, Sequence[str]] | None = None,
) -> Document:
    """A valid facts document for an evaluation on `as_of` (credit grades as (code, label) pairs)."""
    texts = texts or {}
    case_date = _dates(as_of - HISTORY, as_of).flatmap(
        lambda d: st.sampled_from((d, d.isoformat()))
    )  # a case must be known on the evaluation date
    overrides: dict[str, st.SearchStrategy[Any]] = {
        "enterprise": enterprises(as_of, grades, texts),
        "violation_case": model_strategy(ViolationCase, as_of, texts, "violation_case.", {"date": case_date}),
    }
    doc = draw(model_strategy(Facts, as_of, texts, "", overrides))
    _near_listing_dates(draw, doc, as_of)
    return doc


def _near_listing_dates(draw: st.DrawFn, doc: Document, as_of: date) -> None:
    """Dates that matter to a listing, often hit: a violation case around the listing, its removal or the end
    of its validity (read on the day of the conduct), and an inspection around a year before the listing (an
    entry test's window)."""
    listing = doc["enterprise"].get("listing")
    if not listing:
        return
    listed_on = date.fromisoformat(str(listing["listed_on"]))
    anchors = [listed_on, shift(listed_on, ("years", 3), +1)]
    if "removed_on" in listing:
        anchors.append(date.fromisoformat(str(listing["removed_on"])))
    case = doc.get("violation_case")
    if case is not None and draw(st.booleans()):
        day = draw(st.sampled_from(anchors)) + timedelta(days=draw(st.integers(-2, 2)))
        if day <= as_of:
            case["date"] = day.isoformat()
    if draw(st.booleans()):
        day = shift(listed_on, ("years", 1)) + timedelta(days=draw(st.integers(-2, 2)))
        doc["enterprise"].setdefault("inspections", []).append({"date": day.isoformat(), "on_site": True})


def evaluation_dates(lo: date = DATE_MIN, hi: date = DATE_MAX) -> st.SearchStrategy[date]:
    return _dates(lo, hi)


@st.composite
def facts_and_dates(draw: st.DrawFn) -> tuple[Document, date]:
    """(a facts document, an evaluation date in 2021-08-06 .. 2025-12-31) for the national scheme."""
    as_of = draw(evaluation_dates())
    return draw(facts_documents(as_of)), as_of


# --- every shipped pack --------------------------------------------------------------------------------------


@cache
def shipped_pack(pack_id: str) -> Pack:
    """One loaded pack per id for the whole test session (its engines are built once)."""
    return load_pack(pack_id)


def force_window(pack: Pack) -> tuple[date, date]:
    """The evaluation dates to draw for a pack: 2021-08-06 .. 2025-12-31 within its force window, or its
    whole force window when the two do not meet; from the start of its window for a pack superseded from a
    date, so that both regimes are drawn."""
    doc = pack.definition.primary
    start, end = doc.in_force_from or date.min, doc.in_force_until or date.max
    lo, hi = max(DATE_MIN, start), min(DATE_MAX, end)
    supersession = pack.definition.meta.supersession
    if supersession is not None and start < supersession.from_:
        lo = start  # both regimes: before the superseding pack prevails, and after
    if lo > hi:
        lo, hi = (start if doc.in_force_from else end - HISTORY), (end if doc.in_force_until else start + HISTORY)
    return lo, hi


def pack_texts(pack: Pack) -> dict[str, tuple[str, ...]]:
    """Fact path -> the literals the pack compares that text fact with (e.g. listing categories)."""
    return {key: atom.domain for key, atom in pack.compiled.atoms.items() if atom.kind == "text" and atom.domain}


def pack_grades(pack: Pack) -> tuple[tuple[str, str], ...]:
    return tuple((g.code, g.label) for g in pack.definition.credit_scheme.grades)


@st.composite
def pack_cases(draw: st.DrawFn, pack_ids: Sequence[str] | None = None) -> tuple[str, Document, date]:
    """(pack id, facts document, evaluation date) over every shipped pack, inside the pack's force window,
    with the pack's credit scheme and the text literals its rules compare with."""
    pack_id = draw(st.sampled_from(tuple(pack_ids or shipped_pack_ids())))
    pack = shipped_pack(pack_id)
    as_of = draw(evaluation_dates(*force_window(pack)))
    facts = draw(facts_documents(as_of, pack_grades(pack), pack_texts(pack)))
    return pack_id, facts, as_of
