"""The traced JSON written by the generated per-rule functions (engines/trace_code.py) is the JSON of the
condition tree walked node by node (engines/trace.py), on generated facts for every shipped pack; and a traced
result reads its trees on demand without changing."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from policyrules import RuleTrace
from strategies import Document, pack_cases, shipped_pack

SAME = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def tree_json(rule: RuleTrace) -> dict[str, Any]:
    """The rule's traced JSON as the materialised tree writes it."""
    out = dataclasses.replace(rule, source=None).to_json(trace=True)  # the constant fields, no trace
    assert rule.condition is not None
    out["condition"] = rule.condition.to_json()
    out["failed"] = [f.phrase for f in rule.failed]
    return out


@SAME
@given(pack_cases())
def test_generated_trace_json_is_the_json_of_the_walked_tree(case: tuple[str, Document, date]) -> None:
    pack_id, facts, as_of = case
    result = shipped_pack(pack_id).evaluate(facts, as_of=as_of, trace=True)
    written = result.to_json(trace=True)
    for name, decision in result.decisions.items():
        entries = written["decisions"][name]["rules"]
        assert entries == [tree_json(rule) for rule in decision.rules], name


@SAME
@given(pack_cases())
def test_a_traced_result_is_the_same_before_and_after_its_trees_are_read(case: tuple[str, Document, date]) -> None:
    pack_id, facts, as_of = case
    pack = shipped_pack(pack_id)
    first = pack.evaluate(facts, as_of=as_of, trace=True)
    before = first.to_json(trace=True)
    trees = [r.condition for d in first.decisions.values() for r in d.rules]
    assert all(t is not None and t.holds == r.holds for t, r in zip(trees, _rules(first), strict=True))
    assert [r.condition for r in _rules(first)] == trees  # read once, then the same objects
    assert all(a is b for a, b in zip((r.condition for r in _rules(first)), trees, strict=True))
    pack.evaluate(facts, as_of=as_of, trace=True)  # another evaluation shares nothing mutable with this one
    assert first.to_json(trace=True) == before
    second = pack.evaluate(facts, as_of=as_of, trace=True)
    assert second == first


def _rules(result: Any) -> list[RuleTrace]:
    return [r for d in result.decisions.values() for r in d.rules]


@SAME
@given(pack_cases())
def test_json_text_is_json_dumps_of_to_json(case: tuple[str, Document, date]) -> None:
    """Result.json_text renders each memoised decision once and pieces the text together; it must be what
    json.dumps writes of to_json, with and without the trace and indentation, the first time and after."""
    pack_id, facts, as_of = case
    pack = shipped_pack(pack_id)
    for trace in (False, True):
        for _ in range(2):  # the second result shares the first one's rendered decisions
            result = pack.evaluate(facts, as_of=as_of, trace=trace)
            for indent in (None, 2, 4):
                expected = json.dumps(result.to_json(trace=trace), ensure_ascii=False, indent=indent)
                assert result.json_text(trace=trace, indent=indent) == expected


def test_the_packs_constants_in_a_results_json_are_shared_and_read_only() -> None:
    """Citations (with their clause texts) are per-pack constants, and a rule's traced entry depends only on what
    the rule reads: every result's JSON holds the same objects, which therefore refuse changes; a copy is an
    ordinary dict or list."""
    pack = shipped_pack("chongqing")
    facts = {"enterprise": {"name": "示例", "uscc": "91500000MA5U7AAA4T", "traits": {"epidemic_essential": True}}}
    first, second = (pack.evaluate(facts, as_of=date(2022, 3, 1)).to_json(trace=True) for _ in range(2))
    a, b = (r["decisions"]["inclusion"]["citations"][0] for r in (first, second))
    assert a is b and a["clause"] == "三、（二）"
    rule_a, rule_b = (r["decisions"]["inclusion"]["rules"][0] for r in (first, second))
    untraced = pack.evaluate(facts, as_of=date(2022, 3, 1), trace=False).decisions["inclusion"].rules[0]
    assert rule_a is rule_b and rule_a["citations"][0] is untraced.citations[0]
    with pytest.raises(TypeError, match="shared by every result"):
        a["text"] = "changed"
    with pytest.raises(TypeError, match="shared by every result"):
        rule_a["condition"]["children"].append({})
    with pytest.raises(TypeError, match="shared by every result"):
        rule_a["failed"] += ["changed"]
    assert type(copy.deepcopy(rule_a)["condition"]["children"]) is list
    copied = dict(a)
    copied["text"] = "changed"
    assert a["text"] != "changed" and pickle.loads(pickle.dumps(a)) == a
