"""The fact model: one enterprise and the questions asked about it (contract sections 1 and 2).

Field names are exactly the contract's. Every model forbids unknown keys, so a misspelt key is an error
rather than a fact silently left false (parse.py turns the errors into located problems).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .enums import (
    ApprovalField,
    GroundsField,
    Harm,
    HarmField,
    ObjectorField,
    OrganiserField,
    ViolationKind,
    ViolationKindField,
)
from .identifiers import permit_problem, uscc_problem
from .values import Day, Flag

# --- the enterprise -----------------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Traits(Strict):
    epidemic_essential: Flag = False
    livelihood_key_industry: Flag = False
    livelihood_related: Flag = False
    low_emission: Flag = False
    low_risk: Flag = False
    high_employment: Flag = False
    major_project: Flag = False
    key_sector: Flag = False
    green_certified: Flag = False
    # 《关于优化生态环境保护执法方式提高执法效能的指导意见（征求意见稿）》 二、（四） and 四、（二十）
    # (pack mee_methods_draft); true only where recognised or established
    frequent_exceedances: Flag = False  # 自动监测超标频次高
    many_complaints: Flag = False  # 举报投诉多
    new_eia_approval: Flag = False  # 新取得环评批复（的建设项目）
    newly_self_accepted: Flag = False  # 新完成自主验收的建设项目
    long_term_compliant: Flag = False  # 长期稳定达标排放
    high_disclosure: Flag = False  # 信息公开程度高
    community_engagement: Flag = False  # 与周边社区互动良好
    # 漯环办〔2021〕52号 三、（三）一是 (pack luohe_2021): findings of the bureau, e.g. in its 双随机 研判
    frequent_violator: Flag = False  # 环境违法频次高
    high_environmental_harm: Flag = False  # 环境危害大


class Monitoring(Strict):
    installed: Flag = False
    networked: Flag = False
    stable: Flag = False
    compliant: Flag = False


class Violation(Strict):
    date: Day
    serious: Flag = False
    kind: ViolationKindField = ViolationKind.other


class Inspection(Strict):
    date: Day
    on_site: Flag = True


class Objection(Strict):
    by: str | None = None
    upheld: Flag = False
    # who raised it: department (相关部门) | industry_association (行业协会) | social_organisation (社会组织)
    # | other (其他，如个人); absent: not recorded — the contract's objections are those of the first three
    objector: ObjectorField | None = None
    reasoned: Flag = True  # 说明理由 (false: raised without reasons)


class Listing(Strict):
    listed_on: Day
    category: str | None = None
    removed_on: Day | None = None

    @field_validator("category", mode="before")
    @classmethod
    def _category_as_text(cls, value: object) -> object:
        # "kept as given": YAML turns `category: 4` into an int; the contract keeps it as text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _removed_after_listed(self) -> Listing:
        if self.removed_on is not None and self.removed_on < self.listed_on:
            raise ValueError(
                f"removed_on {self.removed_on} is before listed_on {self.listed_on}; "
                "an enterprise cannot leave the list before it joined it"
            )
        return self


class Enterprise(Strict):
    name: str = Field(min_length=1)
    uscc: str
    district: str | None = None
    industry: str | None = None
    permit_no: str | None = None
    key_discharger: Flag = False
    small_micro: Flag = False
    traits: Traits = Traits()
    monitoring: Monitoring = Monitoring()
    credit_rating: str | None = None
    violations: tuple[Violation, ...] = ()
    inspections: tuple[Inspection, ...] = ()
    objections: tuple[Objection, ...] = ()
    listing: Listing | None = None

    @field_validator("name", "uscc", "district", "industry", "permit_no", mode="before")
    @classmethod
    def _digits_as_text(cls, value: object) -> object:
        # YAML reads an all-digit code written without quotes as a number; the contract means the text.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("uscc")
    @classmethod
    def _valid_uscc(cls, value: str) -> str:
        problem = uscc_problem(value)
        if problem:
            raise ValueError(f"not a valid 统一社会信用代码: {problem}")
        return value

    @model_validator(mode="after")
    def _permit_matches_uscc(self) -> Enterprise:
        if self.permit_no is None:
            return self
        problem = permit_problem(self.permit_no, self.uscc)
        if problem:
            raise ValueError(problem)
        return self


# --- questions ----------------------------------------------------------------------------------------


class InspectionRequest(Strict):
    grounds: GroundsField
    self_check_report: Flag = False
    review_needs_site_visit: Flag = False
    approvals: tuple[ApprovalField, ...] = ()
    in_plan: Flag = True
    enterprise_consent: Flag = False
    risk_hazard_campaign: Flag = False
    # who organised the special action or special inspection (grounds special_action): same_level
    # (本级生态环境部门) | superior (上级生态环境部门) | other (其他部门); absent: not recorded (see docs/decisions.md)
    organised_by: OrganiserField | None = None


class ViolationCase(Strict):
    date: Day
    no_subjective_fault: Flag = False
    self_reported: Flag = False
    eliminated: Flag = False
    hazard_reported_and_handled: Flag = False
    harm: HarmField = Harm.none
    first_offence: Flag = False
    corrected: Flag = False
    exceedance_from_poor_management: Flag = False
    malicious: Flag = False
    suspected_crime: Flag = False
    green_innovation: Flag = False
    other_legal_exemption: Flag = False
    # extensions of contract §2 for the 2020 documents and the draft (see docs/decisions.md)
    minor_violation: Flag = False  # 违法行为轻微 (the violation itself, not its harm)
    harm_mitigated: Flag = False  # 主动减轻违法行为危害后果
    affects_epidemic_control: Flag = False  # 影响疫情防控的环境违法行为
    major_violation: Flag = False  # 重大环境违法问题（损害人民群众环境权益、影响生态环境质量和污染防治攻坚战推进）
    # 漯环办〔2021〕52号 三、（五）一是 (pack luohe_2021): findings of the bureau about this violation
    intentional: Flag = False  # 故意违法
    serious: Flag = False  # 严重违法（严重环境违法行为）


class Facts(Strict):
    """One enterprise and the optional questions about it: the whole input document."""

    enterprise: Enterprise
    inspection_request: InspectionRequest | None = None
    violation_case: ViolationCase | None = None
