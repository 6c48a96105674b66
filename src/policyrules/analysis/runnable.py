"""Whether every part of the library can run a pack: the durable engine's plan and the size of each condition
in `diff`'s decision diagrams, checked without running either, so that `validate` refuses every pack that
`evaluate --engine durable` or `diff` would refuse later."""

from __future__ import annotations

from datetime import date

from ..conditions import leaves
from ..engines import Pack
from ..engines.durable import durable_plan
from ..errors import PackError, Problem
from .decision_diagrams import MAX_LEAF_POINTS
from .domain import DiffError, Domain


def runnable_problems(pack: Pack) -> list[Problem]:
    """Problems that would stop the durable engine or `diff` on this pack (empty when both can run it)."""
    problems: list[Problem] = []
    try:
        durable_plan(pack.compiled)
    except PackError as exc:
        problems += exc.problems
    return problems + _diff_problems(pack)


def _diff_problems(pack: Pack) -> list[Problem]:
    day = pack.definition.primary.in_force_from or date.today()
    try:
        domain = Domain((pack.compiled, pack.compiled), day)
    except DiffError as exc:
        return list(exc.problems)
    problems = []
    seen: set[str] = set()
    for rule in pack.compiled.rules:
        for leaf in leaves(rule.cond):
            if leaf.atom.key in seen:
                continue
            seen.add(leaf.atom.key)
            points = 1
            for dim in set(domain.deps(0, leaf.atom.key)):
                points *= len(domain.dims[dim].values)
            if points > MAX_LEAF_POINTS:
                problems.append(
                    leaf.where.problem(
                        f"this condition reads more than {MAX_LEAF_POINTS:,} combinations of values (the limit of "
                        "`diff`'s decision diagrams): use fewer distinct `within:` windows or filters on one list"
                    )
                )
    return problems
