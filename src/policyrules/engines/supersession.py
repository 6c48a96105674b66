"""Supersession evaluated: from the date a later text prevails (pack.yaml `supersession`), each yielding
decision is also taken by the superseding pack, and where a rule of that pack decides otherwise its decision
is the answer. Every yielding decision then says which regime decided and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from types import MappingProxyType

from ..packs import PackDefinition, SupersessionSpec
from .result import Decision, unique_citations


def in_effect(definition: PackDefinition, day: date) -> SupersessionSpec | None:
    supersession = definition.meta.supersession
    return supersession if supersession is not None and day >= supersession.from_ else None


def validity_yields(definition: PackDefinition) -> bool:
    """Whether the listing decision yields: then the superseding pack's validity period also decides, from the
    date, whether the enterprise is still a 正面清单企业 for the superseded pack's own rules."""
    supersession = definition.meta.supersession
    return supersession is not None and any(y.decision == "listing" for y in supersession.decisions)


def apply(
    definition: PackDefinition,
    own: Mapping[str, Decision],
    superseding: Mapping[str, Decision],
    day: date,
) -> dict[str, Decision]:
    """`own` with each yielding decision replaced by the superseding pack's where that pack decides it by a
    rule and differs; every yielding decision carries a note naming the regime that decided."""
    supersession = definition.meta.supersession
    sup_def = definition.superseding
    assert supersession is not None and sup_def is not None
    clause = sup_def.clauses[_ref(supersession.clause, sup_def.id)]
    out = dict(own)
    for yielding in supersession.decisions:
        mine, theirs = own.get(yielding.decision), superseding.get(yielding.decision)
        if mine is None or theirs is None:
            continue
        differs = (theirs.outcome, dict(theirs.flags)) != (mine.outcome, dict(mine.flags))
        header = (
            f"取代 / superseded: 自{supersession.from_}起，{clause.doc} {clause.label}「{clause.text}」"
            f" / from {supersession.from_} {clause.doc} prevails where it differs"
        )
        if theirs.decided_by and differs:
            cited = [sup_def.clauses[_ref(c, sup_def.id)] for c in yielding.cites]
            note = (
                f"{header}：本项决定依 {sup_def.id} 作出（{'、'.join(c.label for c in cited)}；{definition.id} "
                f"单独适用将得出 {mine.outcome}）：{yielding.note_zh} / decided by {sup_def.id} "
                f"({definition.id} alone would answer {mine.outcome}): {yielding.note}"
            )
            out[yielding.decision] = Decision(
                theirs.name,
                theirs.outcome,
                (*theirs.rules, *mine.rules),
                unique_citations((*theirs.citations, MappingProxyType(clause.citation()))),
                theirs.categories,
                theirs.flags,
                theirs.decided_by,
                (note, *theirs.notes),
            )
            continue
        why = (
            f"{sup_def.id} 结论相同 / {sup_def.id} agrees"
            if not differs
            else f"{sup_def.id} 对此未作规定（默认结论 {theirs.outcome}） / {sup_def.id} does not decide it "
            f"(its default {theirs.outcome})"
        )
        note = f"{header}：本项决定依 {definition.id} 作出，{why} / decided by {definition.id}"
        out[yielding.decision] = replace(mine, notes=(note, *mine.notes))
    return out


def warning(definition: PackDefinition, day: date) -> str | None:
    supersession = in_effect(definition, day)
    if supersession is None:
        return None
    names = ", ".join(y.decision for y in supersession.decisions)
    return (
        f"from {supersession.from_} {supersession.by} prevails where it differs: {definition.id}'s {names} "
        f"decisions are taken by {supersession.by} wherever one of its rules decides otherwise (see each "
        "decision's notes)"
    )


def _ref(clause: str, pack_id: str) -> str:
    return clause if ":" in clause else f"{pack_id}:{clause}"
