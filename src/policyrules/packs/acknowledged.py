"""pack.yaml `acknowledged:`: the lint findings a pack keeps on purpose, each with its reason. Each must name
rules and clauses that exist, so that a renamed rule cannot leave an acknowledgment silently pointing nowhere."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..errors import Problem, did_you_mean
from ..yamlio import Where
from .definition import Acknowledgment, Clause, Rule
from .spec import AcknowledgedSpec


def resolve_acknowledged(
    specs: Sequence[AcknowledgedSpec],
    where: Where,
    pack_id: str,
    clauses: Mapping[str, Clause],
    rules: Sequence[Rule],
    problems: list[Problem],
) -> tuple[Acknowledgment, ...]:
    known = [r.id for r in rules]
    out = []
    for i, spec in enumerate(specs):
        here = where.at(i)
        for j, rule_id in enumerate(spec.rules):
            if rule_id not in known:
                problems.append(
                    here.at("rules", j).problem(f"no rule '{rule_id}' in this pack{did_you_mean(rule_id, known)}")
                )
        if spec.clause is not None and f"{pack_id}:{spec.clause}" not in clauses:
            own = [c.id for c in clauses.values() if c.pack_id == pack_id]
            problems.append(
                here.at("clause").problem(f"no clause '{spec.clause}' in this pack{did_you_mean(spec.clause, own)}")
            )
        if spec.finding == "uncited_clause" and spec.clause is None:
            problems.append(here.problem("an uncited_clause finding is acknowledged by its `clause:`"))
        elif spec.finding != "uncited_clause" and not spec.rules:
            problems.append(here.problem(f"a {spec.finding} finding is acknowledged by the `rules:` it names"))
        out.append(Acknowledgment(spec, pack_id, here))
    return tuple(out)
