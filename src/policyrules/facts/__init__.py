"""The fact model (contract sections 1 and 2): one enterprise and the questions asked about it, parsed strictly."""

from ..yamlio import innermost_model
from .documents import FactsDocument, load_facts
from .enums import ENUM_LABELS, Approval, Grounds, Harm, LabeledEnum, Objector, Organiser, ViolationKind
from .identifiers import USCC_CHARSET, permit_problem, uscc_check_char, uscc_problem
from .known_on import as_known_on, is_listed
from .model import (
    Enterprise,
    Facts,
    Inspection,
    InspectionRequest,
    Listing,
    Monitoring,
    Objection,
    Traits,
    Violation,
    ViolationCase,
)
from .parse import parse_facts

__all__ = [
    "ENUM_LABELS",
    "USCC_CHARSET",
    "Approval",
    "Enterprise",
    "Facts",
    "FactsDocument",
    "Grounds",
    "Harm",
    "Inspection",
    "InspectionRequest",
    "LabeledEnum",
    "Listing",
    "Monitoring",
    "Objection",
    "Objector",
    "Organiser",
    "Traits",
    "Violation",
    "ViolationCase",
    "ViolationKind",
    "as_known_on",
    "innermost_model",
    "is_listed",
    "load_facts",
    "parse_facts",
    "permit_problem",
    "uscc_check_char",
    "uscc_problem",
]
