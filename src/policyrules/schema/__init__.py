"""JSON Schema (2020-12) of the facts, the result and a pack's files, generated from the pydantic models with the
Chinese label of every field and enumeration value (`policyrules schema facts|result|pack`), and the reference
pages docs/reference/facts.md and docs/reference/decisions.md generated from the same models.

result (the result as models) → generate (the schemas) → reference (the Markdown pages)."""

from .generate import NAMES, PERMIT_PATTERN, USCC_PATTERN, facts_schema, pack_schema, result_schema, schema
from .result import ResultDocument

__all__ = [
    "NAMES",
    "PERMIT_PATTERN",
    "USCC_PATTERN",
    "ResultDocument",
    "facts_schema",
    "pack_schema",
    "result_schema",
    "schema",
]
