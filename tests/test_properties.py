"""Properties the texts imply, checked on generated enterprises and questions for every shipped pack (or pair).

Each property's docstring names the clauses it rests on. Counterexamples hypothesis found while these were
built are kept below as explicit regression cases.
"""

from __future__ import annotations

import atexit
import copy
import json
import shutil
import tempfile
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyrules import Pack, load_pack
from policyrules.conditions import shift
from policyrules.engines import Result
from policyrules.facts import Approval, Grounds, ViolationCase
from policyrules.packs import dump_pack, shipped_pack_ids
from strategies import Document, facts_documents, pack_cases, pack_grades, pack_texts, shipped_pack

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PACKS = shipped_pack_ids()


def evaluate(pack_id: str, facts: Document, as_of: date) -> Result:
    return shipped_pack(pack_id).evaluate(facts, as_of=as_of, trace=False)


def listed_now(facts: Document, as_of: date) -> bool:
    listing = facts["enterprise"].get("listing")
    if not listing:
        return False
    listed_on = date.fromisoformat(str(listing["listed_on"]))
    removed = listing.get("removed_on")
    return listed_on <= as_of and (removed is None or date.fromisoformat(str(removed)) > as_of)


# --- every pack ---------------------------------------------------------------------------------------------


@PROPERTY
@given(pack_cases())
def test_evaluation_is_deterministic(case: tuple[str, Document, date]) -> None:
    """The same facts on the same date give the same decisions, with or without the trace (contract §3)."""
    pack_id, facts, as_of = case
    first = evaluate(pack_id, facts, as_of).to_json()
    assert evaluate(pack_id, copy.deepcopy(facts), as_of).to_json() == first
    traced = shipped_pack(pack_id).evaluate(facts, as_of=as_of, trace=True).to_json()
    assert traced == first


@PROPERTY
@given(pack_cases())
def test_every_decision_cites_clauses_of_its_own_pack_or_an_inherited_one(case: tuple[str, Document, date]) -> None:
    """Contract §3: every decision carries a non-empty citations list; each citation is a clause of the pack
    or of a pack it extends, quoted verbatim."""
    pack_id, facts, as_of = case
    pack = shipped_pack(pack_id)
    # a decision a superseding pack took (pack.yaml supersession) cites that pack's clauses
    definitions = [pack.definition, *([pack.superseding.definition] if pack.superseding else [])]
    known = {(c.doc, c.label, c.text) for d in definitions for c in d.clauses.values()}
    for decision in evaluate(pack_id, facts, as_of).decisions.values():
        assert decision.citations
        for citation in decision.citations:
            assert (citation["doc"], citation["clause"], citation["text"]) in known


# --- monotonicity ---------------------------------------------------------------------------------------------


@PROPERTY
@given(pack_cases(), st.booleans(), st.sampled_from(("malicious_discharge", "exceedance", "other")))
def test_a_new_violation_never_makes_an_enterprise_eligible(
    case: tuple[str, Document, date], serious: bool, kind: str
) -> None:
    """No inclusion category of any pack asks for a violation (mee_2021 二、（二）/（四）, 渝环规 三、（二）/（四）,
    the draft's 四、（二十）): adding one, dated on the evaluation date so that it falls inside every window,
    never turns ineligible into eligible and never lifts a bar."""
    pack_id, facts, as_of = case
    before = evaluate(pack_id, facts, as_of).decisions["inclusion"].outcome
    more = copy.deepcopy(facts)
    more["enterprise"].setdefault("violations", []).append(
        {"date": as_of.isoformat(), "serious": serious, "kind": kind}
    )
    after = evaluate(pack_id, more, as_of).decisions["inclusion"].outcome
    assert not (before == "ineligible" and after == "eligible")
    assert not (before == "barred" and after != "barred")


APPROVALS = tuple(Approval)


@PROPERTY
@given(
    pack_cases(),
    st.sampled_from(tuple(Grounds)),
    st.lists(st.sampled_from(APPROVALS), min_size=1, unique=True),
    st.fixed_dictionaries({k: st.booleans() for k in ("self_check_report", "review_needs_site_visit", "in_plan")}),
    st.data(),
)
def test_removing_an_approval_never_lets_an_inspection_start(
    case: tuple[str, Document, date],
    grounds: Grounds,
    approvals: list[Approval],
    flags: dict[str, bool],
    data: st.DataObject,
) -> None:
    """Approvals only ever permit (mee_2021 三、（七）, 渝环规 三、（七）, 漯环办 三、（二）): with one approval taken
    away, an inspection that needed approval is not permitted."""
    pack_id, facts, as_of = case
    facts = copy.deepcopy(facts)
    facts["inspection_request"] = {"grounds": grounds.value, "approvals": [a.value for a in approvals], **flags}
    fewer = copy.deepcopy(facts)
    dropped = data.draw(st.sampled_from(approvals))
    fewer["inspection_request"]["approvals"] = [a.value for a in approvals if a != dropped]
    with_all = evaluate(pack_id, facts, as_of).decisions["inspection"].outcome
    with_fewer = evaluate(pack_id, fewer, as_of).decisions["inspection"].outcome
    assert not (with_all == "needs_approval" and with_fewer == "permitted")
    assert not (with_all != "permitted" and with_fewer == "permitted")


def validity_years(pack: Pack) -> int | None:
    """The N of the pack's `years_since: enterprise.listing.listed_on, at_least: N` rule yielding expired."""
    for rule in pack.compiled.rules_of("listing"):
        if rule.yields == "expired":
            leaf = rule.cond
            assert getattr(leaf, "op", None) == "at_least", rule.id
            return int(leaf.operand)  # type: ignore[union-attr,arg-type]
    return None


@PROPERTY
@given(pack_cases([p for p in PACKS if validity_years(load_pack(p))]), st.integers(0, 400))
def test_a_date_past_the_validity_period_never_keeps_the_listing(case: tuple[str, Document, date], extra: int) -> None:
    """mee_2021 二、（四） 正面清单有效期一般为3年 (渝环规 三、（四） 原则为 3年): evaluated on or after the N-th
    anniversary of listed_on, a current listing is expired (or removed, which outranks expiry) — never kept."""
    pack_id, facts, as_of = case
    pack = shipped_pack(pack_id)
    years = validity_years(pack)
    assert years is not None
    listed_on = as_of - timedelta(days=30)
    facts = copy.deepcopy(facts)
    facts["enterprise"]["listing"] = {"listed_on": listed_on.isoformat()}
    late = shift(listed_on, ("years", years), +1) + timedelta(days=extra)
    outcome = evaluate(pack_id, facts, late).decisions["listing"].outcome
    assert outcome in ("expired", "remove")


# --- relations between variants -----------------------------------------------------------------------------

NATIONAL_SENTENCE_WAIVERS = {"waiver_no_fault_self_reported", "waiver_hazard_reported", "waiver_first_minor_offence"}


WAIVER_FACTS = (
    "no_subjective_fault",
    "self_reported",
    "eliminated",
    "hazard_reported_and_handled",
    "first_offence",
    "corrected",
)


@PROPERTY
@given(pack_cases(["chongqing"]), st.fixed_dictionaries({k: st.booleans() for k in WAIVER_FACTS}), st.data())
def test_a_chongqing_waiver_under_the_national_sentences_is_national_or_documented(
    case: tuple[str, Document, date], flags: dict[str, bool], data: st.DataObject
) -> None:
    """渝环规 三、（九） 一是～三是 restate the two sentences of mee_2021 四、（九）. Where Chongqing lets a listed
    enterprise off under them and the national pack does not, the rule that decided is one Chongqing added or
    overrode, citing its own clause (a documented difference, as `policyrules diff` reports it)."""
    _, facts, as_of = case
    facts = copy.deepcopy(facts)
    facts["enterprise"]["listing"] = {"listed_on": (as_of - timedelta(days=100)).isoformat()}
    harm = data.draw(st.sampled_from(("none", "minor", "serious")))
    facts["violation_case"] = {"date": as_of.isoformat(), "harm": harm, **flags}
    local = evaluate("chongqing", facts, as_of).decisions["penalty"]
    national = evaluate("mee_2021", facts, as_of).decisions["penalty"]
    deciding = set(local.decided_by)
    if local.outcome == "may_waive" and deciding <= NATIONAL_SENTENCE_WAIVERS and national.outcome != "may_waive":
        rules = {r.id: r for r in shipped_pack("chongqing").definition.rules}
        assert all(rules[r].origin in ("added", "overridden") and rules[r].pack_id == "chongqing" for r in deciding)
        assert any(c["doc"] == "渝环规〔2021〕5号" for c in local.citations)


def test_regression_chongqing_first_item_needs_no_harm_condition() -> None:
    """The documented difference the property above allows: 渝环规 三、（九）一是 attaches no 未造成危害后果, so a
    no-fault, self-reported, eliminated case with minor harm is waived in Chongqing and not nationally."""
    facts = {
        "enterprise": {"name": "甲", "uscc": "91350100M000100Y43", "listing": {"listed_on": "2021-09-01"}},
        "violation_case": {
            "date": "2022-01-10",
            "no_subjective_fault": True,
            "self_reported": True,
            "eliminated": True,
            "harm": "minor",
        },
    }
    local = evaluate("chongqing", facts, date(2022, 3, 1)).decisions["penalty"]
    national = evaluate("mee_2021", facts, date(2022, 3, 1)).decisions["penalty"]
    assert (local.outcome, national.outcome) == ("may_waive", "ordinary")
    assert local.decided_by == ("waiver_no_fault_self_reported",)


# Waivers that the texts give to every enterprise, not only to listed ones: 漯环办〔2021〕52号 三、（四）四是
# 容错纠错, and the draft's 二、（九） discretion (免予处罚), which is not a positive-list measure.
WAIVERS_FOR_EVERYONE = {
    "luohe_2021": {"green_innovation_tolerance"},
    "mee_methods_draft": {"waiver_minor_corrected_no_harm"},
}


CASE_FLAGS = tuple(n for n, f in ViolationCase.model_fields.items() if f.annotation is bool)


@PROPERTY
@given(
    pack_cases(),
    st.fixed_dictionaries({k: st.booleans() for k in CASE_FLAGS}),
    st.sampled_from(("none", "minor", "serious")),
    st.sampled_from(("never", "removed")),
)
def test_an_unlisted_enterprise_gets_no_positive_list_waiver(
    case: tuple[str, Document, date], flags: dict[str, bool], harm: str, history: str
) -> None:
    """mee_2021 四、（九）, 渝环规 三、（九） speak of 正面清单企业: for an enterprise not on the list on the date
    (never listed, or removed before it) no positive-list waiver applies in any pack; the only waivers it can
    get are those the texts give to all."""
    pack_id, facts, as_of = case
    facts = copy.deepcopy(facts)
    facts["enterprise"].pop("listing", None)
    if history == "removed":
        facts["enterprise"]["listing"] = {
            "listed_on": (as_of - timedelta(days=400)).isoformat(),
            "removed_on": (as_of - timedelta(days=1)).isoformat(),
        }
    facts["violation_case"] = {"date": as_of.isoformat(), "harm": harm, **flags}
    assert not listed_now(facts, as_of)
    penalty = evaluate(pack_id, facts, as_of).decisions["penalty"]
    if penalty.outcome == "may_waive":
        assert set(penalty.decided_by) <= WAIVERS_FOR_EVERYONE.get(pack_id, set())


@PROPERTY
@given(pack_cases(["shanxi_2020"]), st.sampled_from("123456"))
def test_the_2020_first_five_categories_are_exempt_when_drawn_and_the_sixth_never(
    case: tuple[str, Document, date], category: str
) -> None:
    """环执法发〔2020〕1号 二、 (and 长环函〔2020〕5号 二、三是): 前五类 drawn in 双随机 may be exempted from on-site
    inspection; 第六类 is a general supervision object with fewer draws — never exempt. (By the 2020 rules alone:
    from 2021-04-06 the 2021 guidance decides these decisions, see the supersession property below.)"""
    _, facts, as_of = case
    facts = copy.deepcopy(facts)
    facts["enterprise"]["listing"] = {"listed_on": (as_of - timedelta(days=10)).isoformat(), "category": category}
    facts["inspection_request"] = {"grounds": "random_draw"}
    result = shipped_pack("shanxi_2020").evaluate(facts, as_of=as_of, trace=False, supersede=False)
    if category in "12345":
        assert result.decisions["supervision"].outcome == "exempt_on_site"
        assert result.decisions["inspection"].outcome == "non_site"
    else:
        assert result.decisions["supervision"].outcome != "exempt_on_site"
        assert result.decisions["inspection"].outcome != "non_site"


# --- time -------------------------------------------------------------------------------------------------------

VALIDITY_PACKS = [p for p in PACKS if shipped_pack(p).definition.validity_period is not None]


@PROPERTY
@given(pack_cases(VALIDITY_PACKS), st.integers(0, 400))
def test_an_expired_listing_gives_no_positive_list_relief(case: tuple[str, Document, date], days_over: int) -> None:
    """二、（四） 有效期一般为3年 (渝环规 三、（四） 原则为 3年): once the validity has run out the enterprise is no
    longer a 正面清单企业, so inclusion, inspection and supervision are decided as for one never listed."""
    pack_id, facts, as_of = case
    expired = copy.deepcopy(facts)
    expired.pop("violation_case", None)  # the penalty reads the listing on the day of the conduct instead
    never = copy.deepcopy(expired)
    never["enterprise"].pop("listing", None)
    listed_on = shift(as_of, ("years", 3)) - timedelta(days=days_over)
    expired["enterprise"]["listing"] = {"listed_on": listed_on.isoformat()}
    a, b = evaluate(pack_id, expired, as_of), evaluate(pack_id, never, as_of)
    assert a.decisions["listing"].outcome in ("expired", "remove")
    for name in ("inclusion", "inspection", "supervision"):
        if name in b.decisions:
            assert a.decisions[name].outcome == b.decisions[name].outcome, name


@PROPERTY
@given(pack_cases(), st.integers(0, 300), st.integers(0, 600))
def test_the_penalty_reads_the_listing_on_the_day_of_the_conduct(
    case: tuple[str, Document, date], days_before: int, removed_after: int
) -> None:
    """四、（十） (渝环规 三、（九）严惩环境违法) attaches to a listed enterprise that commits the violation: a removal
    recorded after the violation — before the decision or after it — never changes the penalty."""
    pack_id, facts, as_of = case
    if "violation_case" not in facts:
        return
    facts = copy.deepcopy(facts)
    day = date.fromisoformat(str(facts["violation_case"]["date"]))
    listed_on = day - timedelta(days=days_before)
    kept = copy.deepcopy(facts)
    kept["enterprise"]["listing"] = {"listed_on": listed_on.isoformat()}
    removed = copy.deepcopy(kept)
    removed["enterprise"]["listing"]["removed_on"] = (day + timedelta(days=1 + removed_after)).isoformat()
    a, b = evaluate(pack_id, kept, as_of).decisions["penalty"], evaluate(pack_id, removed, as_of).decisions["penalty"]
    assert (a.outcome, dict(a.flags), a.decided_by) == (b.outcome, dict(b.flags), b.decided_by)


SUPERSEDED = [p for p in PACKS if shipped_pack(p).definition.meta.supersession is not None]


@PROPERTY
@given(pack_cases(SUPERSEDED))
def test_the_superseding_pack_decides_where_it_decides_otherwise(case: tuple[str, Document, date]) -> None:
    """环办执法〔2021〕10号: 我部此前关于正面清单发文中与本意见不一致的，以本意见为准. Before the date the pack decides
    alone; from it, each yielding decision is the superseding pack's where one of its rules decides otherwise,
    and the pack's own where the superseding pack agrees or is silent."""
    pack_id, facts, as_of = case
    pack = shipped_pack(pack_id)
    supersession = pack.definition.meta.supersession
    assert supersession is not None and pack.superseding is not None
    result = pack.evaluate(facts, as_of=as_of, trace=False)
    # the pack's own rules, read with the superseding validity where the listing decision yields
    own = pack.rules_on(as_of).evaluate(facts, as_of=as_of, trace=False, supersede=False)
    if as_of < supersession.from_:
        assert result.to_json() == own.to_json()
        return
    theirs = shipped_pack(pack.superseding.id).evaluate(facts, as_of=as_of, trace=False)
    yielding = {y.decision for y in supersession.decisions}
    for name, decision in result.decisions.items():
        mine = own.decisions[name]
        if name not in yielding:
            assert decision.outcome == mine.outcome
            continue
        other = theirs.decisions[name]
        differs = (other.outcome, dict(other.flags)) != (mine.outcome, dict(mine.flags))
        expected = other if other.decided_by and differs else mine
        assert (decision.outcome, dict(decision.flags)) == (expected.outcome, dict(expected.flags)), name
        assert any(note.startswith("superseded: ") for note in decision.notes), name
        assert any(note.startswith("取代：") for note in decision.notes_zh), name


# --- round trip -----------------------------------------------------------------------------------------------


@cache
def dumped(pack_id: str, where: Path) -> Pack:
    return load_pack(str(dump_pack(shipped_pack(pack_id).definition, where)))


@cache
def private_dump_dir() -> Path:
    """A directory of this run's own for the property test (a function-scoped fixture cannot serve @given, and a
    fixed /tmp path collided with other runs on the same machine); removed when the run ends."""
    where = Path(tempfile.mkdtemp(prefix="policyrules-roundtrip-"))
    atexit.register(shutil.rmtree, where, ignore_errors=True)
    return where


@pytest.fixture(scope="module")
def dump_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dumped")


@pytest.mark.parametrize("pack_id", PACKS)
def test_a_dumped_pack_loads_to_the_same_compiled_rules(pack_id: str, dump_dir: Path) -> None:
    again = dumped(pack_id, dump_dir)
    assert again.engine("compiled").source == shipped_pack(pack_id).engine("compiled").source  # type: ignore[attr-defined]


@PROPERTY
@given(pack_cases())
def test_a_pack_dumped_and_loaded_again_evaluates_identically(case: tuple[str, Document, date]) -> None:
    """Round trip: the YAML a loaded pack writes back is read to a pack that decides the same, with the same
    citations and trace."""
    pack_id, facts, as_of = case
    again = dumped(pack_id, private_dump_dir())
    original = shipped_pack(pack_id).evaluate(facts, as_of=as_of)
    assert json.dumps(again.evaluate(facts, as_of=as_of).to_json(trace=True), sort_keys=True) == json.dumps(
        original.to_json(trace=True), sort_keys=True
    )


# --- regression cases kept from shrunk counterexamples ------------------------------------------------------------


def test_regression_shanxi_category_given_as_a_number() -> None:
    """A YAML number as listing.category (category: 3) is the text "3" (contract §1 "kept as given")."""
    facts: dict[str, Any] = {
        "enterprise": {
            "name": "甲",
            "uscc": "91350100M000100Y43",
            "listing": {"listed_on": "2020-04-01", "category": 3},
        },
        "inspection_request": {"grounds": "random_draw"},
    }
    result = load_pack("shanxi_2020").evaluate(facts, as_of=date(2020, 6, 1))
    assert result.decisions["supervision"].outcome == "exempt_on_site"


def test_strategies_produce_listed_and_unlisted_enterprises() -> None:
    """The generators reach both sides of the properties above (a property that assumes away every case
    would pass vacuously)."""
    seen = set()

    @settings(max_examples=60, deadline=None, database=None)
    @given(
        st.builds(lambda: None).flatmap(
            lambda _: facts_documents(
                date(2022, 3, 1), pack_grades(load_pack("mee_2021")), pack_texts(load_pack("mee_2021"))
            )
        )
    )
    def collect(facts: Document) -> None:
        seen.add(listed_now(facts, date(2022, 3, 1)))

    collect()
    assert seen == {True, False}
