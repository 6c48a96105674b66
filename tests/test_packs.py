"""Every shipped pack: loads, validates, covers its clauses, passes its YAML cases on every engine, and quotes its
sources verbatim."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from packs import ROOT, SHARED_SOURCES, available_engines, example_as_of, examples, pack, pack_ids
from policyrules import EngineUnavailable, EvaluationError, PackError, load_pack, load_pack_for, packs_for
from policyrules.analysis import coverage
from policyrules.cases.runner import run_cases
from policyrules.packs import clean_source, note_problems, numbered_labels, numbered_parts

PACKS = pack_ids()


def test_the_five_regimes_are_shipped() -> None:
    assert {"mee_2021", "chongqing", "shanxi_2020", "luohe_2021", "mee_methods_draft"} <= set(PACKS)


@pytest.mark.parametrize("pack_id", PACKS)
@pytest.mark.parametrize("engine", available_engines())
def test_pack_cases_pass(pack_id: str, engine: str) -> None:
    report = run_cases(pack(pack_id), [engine])
    assert report.cases > 0, f"{pack_id} has no cases"
    assert not report.failures, "\n".join(str(f) for f in report.failures)


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_rule_is_seen_holding_and_not_holding(pack_id: str) -> None:
    the_pack = pack(pack_id)
    report = run_cases(the_pack, ["compiled"])
    gaps = report.uncovered(r.id for r in the_pack.compiled.rules)
    assert gaps == {"never_holds": [], "never_fails": []}


def test_the_durable_engine_is_available_exactly_where_durable_rules_imports() -> None:
    if sys.version_info >= (3, 13):
        with pytest.raises(EngineUnavailable, match=r"3\.13"):
            pack("mee_2021").engine("durable")
    else:
        assert "durable" in available_engines()


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_encoded_clause_is_cited_and_every_other_has_a_reason(pack_id: str) -> None:
    rows = coverage(pack(pack_id))
    assert rows, f"{pack_id} declares no clauses"
    uncovered = [r["clause"] for r in rows if r["status"] == "UNCOVERED"]
    assert not uncovered
    assert all(r["reason"] for r in rows if r["status"] == "not encoded")


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_clause_is_verbatim_in_its_source(pack_id: str) -> None:
    the_pack = pack(pack_id)
    sources = {d.id: d.sources for d in the_pack.definition.chain()}
    texts = [t for s in sources.values() for t in s.values()]
    for clause in the_pack.definition.clauses.values():
        assert any(clause.text in text for text in texts), clause.ref
    for rule in the_pack.compiled.rules:
        assert rule.rule.cites, rule.id


@pytest.mark.parametrize("pack_id", PACKS)
def test_source_text_is_the_received_text_cleaned(pack_id: str) -> None:
    """The cleaned source in the pack equals the received text with line breaks removed (SOURCES.md), where the
    received texts are beside the repository (as in CI); elsewhere, that the shipped text is in cleaned form."""
    definition = pack(pack_id).definition
    for doc_id, doc in definition.meta.documents.items():
        shipped = (definition.directory / doc.source).read_text(encoding="utf-8")
        assert definition.sources[doc_id] in clean_source(shipped)
        assert "\n\n" not in shipped.strip(), f"{doc.source} has blank lines: it is not in cleaned form"
        assert doc.received_as, f"{pack_id}: document {doc_id} does not say which received file it comes from"
        received = SHARED_SOURCES / doc.received_as
        if received.is_file():
            assert clean_source(received.read_text(encoding="utf-8")) == clean_source(shipped)


@pytest.mark.parametrize(("pack_id", "example"), examples(), ids=lambda v: getattr(v, "stem", v))
def test_every_example_evaluates_on_its_date(pack_id: str, example: object) -> None:
    from pathlib import Path

    assert isinstance(example, Path)
    facts = yaml.safe_load(example.read_text(encoding="utf-8"))
    result = pack(pack_id).evaluate(facts, as_of=example_as_of(example))
    assert all(d.citations for d in result.decisions.values())


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_numbered_clause_of_the_sources_is_recorded(pack_id: str) -> None:
    """Clause coverage against the text itself: each section, clause and item the documents number appears in
    clauses.yaml (encoded, or not encoded with a reason), so no rule-like clause can be silently left out."""
    definition = pack(pack_id).definition
    for doc_id, text in definition.sources.items():
        labels = {c.label for c in definition.clauses.values() if c.pack_id == pack_id and c.doc_id == doc_id}
        missing = [label for label in numbered_labels(text) if not any(own.startswith(label) for own in labels)]
        assert not missing, f"{pack_id}/{doc_id}: no clause recorded for {missing}"


def test_numbered_labels_reads_the_document_structure() -> None:
    text = "一、总则。（一）目的。二、措施：一是申报；二是备案。（二）检查，一是现场；二是非现场。"
    assert numbered_labels(text) == [
        "一、",
        "一、（一）",
        "二、",
        "二、一是",
        "二、二是",
        "二、（二）",
        "二、（二）一是",
        "二、（二）二是",
    ]


def test_numbered_parts_carry_their_verbatim_text() -> None:
    text = "通知正文。一、总则。（一）目的。二、措施：一是申报；二是备案。"
    parts = [(p.label, p.text) for p in numbered_parts(text)]
    assert parts == [
        ("一、", "一、总则。"),
        ("一、（一）", "（一）目的。"),
        ("二、", "二、措施："),
        ("二、一是", "一是申报；"),
        ("二、二是", "二是备案。"),
    ]
    assert all(t in text for _, t in parts)


def test_the_last_numbered_part_stops_where_the_attachments_begin() -> None:
    text = "一、总则。二、措施：一是申报；二是备案。附件 1填报表（一）企业名称"
    parts = numbered_parts(text)
    assert parts[-1].label == "二、二是" and parts[-1].text == "二是备案。"


# --- the time keys, the quote check per clause, notes that fit the pack, places ----------------------------------


def _copy_pack(pack_id: str, tmp_path: Path) -> Path:
    target = tmp_path / pack_id
    shutil.copytree(pack(pack_id).definition.directory, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), "utf-8")


def test_an_unchanged_phrase_under_an_amended_clause_is_caught(tmp_path: Path) -> None:
    """Amend 三、（二）二是's 近 1年内 to 近 2年内 in a copy of the Chongqing pack: the rule that still quotes
    近 1年内 fails, and the message names the clause where the old phrase is still found (三是)."""
    copy = _copy_pack("chongqing", tmp_path)
    old = "近 1年内已经进行过现场执法检查且无环境违法记录的企业"
    _replace(copy / "source.txt", old, old.replace("近 1年内", "近 2年内"))
    _replace(copy / "clauses.yaml", old, old.replace("近 1年内", "近 2年内"))
    with pytest.raises(PackError) as err:
        load_pack(str(copy))
    problems = [p for p in err.value.problems if "近 1年内已经进行过现场执法检查" in p.message]
    assert problems, err.value
    assert all("category_livelihood_inspected_clean" in p.message for p in problems)
    assert any("chongqing:三、（二）三是" in p.message for p in problems)


def test_a_note_that_speaks_of_a_disabled_rules_clause_is_caught(tmp_path: Path) -> None:
    """Without its own inclusion policy, Chongqing would show the national default note, which speaks of
    二、（二） — the clause of the small-and-micro rule it disables."""
    copy = _copy_pack("chongqing", tmp_path)
    text = (copy / "pack.yaml").read_text("utf-8")
    start = text.index("  inclusion:\n    priority:")
    end = text.index("  penalty:\n    priority:")
    (copy / "pack.yaml").write_text(text[:start] + text[end:], "utf-8")
    problems = note_problems(load_pack(str(copy)).definition)
    assert any("decisions.inclusion.default_note speaks of 二、（二）" in p.message for p in problems), problems
    assert all(p.file == str(copy / "pack.yaml") for p in problems)


def test_a_note_that_names_a_disabled_rule_is_caught(tmp_path: Path) -> None:
    copy = _copy_pack("chongqing", tmp_path)
    _replace(
        copy / "pack.yaml",
        "default: ineligible\n    note: a record",
        "default: ineligible\n    note: unlike small_micro_support, a record",
    )
    problems = note_problems(load_pack(str(copy)).definition)
    assert any("names the rule(s) small_micro_support, which pack chongqing disables" in p.message for p in problems)


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_shipped_note_fits_its_pack(pack_id: str) -> None:
    assert note_problems(pack(pack_id).definition) == []


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    says: 正面清单有效期原则为 3年",
            "    says: 正面清单有效期原则为 5年",
            "is not in the text of the clause it cites",
        ),
        ("    cites: 三、（四）有效期", "    cites: 三、（四）有效期限", "unknown clause '三、（四）有效期限'"),
    ],
)
def test_the_listing_validity_must_quote_the_clause_it_cites(tmp_path: Path, old: str, new: str, message: str) -> None:
    copy = _copy_pack("chongqing", tmp_path)
    _replace(copy / "pack.yaml", old, new)
    with pytest.raises(PackError, match=message):
        load_pack(str(copy))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    by: mee_2021\n", "    by: mee_2022\n", "cannot load the superseding pack 'mee_2022'"),
        ("    clause: 效力\n", "    clause: 效力二\n", "unknown clause '效力二' of pack mee_2021"),
        (
            "        cites: [三、（六）, 三、（七）]\n",
            "        cites: [三、（六）, 九、]\n",
            "unknown clause '九、' of pack mee_2021",
        ),
    ],
)
def test_a_supersession_must_name_a_pack_and_its_clauses(tmp_path: Path, old: str, new: str, message: str) -> None:
    copy = _copy_pack("shanxi_2020", tmp_path)
    _replace(copy / "pack.yaml", old, new)
    with pytest.raises(PackError, match=message):
        load_pack(str(copy))


@pytest.mark.parametrize(
    ("place", "day", "chain"),
    [
        ("重庆", date(2022, 3, 1), [("chongqing", "governs"), ("mee_2021", "extended")]),
        ("重庆市渝北区", date(2021, 8, 6), [("chongqing", "governs"), ("mee_2021", "extended")]),
        ("重庆", date(2021, 8, 5), [("mee_2021", "governs")]),  # before 渝环规〔2021〕5号 is in force
        ("长治", date(2021, 4, 5), [("shanxi_2020", "governs")]),
        ("山西省长治市", date(2021, 4, 6), [("shanxi_2020", "governs"), ("mee_2021", "prevails_where_it_differs")]),
        ("漯河", date(2021, 12, 30), [("mee_2021", "governs")]),
        ("河南省漯河市", date(2021, 12, 31), [("luohe_2021", "governs"), ("mee_2021", "extended")]),
        ("山西省太原市", date(2022, 1, 1), [("mee_2021", "governs")]),
        ("Beijing", date(2022, 1, 1), [("mee_2021", "governs")]),
    ],
)
def test_which_rules_govern_a_place_on_a_date(place: str, day: date, chain: list[tuple[str, str]]) -> None:
    answer = packs_for(place, day)
    assert [(link.pack, link.role) for link in answer.chain] == chain
    assert answer.pack == chain[0][0]
    assert load_pack_for(place, day).id == answer.pack
    if place.endswith("漯河") and day < date(2021, 12, 31):
        assert any("luohe_2021" in n and "2021-12-31" in n for n in answer.notes)


@pytest.mark.parametrize(("place", "day"), [("Paris", date(2022, 1, 1)), ("长治", date(2020, 1, 1))])
def test_a_place_or_date_no_pack_governs_is_a_clear_error(place: str, day: date) -> None:
    with pytest.raises(EvaluationError) as err:
        packs_for(place, day)
    message = str(err.value)
    assert all(p in message for p in ("chongqing", "mee_2021", "shanxi_2020", "luohe_2021"))


def test_the_packs_whose_rules_decide_on_a_date() -> None:
    """Pack.deciding_packs names the packs whose rules a decision lists: the pack itself before its supersession
    (or when asked not to supersede); from 2021-04-06 on, shanxi_2020 read with mee_2021's validity and mee_2021."""
    shanxi = load_pack("shanxi_2020")
    before, after = date(2020, 6, 1), date(2022, 3, 1)
    assert shanxi.deciding_packs(before) == (shanxi,)
    assert shanxi.deciding_packs(after, supersede=False) == (shanxi,)
    own, theirs = shanxi.deciding_packs(after)
    assert own is shanxi.rules_on(after) and own is not shanxi
    assert theirs.id == "mee_2021"
    example = ROOT / "policies" / "shanxi_2020" / "examples" / "after_2021_guidance.yaml"
    facts = yaml.safe_load(example.read_text("utf-8"))
    listed = {r.id for d in shanxi.evaluate(facts, as_of=after).decisions.values() for r in d.rules}
    deciding = {r.id for p in (own, theirs) for r in p.compiled.rules}
    assert listed <= deciding and listed - {r.id for r in own.compiled.rules}
