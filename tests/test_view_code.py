"""The generated view function (conditions/view_code.py) gives exactly the view the atoms' own getters give (view.py):
same keys in the same order, same values of the same types, None where a getter gives None.

Checked on generated facts for every shipped pack, and for every form of atom the generator writes — every fact
of the model, presence, membership, the derived listing facts, years since and counts with every filter, each
read on the evaluation date, on the entry day and on each date of the facts — under several listing validities,
on facts whose dates are drawn on the edges that matter: the first and last day of a window, the day a validity
runs out, 29 February and the ends of months, events after the day read, an objection whose objector is not
recorded, a listing removed or run out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache
from typing import Any

from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from policyrules import parse_facts
from policyrules.conditions import FACT_FIELDS, Atom, Context, Period, as_known_on, shift
from policyrules.conditions.leaves import LeafParser
from policyrules.conditions.view_code import compile_view, generate_view_source
from policyrules.facts import Approval, Facts, Objector, ViolationKind, uscc_check_char
from policyrules.packs import NATIONAL_CREDIT_SCHEME, Where
from strategies import Document, evaluation_dates, facts_documents, pack_cases, shipped_pack

SAME = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALIDITIES: tuple[Period | None, ...] = (None, ("years", 3), ("years", 1), ("months", 6), ("days", 30))
WINDOWS: tuple[Period, ...] = (("years", 1), ("years", 3), ("months", 1), ("months", 6), ("days", 30))
DATE_PATHS = tuple(p for p, i in FACT_FIELDS.items() if i.kind == "date")
DAYS_READ_ON = (None, "entry", *DATE_PATHS)
EDGE_DAYS = tuple(
    date(y, m, d)
    for y, m, d in (
        (2024, 2, 29), (2024, 2, 28), (2024, 3, 1), (2023, 2, 28), (2023, 3, 1), (2025, 2, 28), (2022, 2, 28),
        (2023, 3, 31), (2024, 4, 30), (2024, 8, 31), (2023, 12, 31), (2025, 1, 1),
    )
)  # fmt: skip


def check_same_view(atoms: Mapping[str, Atom], facts: Facts, as_of: date, grade_codes: Mapping[str, str]) -> None:
    ctx = Context(facts, as_of, grade_codes)
    by_getters = {key: atom.read(ctx) for key, atom in atoms.items()}
    generated = compile_view(atoms, "test")(facts, as_of, grade_codes)
    assert list(generated) == list(by_getters)
    assert [(v, type(v)) for v in generated.values()] == [(v, type(v)) for v in by_getters.values()]


@SAME
@given(pack_cases())
def test_the_generated_view_is_the_getters_view(case: tuple[str, Document, date]) -> None:
    pack_id, facts, as_of = case
    compiled = shipped_pack(pack_id).compiled
    known = as_known_on(parse_facts(facts), as_of)
    check_same_view(compiled.atoms, known, as_of, compiled.grade_codes)
    ctx = Context(known, as_of, compiled.grade_codes)
    assert compiled.view(parse_facts(facts), as_of) == {key: atom.read(ctx) for key, atom in compiled.atoms.items()}


# --- every form of atom -----------------------------------------------------------------------------------------


def leaf_specs() -> list[tuple[str, dict[str, Any]]]:
    """(subject, raw leaf) for every form of atom the pack format can say."""
    specs: list[tuple[str, dict[str, Any]]] = []
    for path, info in FACT_FIELDS.items():
        if info.kind == "bool":
            specs.append(("fact", {"fact": path}))
        elif info.kind == "enum" and info.enum is not None:
            specs.append(("fact", {"fact": path, "is": next(iter(info.enum.labels()))}))
        elif info.kind == "grade":
            specs += [("fact", {"fact": path, "is": "good"}), ("fact", {"fact": path, "present": True})]
        elif info.kind == "text":
            specs += [("fact", {"fact": path, "is": "渝北区"}), ("fact", {"fact": path, "present": True})]
        elif info.kind in ("optional_group", "date"):
            specs.append(("fact", {"fact": path, "present": True}))
        elif info.kind == "enum_list" and info.enum is not None:
            specs += [("fact", {"fact": path, "contains": code}) for code in info.enum.labels()]
    for on in DAYS_READ_ON:
        day = {} if on is None else {"read_on": on}
        specs += [("fact", {"fact": name, **day}) for name in ("listed", "listing_not_removed")]
        specs += [("years_since", {"years_since": path, "at_least": 1, **day}) for path in DATE_PATHS]
        specs += [("count", {"count": "violations", "at_least": 1, **day, **f}) for f in violation_filters()]
        specs += [
            ("count", {"count": "inspections", "at_least": 1, **day, **f})
            for f in (
                {},
                {"on_site": True},
                {"on_site": False},
                *({"on_site": True, "within": {w[0]: w[1]}} for w in WINDOWS),
            )
        ]
    objectors = (["department", "industry_association", "social_organisation"], ["other"], list(Objector))
    specs += [
        ("count", {"count": "objections", "at_least": 1, **f})
        for f in (
            {},
            {"upheld": True},
            {"reasoned": False},
            *({"objector": [str(o) for o in who], "upheld": True, "reasoned": True} for who in objectors),
        )
    ]
    return specs


def violation_filters() -> list[dict[str, Any]]:
    kinds = (["malicious_discharge", "falsified_records", "evading_supervision"], ["exceedance"], list(ViolationKind))
    out: list[dict[str, Any]] = [{}, {"serious": True}, {"serious": False}]
    out += [{"kind": [str(k) for k in ks]} for ks in kinds]
    out += [{"within": {w[0]: w[1]}} for w in WINDOWS]
    out += [{"within": {"years": 1}, "serious": True}, {"within": {"months": 6}, "kind": ["exceedance"]}]
    return out


@cache
def every_form(validity: Period | None) -> dict[str, Atom]:
    parser = LeafParser(NATIONAL_CREDIT_SCHEME, validity)
    for i, (subject, raw) in enumerate(leaf_specs()):
        assert parser.leaf(subject, raw, "test", Where("test.yaml", (i,))) is not None, (raw, parser.problems)
    assert not parser.problems
    return parser.atoms


GRADE_CODES = {k: g.code for g in NATIONAL_CREDIT_SCHEME.grades for k in (g.code, g.label)}


@st.composite
def edge_cases(draw: st.DrawFn, validity: Period | None) -> tuple[Document, date]:
    """A facts document and an evaluation date, with the event, listing and case dates moved onto the edges of
    the windows and of the listing `validity` read from them: a day before, on, or after each."""
    as_of = draw(st.sampled_from(EDGE_DAYS) if draw(st.integers(0, 2)) else evaluation_dates())  # edges 2 in 3
    doc = draw(facts_documents(as_of))
    enterprise, case = doc["enterprise"], doc.get("violation_case")
    if case is not None and draw(st.booleans()):
        case["date"] = draw(st.sampled_from(EDGE_DAYS)).isoformat()
    listing = enterprise.get("listing")
    days = [as_of] + ([date.fromisoformat(str(case["date"]))] if case else [])
    if listing is not None:
        if draw(st.booleans()):  # its validity running out on a day read on
            period = validity or draw(st.sampled_from([v for v in VALIDITIES if v is not None]))
            listed_on = shift(draw(st.sampled_from(days)), period) + timedelta(days=draw(st.integers(-1, 1)))
            listing["listed_on"] = listed_on.isoformat()
            if "removed_on" in listing:
                listing["removed_on"] = (listed_on + timedelta(days=draw(st.integers(0, 800)))).isoformat()
        days.append(date.fromisoformat(str(listing["listed_on"])))
    edges = sorted({shift(d, w) + timedelta(days=k) for d in days for w in WINDOWS for k in (-1, 0, 1)} | set(days))
    for events in ("violations", "inspections"):
        for event in enterprise.get(events, []):
            if draw(st.booleans()):
                event["date"] = draw(st.sampled_from(edges)).isoformat()
    return doc, as_of


@SAME
@given(st.sampled_from(VALIDITIES).flatmap(lambda v: st.tuples(edge_cases(v), st.just(v))), st.booleans())
def test_every_form_of_atom_is_generated_as_the_getter_computes_it(
    case: tuple[tuple[Document, date], Period | None], known: bool
) -> None:
    """Also on facts not pruned to the evaluation date: the view then counts only what is dated by the day read."""
    (doc, as_of), validity = case
    facts = parse_facts(doc)
    check_same_view(every_form(validity), as_known_on(facts, as_of) if known else facts, as_of, GRADE_CODES)


def test_every_form_is_written_as_code_not_called_through_its_getter() -> None:
    for validity in VALIDITIES:
        source, namespace = generate_view_source(every_form(validity))
        assert not [name for name in namespace if name.startswith("get")]
        assert "ctx" not in source
    source, _ = generate_view_source(shipped_pack("chongqing").compiled.atoms)
    # each event list is walked once, every prefix read once
    assert source.count("for event in") == 3
    assert source.count("['enterprise']") == 1 and source.count("['traits']") == 1


def test_the_edge_cases_reach_a_validity_run_out_on_28_february_from_29_february() -> None:
    """The strategy draws the case only the cut-off's steps forward get right: listed on 2020-02-29, valid three
    years, read on 2023-02-28, the day its validity has run out (as it has for a listing of 2020-02-28)."""

    def folds(case: tuple[Document, date]) -> bool:
        listing = case[0]["enterprise"].get("listing") or {}
        return case[1] == date(2023, 2, 28) and str(listing.get("listed_on")) == "2020-02-29"

    find(
        edge_cases(("years", 3)), folds, settings=settings(max_examples=20_000, database=None, phases=[Phase.generate])
    )


# --- what the generator does not know, and what it never writes -----------------------------------------------


def test_an_atom_of_an_unknown_form_is_computed_by_its_getter() -> None:
    def read(ctx: Context) -> bool:
        return ctx.as_of.day == 1

    odd = {
        "odd": Atom("odd", "bool", read, reads=("something else",)),
        "not a path": Atom("not a path", "bool", read, reads=("fact", "enterprise.__class__")),
        "enterprise.traits.low_risk": every_form(None)["enterprise.traits.low_risk"],
    }
    source, namespace = generate_view_source(odd)
    assert namespace["get0"] is read and namespace["get1"] is read and "__class__" not in source
    facts, as_of = facts_sample()
    view = compile_view(odd, "test")(facts, as_of, GRADE_CODES)
    assert view == {"odd": True, "not a path": True, "enterprise.traits.low_risk": facts.enterprise.traits.low_risk}


def facts_sample() -> tuple[Facts, date]:
    first17 = "91500112MA5U7XTH1"
    document = {"enterprise": {"name": "示例", "uscc": first17 + uscc_check_char(first17)}}
    return parse_facts(document), date(2024, 3, 1)


def test_no_pack_text_reaches_the_code() -> None:
    """Keys enter the source through repr(); text literals the pack compares with are not in it at all."""
    parser = LeafParser(NATIONAL_CREDIT_SCHEME, None)
    evil = "'); import os; os.system('echo') #"
    assert parser.leaf("fact", {"fact": "enterprise.district", "is": evil}, "s", Where("t.yaml", (0,)))
    source, _ = generate_view_source(parser.atoms)
    assert evil not in source and "os.system" not in source
    quoted = {"a'b\"c\n": Atom("a'b\"c\n", "bool", lambda ctx: True, reads=("fact", "enterprise.traits.low_risk"))}
    view = compile_view(quoted, "test")
    facts, as_of = facts_sample()
    assert list(view(facts, as_of, GRADE_CODES)) == ["a'b\"c\n"]


def test_approvals_and_objectors_cover_their_enumerations() -> None:
    atoms = every_form(None)
    assert {f"inspection_request.approvals ∋ {a}" for a in Approval} <= set(atoms)
    assert any("objector=other" in key for key in atoms)
