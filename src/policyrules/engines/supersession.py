"""Supersession evaluated: from the date a later text prevails (pack.yaml `supersession`), each yielding
decision is also taken by the superseding pack, and where a rule of that pack decides otherwise its decision
is the answer. Every yielding decision then says which regime decided and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from types import MappingProxyType

from ..packs import DECISION_LABELS, OUTCOME_LABELS, PackDefinition, SupersessionSpec
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
        header_en = f"superseded: from {supersession.from_} {clause.doc} {clause.label} prevails where it differs"
        header_zh = f"取代：自{supersession.from_}起，{clause.doc} {clause.label}「{clause.text}」"
        alone_zh = OUTCOME_LABELS.get(mine.outcome, (mine.outcome,))[0]
        if theirs.decided_by and differs:
            cited = [sup_def.clauses[_ref(c, sup_def.id)] for c in yielding.cites]
            note_en = (
                f"{header_en}: decided by {sup_def.id} ({', '.join(c.label for c in cited)}; {definition.id} "
                f"alone would answer {mine.outcome}): {yielding.note}"
            )
            note_zh = (
                f"{header_zh}：本项决定依 {sup_def.id} 作出（{'、'.join(c.label for c in cited)}；{definition.id} "
                f"单独适用将得出“{alone_zh}”）：{yielding.note_zh}"
            )
            out[yielding.decision] = Decision(
                theirs.name,
                theirs.outcome,
                (*theirs.rules, *mine.rules),
                unique_citations((*theirs.citations, MappingProxyType(clause.citation()))),
                theirs.categories,
                theirs.flags,
                theirs.decided_by,
                (note_en, *theirs.notes),
                notes_zh=(note_zh, *theirs.notes_zh),
            )
            continue
        default_zh = OUTCOME_LABELS.get(theirs.outcome, (theirs.outcome,))[0]
        why_en = (
            f"{sup_def.id} agrees" if not differs else f"{sup_def.id} does not decide it (its default {theirs.outcome})"
        )
        why_zh = f"{sup_def.id} 结论相同" if not differs else f"{sup_def.id} 对此未作规定（默认结论“{default_zh}”）"
        out[yielding.decision] = replace(
            mine,
            notes=(f"{header_en}: decided by {definition.id}, {why_en}", *mine.notes),
            notes_zh=(f"{header_zh}：本项决定依 {definition.id} 作出，{why_zh}", *mine.notes_zh),
        )
    return out


def warning(definition: PackDefinition, day: date) -> tuple[str, str] | None:
    """The warning of a superseded pack, in English and in Chinese; None where no supersession is in effect."""
    supersession = in_effect(definition, day)
    if supersession is None:
        return None
    names = ", ".join(y.decision for y in supersession.decisions)
    names_zh = "、".join(DECISION_LABELS[y.decision][0] for y in supersession.decisions)
    return (
        f"from {supersession.from_} {supersession.by} prevails where it differs: {definition.id}'s {names} "
        f"decisions are taken by {supersession.by} wherever one of its rules decides otherwise (see each "
        "decision's notes)",
        f"自 {supersession.from_} 起，{supersession.by} 与本包不一致的，以其为准：{definition.id} 的{names_zh}结论，"
        f"凡 {supersession.by} 有规则得出不同结论的，均依其规则作出（见各结论的说明）",
    )


def _ref(clause: str, pack_id: str) -> str:
    return clause if ":" in clause else f"{pack_id}:{clause}"
