"""The checks a compiled pack must pass beyond parsing: `says:` quotes the sources, every outcome a rule
yields is in its decision's hit policy, every decision rests on a rule, and references form no cycle."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import Problem
from ..packs import DECISIONS, PackDefinition, Rule
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


def says_problems(rules: Sequence[CompiledRule], texts: Sequence[str]) -> list[Problem]:
    """Every `says:` must be the source's own words (…… for an elision)."""
    problems = []
    for rule in rules:
        for node in nodes(rule.cond):
            says = getattr(node, "says", None)
            where = getattr(node, "where", None) or rule.rule.where.at("when")
            if says and not quoted_in(says, texts):
                problems.append(
                    where.at("says").problem(
                        f"'{says}' is not found verbatim in the pack's sources; quote the phrase the condition "
                        f"encodes (mark an omission with {ELISION})"
                    )
                )
    return problems


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
