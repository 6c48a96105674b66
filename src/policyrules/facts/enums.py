"""The contract's enumerations: each member is its English code and also answers to its Chinese label."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from functools import cache
from typing import Annotated, TypeVar

from pydantic import BeforeValidator


class LabeledEnum(StrEnum):
    """A contract enumeration whose members also answer to their Chinese label."""

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Code -> Chinese label, in the contract's order."""
        return ENUM_LABELS[cls.__name__]

    @classmethod
    def aliases(cls) -> dict[str, tuple[str, ...]]:
        """Code -> every Chinese label it answers to: the label, then the other wordings the documents and the
        contract use (e.g. 本执法机构负责同志 beside 本级执法机构负责同志)."""
        extra = ENUM_ALIASES.get(cls.__name__, {})
        return {code: (label, *extra.get(code, ())) for code, label in cls.labels().items()}

    @classmethod
    def parse(cls, value: object) -> object:
        """The member for a code or any of its labels (quotes and spaces ignored); anything else unchanged, for
        pydantic to report with the allowed codes."""
        if isinstance(value, cls) or not isinstance(value, str):
            return value
        if value in cls.__members__:
            return cls(value)
        return _label_index(cls).get(_normal(value), value)


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


class Objector(LabeledEnum):
    department = "department"
    industry_association = "industry_association"
    social_organisation = "social_organisation"
    other = "other"


class Organiser(LabeledEnum):
    same_level = "same_level"
    superior = "superior"
    other = "other"


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
    "Objector": {
        "department": "相关部门",
        "industry_association": "行业协会",
        "social_organisation": "社会组织",
        "other": "其他",
    },
    "Organiser": {
        "same_level": "本级生态环境部门",
        "superior": "上级生态环境部门",
        "other": "其他部门",
    },
    "Harm": {"none": "未造成危害后果", "minor": "危害后果轻微", "serious": "危害后果严重"},
}


# Other wordings of a label that the documents, the contract or the docs use; accepted on input like the label.
ENUM_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "Grounds": {
        "complaint": ("群众投诉、举报", "群众举报投诉", "信访"),
        "monitoring_anomaly": ("在线监测数据异常或超标等非现场检查发现的问题线索",),
        "random_draw": ("“双随机”抽中",),
    },
    "Approval": {"enforcement_head": ("本执法机构负责同志",)},
}

_QUOTES_AND_SPACES = re.compile(r"[\s“”\"'‘’「」『』]")


def _normal(text: str) -> str:
    return _QUOTES_AND_SPACES.sub("", text)


@cache
def _label_index(enum: type[LabeledEnum]) -> dict[str, LabeledEnum]:
    return {_normal(label): enum(code) for code, labels in enum.aliases().items() for label in labels}


E = TypeVar("E", bound=LabeledEnum)


def _labeled(enum: type[E]) -> Callable[[object], object]:
    return enum.parse


ViolationKindField = Annotated[ViolationKind, BeforeValidator(_labeled(ViolationKind))]
GroundsField = Annotated[Grounds, BeforeValidator(_labeled(Grounds))]
ApprovalField = Annotated[Approval, BeforeValidator(_labeled(Approval))]
HarmField = Annotated[Harm, BeforeValidator(_labeled(Harm))]
ObjectorField = Annotated[Objector, BeforeValidator(_labeled(Objector))]
OrganiserField = Annotated[Organiser, BeforeValidator(_labeled(Organiser))]
