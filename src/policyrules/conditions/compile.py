"""Compiling a pack: parse every active rule's conditions, then run the pack checks; every problem is
reported at once, with file, key path and line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

from ..errors import PackError
from ..packs import PackDefinition
from .checks import decision_problems, find_cycle, policy_problems, says_problems
from .compiled import CompiledPack, CompiledRule
from .ir import AllOf, AnyOf, Cond, Leaf, NotOf, OutcomeRef
from .limits import limit_problems
from .parser import ConditionParser
from .periods import Period
from .view import Atom


def compile_pack(definition: PackDefinition, validity: Period | Literal["pack"] | None = "pack") -> CompiledPack:
    """Parse every active rule's conditions; report every problem with file, key path and line. `validity`
    replaces the pack's listing validity (a superseded pack read with the superseding pack's period)."""
    active = [r for r in definition.rules if r.origin != "disabled"]
    period = definition.validity_period if validity == "pack" else validity
    parser = ConditionParser(definition.credit_scheme, (r.id for r in active), period)
    parsed = [(rule, parser.parse(rule.spec.when, rule.where.at("when"))) for rule in active]
    # text atoms gain literals as later leaves are parsed: give every leaf the atom in its final form
    compiled = [CompiledRule(rule, _with_atoms(cond, parser.atoms)) for rule, cond in parsed if cond is not None]
    problems = parser.problems + policy_problems(definition, active)
    problems += says_problems(compiled, definition)
    problems += decision_problems(definition, active)
    cycle = None if problems else find_cycle(compiled)
    if cycle:
        problems.append(definition.where.problem(f"rules refer to each other in a cycle: {cycle}"))
    if not problems:
        problems += limit_problems(definition, compiled)
    if problems:
        raise PackError(problems)
    return CompiledPack(definition, dict(parser.atoms), tuple(compiled), parser.grade_codes)


def _with_atoms(cond: Cond, atoms: Mapping[str, Atom]) -> Cond:
    if isinstance(cond, Leaf):
        return replace(cond, atom=atoms.get(cond.atom.key, cond.atom))
    if isinstance(cond, OutcomeRef) and cond.presence is not None:
        presence = _with_atoms(cond.presence, atoms)
        assert isinstance(presence, Leaf)
        return replace(cond, presence=presence)
    if isinstance(cond, AllOf | AnyOf):
        return replace(cond, children=tuple(_with_atoms(c, atoms) for c in cond.children))
    if isinstance(cond, NotOf):
        return replace(cond, child=_with_atoms(cond.child, atoms))
    return cond
