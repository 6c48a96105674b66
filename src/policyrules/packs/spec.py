"""The pack format: what a pack's YAML files may say, as pydantic models.

A pack directory holds `pack.yaml` (metadata, documents, credit scheme, decision policies), `clauses.yaml`
(clause id -> document, label, verbatim text), `rules.yaml` (the rules), the cleaned source text of each
document, and `cases/` and `examples/`. Conditions stay raw here (`when:` is a mapping); compile.py parses
them, because only it knows which fact paths exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import Problem, format_path

DECISIONS: tuple[str, ...] = ("inclusion", "listing", "inspection", "penalty", "supervision")

OUTCOMES: dict[str, tuple[str, ...]] = {
    "inclusion": ("eligible", "ineligible", "barred"),
    "listing": ("keep", "remove", "expired"),
    "inspection": ("permitted", "needs_approval", "self_check_first", "non_site", "refused"),
    "penalty": ("may_waive", "severe", "ordinary"),
    "supervision": ("exempt_on_site", "reduced", "general", "special"),
}

# refer_to_police and remove_from_list are the contract's; publicize (公开曝光 / 向社会公开) extends it.
FLAGS: dict[str, tuple[str, ...]] = {"penalty": ("refer_to_police", "remove_from_list", "publicize")}


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DocumentStatus(StrEnum):
    in_force = "in_force"
    draft = "draft"
    superseded = "superseded"


class DocumentSpec(Spec):
    """One source document a pack encodes."""

    number: str = Field(min_length=1, description="the document number as printed, e.g. 环办执法〔2021〕10号")
    title: str
    issuer: str
    date: dt.date | None = None
    date_note: str | None = None
    in_force_from: dt.date | None = None
    in_force_earliest: dt.date | None = Field(
        default=None,
        description="where the date of issue is known only within a range: the earliest date the document may "
        "have applied; between it and in_force_from evaluation proceeds with a warning",
    )
    in_force_until: dt.date | None = None
    status: DocumentStatus = DocumentStatus.in_force
    source: str = Field(description="file name, in the pack directory, of the cleaned source text")
    source_starts: str | None = Field(
        default=None, description="where several documents share one source file: the text this one starts with"
    )
    source_ends: str | None = Field(default=None, description="…and the text it ends with (inclusive)")
    received_as: str | None = Field(
        default=None, description="the file name of the text as received (shared/sources), for provenance checks"
    )
    notes: str | None = None


class GradeSpec(Spec):
    code: str
    label: str


class CreditSchemeSpec(Spec):
    """An ordered credit-rating scheme, best grade first."""

    id: str
    name: str
    grades: tuple[GradeSpec, ...] = Field(min_length=1)


class DecisionPolicySpec(Spec):
    """How a decision resolves when several rules hold: the first outcome in `priority` that some holding
    rule yields wins; when no rule yields an outcome, `default` applies."""

    priority: tuple[str, ...]
    default: str
    note: str | None = Field(default=None, description="why the priority is as it is")
    default_note: str | None = Field(
        default=None, description="what the default outcome means; the decision carries it whenever no rule decides"
    )


class PackMeta(Spec):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    title_en: str | None = None
    jurisdiction: str
    version: str
    extends: str | None = None
    documents: dict[str, DocumentSpec] = Field(min_length=1)
    primary_document: str | None = Field(
        default=None, description="the document whose force window governs evaluation; default the first"
    )
    superseded_from: dt.date | None = None
    superseded_by: str | None = None
    credit_scheme: CreditSchemeSpec | None = None
    notes: tuple[str, ...] = ()
    missing: tuple[str, ...] = Field(default=(), description="what of the sources is cut off or unavailable")


class PackFile(Spec):
    """pack.yaml"""

    pack: PackMeta
    decisions: dict[str, DecisionPolicySpec] = {}


class ClauseSpec(Spec):
    """A clause as the document numbers it, with its verbatim (cleaned) text."""

    doc: str | None = None
    label: str | None = None
    text: str = Field(min_length=1)
    encoded: bool = True
    reason: str | None = None

    @model_validator(mode="after")
    def _reason_when_not_encoded(self) -> ClauseSpec:
        if not self.encoded and not self.reason:
            raise ValueError("a clause marked encoded: false needs a reason saying why no rule encodes it")
        return self


class ClausesFile(Spec):
    clauses: dict[str, ClauseSpec]


class InterpretationSpec(Spec):
    """Where the text admits more than one reading: the one chosen and the one not."""

    question: str
    reading: str
    alternative: str


class RuleAction(StrEnum):
    add = "add"
    override = "override"
    disable = "disable"


class RuleSpec(Spec):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    action: RuleAction = RuleAction.add
    decision: Literal["inclusion", "listing", "inspection", "penalty", "supervision"] | None = None
    title: str | None = None
    title_en: str | None = None
    yields: str | None = None
    category: str | None = None
    sets: dict[str, bool] = {}
    cites: tuple[str, ...] = ()
    when: dict[str, Any] | None = None
    interpretation: tuple[InterpretationSpec, ...] = ()
    reason: str | None = None
    notes: str | None = None
    decision_note: str | None = Field(
        default=None, description="a sentence the decision carries whenever this rule decides it"
    )


class RulesFile(Spec):
    rules: tuple[RuleSpec, ...]


# --- the resolved pack: what load.py hands to compile.py -----------------------------------------------

Origin = Literal["own", "inherited", "overridden", "added", "disabled"]


@dataclass(frozen=True)
class Where:
    """A place in a YAML file: the file, the key path, and the line map to find the line of any sub-path."""

    file: str
    path: tuple[str | int, ...]
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict, repr=False, compare=False)

    def at(self, *more: str | int) -> Where:
        return Where(self.file, self.path + more, self.lines)

    @property
    def line(self) -> int | None:
        path = self.path
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def problem(self, message: str) -> Problem:
        return Problem(format_path(self.path), message, self.file, self.line)


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
