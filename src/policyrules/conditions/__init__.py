"""Conditions as data: the condition IR, its parser, the atoms read from the facts and the flat view."""

from ..facts import as_known_on, is_listed
from .checks import ELISION, find_cycle, quoted_in
from .compile import compile_pack
from .compiled import CompiledPack, CompiledRule
from .fields import COUNT_FILTERS, DERIVED_FACTS, FACT_FIELDS, FieldInfo, fact_fields
from .ir import AllOf, AnyOf, Cond, IntTest, Leaf, NotOf, OutcomeRef, RuleRef, leaves, nodes, references
from .parser import ConditionParser
from .periods import Period, complete_years, shift, valid_until, window_start, within_validity
from .view import Atom, Context, Kind, Value, listed_on_day

__all__ = [
    "COUNT_FILTERS",
    "DERIVED_FACTS",
    "ELISION",
    "FACT_FIELDS",
    "AllOf",
    "AnyOf",
    "Atom",
    "CompiledPack",
    "CompiledRule",
    "Cond",
    "ConditionParser",
    "Context",
    "FieldInfo",
    "IntTest",
    "Kind",
    "Leaf",
    "NotOf",
    "OutcomeRef",
    "Period",
    "RuleRef",
    "Value",
    "as_known_on",
    "compile_pack",
    "complete_years",
    "fact_fields",
    "find_cycle",
    "is_listed",
    "leaves",
    "listed_on_day",
    "nodes",
    "quoted_in",
    "references",
    "shift",
    "valid_until",
    "window_start",
    "within_validity",
]
