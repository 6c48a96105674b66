"""The fact model (contract sections 1 and 2): one enterprise and the questions asked about it, parsed strictly."""

from ..yamlio import innermost_model
from .documents import FactsDocument, load_facts
from .enums import ENUM_ALIASES, ENUM_LABELS, Approval, Grounds, Harm, LabeledEnum, Objector, Organiser, ViolationKind
from .identifiers import USCC_CHARSET, permit_problem, uscc_check_char, uscc_problem
from .known_on import as_known_on, is_listed
from .labels import ENUM_TITLES, FIELD_LABELS, field_label
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
from .values import (
    BOOL_FORMS,
    DATE_FORMS,
    FALSE_WORDS,
    TRUE_WORDS,
    Day,
    Flag,
    ValueProblem,
    bool_value,
    date_text,
    parse_bool,
    parse_date,
)

__all__ = [
    "BOOL_FORMS",
    "DATE_FORMS",
    "ENUM_ALIASES",
    "ENUM_LABELS",
    "ENUM_TITLES",
    "FALSE_WORDS",
    "FIELD_LABELS",
    "TRUE_WORDS",
    "USCC_CHARSET",
    "Approval",
    "Day",
    "Enterprise",
    "Facts",
    "FactsDocument",
    "Flag",
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
    "ValueProblem",
    "Violation",
    "ViolationCase",
    "ViolationKind",
    "as_known_on",
    "bool_value",
    "date_text",
    "field_label",
    "innermost_model",
    "is_listed",
    "load_facts",
    "parse_bool",
    "parse_date",
    "parse_facts",
    "permit_problem",
    "uscc_check_char",
    "uscc_problem",
]
