"""The resolved pack: clauses, rules and policies with a pack's ancestors merged in, each rule knowing where
it came from. load.py builds it from the pack format (spec.py); the conditions package compiles it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..yamlio import Where
from .spec import (
    AcknowledgedSpec,
    CreditSchemeSpec,
    DecisionPolicySpec,
    DocumentSpec,
    DocumentStatus,
    GradeSpec,
    ListingValiditySpec,
    PackMeta,
    RuleSpec,
)

Origin = Literal["own", "inherited", "overridden", "added", "disabled"]


@dataclass(frozen=True)
class Clause:
    """A clause of a source document, as cited: `doc` is the document number as printed."""

    pack_id: str
    id: str
    doc_id: str
    doc: str
    label: str
    text: str
    encoded: bool
    reason: str | None
    pending: bool = False  # `encoded: pending`: not yet encoded (a scaffold's clauses start so); encoded is False
    where: Where | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        return f"{self.pack_id}:{self.id}"

    def citation(self) -> dict[str, str]:
        return {"doc": self.doc, "clause": self.label, "text": self.text}


@dataclass(frozen=True)
class Rule:
    """A rule of the effective rule set, with where it came from."""

    spec: RuleSpec
    pack_id: str
    origin: Origin
    cites: tuple[Clause, ...]
    where: Where
    replaced: Rule | None = None  # the parent's rule this one overrides or disables
    reason: str | None = None  # why a disabled rule was switched off
    disable_notes: str | None = None  # the notes of the entry that disabled it

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def decision(self) -> str:
        assert self.spec.decision is not None  # load.py fills it in for every effective rule
        return self.spec.decision


@dataclass(frozen=True)
class Acknowledgment:
    """A lint finding a pack keeps on purpose (pack.yaml `acknowledged:`), with where it is written."""

    spec: AcknowledgedSpec
    pack_id: str
    where: Where


@dataclass(frozen=True)
class PackDefinition:
    """A loaded, checked pack with its ancestors merged in: the input of compile.py."""

    meta: PackMeta
    directory: Path
    decisions: Mapping[str, DecisionPolicySpec]
    clauses: Mapping[str, Clause]  # by ref "pack:clause-id", own and inherited
    rules: tuple[Rule, ...]  # the effective rule set in evaluation order, disabled rules included
    sources: Mapping[str, str]  # document id -> cleaned text
    parent: PackDefinition | None
    where: Where
    acknowledged: tuple[Acknowledgment, ...] = ()  # this pack's own; lint also honours its ancestors'
    files: tuple[str, ...] = ()  # the files of its directory the pack reads (relative): all a snapshot needs
    superseding: PackDefinition | None = None  # meta.supersession.by, loaded

    @property
    def listing_validity(self) -> ListingValiditySpec | None:
        """The period a listing lasts: this pack's own, else the nearest ancestor's (None: no period)."""
        for pack in self.chain():
            if pack.meta.listing_validity is not None:
                return pack.meta.listing_validity
        return None

    @property
    def validity_period(self) -> tuple[Literal["years", "months", "days"], int] | None:
        validity = self.listing_validity
        return validity.period.period() if validity and validity.period else None

    @property
    def id(self) -> str:
        return self.meta.id

    def chain(self) -> tuple[PackDefinition, ...]:
        """This pack and its ancestors, nearest first."""
        return (self, *(self.parent.chain() if self.parent else ()))

    def document_of(self, clause: Clause) -> DocumentSpec:
        """The document a clause (of this pack or an ancestor) belongs to."""
        for pack in self.chain():
            if pack.id == clause.pack_id:
                return pack.meta.documents[clause.doc_id]
        raise KeyError(clause.ref)

    @property
    def primary(self) -> DocumentSpec:
        doc_id = self.meta.primary_document or next(iter(self.meta.documents))
        return self.meta.documents[doc_id]

    @property
    def credit_scheme(self) -> CreditSchemeSpec:
        for pack in self.chain():
            if pack.meta.credit_scheme is not None:
                return pack.meta.credit_scheme
        return NATIONAL_CREDIT_SCHEME

    @property
    def status(self) -> DocumentStatus:
        return self.primary.status


NATIONAL_CREDIT_SCHEME = CreditSchemeSpec(
    id="national",
    name="企业环境信用评价（全国）",
    grades=(
        GradeSpec(code="trustworthy", label="环保诚信"),
        GradeSpec(code="good", label="环保良好"),
        GradeSpec(code="warning", label="环保警示"),
        GradeSpec(code="poor", label="环保不良"),
    ),
)
