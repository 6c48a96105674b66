"""The fact model (contract sections 1 and 2): one enterprise and the questions asked about it, parsed strictly."""

from .model import (
    ENUM_LABELS,
    Facts,
    LabeledEnum,
    Listing,
    ViolationKind,
    innermost_model,
    parse_facts,
    uscc_check_char,
)

__all__ = [
    "ENUM_LABELS",
    "Facts",
    "LabeledEnum",
    "Listing",
    "ViolationKind",
    "innermost_model",
    "parse_facts",
    "uscc_check_char",
]
