"""The fact model: one enterprise and the questions asked about it (contract sections 1 and 2).

Field names are exactly the contract's. Every model forbids unknown keys; `parse_facts` turns pydantic's
errors into located `FactsError`s with a did-you-mean for misspelt keys.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ..errors import FactsError, Problem, did_you_mean, format_path

# --- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for positions 1..17


_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}


def uscc_check_char(first17: str) -> str:
    """The check character (position 18) for the first 17 characters of a USCC."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why `code` is not a valid 统一社会信用代码, or None when it is."""
    if len(code) != 18:
        return f"expected 18 characters, found {len(code)}"
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        return f"characters {bad} are not in the GB 32100-2015 set {USCC_CHARSET} (no I, O, S, V, Z)"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"check character is '{code[17]}' but GB 32100-2015 gives '{expected}' for {code[:17]}"
    return None


_PERMIT_RE = re.compile(r"^(?P<uscc>[0-9A-Z]{18})(?P<seq>[0-9]{3})(?P<letter>[A-Z])$")


# --- enumerations: the English code or the Chinese label ----------------------------------------------


class LabeledEnum(StrEnum):
    """A contract enumeration whose members also answer to their Chinese label."""

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code -> Chinese label, in the contract's order."""
        return ENUM_LABELS[cls.__name__]

    @classmethod
    def parse(cls, value: object) -> object:
        if isinstance(value, cls) or not isinstance(value, str):
            return value
        for code, label in cls.labels().items():
            if value in (code, label):
                return cls(code)
        return value  # pydantic reports it, with the allowed codes


class ViolationKind(LabeledEnum):
    malicious_discharge = "malicious_discharge"
    falsified_records = "falsified_records"
    evading_supervision = "evading_supervision"
    exceedance = "exceedance"
    other = "other"


class Grounds(LabeledEnum):
    complaint = "complaint"
    media = "media"
    referral = "referral"
    monitoring_anomaly = "monitoring_anomaly"
    special_action = "special_action"
    random_draw = "random_draw"
    research_visit = "research_visit"
    other = "other"


class Approval(LabeledEnum):
    enforcement_head = "enforcement_head"
    bureau_head = "bureau_head"
    superior_bureau = "superior_bureau"


class Harm(LabeledEnum):
    none = "none"
    minor = "minor"
    serious = "serious"


ENUM_LABELS: dict[str, dict[str, str]] = {
    "ViolationKind": {
        "malicious_discharge": "恶意偷排",
        "falsified_records": "篡改台账记录",
        "evading_supervision": "逃避监管",
        "exceedance": "超标排放",
        "other": "其他",
    },
    "Grounds": {
        "complaint": "群众投诉举报",
        "media": "媒体曝光",
        "referral": "上级交办",
        "monitoring_anomaly": "在线监测数据异常或超标",
        "special_action": "专项行动、专项检查",
        "random_draw": "双随机抽中",
        "research_visit": "现场调研指导",
        "other": "其他确需赴现场调查核实",
    },
    "Approval": {
        "enforcement_head": "本级执法机构负责同志",
        "bureau_head": "同级生态环境部门主要负责人",
        "superior_bureau": "上级生态环境部门",
    },
    "Harm": {"none": "未造成危害后果", "minor": "危害后果轻微", "serious": "危害后果严重"},
}


E = TypeVar("E", bound=LabeledEnum)


def _labeled(enum: type[E]) -> Callable[[object], object]:
    return enum.parse


ViolationKindField = Annotated[ViolationKind, BeforeValidator(_labeled(ViolationKind))]
GroundsField = Annotated[Grounds, BeforeValidator(_labeled(Grounds))]
ApprovalField = Annotated[Approval, BeforeValidator(_labeled(Approval))]
HarmField = Annotated[Harm, BeforeValidator(_labeled(Harm))]


# --- the enterprise -----------------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Traits(Strict):
    epidemic_essential: bool = False
    livelihood_key_industry: bool = False
    livelihood_related: bool = False
    low_emission: bool = False
    low_risk: bool = False
    high_employment: bool = False
    major_project: bool = False
    key_sector: bool = False
    green_certified: bool = False
    # 《关于优化生态环境保护执法方式提高执法效能的指导意见（征求意见稿）》 二、（四） and 四、（二十）
    # (pack mee_methods_draft); true only where recognised or established
    frequent_exceedances: bool = False  # 自动监测超标频次高
    many_complaints: bool = False  # 举报投诉多
    new_eia_approval: bool = False  # 新取得环评批复（的建设项目）
    newly_self_accepted: bool = False  # 新完成自主验收的建设项目
    long_term_compliant: bool = False  # 长期稳定达标排放
    high_disclosure: bool = False  # 信息公开程度高
    community_engagement: bool = False  # 与周边社区互动良好
    # 漯环办〔2021〕52号 三、（三）一是 (pack luohe_2021): findings of the bureau, e.g. in its 双随机 研判
    frequent_violator: bool = False  # 环境违法频次高
    high_environmental_harm: bool = False  # 环境危害大


class Monitoring(Strict):
    installed: bool = False
    networked: bool = False
    stable: bool = False
    compliant: bool = False


class Violation(Strict):
    date: date
    serious: bool = False
    kind: ViolationKindField = ViolationKind.other


class Inspection(Strict):
    date: date
    on_site: bool = True


class Objection(Strict):
    by: str | None = None
    upheld: bool = False


class Listing(Strict):
    listed_on: date
    category: str | None = None
    removed_on: date | None = None

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
    key_discharger: bool = False
    small_micro: bool = False
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
        match = _PERMIT_RE.match(self.permit_no)
        if match is None:
            raise ValueError(
                f"permit_no '{self.permit_no}' is not a 排污许可证编号/排污登记编号: expected the 18-character "
                "统一社会信用代码 followed by 3 digits and 1 letter (HJ 608-2017), e.g. 91350100M000100Y43001P"
            )
        if match["uscc"] != self.uscc:
            raise ValueError(
                f"permit_no begins with {match['uscc']} but the enterprise's uscc is {self.uscc}; "
                "a permit number is the holder's own 统一社会信用代码 plus 3 digits and 1 letter"
            )
        return self


# --- questions ----------------------------------------------------------------------------------------


class InspectionRequest(Strict):
    grounds: GroundsField
    self_check_report: bool = False
    review_needs_site_visit: bool = False
    approvals: tuple[ApprovalField, ...] = ()
    in_plan: bool = True
    enterprise_consent: bool = False
    risk_hazard_campaign: bool = False


class ViolationCase(Strict):
    date: date
    no_subjective_fault: bool = False
    self_reported: bool = False
    eliminated: bool = False
    hazard_reported_and_handled: bool = False
    harm: HarmField = Harm.none
    first_offence: bool = False
    corrected: bool = False
    exceedance_from_poor_management: bool = False
    malicious: bool = False
    suspected_crime: bool = False
    green_innovation: bool = False
    other_legal_exemption: bool = False
    # extensions of contract §2 for the 2020 documents and the draft (see docs/decisions.md)
    minor_violation: bool = False  # 违法行为轻微 (the violation itself, not its harm)
    harm_mitigated: bool = False  # 主动减轻违法行为危害后果
    affects_epidemic_control: bool = False  # 影响疫情防控的环境违法行为
    major_violation: bool = False  # 重大环境违法问题（损害人民群众环境权益、影响生态环境质量和污染防治攻坚战推进）


class Facts(Strict):
    """One enterprise and the optional questions about it: the whole input document."""

    enterprise: Enterprise
    inspection_request: InspectionRequest | None = None
    violation_case: ViolationCase | None = None


# --- turning pydantic's errors into located problems ----------------------------------------------------


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class whose fields sit at `loc` inside Facts (list indices skipped)."""
    model: type[BaseModel] = Facts
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        inner = innermost_model(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def innermost_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as `Listing | None` or `tuple[Violation, ...]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = innermost_model(arg)
        if found is not None:
            return found
    return None


def _problem_from_error(error: Mapping[str, Any], file: str | None) -> Problem:
    loc = tuple(error["loc"])
    path = format_path(loc)
    kind = error["type"]
    found = error.get("input")
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        known = list(parent.model_fields) if parent else []
        hint = did_you_mean(str(loc[-1]), known)
        return Problem(path, f"unknown key '{loc[-1]}'{hint} (known keys here: {', '.join(known)})", file)
    if kind == "missing":
        return Problem(path, "required field is missing", file)
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return Problem(path, f"expected one of {expected} (or its Chinese label), found {found!r}", file)
    message = str(error["msg"]).removeprefix("Value error, ")
    shown = "" if isinstance(found, dict | list) else f" (found {found!r})"
    return Problem(path, f"{message}{shown}", file)


def parse_facts(document: object, file: str | None = None) -> Facts:
    """Validate a facts document (a mapping as read from YAML/JSON) into the model, or raise FactsError."""
    if isinstance(document, Facts):
        return document
    if not isinstance(document, Mapping):
        kind = type(document).__name__
        raise FactsError([Problem("", f"expected a mapping with an 'enterprise' key, found {kind}", file)])
    try:
        return Facts.model_validate(dict(document))
    except ValidationError as exc:
        raise FactsError([_problem_from_error(e, file) for e in exc.errors()]) from None
