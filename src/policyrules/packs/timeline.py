"""The time keys of pack.yaml checked on load: the listing validity names a clause of the pack and quotes it,
and a supersession names a pack that exists, a clause of it that says it prevails, and the clauses of it
that decide each yielding decision."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from ..errors import PackError, Problem, did_you_mean
from ..yamlio import Where
from .definition import Clause, PackDefinition
from .find import resolve_pack_dir
from .spec import PackMeta


def check_validity(meta: PackMeta, clauses: Mapping[str, Clause], where: Where, problems: list[Problem]) -> None:
    """`listing_validity.cites` names a clause of this pack or an ancestor; `says` quotes that clause."""
    validity = meta.listing_validity
    if validity is None:
        return
    clause = _clause(validity.cites, meta.id, clauses, where.at("cites"), problems)
    if clause is not None and validity.says not in clause.text:
        problems.append(
            where.at("says").problem(
                f"'{validity.says}' is not in the text of the clause it cites ({clause.doc} {clause.label}); "
                "quote the phrase that sets the period"
            )
        )


def load_superseding(
    meta: PackMeta,
    directory: Path,
    where: Where,
    load: Callable[[Path], PackDefinition],
    problems: list[Problem],
) -> PackDefinition | None:
    """The pack that supersedes this one, loaded and checked against what the supersession cites."""
    supersession = meta.supersession
    if supersession is None:
        return None
    try:
        superseding = load(resolve_pack_dir(supersession.by, near=directory))
    except PackError as exc:
        problems += [where.at("by").problem(f"cannot load the superseding pack '{supersession.by}'"), *exc.problems]
        return None
    if superseding.id == meta.id:
        problems.append(where.at("by").problem("a pack cannot supersede itself"))
        return None
    _clause(supersession.clause, superseding.id, superseding.clauses, where.at("clause"), problems)
    seen: set[str] = set()
    for i, yielding in enumerate(supersession.decisions):
        here = where.at("decisions", i)
        if yielding.decision in seen:
            problems.append(here.at("decision").problem(f"'{yielding.decision}' is listed twice"))
        seen.add(yielding.decision)
        for k, ref in enumerate(yielding.cites):
            _clause(ref, superseding.id, superseding.clauses, here.at("cites", k), problems)
    return superseding


def _clause(
    ref: str, pack_id: str, clauses: Mapping[str, Clause], where: Where, problems: list[Problem]
) -> Clause | None:
    key = ref if ":" in ref else f"{pack_id}:{ref}"
    clause = clauses.get(key)
    if clause is None:
        own = [c.id for c in clauses.values() if c.pack_id == pack_id]
        problems.append(
            where.problem(f"unknown clause '{ref}' of pack {pack_id}{did_you_mean(ref, own + list(clauses))}")
        )
    return clause
