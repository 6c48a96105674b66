"""`policyrules diff`: every region where two packs decide differently, each with a witness the real engine
confirms; complete against brute force over the domain and against random enterprises."""

from __future__ import annotations

import itertools
import json
import random
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from policyrules import Pack, PolicyRulesError, load_pack
from policyrules.analysis import (
    DiffReport,
    Domain,
    diff_packs,
    render_markdown,
    render_text,
    render_variants,
    search,
)
from policyrules.cli.main import main as cli_main
from policyrules.facts import uscc_check_char
from policyrules.packs import DECISIONS, shipped_pack_ids

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = ROOT / "docs" / "variants.md"
SPEC_KEYS = {"a", "b", "as_of", "domain", "complete", "differences"}
SPEC_DIFFERENCE_KEYS = {
    "decision",
    "a_outcome",
    "b_outcome",
    "region",
    "witness",
    "a_citations",
    "b_citations",
    "documented",
}
OUR_DIFFERENCE_KEYS = {
    "flags",
    "a_flags",
    "b_flags",
    "a_by",
    "b_by",
    "a_rules",
    "b_rules",
    "a_decided_by",
    "b_decided_by",
    "conditions",
    "note",
}


@cache
def shipped() -> dict[str, Pack]:
    """The shipped packs that load (others may be mid-edit)."""
    packs = {}
    for pack_id in shipped_pack_ids():
        try:
            packs[pack_id] = load_pack(pack_id)
        except PolicyRulesError:
            continue
    return packs


def report(a: str, b: str, as_of: date | None = None) -> DiffReport:
    return _report(a, b, as_of)


@cache
def _report(a: str, b: str, as_of: date | None) -> DiffReport:
    return diff_packs(pack(a), pack(b), as_of=as_of)


_FIXTURES: dict[str, Path] = {}


def pack(ref: str) -> Pack:
    if ref in _FIXTURES:
        return _pack_at(str(_FIXTURES[ref]))
    return shipped()[ref]


@cache
def _pack_at(path: str) -> Pack:
    return load_pack(path)


# --- fixture packs ----------------------------------------------------------------------------------------

LOCAL_SOURCE = (
    "一、正面清单企业被“双随机”抽中的，以非现场方式进行检查。"
    "二、正面清单不设有效期，不再符合条件的及时移出。"
    "三、相关部门提出反对意见并经复核属实的企业，不予纳入正面清单。"
    "四、初次违法且危害后果轻微的，可以不予处罚。"
)
LOCAL_PACK = """
pack:
  id: fx_local
  title: 测试地方方案
  jurisdiction: 测试市
  version: "1"
  extends: mee_2021
  listing_validity:
    period: null
    cites: 二、
    says: 正面清单不设有效期
  documents:
    fx:
      number: 测试〔2021〕9号
      title: 测试地方方案
      issuer: 测试局
      date: 2021-06-01
      in_force_from: 2021-06-01
      source: source.txt
"""
LOCAL_CLAUSES = """
clauses:
  一、:
    text: 一、正面清单企业被“双随机”抽中的，以非现场方式进行检查。
  二、:
    text: 二、正面清单不设有效期，不再符合条件的及时移出。
  三、:
    text: 三、相关部门提出反对意见并经复核属实的企业，不予纳入正面清单。
  四、:
    text: 四、初次违法且危害后果轻微的，可以不予处罚。
"""
LOCAL_RULES = """
rules:
  - id: random_draw_in_scope
    action: override
    yields: non_site
    cites: [一、]
    when:
      all:
        - fact: listed
          says: 正面清单企业
        - fact: inspection_request.grounds
          is: random_draw
          says: 被“双随机”抽中的
  - id: validity_three_years
    action: disable
    cites: [二、]
    reason: 本市正面清单不设有效期
  - id: objection_bar
    decision: inclusion
    yields: barred
    cites: [三、]
    when:
      count: objections
      upheld: true
      at_least: 1
      says: 提出反对意见并经复核属实的
  - id: waiver_first_minor_offence
    action: override
    yields: may_waive
    cites: [四、, mee_2021:四、（九）]
    when:
      all:
        - fact: listed
          says: 正面清单企业
        - fact: violation_case.first_offence
          says: 初次违法
        - fact: violation_case.harm
          is: minor
          says: 危害后果轻微的
"""


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture(scope="module", autouse=True)
def fixture_packs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """fx_local extends mee_2021 (overrides, disables and adds rules); minimal and minimal_b are small packs
    that extend nothing; mee_changed is a copy of mee_2021 with one condition changed."""
    base = tmp_path_factory.mktemp("packs")
    _FIXTURES["fx_local"] = _write(
        base / "fx_local",
        {"pack.yaml": LOCAL_PACK, "clauses.yaml": LOCAL_CLAUSES, "rules.yaml": LOCAL_RULES, "source.txt": LOCAL_SOURCE},
    )
    minimal = ROOT / "tests" / "fixtures" / "minimal"
    shutil.copytree(minimal, base / "minimal")
    _FIXTURES["minimal"] = base / "minimal"
    shutil.copytree(minimal, base / "minimal_b")
    pack_yaml = (base / "minimal_b" / "pack.yaml").read_text("utf-8").replace("id: minimal", "id: minimal_b")
    (base / "minimal_b" / "pack.yaml").write_text(pack_yaml, "utf-8")
    rules = (base / "minimal_b" / "rules.yaml").read_text("utf-8")
    rules = rules.replace("in: [complaint]", "in: [complaint, media]").replace("      serious: true\n", "")
    (base / "minimal_b" / "rules.yaml").write_text(rules, "utf-8")
    _FIXTURES["minimal_b"] = base / "minimal_b"
    shutil.copytree(ROOT / "policies" / "mee_2021", base / "mee_changed")
    changed = base / "mee_changed"
    text = (changed / "pack.yaml").read_text("utf-8").replace("id: mee_2021", "id: mee_changed", 1)
    (changed / "pack.yaml").write_text(text, "utf-8")
    rules = (changed / "rules.yaml").read_text("utf-8")
    needs = rules.index("- id: clue_track_needs_approval")
    rules = rules[:needs] + rules[needs:].replace("in: [complaint, media, referral]", "in: [complaint, media]", 1)
    (changed / "rules.yaml").write_text(rules, "utf-8")
    _FIXTURES["mee_changed"] = changed
    yield
    _FIXTURES.clear()


def shipped_pairs() -> list[tuple[str, str]]:
    return list(itertools.product(shipped(), repeat=2))


FIXTURE_PAIRS = [
    ("mee_2021", "fx_local"),
    ("fx_local", "mee_2021"),
    ("minimal", "minimal_b"),
    ("minimal_b", "minimal"),
    ("mee_2021", "mee_changed"),
]
FIXTURE_AS_OF = date(2021, 10, 1)


def all_pairs() -> list[tuple[str, str, date | None]]:
    return [(a, b, None) for a, b in shipped_pairs()] + [(a, b, FIXTURE_AS_OF) for a, b in FIXTURE_PAIRS]


# --- every witness is confirmed by the real engine ----------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "as_of"), all_pairs(), ids=lambda v: str(v))
def test_every_witness_decides_as_reported(a: str, b: str, as_of: date | None) -> None:
    out = report(a, b, as_of).to_json()
    assert out["complete"] is True
    day = date.fromisoformat(out["as_of"])
    for diff in out["differences"]:
        for side, ref in (("a", a), ("b", b)):
            # the diff compares the packs' own rules: a supersession in effect is among its warnings
            decision = pack(ref).evaluate(diff["witness"], as_of=day, supersede=False).decisions[diff["decision"]]
            assert decision.outcome == diff[f"{side}_outcome"], diff
            assert decision.flags == diff[f"{side}_flags"], diff
            assert list(decision.citations) == diff[f"{side}_citations"], diff
            assert decision.citations, "every outcome cites a clause"


def test_witnesses_through_the_real_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Witnesses run through `policyrules evaluate` on a file (the CLI's own code, in process): every one of
    the fixture pair, one per decision of mee_2021 → chongqing; the first two in a real subprocess, as a user
    runs them."""
    pairs: list[tuple[str, str, date | None]] = [("mee_2021", "fx_local", FIXTURE_AS_OF)]
    if "chongqing" in shipped():
        pairs.append(("mee_2021", "chongqing", None))
    checked = 0
    for a, b, as_of in pairs:
        out = report(a, b, as_of).to_json()
        diffs = out["differences"] if as_of else list({d["decision"]: d for d in out["differences"]}.values())
        for i, diff in enumerate(diffs):
            path = tmp_path / f"{a}_{b}_{i}.json"
            path.write_text(json.dumps(diff["witness"], ensure_ascii=False), "utf-8")
            for side, ref in (("a", a), ("b", b)):
                ref_arg = str(_FIXTURES.get(ref, ref))
                args = ["evaluate", "--pack", ref_arg, "--as-of", out["as_of"], str(path), "--format", "json"]
                if checked < 2:
                    proc = cli(*args)
                    assert proc.returncode == 0, proc.stderr
                    stdout = proc.stdout
                else:
                    assert cli_main(args) == 0
                    stdout = capsys.readouterr().out
                got = json.loads(stdout)["decisions"][diff["decision"]]
                assert got["outcome"] == diff[f"{side}_outcome"], diff
                assert {f: got[f] for f in diff[f"{side}_flags"]} == diff[f"{side}_flags"], diff
                checked += 1
    assert checked > 2


def test_witnesses_are_small_valid_documents() -> None:
    out = report("mee_2021", "fx_local", FIXTURE_AS_OF).to_json()
    assert out["differences"]
    for diff in out["differences"]:
        ent = diff["witness"]["enterprise"]
        assert ent["name"] == "示例企业"
        assert ent["uscc"][17] == uscc_check_char(ent["uscc"][:17])
        assert all(v is not False for v in _leaves(diff["witness"])), "defaults are left out"
        if diff["decision"] == "inspection":
            assert "inspection_request" in diff["witness"]
        if diff["decision"] == "penalty":
            assert "violation_case" in diff["witness"]


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, v in value.items():
            if key not in ("upheld", "on_site"):
                yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


# --- the same pack, a changed pack, documented changes -------------------------------------------------------


@pytest.mark.parametrize("ref", [*list(shipped()), "fx_local", "minimal"])
def test_a_pack_does_not_differ_from_itself(ref: str) -> None:
    as_of = FIXTURE_AS_OF if ref in ("fx_local", "minimal") else None
    out = report(ref, ref, as_of).to_json()
    assert out["complete"] is True
    assert out["differences"] == []


def test_a_changed_condition_shows_up_as_a_difference() -> None:
    """mee_changed drops 上级交办 (referral) from the clue track that asks for approval: a referral without the
    approval is no longer held back there; nothing else changes."""
    out = report("mee_2021", "mee_changed", FIXTURE_AS_OF).to_json()
    assert [d["decision"] for d in out["differences"]] == ["inspection"]
    diff = out["differences"][0]
    assert (diff["a_outcome"], diff["b_outcome"]) == ("needs_approval", "permitted")
    # listed: on the list and within the three-year validity (二、（四）有效期)
    assert (
        diff["region"]
        == "listed ∧ complete years since listing.listed_on < 3 ∧ approvals ∌ enforcement_head ∧ grounds = referral"
    )
    assert diff["witness"]["inspection_request"]["grounds"] == "referral"
    assert diff["documented"] is False  # the copy does not extend mee_2021: it says nothing of the change
    if "chongqing" in shipped():  # a change in the base moves the comparison with a pack that extends it
        before = {(d["decision"], d["region"]) for d in report("mee_2021", "chongqing").to_json()["differences"]}
        after = diff_packs(pack("mee_changed"), pack("chongqing"), as_of=report("mee_2021", "chongqing").as_of)
        assert before != {(d["decision"], d["region"]) for d in after.to_json()["differences"]}


def test_local_overrides_disables_and_additions_are_documented() -> None:
    out = report("mee_2021", "fx_local", FIXTURE_AS_OF).to_json()
    by_rule = {(tuple(d["a_by"]), tuple(d["b_by"])): d for d in out["differences"]}
    drawn = by_rule[(("random_draw_in_scope",), ("random_draw_in_scope",))]
    assert (drawn["a_outcome"], drawn["b_outcome"]) == ("permitted", "non_site")
    assert drawn["region"] == "listed ∧ complete years since listing.listed_on < 3 ∧ grounds = random_draw"
    # fx_local sets no validity (正面清单不设有效期): after three years it still relieves, mee_2021 no longer does
    expired = by_rule[((), ("random_draw_in_scope",))]
    assert "complete years since listing.listed_on ≥ 3" in expired["region"]
    assert drawn["documented"] is True and "fx_local overrides random_draw_in_scope" in drawn["note"]
    expired = by_rule[(("validity_three_years",), ())]
    assert (expired["a_outcome"], expired["b_outcome"]) == ("expired", "keep")
    assert expired["documented"] is True and "disables validity_three_years" in expired["note"]
    assert "≥ 3" in expired["region"]
    barred = [d for d in out["differences"] if d["b_by"] == ["objection_bar"]]
    assert barred and all(d["b_outcome"] == "barred" and d["documented"] for d in barred)
    assert all("objections[upheld] ≥ 1" in d["region"] for d in barred)
    assert any(d["b_citations"][0]["doc"] == "测试〔2021〕9号" for d in barred)
    # the waiver: narrower (minor harm only) and wider (no correction needed)
    penalties = [d for d in out["differences"] if d["decision"] == "penalty"]
    waivers = [d for d in penalties if "may_waive" in (d["a_outcome"], d["b_outcome"])]
    assert {(d["a_outcome"], d["b_outcome"]) for d in waivers} == {("may_waive", "ordinary"), ("ordinary", "may_waive")}
    # and with no validity, a violation three years after listing is still a listed enterprise's (四、（十）)
    severe = [d for d in penalties if (d["a_outcome"], d["b_outcome"]) == ("ordinary", "severe")]
    assert severe and all(d["b_by"] == ["severe_punishment"] for d in severe)


def test_independent_packs_are_not_documented() -> None:
    out = report("minimal", "minimal_b", FIXTURE_AS_OF).to_json()
    assert out["differences"]
    assert all(d["documented"] is False for d in out["differences"])
    assert "do not extend one another" in out["relation"]
    assert all("do not extend one another" in d["note"] for d in out["differences"])


def test_flag_differences_count_and_name_the_flag() -> None:
    diffs = [d for a, b in shipped_pairs() for d in report(a, b).to_json()["differences"] if d["flags"]]
    assert diffs, "the shipped packs differ in flags (e.g. shanxi_2020 publicizes where mee_2021 also removes)"
    for d in diffs:
        for flag, values in d["flags"].items():
            assert values == {"a": d["a_flags"][flag], "b": d["b_flags"][flag]}
            assert values["a"] != values["b"]
            assert flag in d["note"]


# --- the output --------------------------------------------------------------------------------------------------


def test_json_shape() -> None:
    out = report("mee_2021", "fx_local", FIXTURE_AS_OF).to_json()
    assert set(out) - {"warnings"} == SPEC_KEYS | {"relation"}
    assert out["a"] == "mee_2021" and out["b"] == "fx_local" and out["as_of"] == "2021-10-01"
    assert {"dimensions", "decisions", "method"} <= set(out["domain"])
    for dim in out["domain"]["dimensions"]:
        assert {"name", "values", "label", "kind"} <= set(dim) and dim["values"]
    for decision, info in out["domain"]["decisions"].items():
        assert decision in DECISIONS
        assert info["complete"] is True and info["points"] >= 1
        assert set(info["dimensions"]) <= {d["name"] for d in out["domain"]["dimensions"]}
    for diff in out["differences"]:
        assert set(diff) == SPEC_DIFFERENCE_KEYS | OUR_DIFFERENCE_KEYS
        assert isinstance(diff["region"], str) and diff["region"]
        assert isinstance(diff["documented"], bool)
        for citation in diff["a_citations"] + diff["b_citations"]:
            assert set(citation) == {"doc", "clause", "text"}
    json.dumps(out, ensure_ascii=False)


def test_text_and_markdown_name_both_sides_and_their_clauses() -> None:
    rep = report("mee_2021", "fx_local", FIXTURE_AS_OF)
    text = render_text(rep)
    markdown = render_markdown(rep)
    for diff in rep.differences:
        for clause in [*diff.a.citations, *diff.b.citations]:
            assert clause["clause"] in text and clause["clause"] in markdown
    assert "| # | where | mee_2021 | fx_local | documented |" in markdown


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policyrules.cli", *args], capture_output=True, text=True, encoding="utf-8"
    )


def test_cli_diff() -> None:
    local = str(_FIXTURES["fx_local"])
    proc = cli("diff", "mee_2021", local, "--as-of", "2021-10-01", "--format", "json", "--decision", "inspection")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out["domain"]["decisions"]) == {"inspection"}
    assert {d["decision"] for d in out["differences"]} == {"inspection"}
    text = cli("diff", "mee_2021", local, "--as-of", "2021-10-01")
    assert text.returncode == 0 and "random_draw" in text.stdout
    same = cli("diff", local, local, "--as-of", "2021-10-01", "--format", "json")
    assert json.loads(same.stdout)["differences"] == []


def test_cli_diff_defaults_to_the_later_in_force_date() -> None:
    out = json.loads(cli("diff", "mee_2021", str(_FIXTURES["fx_local"]), "--format", "json").stdout)
    assert out["as_of"] == "2021-06-01"


def test_cli_diff_date_outside_a_force_window_is_bad_input() -> None:
    proc = cli("diff", "mee_2021", str(_FIXTURES["fx_local"]), "--as-of", "2021-05-01")
    assert proc.returncode == 2
    assert "测试〔2021〕9号 is in force from 2021-06-01" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert cli("diff", "mee_2021", "no_such_pack").returncode == 2
    assert cli("diff", "mee_2021", "mee_2021", "--decision", "nonsense").returncode == 2


# --- completeness ----------------------------------------------------------------------------------------------

BRUTE_FORCE_LIMIT = 20_000


def brute_force_cases() -> list[tuple[str, str, date | None, str]]:
    cases: list[tuple[str, str, date | None, str]] = []
    for a, b in FIXTURE_PAIRS:
        cases += [(a, b, FIXTURE_AS_OF, d) for d in DECISIONS]
    for a, b in [("mee_2021", "chongqing"), ("mee_2021", "luohe_2021"), ("shanxi_2020", "mee_2021")]:
        if a in shipped() and b in shipped():
            cases += [(a, b, None, d) for d in DECISIONS]
    return cases


@pytest.mark.parametrize(("a", "b", "as_of", "decision"), brute_force_cases(), ids=lambda v: str(v))
def test_regions_are_exactly_the_differing_points(a: str, b: str, as_of: date | None, decision: str) -> None:
    """Every point of the product of the decision's dimensions, evaluated by both packs: the points where
    they differ are exactly those in some region, each in regions of its own pair of verdicts only."""
    rep = report(a, b, as_of)
    domain = rep.domain
    rows, stats = search(domain, decision)
    names = stats.dimensions
    value_lists = [domain.dims[n].values for n in names]
    if stats.points <= BRUTE_FORCE_LIMIT:
        points: Iterable[tuple[Any, ...]] = itertools.product(*value_lists)
    else:  # too many to enumerate here: the same check on a seeded sample of the product
        rng = random.Random(f"{a}-{b}-{decision}")
        points = (tuple(rng.choice(vs) for vs in value_lists) for _ in range(BRUTE_FORCE_LIMIT // 4))
    for values in points:
        point = {**dict(zip(names, values, strict=True)), **stats.fixed}
        doc = domain.document(point)
        va, vb = (_verdict(pack(ref), doc, decision, rep.as_of) for ref in (a, b))
        holding = [row for row in rows if row.holds_at(point)]
        if va == vb:
            assert not holding, (point, va, [r.rules for r in holding])
        else:
            assert holding, (point, va, vb)
            assert all(row.key == (va, vb) for row in holding), (point, va, vb)


def _verdict(p: Pack, doc: dict[str, Any], decision: str, as_of: date) -> tuple[str, tuple[tuple[str, bool], ...]]:
    d = p.evaluate(doc, as_of=as_of, trace=False, supersede=False).decisions[decision]
    return d.outcome, tuple(d.flags.items())


def random_enterprise(rng: random.Random, domain: Domain, as_of: date) -> dict[str, Any]:
    """A concrete enterprise drawn independently of the domain's own documents: random facts, dates all
    around the windows, any number of events."""

    def day(back: int) -> str:
        return (as_of - timedelta(days=rng.randint(-30, back))).isoformat()

    ent: dict[str, Any] = {"name": "随机企业", "uscc": "91110000MA0000000" + uscc_check_char("91110000MA0000000")}
    doc: dict[str, Any] = {"enterprise": ent}
    for dim in domain.dims.values():
        if dim.kind == "fact" and dim.path.startswith("enterprise.") and not dim.path.startswith("enterprise.listing"):
            value = rng.choice(dim.values)
            if value is not None:
                node = ent
                parts = dim.path.split(".")[1:]
                for part in parts[:-1]:
                    node = node.setdefault(part, {})
                node[parts[-1]] = value
    ent["violations"] = [
        {
            "date": day(1500),
            "serious": rng.random() < 0.3,
            "kind": rng.choice(["other", "exceedance", "malicious_discharge"]),
        }
        for _ in range(rng.choice([0, 0, 1, 2, 3]))
    ]
    ent["inspections"] = [{"date": day(900), "on_site": rng.random() < 0.7} for _ in range(rng.choice([0, 1, 2]))]
    ent["objections"] = [{"upheld": rng.random() < 0.5} for _ in range(rng.choice([0, 0, 1, 2]))]
    if rng.random() < 0.7:
        listed = as_of - timedelta(days=rng.randint(0, 1800))
        listing: dict[str, Any] = {"listed_on": listed.isoformat()}
        category = domain.dims.get("fact:enterprise.listing.category")
        if category is not None and rng.random() < 0.8:
            value = rng.choice(category.values)
            if value is not None:
                listing["category"] = value
        if rng.random() < 0.25:
            listing["removed_on"] = (listed + timedelta(days=rng.randint(0, 2000))).isoformat()
        ent["listing"] = listing
    questions = {
        d.path: d for d in domain.dims.values() if d.path.split(".")[0] in ("inspection_request", "violation_case")
    }
    if rng.random() < 0.8:
        request: dict[str, Any] = {
            "grounds": rng.choice(
                [
                    "complaint",
                    "media",
                    "random_draw",
                    "monitoring_anomaly",
                    "other",
                    "special_action",
                    "research_visit",
                    "referral",
                ]
            )
        }
        request["approvals"] = rng.sample(["enforcement_head", "bureau_head", "superior_bureau"], rng.randint(0, 2))
        for path, dim in questions.items():
            if path.startswith("inspection_request.") and dim.field_kind == "bool":
                request[path.split(".", 1)[1]] = rng.choice([True, False])
        doc["inspection_request"] = request
    if rng.random() < 0.8:
        case: dict[str, Any] = {"date": as_of.isoformat()}
        for path, dim in questions.items():
            if path.startswith("violation_case.") and dim.kind == "fact":
                case[path.split(".", 1)[1]] = rng.choice(dim.values)
        doc["violation_case"] = case
    return doc


def random_cases() -> list[tuple[str, str, date | None]]:
    cases: list[tuple[str, str, date | None]] = [(a, b, FIXTURE_AS_OF) for a, b in FIXTURE_PAIRS[:2]]
    shipped_ids = list(shipped())
    cases += [(a, b, None) for a, b in itertools.combinations(shipped_ids, 2)]
    return cases


@pytest.mark.parametrize(("a", "b", "as_of"), random_cases(), ids=lambda v: str(v))
def test_random_enterprises_differ_exactly_inside_regions(a: str, b: str, as_of: date | None) -> None:
    """Concrete enterprises built without the diff's help: wherever the packs decide differently, the
    enterprise's point lies in a region of that pair of verdicts, and nowhere else."""
    rep = report(a, b, as_of)
    domain = rep.domain
    rows = {d: search(domain, d)[0] for d in DECISIONS}
    rng = random.Random(f"{a}/{b}")
    differing = 0
    for _ in range(300):
        doc = random_enterprise(rng, domain, rep.as_of)
        ra = pack(a).evaluate(doc, as_of=rep.as_of, trace=False, supersede=False)
        rb = pack(b).evaluate(doc, as_of=rep.as_of, trace=False, supersede=False)
        point = domain.abstract(ra_facts(doc))
        for decision in ra.decisions:
            va = (ra.decisions[decision].outcome, tuple(ra.decisions[decision].flags.items()))
            vb = (rb.decisions[decision].outcome, tuple(rb.decisions[decision].flags.items()))
            holding = [row for row in rows[decision] if row.holds_at(point)]
            if va == vb:
                assert not holding, (decision, doc, va)
            else:
                differing += 1
                assert holding and all(r.key == (va, vb) for r in holding), (decision, doc, va, vb)
    assert differing > 0 or not any(rows.values())


def ra_facts(doc: dict[str, Any]) -> Any:
    from policyrules import parse_facts

    return parse_facts(doc)


# --- the lawyer's comparison -------------------------------------------------------------------------------------


def test_variants_document_is_up_to_date() -> None:
    """docs/variants.md is generated; a pack change that moves a difference must regenerate it
    (python benchmarks/diff.py --write-variants docs/variants.md)."""
    expected = render_variants()
    assert VARIANTS.is_file(), "generate it: python benchmarks/diff.py --write-variants docs/variants.md"
    assert VARIANTS.read_text("utf-8") == expected, (
        "docs/variants.md is stale: regenerate it with python benchmarks/diff.py --write-variants docs/variants.md"
    )
