"""JSON Schema (2020-12) of the facts, the result and a pack's files, generated from the pydantic models with the
Chinese label of every field and enumeration value (`policyrules schema facts|result|pack`), and the reference
pages docs/reference/facts.md and docs/reference/decisions.md generated from the same models.

result (the result as models) → generate (the schemas) → reference (the Markdown pages).

REFERENCE_PAGES maps each page under docs/ to the function that writes it."""

from .generate import NAMES, PERMIT_PATTERN, USCC_PATTERN, facts_schema, pack_schema, result_schema, schema
from .reference import decisions_markdown, facts_markdown
from .result import ResultDocument

REFERENCE_PAGES = {"reference/facts.md": facts_markdown, "reference/decisions.md": decisions_markdown}
MARKDOWN = {"facts": facts_markdown, "result": decisions_markdown}

__all__ = [
    "MARKDOWN",
    "NAMES",
    "PERMIT_PATTERN",
    "REFERENCE_PAGES",
    "USCC_PATTERN",
    "ResultDocument",
    "decisions_markdown",
    "facts_markdown",
    "facts_schema",
    "pack_schema",
    "result_schema",
    "schema",
]
