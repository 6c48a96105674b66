"""The pack format: what a pack's YAML files may say, as pydantic models.

A pack directory holds `pack.yaml` (metadata, documents, credit scheme, decision policies), `clauses.yaml`
(clause id -> document, label, verbatim text), `rules.yaml` (the rules), the cleaned source text of each
document, and `cases/` and `examples/`. Conditions stay raw here (`when:` is a mapping); the conditions
package parses them, because only it knows which fact paths exist.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    not_in_source: dict[Literal["number", "date", "in_force_from", "in_force_earliest", "in_force_until"], str] = Field(
        default={},
        description="values the source text does not print, each with why (validate looks for the others in the text)",
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
    note_zh: str | None = Field(default=None, description="the same in Chinese")
    default_note: str | None = Field(
        default=None, description="what the default outcome means; the decision carries it whenever no rule decides"
    )
    default_note_zh: str | None = Field(default=None, description="the default note in Chinese, for explain")


class PeriodSpec(Spec):
    """A calendar period: exactly one of years, months or days (counted by conditions/periods.py)."""

    # bounded as the windows of conditions are (conditions/limits.py): a period never overflows a date
    years: int | None = Field(default=None, gt=0, le=100)
    months: int | None = Field(default=None, gt=0, le=1200)
    days: int | None = Field(default=None, gt=0, le=36525)

    @model_validator(mode="after")
    def _exactly_one(self) -> PeriodSpec:
        if len(self.model_fields_set & {"years", "months", "days"}) != 1:
            raise ValueError("a period is exactly one of {years: N}, {months: N} or {days: N}")
        return self

    def period(self) -> tuple[Literal["years", "months", "days"], int]:
        for unit in ("years", "months", "days"):
            amount = getattr(self, unit)
            if amount is not None:
                return unit, amount
        raise AssertionError("checked by _exactly_one")


class ListingValiditySpec(Spec):
    """How long a listing lasts: the derived fact `listed` is false once the period has run out, until the
    enterprise is listed again. A pack that extends another inherits its parent's validity."""

    period: PeriodSpec | None = Field(
        description="the period; null where the local text sets none (正面清单不设有效期), overriding the parent's"
    )
    cites: str = Field(description="the clause that sets the period (an inherited one as <pack>:<clause id>)")
    says: str = Field(description="the phrase of that clause that states the period, verbatim")


class YieldingDecisionSpec(Spec):
    """One decision on which the superseding pack prevails, with the clause of that pack that differs."""

    decision: Literal["inclusion", "listing", "inspection", "penalty", "supervision"]
    cites: tuple[str, ...] = Field(min_length=1, description="clauses of the superseding pack that decide it")
    note: str = Field(description="why the two differ here, in English")
    note_zh: str = Field(description="the same, in Chinese")


class SupersessionSpec(Spec):
    """From a date, another pack prevails where the two differ, on the decisions listed."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    by: str = Field(description="the superseding pack, by id")
    from_: dt.date = Field(alias="from", description="the first day the superseding text prevails")
    clause: str = Field(description="the clause of the superseding pack that says it prevails")
    decisions: tuple[YieldingDecisionSpec, ...] = Field(min_length=1)
    note: str | None = None
    note_zh: str | None = None


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
    supersession: SupersessionSpec | None = None
    listing_validity: ListingValiditySpec | None = None
    places: tuple[str, ...] = Field(
        default=(),
        description="the places whose rules this pack is (e.g. 重庆市, 重庆); 全国 for the national pack, which "
        "then governs every place in China that no local pack governs",
    )
    credit_scheme: CreditSchemeSpec | None = None
    notes: tuple[str, ...] = ()
    missing: tuple[str, ...] = Field(default=(), description="what of the sources is cut off or unavailable")


LINT_FINDINGS = ("never_holds", "masked", "overlap", "constant_condition", "redundant_condition", "uncited_clause")


class AcknowledgedSpec(Spec):
    """A finding of `policyrules lint` the pack keeps on purpose, and why: matched by its kind and the rules (or
    the clause, or the rule and condition) it names."""

    finding: Literal["never_holds", "masked", "overlap", "constant_condition", "redundant_condition", "uncited_clause"]
    rules: tuple[str, ...] = ()
    clause: str | None = None
    condition: str | None = Field(default=None, description="the condition's path in the rule, e.g. when.all[1]")
    reason: str = Field(min_length=1)


class PackFile(Spec):
    """pack.yaml"""

    pack: PackMeta
    decisions: dict[str, DecisionPolicySpec] = {}
    acknowledged: tuple[AcknowledgedSpec, ...] = ()


class ClauseSpec(Spec):
    """A clause as the document numbers it, with its verbatim (cleaned) text."""

    doc: str | None = None
    label: str | None = None
    text: str = Field(min_length=1)
    encoded: bool | Literal["pending"] = Field(
        default=True, description="false: no rule encodes it (give the reason); pending: not yet encoded"
    )
    reason: str | None = None

    @model_validator(mode="after")
    def _reason_when_not_encoded(self) -> ClauseSpec:
        if self.encoded is False and not self.reason:
            raise ValueError("a clause marked encoded: false needs a reason saying why no rule encodes it")
        return self


class ClausesFile(Spec):
    clauses: dict[str, ClauseSpec]


class InterpretationSpec(Spec):
    """Where the text admits more than one reading: the one chosen and the one not."""

    question: str
    reading: str
    alternative: str
    # the same in Chinese, which explain shows by default; English stays for --lang en (docs/pack-format.md)
    question_zh: str | None = None
    reading_zh: str | None = None
    alternative_zh: str | None = None


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
    decision_note_zh: str | None = Field(default=None, description="the decision note in Chinese, for explain")


class RulesFile(Spec):
    rules: tuple[RuleSpec, ...]
