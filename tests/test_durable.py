"""The durable_rules engine on its hazards (see the module docstring of policyrules.engines.durable).

Experiments that could crash the interpreter (durable_rules segfaults on some misuse) run in a subprocess,
so that a crash fails the test instead of killing pytest."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policyrules
from policyrules import EvaluationError, PackError
from policyrules.conditions import Atom, CompiledPack, Value
from policyrules.engines import CompiledEngine
from policyrules.engines.durable import (
    CASES_PER_RULE,
    MARKER_FIELD,
    MAX_FACT_PROPERTIES,
    SENTINEL,
    SESSION_FIELD,
    DurableEngine,
    Formula,
    case_holds,
    cases,
    simplify,
)
from policyrules.packs import shipped_pack_ids
from strategies import shipped_pack

SRC = str(Path(policyrules.__file__).resolve().parents[1])
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def durable(pack_id: str) -> DurableEngine:
    engine = shipped_pack(pack_id).engine("durable")
    assert isinstance(engine, DurableEngine)
    return engine


def compiled(pack_id: str) -> CompiledEngine:
    engine = shipped_pack(pack_id).engine("compiled")
    assert isinstance(engine, CompiledEngine)
    return engine


def view_strategy(pack: CompiledPack) -> st.SearchStrategy[dict[str, Value]]:
    """Any view of the pack's atoms, including combinations no facts document produces: both engines must
    still agree on it."""

    def values(atom: Atom) -> st.SearchStrategy[Value]:
        if atom.kind == "bool":
            return st.sampled_from((None, False, True, True))
        if atom.kind == "int":
            return st.none() | st.integers(0, 6)
        extra = ("not a literal of the pack",) if atom.kind == "text" else ()
        return st.none() | st.sampled_from((*atom.domain, *extra))

    return st.fixed_dictionaries({key: values(atom) for key, atom in pack.atoms.items()})


@st.composite
def pack_views(draw: st.DrawFn) -> tuple[str, dict[str, Value]]:
    pack_id = draw(st.sampled_from(shipped_pack_ids()))
    return pack_id, draw(view_strategy(shipped_pack(pack_id).compiled))


def run_python(script: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (SRC, os.environ.get("PYTHONPATH"))))}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=timeout, env=env
    )


# --- what the engine decides -------------------------------------------------------------------------------------


@FAST
@given(pack_views())
def test_agrees_with_the_compiled_engine_on_any_view(case: tuple[str, dict[str, Value]]) -> None:
    pack_id, view = case
    assert durable(pack_id).holding(view) == compiled(pack_id).holding(view)


@FAST
@given(pack_views())
def test_each_rule_fires_at_most_once(case: tuple[str, dict[str, Value]]) -> None:
    """Hazard 6: durable_rules fires a rule once per true branch of an `$or`; the cases of a rule exclude
    each other, so a holding rule fires exactly once."""
    pack_id, view = case
    fired = durable(pack_id).firings(view)
    assert len(fired) == len(set(fired))


@FAST
@given(pack_views())
def test_the_cases_hold_exactly_when_the_rule_does(case: tuple[str, dict[str, Value]]) -> None:
    """The translation without durable_rules: on the posted fact, exactly one case of a holding rule holds
    and none of any other."""
    pack_id, view = case
    engine = durable(pack_id)
    fact = engine.fact(view, "0")
    held = compiled(pack_id).holding(view)
    for rule_id, rule_cases in engine.cases.items():
        assert sum(case_holds(c, fact) for c in rule_cases) == (rule_id in held), rule_id  # type: ignore[arg-type]


@st.composite
def formulas(draw: st.DrawFn, depth: int = 3) -> Formula:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return ("cmp", draw(st.sampled_from(("x", "y", "z"))), draw(st.sampled_from(("eq", "ne", "ge", "le"))),
                draw(st.integers(-2, 3)))  # fmt: skip
    kind = draw(st.sampled_from(("and", "or")))
    return (kind, tuple(draw(st.lists(formulas(depth - 1), min_size=0, max_size=4))))


def holds(f: Formula, point: dict[str, int]) -> bool:
    if f[0] == "cmp":
        _, field, op, bound = f
        x = point[field]
        outcomes: dict[str, bool] = {"eq": x == bound, "ne": x != bound, "ge": x >= bound, "le": x <= bound}
        return outcomes[op]
    parts = [holds(p, point) for p in f[1]]
    return all(parts) if f[0] == "and" else any(parts)


@settings(max_examples=300, deadline=None)
@given(formulas())
def test_cases_are_an_exclusive_split_of_the_formula(f: Formula) -> None:
    """Over every point of a grid around the bounds: one case holds where the formula does, none elsewhere."""
    split = cases(simplify(f), limit=100_000)
    for x, y, z in itertools.product(range(-4, 6), repeat=3):
        point = {"x": x, "y": y, "z": z}
        assert sum(case_holds(c, point) for c in split) == holds(f, point), point


# --- what durable_rules is given --------------------------------------------------------------------------------


def expressions(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a durable_rules expression, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from expressions(item)


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_the_ruleset_stays_within_what_durable_rules_handles(pack_id: str) -> None:
    """Hazards 5, 7 and 8, and the 15-operator limit: no missing-attribute tests, no `$in` or array
    literals, only integer literals, only posted fields, at most 15 `$and`/`$or` per condition, at most
    14 cases per durable rule, and a fact no wider than durable_rules takes."""
    engine = durable(pack_id)
    posted = set(engine.fields.values()) | {MARKER_FIELD}
    definition = engine.definition()
    assert definition[SENTINEL] == {"all": [{"m": {MARKER_FIELD: 1}}]}
    assert set(engine.durable_rules.values()) <= set(engine.rule_ids)
    for name, rule in definition.items():
        (condition,) = rule["all"]
        pairs = list(expressions(condition["m"]))
        operators = [k for k, _ in pairs if k in ("$and", "$or")]
        assert len(operators) <= 15, name
        for key, value in pairs:
            assert key not in ("$ex", "$nex", "$in", "$s"), (name, key)
            if key in ("$and", "$or"):
                assert isinstance(value, list) and value, (name, key)
            elif key in ("$gte", "$lte", "$neq"):
                assert isinstance(value, dict) and len(value) == 1, (name, key)
            else:
                assert key in posted and type(value) is int, (name, key, value)
    for rule_id, rule_cases in engine.cases.items():
        chunks = [n for n, r in engine.durable_rules.items() if r == rule_id]
        assert len(chunks) == -(-len(rule_cases) // CASES_PER_RULE), rule_id
    fact = engine.fact({key: None for key in shipped_pack(pack_id).compiled.atoms}, "1")
    assert set(fact) == posted | {SESSION_FIELD}
    assert all(type(v) is int for k, v in fact.items() if k != SESSION_FIELD)
    assert len(fact) <= MAX_FACT_PROPERTIES


def widened(pack: CompiledPack, atoms: int) -> CompiledPack:
    """The pack with integer atoms added (no rule reads them) until it has `atoms` atoms."""
    extra = {f"extra({i})": Atom(f"extra({i})", "int", lambda ctx: 0) for i in range(atoms - len(pack.atoms))}
    return replace(pack, atoms={**pack.atoms, **extra})


def test_the_widest_view_durable_rules_takes_evaluates_and_one_more_atom_is_refused() -> None:
    """Hazard 8: durable_rules 2.0.28 takes at most 253 properties in a fact (error 302 beyond); the engine
    posts sid, the marker and every atom, so it takes 251 atoms and refuses 252 when it is built."""
    base = shipped_pack("mee_2021").compiled
    widest = widened(base, MAX_FACT_PROPERTIES - 2)
    engine = DurableEngine(widest)
    try:
        view: dict[str, Value] = {key: {"int": 0, "bool": True}.get(a.kind) for key, a in widest.atoms.items()}
        assert engine.holding(view) == CompiledEngine(widest).holding(view)
        assert engine.holding(view)  # something held: the fact was taken, not silently dropped
    finally:
        engine.close()
    with pytest.raises(PackError, match=r"mee_2021.*252 atoms.*at most 253"):
        DurableEngine(widened(base, MAX_FACT_PROPERTIES - 1))


# --- sessions, isolation, threads ------------------------------------------------------------------------------

ALL_TRUE_AND_EMPTY_VIEWS = """
import random, threading, time
from policyrules import load_pack
from policyrules.engines.durable import DurableEngine
from policyrules.engines import CompiledEngine

pack = load_pack("{pack_id}").compiled
engine, reference = DurableEngine(pack), CompiledEngine(pack)
assert threading.active_count() == 1, threading.enumerate()  # no background timer threads (hazard 4)
rng = random.Random(7)

def random_view():
    out = {{}}
    for key, atom in pack.atoms.items():
        if atom.kind == "bool":
            out[key] = rng.choice((None, False, True, True))
        elif atom.kind == "int":
            out[key] = rng.choice((None, 0, 1, 2, 3, 4))
        else:
            out[key] = rng.choice((None, *atom.domain))
    return out

views = [{{key: None for key in pack.atoms}}] + [random_view() for _ in range(99)]
empty = sum(1 for view in views if not reference.holding(view))  # only the sentinel's action runs (hazard 3)
for i in range({n}):
    view = views[i % len(views)]
    assert engine.holding(view) == reference.holding(view), i
time.sleep(0.5)  # a background dispatcher, had one been started, would crash on the deleted sessions
assert threading.active_count() == 1
print("ok", {n}, empty)
"""


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_thousands_of_sequential_evaluations_on_one_engine(pack_id: str) -> None:
    """Hazards 1-4: a host holds at most 1024 live sessions, so every evaluation must end its session; ending
    one where no action ran segfaults, so views where no rule holds are in the mix; and no timer thread may
    run. In a subprocess: a segfault fails this test instead of ending pytest."""
    n = 5000 if pack_id == "mee_2021" else 1500
    done = run_python(ALL_TRUE_AND_EMPTY_VIEWS.format(pack_id=pack_id, n=n))
    assert done.returncode == 0, (done.returncode, done.stderr[-3000:])
    ok, count, empty = done.stdout.split()
    assert (ok, count) == ("ok", str(n))
    assert int(empty) > 0 or pack_id != "mee_2021"  # views on which no rule holds were among those evaluated


def test_evaluations_do_not_see_each_other() -> None:
    """One engine, evaluations alternating between a view where many rules hold and one where none does:
    each answer is that view's own."""
    pack = shipped_pack("mee_2021").compiled
    engine = DurableEngine(pack)
    try:
        many = {key: (True if a.kind == "bool" else 0 if a.kind == "int" else None) for key, a in pack.atoms.items()}
        none: dict[str, Value] = {key: None for key in pack.atoms}
        expected_many = CompiledEngine(pack).holding(many)
        assert len(expected_many) >= 3
        for _ in range(50):
            assert engine.holding(many) == expected_many
            assert engine.holding(none) == frozenset()
    finally:
        engine.close()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.deferred(lambda: view_strategy(shipped_pack("mee_2021").compiled)), min_size=40, max_size=40))
def test_threads_share_one_engine_safely(views: list[dict[str, Value]]) -> None:
    """Four threads evaluate on one engine at once; the lock keeps their firings apart."""
    engine, reference = durable("mee_2021"), compiled("mee_2021")
    failures: list[str] = []

    def work(offset: int) -> None:
        try:
            for view in views[offset::4] * 5:
                if engine.holding(view) != reference.holding(view):
                    failures.append("mismatch")
        except Exception as exc:  # collected and reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


# --- failures -----------------------------------------------------------------------------------------------------


class SilentSentinel(DurableEngine):
    """A fault injected into the engine's own action: the sentinel's recorder raises. durable_rules swallows
    exceptions in actions (hazard 9), so only the engine's check of the sentinel can notice."""

    def _recorder(self, rule_id: str) -> Any:
        if rule_id != SENTINEL:
            return super()._recorder(rule_id)

        def broken(c: Any) -> None:
            raise RuntimeError("the sentinel's action failed")

        return broken


def test_an_action_that_fails_is_noticed_not_swallowed() -> None:
    pack = shipped_pack("mee_2021").compiled
    view = {key: True if a.kind == "bool" else None for key, a in pack.atoms.items()}
    faulty = SilentSentinel(pack)
    try:
        for _ in range(3):  # durable_rules itself raises nothing: the error lives only in its state
            with pytest.raises(EvaluationError, match="sentinel rule fired 0 times"):
                faulty.holding(view)
            with pytest.raises(EvaluationError, match="sentinel rule fired 0 times"):
                faulty.holding({key: None for key in pack.atoms})  # no action recorded: host replaced
    finally:
        faulty.close()
    assert durable("mee_2021").holding(view) == compiled("mee_2021").holding(view)


def test_a_closed_engine_refuses_to_evaluate() -> None:
    pack = shipped_pack("mee_2021").compiled
    engine = DurableEngine(pack)
    view: dict[str, Value] = {key: None for key in pack.atoms}
    assert engine.holding(view) == frozenset()
    engine.close()
    engine.close()
    with pytest.raises(EvaluationError, match="closed"):
        engine.holding(view)


def test_a_view_missing_an_atom_is_an_error() -> None:
    pack = shipped_pack("mee_2021").compiled
    view: dict[str, Value] = {key: None for key in pack.atoms if key != "listed"}
    with pytest.raises(EvaluationError, match="lacks the atom 'listed'"):
        durable("mee_2021").holding(view)


def test_durable_rules_warnings_do_not_escape() -> None:
    """Hazard 11: on Python 3.12 every action warns (datetime.utcfromtimestamp is deprecated); the engine
    silences durable_rules' own DeprecationWarnings around its calls, so evaluating under `-W error` works
    and records no warning. (On 3.11 durable_rules does not warn; this guards the 3.12 path.)"""
    pack = shipped_pack("mee_2021")
    listed = {"name": "x", "uscc": "91350100M000100Y43", "listing": {"listed_on": date(2022, 1, 1)}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")
        result = pack.evaluate({"enterprise": listed}, as_of=date(2022, 3, 1), engine="durable")
    assert result.outcomes()["supervision"] == "general"
    assert caught == []


@pytest.mark.parametrize("blocked", ["durable", "durable_rules_engine"])
def test_the_engine_is_unavailable_when_durable_rules_does_not_import(blocked: str) -> None:
    """Hazard 11: on Python 3.13 durable_rules does not import (its C module calls PyEval_CallObject, which
    3.13 removed; pyproject does not even install it there). Simulated by blocking the package or its C
    extension in sys.modules: the real fallback code then runs, and the compiled engine still works."""
    done = run_python(f"""
        import sys
        sys.modules[{blocked!r}] = None  # `import {blocked}` now raises ImportError
        from datetime import date
        from policyrules import EngineUnavailable, load_pack
        from policyrules.engines.durable import DurableEngine
        pack = load_pack("mee_2021")
        facts = {{"enterprise": {{"name": "x", "uscc": "91350100M000100Y43"}}}}
        for attempt in (lambda: DurableEngine(pack.compiled),
                        lambda: pack.evaluate(facts, as_of=date(2022, 1, 1), engine="durable")):
            try:
                attempt()
            except EngineUnavailable as exc:
                print("unavailable:", exc.problems[0].message)
        print("compiled:", pack.evaluate(facts, as_of=date(2022, 1, 1)).outcomes()["inclusion"])
    """)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert len(lines) == 3, done.stdout
    expected = (
        f"unavailable: the durable engine needs durable_rules, which does not import on Python {version}: "
        rf"(ModuleNotFound|Import)Error: .*{blocked}.*; use the compiled engine"
    )
    for line in lines[:2]:
        assert re.match(expected, line), line
    assert lines[2] == "compiled: ineligible"
