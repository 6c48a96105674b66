"""Comparing two packs: every region of the input space where they decide differently, decision by decision,
each with a witness that `Pack.evaluate` confirms, and whether the pack that extends the other states the
change in a rule of its own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from ..conditions import CompiledPack, references
from ..engines import Decision, Pack
from ..errors import Problem
from ..packs import DECISIONS, PackDefinition
from .describe import describe
from .domain import DiffError, Domain
from .report import Difference, DiffReport
from .search import DEFAULT_MAX_NODES, Row, SearchStats, search


def default_as_of(a: Pack, b: Pack) -> date:
    """A date on which both packs can be evaluated: the later in-force date, else today."""
    starts = [p.definition.primary.in_force_from for p in (a, b) if p.definition.primary.in_force_from]
    return max(starts) if starts else date.today()


def diff_packs(
    a: Pack,
    b: Pack,
    as_of: date | None = None,
    decisions: Sequence[str] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> DiffReport:
    """Every region of the input space where `a` and `b` decide differently, decision by decision."""
    day = as_of or default_as_of(a, b)
    warnings = [f"{a.id}: {w}" for w in a.check_date(day)] + [f"{b.id}: {w}" for w in b.check_date(day)]
    chosen = list(decisions or DECISIONS)
    for d in chosen:
        if d not in DECISIONS:
            raise DiffError([Problem("--decision", f"unknown decision '{d}'; expected one of {', '.join(DECISIONS)}")])
    domain = Domain((a.compiled, b.compiled), day)
    relation, extender = _relation(a.definition, b.definition)
    stats: dict[str, SearchStats] = {}
    differences: list[Difference] = []
    for decision in chosen:
        rows, stats[decision] = search(domain, decision, max_nodes)
        for row in rows:
            witness = domain.document(row.point)
            # the packs' own rules are compared: a supersession in effect is reported among the warnings
            da = a.evaluate(witness, as_of=day, supersede=False).decisions[decision]
            db = b.evaluate(witness, as_of=day, supersede=False).decisions[decision]
            _check(decision, row, da, db, domain)
            differences.append(_difference(a, b, domain, decision, row, witness, da, db, extender, relation))
    return DiffReport(a, b, day, domain, chosen, stats, differences, warnings, relation)


def _check(decision: str, row: Row, da: Decision, db: Decision, domain: Domain) -> None:
    """The witness, evaluated by Pack.evaluate, must decide exactly as the region says, and the region's
    rules must hold in it."""
    got = tuple((d.outcome, tuple(d.flags.items())) for d in (da, db))
    held = [{r.id for r in d.rules if r.holds} for d in (da, db)]
    rules_ok = all(set(rules) <= h for rules, h in zip(row.rules, held, strict=True))
    if got != row.key or not rules_ok:
        raise AssertionError(
            f"diff: the witness of the {decision} region [{describe(domain, row)}] evaluates to {got} "
            f"(holding {held}), but the search settled the region as {row.key} with {row.rules}; this is a bug "
            "in policyrules.diff"
        )


def _relation(a: PackDefinition, b: PackDefinition) -> tuple[str, PackDefinition | None]:
    a_chain = [p.id for p in a.chain()]
    b_chain = [p.id for p in b.chain()]
    if a.id == b.id:
        return f"{a.id} is compared with itself", None
    if a.id in b_chain:
        return f"{b.id} extends {a.id}: its rules say what they change", b
    if b.id in a_chain:
        return f"{a.id} extends {b.id}: its rules say what they change", a
    common = [p for p in a_chain if p in b_chain]
    if common:
        return (
            f"{a.id} and {b.id} both extend {common[0]} but not each other: neither states its rules as "
            "changes to the other's",
            None,
        )
    return f"{a.id} and {b.id} do not extend one another: independent texts, neither states the difference", None


def _difference(
    a: Pack,
    b: Pack,
    domain: Domain,
    decision: str,
    row: Row,
    witness: dict[str, Any],
    da: Decision,
    db: Decision,
    extender: PackDefinition | None,
    relation: str,
) -> Difference:
    flags = {f: (da.flags[f], db.flags[f]) for f in da.flags if da.flags[f] != db.flags.get(f)}
    a_resp = _responsible(a, decision, da)
    b_resp = _responsible(b, decision, db)
    documented, note = False, relation
    changes: list[tuple[str, str, str]] = []
    if extender is not None:
        base = b.definition if extender is a.definition else a.definition
        base_ids = {p.id for p in base.chain()}
        changed = {r.id: r for r in extender.rules if r.pack_id not in base_ids}
        behind = {r for rules in row.rules for r in rules} or set(a_resp) | set(b_resp)
        involved = _closure(a.compiled, behind) | _closure(b.compiled, behind)
        hits = [rule for rule_id, rule in changed.items() if rule_id in involved]
        direct = [rule for rule in hits if rule.id in behind]
        documented = bool(hits)
        if hits:
            said = []
            for rule in direct or hits:
                verb = {"overridden": "overrides", "added": "adds", "disabled": "disables"}.get(rule.origin, "changes")
                cites = "; ".join(dict.fromkeys(f"{c.doc} {c.label}" for c in rule.cites))
                said.append(f"{rule.pack_id} {verb} {rule.id} ({cites})")
                changes.append((rule.pack_id, rule.origin, rule.id))
            note = "; ".join(said)
        else:
            note = f"{relation}, but no rule behind this difference is one {extender.id} changes"
    if flags:
        note += "; flags differ: " + ", ".join(f"{f} ({a.id} {fa}, {b.id} {fb})" for f, (fa, fb) in flags.items())
    return Difference(
        decision, row, describe(domain, row), witness, da, db, a_resp, b_resp, documented, note, flags, changes
    )


def _responsible(pack: Pack, decision: str, result: Decision) -> list[str]:
    """The rules behind a decision: those that decided it (and set its flags), or for a default outcome the
    rules checked."""
    flag_rules = [r.id for r in result.rules if r.holds and r.sets]
    decided = list(result.decided_by) or [r.id for r in pack.compiled.rules_of(decision)]
    return list(dict.fromkeys([*decided, *flag_rules]))


def _closure(pack: CompiledPack, rule_ids: Iterable[str]) -> set[str]:
    """The rules and the rules they refer to, directly or through another decision's outcome."""
    start = set(rule_ids)
    todo = [r for r in start if any(x.id == r for x in pack.rules)]
    seen: set[str] = set()
    while todo:
        rule_id = todo.pop()
        if rule_id in seen:
            continue
        seen.add(rule_id)
        ref_rules, ref_decisions = references(pack.rule(rule_id).cond)
        todo += list(ref_rules)
        for d in ref_decisions:
            todo += [r.id for r in pack.rules_of(d)]
    return seen | start
