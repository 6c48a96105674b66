"""The batch's and the records' fast paths (issue 12) against the slow paths they replace: the canonical JSON of a
record against json.dumps, records committed in groups against the chain a record-at-a-time store makes, and the
results the workers send as bytes against the register they came from."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyrules.errors import FactsError
from policyrules.explain import ReasonCache, decision_reason
from policyrules.facts import parse_facts
from policyrules.records import RecordStore, canonical_json, format_id, format_ids, verify
from policyrules.registers import run, run_batch
from strategies import Document, facts_documents, force_window, pack_cases, pack_grades, pack_texts, shipped_pack
from test_batch import good_documents, read_csv_rows, read_errors, write_csv, write_jsonl

AS_OF = date(2022, 6, 1)


def reference_json(data: object) -> str:
    """What canonical_json is defined as (records/canonical.py), with json.dumps building its encoder per call."""

    def default(value: object) -> object:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, tuple | set | frozenset):
            return list(value)
        raise TypeError(f"{type(value).__name__} is not JSON-serialisable")

    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default)


# text with what JSON escapes (quotes, backslashes, control characters), CJK, astral characters and lone surrogates
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12) | st.sampled_from(
    ['"', "\\", "\n\t", "企业名称", "\U0001f600", "\udc80", "", "a\u2028b"]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT
    | st.dates()
    | st.datetimes()
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)


@given(JSONISH)
def test_canonical_json_is_the_text_json_dumps_writes(data: Any) -> None:
    assert canonical_json(data) == reference_json(data)


@given(st.lists(TEXT | st.integers() | st.none(), max_size=16))
def test_a_record_s_columns_encode_as_json_dumps_encodes_them(values: list[Any]) -> None:
    assert canonical_json(values) == reference_json(values)


def test_canonical_json_refuses_what_json_dumps_refuses() -> None:
    looped: dict[str, Any] = {}
    looped["self"] = looped
    with pytest.raises(ValueError, match="Circular reference"):
        canonical_json(looped)
    with pytest.raises(TypeError, match="object is not JSON-serialisable"):
        canonical_json({"a": object()})
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RecursionError):
        canonical_json(deep)
    assert canonical_json(math.nan) == "NaN" and canonical_json("文字") == '"文字"'


@given(
    st.integers(min_value=0, max_value=2**128 - 3000)
    | st.integers(min_value=1, max_value=2**108).map(lambda n: n << 20),
    st.integers(min_value=0, max_value=2500),
    st.integers(min_value=-1500, max_value=0),
)
def test_a_chunk_s_ids_are_the_ids_format_id_writes(first: int, count: int, back: int) -> None:
    """format_ids shares the first 22 characters across consecutive ids; drawn across the 2**20 boundaries where
    they change (`back` moves the start just before one)."""
    first = max(0, first + back)
    assert format_ids(first, count) == [format_id(first + i) for i in range(count)]


def test_records_committed_in_groups_chain_as_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups of a few chunks (RECORD_GROUP made small): every record is stored, chained to the one before across
    the groups, with the ids the results carry, in row order; the chain verifies link by link."""
    monkeypatch.setattr(run, "RECORD_GROUP", 7)
    docs = good_documents(40)
    register = tmp_path / "r.jsonl"
    write_jsonl(register, docs)
    db = tmp_path / "r.sqlite"
    out = tmp_path / "out.jsonl"
    summary = run_batch(str(register), out, "chongqing", as_of=AS_OF, record=db, chunk_size=3)
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert summary.recorded == len(rows) == len(docs)
    with RecordStore.open(db, create=False) as store:
        assert verify(store).ok and store.count() == len(docs)
        stored = [r[0] for r in store.db.execute("SELECT id FROM records ORDER BY seq")]
        for row, doc in zip(rows, docs, strict=True):
            assert store.get(row["record_id"])["input"] == canonical_json(doc)
    assert stored == [r["record_id"] for r in rows]


def test_a_carried_cell_with_undecoded_bytes_is_a_row_error_not_a_crash(tmp_path: Path) -> None:
    """备注 is not read, only carried into the results: a GBK byte in it cannot be written as UTF-8 text, so the
    row is reported (its column and why), and every other row is evaluated as before."""
    register = tmp_path / "r.csv"
    broken = write_csv(register, good_documents(3))
    lines = register.read_bytes().split(b"\r\n")
    assert lines[0].endswith(",备注".encode())  # the last column, carried (the test register writes the 序号 in it)
    lines[1] = lines[1][: lines[1].rindex(b",") + 1] + b"\xb1\xb8\xd7\xa2"  # 备注 in GBK, in a UTF-8 file
    lines[2] = lines[2][: lines[2].rindex(b",") + 1] + "备注".encode()
    register.write_bytes(b"\r\n".join(lines))
    out = tmp_path / "out.csv"
    summary = run_batch(str(register), out, "chongqing", as_of=AS_OF, encoding="utf-8", lang="zh")
    bad_rows = sorted(row for row, field in broken.items() if field is not None)
    assert summary.errors == 1 + len(bad_rows) and summary.evaluated == len(broken) - summary.errors
    errors = {e["行号"]: e for e in read_errors(out)}
    assert errors["2"]["字段"] == "column AC" and "不是登记表所用编码的文字" in errors["2"]["问题"]
    results = read_csv_rows(out)
    assert [int(r["行号"]) for r in results] == [n for n in broken if n != 2 and n not in bad_rows]
    assert results[0]["行号"] == "3" and results[0]["备注"] == "备注"


# the Chinese results' reasons: one ReasonCache per pack and date for the whole test, as for a whole register,
# so that later documents meet reasons cached from earlier ones
REASON_CACHES: dict[tuple[str, date, str], ReasonCache] = {}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pack_cases(), st.sampled_from(("zh", "en")), st.sampled_from((0, 1)))
def test_cached_reasons_are_the_reasons_of_the_traced_decision(
    case: tuple[str, Document, date], lang: str, end: int
) -> None:
    """ReasonCache keys a negative default outcome's reason by the values of the atoms its rules read, taken from
    the view of every pack whose rules decide: a cached reason must be the one the traced evaluation of these very
    facts gives — also where a superseding pack decides with its own rules (shanxi_2020 at the end of its window)."""
    pack_id, document, _ = case
    pack = shipped_pack(pack_id)
    as_of = force_window(pack)[end]  # two dates per pack, so that the caches fill up
    try:
        untraced = pack.evaluate(document, as_of=as_of, trace=False)
    except FactsError:
        return  # a case dated after this date
    cache = REASON_CACHES.setdefault((pack_id, as_of, lang), ReasonCache(pack, as_of, lang))
    traced = pack.evaluate(document, as_of=as_of, trace=True)
    reasons = cache.reasons(parse_facts(document), untraced.decisions)
    assert reasons == {name: decision_reason(d, lang) for name, d in traced.decisions.items()}


SUPERSEDED = shipped_pack("shanxi_2020")
AFTER_2021 = date(2022, 3, 1)  # mee_2021 prevails over the 2020 documents from 2021-04-06
SUPERSEDED_CACHE = ReasonCache(SUPERSEDED, AFTER_2021, "zh")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts_documents(AFTER_2021, pack_grades(SUPERSEDED), pack_texts(SUPERSEDED)))
def test_cached_reasons_where_a_superseding_pack_decides(document: Document) -> None:
    """A superseded pack's decision lists both regimes' rules, read with the superseding validity: one cache over
    many enterprises must still give each the reason its own traced evaluation gives (keyed by the atoms of the
    superseded pack alone, one enterprise in fourteen got another's unmet phrases)."""
    try:
        untraced = SUPERSEDED.evaluate(document, as_of=AFTER_2021, trace=False)
    except FactsError:
        return  # a case dated after the date
    traced = SUPERSEDED.evaluate(document, as_of=AFTER_2021, trace=True)
    reasons = SUPERSEDED_CACHE.reasons(parse_facts(document), untraced.decisions)
    assert reasons == {name: decision_reason(d, "zh") for name, d in traced.decisions.items()}
