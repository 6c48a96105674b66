"""The durable_rules engine: the pack compiled once into a durable_rules ruleset.

Why a second engine: it decides which rules hold by a different method (a Rete network in C instead of
closures over the condition tree), so the agreement of the two on generated inputs tests the compiler, the
integer encoding and the inlining of rule and outcome references they share. See docs/engines.md.

How the pack becomes a ruleset:

* every active rule's condition is inlined (`CompiledPack.inline`: rule and outcome references become plain
  trees), negations are pushed down to the leaves (De Morgan; a negated leaf negates its integer test) and
  every leaf becomes its `Leaf.encoded_test` over the atom's integer field;
* the formula is split into mutually exclusive cases (a disjoint DNF: flat conjunctions of integer ranges),
  because durable_rules fires a rule once per true branch of an `$or` (overlapping branches multiply the
  firings) and takes at most 15 `$and`/`$or` in one condition; so each pack rule becomes one durable rule,
  or several when it has more than 14 cases, and at most one of its cases holds on any view;
* each evaluation posts one flat fact `{sid, ev: 1, a0: int, a1: int, ...}`: the integer encoding of every
  atom (`Atom.encode`), never the facts document, so durable's loose typing (`1` matches `"1"` and `true`)
  and its missing-attribute semantics never come into play.

durable_rules 2.0.28 hazards and how this module avoids them (docs/engines.md has the details):

1. a host holds at most 1024 live sessions: every evaluation gets its own session, deleted when it ends;
2. `post` fires only one rule per event: the view is asserted as a fact, then retracted;
3. `delete_state` on a session where no action ran segfaults: a sentinel rule matches every posted fact, and
   a session is deleted only once an action ran in it;
4. the stock Host's background timer threads segfault after deletes: the host class overrides `_run`;
5. a rule whose only condition is a missing attribute matches the engine's own state fact and loops
   forever: every atom is always posted and no condition tests for a missing attribute (comparisons with
   a missing attribute never match, so the state fact matches nothing);
6. `$or` fires once per true branch: the cases of a rule exclude each other, and ids are collected in a set;
7. no date type, `$in` or array literals: the view is already integers, and `in` is an "or" of "eq";
8. at most 253 properties per fact (sid included): checked when the engine is built (PackError);
9. exceptions inside actions are swallowed: actions only record ids, and the sentinel's firing is checked;
10. it never releases the GIL: the engine is thread-safe (a lock) but not parallel; use processes;
11. no wheels, DeprecationWarnings from every action on 3.12 (suppressed around the engine's own calls),
    no import at all on 3.13: the engine then raises EngineUnavailable.
Also found here: at most 15 `$and`/`$or` per condition (error 113), so cases are chunked 14 to a rule; and
a ruleset is never freed by durable_rules itself, so `close()` (or garbage collection) frees it.
"""

from __future__ import annotations

import itertools
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeAlias

from ..conditions import AllOf, AnyOf, Atom, CompiledPack, Cond, IntTest, Leaf, NotOf, Value
from ..errors import EngineUnavailable, EvaluationError, PackError, Problem

# A condition over the posted fact: ("cmp", field, "eq"|"ne"|"ge"|"le", int) | ("and"|"or", (Formula, ...)).
Formula: TypeAlias = tuple[Any, ...]
TRUE: Formula = ("and", ())  # an empty conjunction always holds
FALSE: Formula = ("or", ())  # an empty disjunction never holds

MAX_FACT_PROPERTIES = 253  # durable_rules 2.0.28 rejects a wider fact with error 302 (it adds id and $s)
MAX_CASES = 2048  # exclusive cases per pack rule beyond which the pack is too complex for this engine
CASES_PER_RULE = 14  # one `$or` and 14 `$and`s: durable_rules takes at most 15 per condition (error 113)
SESSION_FIELD, MARKER_FIELD = "sid", "ev"
SENTINEL = "sentinel"
_NEGATED = {"eq": "ne", "ne": "eq"}


def load_durable() -> ModuleType:
    """durable.engine, or EngineUnavailable saying why it cannot be used on this interpreter."""
    try:
        import durable.engine

        module: ModuleType = durable.engine
    except Exception as exc:  # not installed (an extra), ImportError on 3.13 (PyEval_CallObject is gone), a bad build
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        raise EngineUnavailable(
            f"the durable engine needs durable_rules, which does not import on Python {version}: "
            f"{type(exc).__name__}: {exc}; use the compiled engine (engine='compiled', --engine compiled), or install "
            'it where it builds: pip install "policyrules[durable]" (a C compiler; Python 3.11 or 3.12)'
        ) from exc
    return module


# --- conditions -> formulas over the posted fact -------------------------------------------------------------


def field_names(pack: CompiledPack) -> dict[str, str]:
    """Atom key -> the field it is posted as: a0, a1, ... by sorted key (keys hold `(`, `;`, `∋`, spaces)."""
    return {key: f"a{i}" for i, key in enumerate(sorted(pack.atoms))}


def formula(cond: Cond, pack: CompiledPack, fields: Mapping[str, str], negated: bool = False) -> Formula:
    """An inlined condition as a formula over the posted integer fields, negations pushed to the leaves."""
    if isinstance(cond, Leaf):
        return _int_formula(cond.encoded_test(pack.atoms), fields[cond.atom.key], negated)
    if isinstance(cond, NotOf):
        return formula(cond.child, pack, fields, not negated)
    if isinstance(cond, AllOf | AnyOf):
        kind = "and" if isinstance(cond, AllOf) else "or"
        if negated:
            kind = "or" if kind == "and" else "and"
        return (kind, tuple(formula(c, pack, fields, negated) for c in cond.children))
    raise TypeError(f"{type(cond).__name__} left in an inlined condition; CompiledPack.inline resolves it")


def _int_formula(test: IntTest, field: str, negated: bool) -> Formula:
    if test[0] == "cmp":
        _, op, bound = test
        return ("cmp", field, *(negate_cmp(op, bound) if negated else (op, bound)))
    kind = test[0]
    if negated:
        kind = "or" if kind == "and" else "and"
    return (kind, tuple(_int_formula(t, field, negated) for t in test[1]))


def negate_cmp(op: str, bound: int) -> tuple[str, int]:
    """not (x op bound), over the integers."""
    if op in _NEGATED:
        return _NEGATED[op], bound
    return ("le", bound - 1) if op == "ge" else ("ge", bound + 1)


def negate(f: Formula) -> Formula:
    if f[0] == "cmp":
        return ("cmp", f[1], *negate_cmp(f[2], f[3]))
    return ("or" if f[0] == "and" else "and", tuple(negate(p) for p in f[1]))


def simplify(f: Formula) -> Formula:
    """Flatten nested and/or, fold constants (an empty and/or), drop repeated parts, unwrap singletons."""
    if f[0] == "cmp":
        return f
    kind = f[0]
    absorbing = FALSE if kind == "and" else TRUE
    out: list[Formula] = []
    for part in (simplify(p) for p in f[1]):
        if part == absorbing:
            return absorbing
        for p in part[1] if part[0] == kind else (part,):
            if p not in out:
                out.append(p)
    return out[0] if len(out) == 1 else (kind, tuple(out))


# --- formulas -> exclusive cases -------------------------------------------------------------------------------

# The integers one field may take within a case: (lowest or None, highest or None, excluded values).
Range: TypeAlias = tuple[int | None, int | None, frozenset[int]]
# A case: a conjunction of ranges, one per field it constrains; {} always holds.
Case: TypeAlias = dict[str, Range]


class TooManyCases(Exception):
    pass


def _range(op: str, bound: int) -> Range:
    return {
        "eq": (bound, bound, frozenset()),
        "ne": (None, None, frozenset({bound})),
        "ge": (bound, None, frozenset()),
        "le": (None, bound, frozenset()),
    }[op]


def _meet(a: Range, b: Range) -> Range | None:
    """The integers in both ranges, or None when there are none."""
    lo = a[0] if b[0] is None else b[0] if a[0] is None else max(a[0], b[0])
    hi = a[1] if b[1] is None else b[1] if a[1] is None else min(a[1], b[1])
    excluded = a[2] | b[2]
    while lo is not None and lo in excluded:
        lo += 1
    while hi is not None and hi in excluded:
        hi -= 1
    if lo is not None and hi is not None and lo > hi:
        return None
    inside = frozenset(x for x in excluded if (lo is None or x > lo) and (hi is None or x < hi))
    return lo, hi, inside


def _both(a: Case, b: Case) -> Case | None:
    out = dict(a)
    for field, r in b.items():
        met = _meet(out[field], r) if field in out else r
        if met is None:
            return None
        out[field] = met
    return out


def _product(left: list[Case], right: list[Case], limit: int) -> list[Case]:
    out = [c for a in left for b in right if (c := _both(a, b)) is not None]
    if len(out) > limit:
        raise TooManyCases(len(out))
    return out


def cases(f: Formula, limit: int) -> list[Case]:
    """`f` as a disjunction of mutually exclusive cases, each a conjunction of integer ranges (a disjoint
    DNF): exactly one case holds when `f` does, none when it does not. Raises TooManyCases beyond `limit`.

    `x1 or x2 or x3` splits as x1, (not x1 and x2), (not x1 and not x2 and x3); a conjunction multiplies
    its parts' cases, and cases that contradict themselves (x = 1 and x = 2) drop out."""
    if f[0] == "cmp":
        return [{f[1]: _range(f[2], f[3])}]
    kind, parts = f
    if kind == "and":
        out: list[Case] = [{}]
        for part in parts:
            out = _product(out, cases(part, limit), limit)
        return out
    out = []
    none_before: list[Case] = [{}]  # the cases where no earlier branch holds
    for i, part in enumerate(parts):
        out += _product(none_before, cases(part, limit), limit)
        if len(out) > limit:
            raise TooManyCases(len(out))
        if i < len(parts) - 1:
            none_before = _product(none_before, cases(simplify(negate(part)), limit), limit)
    return out


def case_holds(case: Case, fact: Mapping[str, int]) -> bool:
    """Whether a posted fact meets a case (what durable_rules decides; used by the tests)."""
    return all(
        (lo is None or fact[f] >= lo) and (hi is None or fact[f] <= hi) and fact[f] not in excluded
        for f, (lo, hi, excluded) in case.items()
    )


def case_expression(case: Case) -> dict[str, Any]:
    """One case as a durable_rules expression: a flat `$and` of comparisons (one `$and` at most)."""
    tests: list[dict[str, Any]] = []
    for field, (lo, hi, excluded) in sorted(case.items()):
        if lo is not None and lo == hi:
            tests.append({field: lo})
            continue
        if lo is not None:
            tests.append({"$gte": {field: lo}})
        if hi is not None:
            tests.append({"$lte": {field: hi}})
        tests.extend({"$neq": {field: x}} for x in sorted(excluded))
    if not tests:
        return {MARKER_FIELD: 1}  # the case that always holds: every posted fact carries the marker
    return tests[0] if len(tests) == 1 else {"$and": tests}


def rule_expressions(rule_cases: list[Case]) -> list[dict[str, Any]]:
    """The conditions of the durable rules for one pack rule: `$or`s of at most CASES_PER_RULE cases, since
    durable_rules takes at most 15 `$and`/`$or` in one expression (error 113 beyond)."""
    chunks = [rule_cases[i : i + CASES_PER_RULE] for i in range(0, len(rule_cases), CASES_PER_RULE)]
    expressions = []
    for chunk in chunks:
        parts = [case_expression(c) for c in chunk]
        expressions.append(parts[0] if len(parts) == 1 else {"$or": parts})
    return expressions


# --- the engine ------------------------------------------------------------------------------------------------


def durable_plan(pack: CompiledPack) -> tuple[dict[str, str], tuple[tuple[str, Atom], ...], dict[str, list[Case]]]:
    """What the durable engine posts (field names, the atoms in order) and each rule's exclusive cases, or a
    PackError when durable_rules cannot run the pack. Needs no durable_rules: `validate` calls it too, so it
    refuses every pack this engine would refuse."""
    fields = field_names(pack)
    posted = tuple((fields[key], atom) for key, atom in sorted(pack.atoms.items()))
    width = len(posted) + 2  # + sid and the marker
    where = pack.definition.where
    if width > MAX_FACT_PROPERTIES:
        raise PackError(
            [
                where.problem(
                    f"pack '{pack.definition.id}': it reads {len(posted)} atoms; the durable engine posts them as one "
                    f"fact with {width} properties and durable_rules 2.0.28 takes at most {MAX_FACT_PROPERTIES}; "
                    "use the compiled engine"
                )
            ]
        )
    plan: dict[str, list[Case]] = {}
    for r in pack.rules:
        try:
            plan[r.id] = cases(simplify(formula(pack.inline(r.cond), pack, fields)), MAX_CASES)
        except TooManyCases as exc:
            problem = r.rule.where.problem(
                f"rule '{r.id}' of pack '{pack.definition.id}' splits into more than {MAX_CASES} exclusive "
                f"cases ({exc} and counting) once its references are inlined: too many for the durable "
                "engine; use the compiled engine"
            )
            raise PackError([problem]) from None
    return fields, posted, plan


class DurableEngine:
    """Decides which rules hold by posting the integer view to a durable_rules ruleset.

    One engine serves many evaluations, one at a time (a lock; durable_rules holds the GIL throughout,
    so threads would not run in parallel anyway: use processes). Each evaluation has its own session,
    deleted when it ends, so nothing of one evaluation is visible to the next."""

    name = "durable"

    def __init__(self, pack: CompiledPack) -> None:
        self._durable = load_durable()
        self.pack = pack
        self.ruleset_name = pack.definition.id
        self.fields, self._posted, self.cases = durable_plan(pack)
        self.rule_ids: tuple[str, ...] = tuple(r.id for r in pack.rules)
        # durable rule name -> pack rule id: r<rule index>_<chunk index>; a rule that never holds has none
        self.durable_rules: dict[str, str] = {}
        self._expressions: dict[str, dict[str, Any]] = {}
        for i, rule_id in enumerate(self.rule_ids):
            for k, expression in enumerate(rule_expressions(self.cases[rule_id])):
                self.durable_rules[f"r{i}_{k}"] = rule_id
                self._expressions[f"r{i}_{k}"] = expression
        self._lock = threading.Lock()
        self._closed = False
        self._sids = itertools.count(1)
        self._fired: list[tuple[str, object]] = []  # (rule id or SENTINEL, the sid of the fact it matched)
        self._host = self._new_host()
        self._finalizer = weakref.finalize(self, _free_ruleset, self._durable, self._host, self.ruleset_name)

    # -- building -------------------------------------------------------------------------------------------

    def definition(self) -> dict[str, dict[str, Any]]:
        """The durable_rules ruleset definition, without actions: r<rule>_<chunk> for the pack's rules
        (see `durable_rules`), and the sentinel that matches every posted view."""
        rules = {name: {"all": [{"m": expression}]} for name, expression in self._expressions.items()}
        rules[SENTINEL] = {"all": [{"m": {MARKER_FIELD: 1}}]}
        return rules

    def _new_host(self) -> Any:
        rules: dict[str, dict[str, Any]] = self.definition()
        for name, rule_id in self.durable_rules.items():
            rules[name]["run"] = self._recorder(rule_id)
        rules[SENTINEL]["run"] = self._recorder(SENTINEL)
        try:
            with _quiet():
                return _host_class(self._durable)({self.ruleset_name: rules})
        except Exception as exc:
            raise self._pack_error(f"durable_rules cannot build its ruleset: {type(exc).__name__}: {exc}") from exc

    def _recorder(self, rule_id: str) -> Callable[[Any], None]:
        fired = self._fired

        def record(c: Any) -> None:
            fired.append((rule_id, c.m[SESSION_FIELD]))

        return record

    # -- evaluating -----------------------------------------------------------------------------------------

    def fact(self, view: Mapping[str, Value], sid: str) -> dict[str, object]:
        """The fact posted for `view`: the integer encoding of every atom, by field name."""
        fact: dict[str, object] = {SESSION_FIELD: sid, MARKER_FIELD: 1}
        try:
            for field, atom in self._posted:
                fact[field] = atom.encode(view[atom.key])
        except KeyError as exc:
            raise self._evaluation_error(f"the view lacks the atom {exc}") from None
        return fact

    def firings(self, view: Mapping[str, Value]) -> tuple[str, ...]:
        """Every firing of a pack rule on `view`, in order, repeats included (the sentinel's excluded)."""
        with self._lock, _quiet():
            if self._closed:
                raise self._evaluation_error("this durable engine was closed; build another")
            sid = str(next(self._sids))
            fact = self.fact(view, sid)
            self._fired.clear()
            try:
                try:
                    self._host.assert_fact(self.ruleset_name, fact)
                finally:
                    self._end_session(fact, sid)
            except Exception as exc:
                raise self._evaluation_error(f"durable_rules failed: {type(exc).__name__}: {exc}") from exc
            fired = list(self._fired)
        strays = {s for _, s in fired if s != sid}
        sentinels = sum(1 for rid, _ in fired if rid == SENTINEL)
        if strays or sentinels != 1:
            raise self._evaluation_error(
                f"durable_rules misbehaved: the sentinel rule fired {sentinels} times (expected once) and actions "
                f"ran for sessions {sorted(map(str, strays))} besides {sid}; it swallows its actions' errors, so "
                "the result cannot be trusted"
            )
        return tuple(rid for rid, _ in fired if rid != SENTINEL)

    def holding(self, view: Mapping[str, Value]) -> frozenset[str]:
        return frozenset(self.firings(view))

    def _end_session(self, fact: dict[str, object], sid: str) -> None:
        """Retract the fact and delete the session; a session in which no action ran cannot be deleted
        (durable_rules segfaults), so it is abandoned with its host, and a fresh host takes over."""
        if any(s == sid for _, s in self._fired):
            try:
                self._host.retract_fact(self.ruleset_name, dict(fact))
            finally:
                self._host.delete_state(self.ruleset_name, sid)
            return
        self._finalizer.detach()  # the abandoned host's ruleset is leaked on purpose, not freed under it
        self._host = self._new_host()
        self._finalizer = weakref.finalize(self, _free_ruleset, self._durable, self._host, self.ruleset_name)

    def _pack_error(self, message: str) -> PackError:
        return PackError([self.pack.definition.where.problem(f"pack '{self.pack.definition.id}': {message}")])

    def _evaluation_error(self, message: str) -> EvaluationError:
        return EvaluationError([Problem("--engine durable", f"pack '{self.pack.definition.id}': {message}")])

    def close(self) -> None:
        """Free the ruleset now (durable_rules never frees one by itself)."""
        with self._lock:
            self._closed = True
            self._finalizer()


def _host_class(durable: ModuleType) -> type[Any]:
    class QuietHost(durable.Host):  # type: ignore[name-defined,misc]
        """A Host without the background dispatch threads (they crash after states are deleted);
        every evaluation runs its actions synchronously inside assert_fact."""

        def _run(self) -> None:
            pass

    return QuietHost


def _free_ruleset(durable: ModuleType, host: Any, name: str) -> None:
    durable.durable_rules_engine.delete_ruleset(host.get_ruleset(name)._handle)


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence durable_rules' own DeprecationWarnings (Python 3.12+: one per action) for this call only."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"durable(\.|$)")
        yield
