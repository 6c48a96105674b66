"""Every shipped pack: loads, validates, covers its clauses, passes its YAML cases on every engine, and quotes its
sources verbatim."""

from __future__ import annotations

import sys

import pytest
import yaml

from packs import SHARED_SOURCES, available_engines, example_as_of, examples, pack, pack_ids
from policyrules import EngineUnavailable
from policyrules.analysis import coverage
from policyrules.cases.runner import run_cases
from policyrules.packs import clean_source, numbered_labels, numbered_parts

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
