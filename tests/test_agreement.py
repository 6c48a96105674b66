"""The engines agree: on generated enterprises and questions, for every shipped pack, the compiled evaluator
and the durable_rules engine give the same decisions; and the compiled evaluator agrees with its own trace
and with the integer encoding the durable engine is built on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from policyrules import parse_facts
from policyrules.conditions import Atom, CompiledPack, IntTest, Leaf, Value
from policyrules.conditions import leaves as cond_leaves
from policyrules.engines import CompiledEngine
from policyrules.packs import shipped_pack_ids
from strategies import Document, boolean_paths, facts_and_dates, pack_cases, shipped_pack

AGREEMENT = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def decision_summary(result: Any) -> dict[str, tuple[Any, ...]]:
    return {
        name: (
            d.outcome,
            d.flags,
            d.categories,
            d.decided_by,
            d.citations,
            d.notes,
            tuple((r.id, r.holds) for r in d.rules),
        )
        for name, d in result.decisions.items()
    }


def view_of(pack_id: str, facts: Document, as_of: date) -> dict[str, Value]:
    return shipped_pack(pack_id).compiled.view(parse_facts(facts), as_of)


@AGREEMENT
@given(pack_cases())
def test_compiled_and_durable_engines_agree(case: tuple[str, Document, date]) -> None:
    """Rests on: both engines read the same flat view (CompiledPack.view); the durable engine posts each
    atom's integer encoding (Atom.encode) and tests Leaf.encoded_test, inlined references
    (CompiledPack.inline) and pushed-down negations, while the compiled one tests Leaf.test on the raw values
    with memoised references; and everything after "which rules hold" (hit policy, flags, categories,
    citations, notes) is shared code in engine.py. So a disagreement is a fault in the encoding, the
    inlining, the negation, the durable translation or durable_rules itself."""
    pack_id, facts, as_of = case
    pack = shipped_pack(pack_id)
    compiled = pack.evaluate(facts, as_of=as_of, engine="compiled")
    durable = pack.evaluate(facts, as_of=as_of, engine="durable")
    assert (compiled.engine, durable.engine) == ("compiled", "durable")
    assert decision_summary(durable) == decision_summary(compiled)
    assert durable.warnings == compiled.warnings
    view = view_of(pack_id, facts, as_of)
    assert pack.engine("durable").holding(view) == pack.engine("compiled").holding(view)


@AGREEMENT
@given(pack_cases())
def test_compiled_engine_agrees_with_its_trace(case: tuple[str, Document, date]) -> None:
    """Rests on: `holding()` runs the generated function (CompiledEngine.source) while the trace re-evaluates
    each condition tree node by node (trace_condition); both must read the same view and memoise rule and outcome
    references alike, so every traced rule holds exactly when `holding()` says so, and its condition's root
    says the same."""
    pack_id, facts, as_of = case
    pack = shipped_pack(pack_id)
    result = pack.evaluate(facts, as_of=as_of, engine="compiled")
    assert result.traced
    for decision in result.decisions.values():
        # a decision the superseding pack took lists its rules first, then this pack's (engines/supersession.py)
        own = pack.rules_on(as_of)  # read with the superseding validity where the listing decision yields
        deciders = [own]
        if pack.superseding is not None and any(
            f"本项决定依 {pack.superseding.id} 作出" in n for n in decision.notes_zh
        ):
            deciders = [pack.superseding, own]
        expected: list[tuple[str, bool]] = []
        for decider in deciders:
            engine = decider.engine("compiled")
            assert isinstance(engine, CompiledEngine)
            held = engine.holding(decider.compiled.view(parse_facts(facts), as_of))
            expected += [(r.id, r.id in held) for r in decider.compiled.rules_of(decision.name)]
        assert [(r.id, r.holds) for r in decision.rules] == expected, decision.name
        for rule in decision.rules:
            assert rule.condition is not None and rule.condition.holds == rule.holds, rule.id
        assert set(decision.decided_by) <= {rule_id for rule_id, holds in expected if holds}


@AGREEMENT
@given(pack_cases())
def test_leaf_tests_agree_with_their_integer_encoding(case: tuple[str, Document, date]) -> None:
    """Rests on: Leaf.encoded_test is Leaf.test restated over Atom.encode (booleans 1/0, symbols by domain
    index, absent -1, unknown text -2) with the pack's final atom domains; the durable engine is built
    only from the encoded form, so every leaf must say the same on every value the view can hold."""
    pack_id, facts, as_of = case
    pack = shipped_pack(pack_id).compiled
    view = view_of(pack_id, facts, as_of)
    for leaf in leaves(pack):
        value = view[leaf.atom.key]
        assert leaf.test(value) == int_test(leaf.encoded_test(pack.atoms), pack.atoms[leaf.atom.key].encode(value)), (
            leaf.atom.key,
            leaf.op,
            leaf.operand,
            value,
        )


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_leaf_encoding_over_each_atoms_whole_value_range(pack_id: str) -> None:
    """The same as above, but over every value an atom can take rather than the generated ones: absent,
    each domain value, a text outside the domain, both booleans, and integers around every bound."""
    pack = shipped_pack(pack_id).compiled
    checked = 0
    for leaf in leaves(pack):
        atom = pack.atoms[leaf.atom.key]
        for value in values_of(atom, leaf):
            assert leaf.test(value) == int_test(leaf.encoded_test(pack.atoms), atom.encode(value)), (
                atom.key,
                leaf.op,
                leaf.operand,
                value,
            )
            checked += 1
    assert checked > 0


def test_generated_documents_are_valid_and_reach_every_boolean_fact() -> None:
    """The agreement rests on generated inputs that reach the rules: every document must be valid, and every
    boolean of the fact model (read from the model, so a new field is covered when it is added) must come
    out true in some document and false in another."""
    seen: set[tuple[str, bool]] = set()

    @settings(max_examples=150, deadline=None)
    @given(facts_and_dates())
    def collect(case: tuple[Document, date]) -> None:
        facts, as_of = case
        model = parse_facts(facts)
        if model.violation_case is not None:
            assert model.violation_case.date <= as_of
        for path in boolean_paths():
            value: Any = model
            for part in path.split("."):
                value = getattr(value, part, None)
            if value is not None:
                seen.add((path, bool(value)))

    collect()
    assert seen == {(path, value) for path in boolean_paths() for value in (True, False)}


# --- helpers --------------------------------------------------------------------------------------------------


def leaves(pack: CompiledPack) -> Iterator[Leaf]:
    for rule in pack.rules:
        yield from cond_leaves(rule.cond)


def int_test(test: IntTest, x: int) -> bool:
    """Evaluate an integer formula of compile.py on one encoded value."""
    if test[0] == "cmp":
        _, op, bound = test
        outcomes: dict[str, bool] = {"eq": x == bound, "ne": x != bound, "ge": x >= bound, "le": x <= bound}
        return outcomes[op]
    parts = [int_test(t, x) for t in test[1]]
    return all(parts) if test[0] == "and" else any(parts)


def values_of(atom: Atom, leaf: Leaf) -> list[Value]:
    if atom.kind == "bool":
        return [None, True, False]
    if atom.kind == "int":
        bound = leaf.operand if isinstance(leaf.operand, int) else 0
        return [None, *range(0, bound + 3)]
    outside: list[Value] = ["no such value"] if atom.kind == "text" else []
    return [None, *atom.domain, *outside]
