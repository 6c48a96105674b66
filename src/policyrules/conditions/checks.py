"""The checks a compiled pack must pass beyond parsing: `says:` quotes the sources, every outcome a rule
yields is in its decision's hit policy, every decision rests on a rule, and references form no cycle."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import Problem
from ..packs import DECISIONS, Clause, PackDefinition, Rule
from .compiled import CompiledRule
from .ir import nodes, references

ELISION = "……"


def quoted_in(phrase: str, texts: Sequence[str]) -> bool:
    """Whether `phrase` is found verbatim in one of the texts; ……  elides, so its parts must appear in order."""
    parts = [p for p in phrase.split(ELISION) if p]
    for text in texts:
        at = 0
        for part in parts:
            at = text.find(part, at)
            if at < 0:
                break
            at += len(part)
        else:
            return True
    return False


def says_problems(rules: Sequence[CompiledRule], definition: PackDefinition) -> list[Problem]:
    """Every `says:` must be the source's own words (…… for an elision), found in the text of a clause its
    rule cites or of one of that clause's items (三、（七） takes in 三、（七）一是…); a phrase found only under
    another clause is reported with the clause it should cite."""
    every = list(definition.clauses.values())
    problems = []
    for rule in rules:
        texts = [c.text for c in _cited_with_items(rule.rule.cites, every)]
        for node in nodes(rule.cond):
            says = getattr(node, "says", None)
            where = getattr(node, "where", None) or rule.rule.where.at("when")
            if not says or quoted_in(says, texts):
                continue
            elsewhere = [c for c in every if quoted_in(says, [c.text])]
            if elsewhere:
                named = "; ".join(f"{c.ref} ({c.doc} {c.label})" for c in elsewhere[:3])
                message = (
                    f"'{says}' is not in the clauses rule '{rule.id}' cites; it is found in {named}: cite the "
                    "clause the condition rests on, or quote the cited clause's own words"
                )
            elif quoted_in(says, [t for d in definition.chain() for t in d.sources.values()]):
                message = (
                    f"'{says}' is in the pack's sources but in no clause of the pack; add the clause it belongs to "
                    "to clauses.yaml and cite it"
                )
            else:
                message = (
                    f"'{says}' is not found verbatim in the pack's sources; quote the phrase the condition "
                    f"encodes (mark an omission with {ELISION})"
                )
            problems.append(where.at("says").problem(message))
    return problems


def _cited_with_items(cites: Sequence[Clause], every: Sequence[Clause]) -> list[Clause]:
    """The cited clauses and their items (the clauses of the same pack whose id extends a cited one's); a
    clause whose rule also cites one of its items stands for itself only, so citing 三、（二） and 三、（二）二是
    does not take in 三是's words."""

    def item_of(clause: Clause, parent: Clause) -> bool:
        return clause.pack_id == parent.pack_id and clause.id != parent.id and clause.id.startswith(parent.id)

    parents = [c for c in cites if not any(item_of(d, c) for d in cites)]
    out = list(cites)
    for clause in every:  # the cheap test first: `in` compares clauses field by field (every load runs this)
        if any(item_of(clause, c) for c in parents) and clause not in out:
            out.append(clause)
    return out


def policy_problems(definition: PackDefinition, active: Sequence[Rule]) -> list[Problem]:
    problems = []
    for rule in active:
        policy = definition.decisions[rule.decision]
        yields = rule.spec.yields
        if yields is not None and yields not in policy.priority and yields != policy.default:
            problems.append(
                rule.where.at("yields").problem(
                    f"'{yields}' is not in the {rule.decision} hit policy ({', '.join(policy.priority)}; default "
                    f"{policy.default}); add it to `decisions: {rule.decision}: priority` in pack.yaml"
                )
            )
    return problems


def decision_problems(definition: PackDefinition, active: Sequence[Rule]) -> list[Problem]:
    """Every decision must rest on at least one active rule, so that its outcome can cite a clause."""
    problems = []
    for decision in DECISIONS:
        if not any(r.decision == decision for r in active):
            problems.append(
                definition.where.problem(
                    f"no active rule feeds the {decision} decision; every decision must rest on at least one "
                    "rule so that its outcome can cite a clause"
                )
            )
    return problems


def find_cycle(rules: Sequence[CompiledRule]) -> str | None:
    """A chain of rule or outcome references that leads back to where it started, if there is one."""
    edges: dict[str, set[str]] = {f"decision {d}": set() for d in DECISIONS}
    for rule in rules:
        ref_rules, ref_decisions = references(rule.cond)
        edges[f"rule {rule.id}"] = {f"rule {r}" for r in ref_rules} | {f"decision {d}" for d in ref_decisions}
        edges[f"decision {rule.decision}"].add(f"rule {rule.id}")
    done: set[str] = set()
    for start in sorted(edges):
        if start in done:
            continue
        # depth-first without recursion (a chain of thousands of references must not reach Python's limit)
        trail: list[str] = []
        stack: list[tuple[str, list[str]]] = [(start, sorted(edges.get(start, ())))]
        while stack:
            node, todo = stack[-1]
            if not trail or trail[-1] != node:
                trail.append(node)
            nxt = next((n for n in todo if n not in done), None)
            if nxt is None:
                done.add(node)
                stack.pop()
                trail.pop()
                continue
            todo.remove(nxt)
            if nxt in trail:
                return " -> ".join((*trail[trail.index(nxt) :], nxt))
            stack.append((nxt, sorted(edges.get(nxt, ()))))
    return None
