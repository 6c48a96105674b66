"""Policy packs: the YAML format, strict loading with located errors, finding shipped packs, writing a pack back."""

from .load import (
    clean_source,
    load_definition,
    load_facts,
    read_text,
    read_yaml,
    shipped_pack_ids,
    shipped_packs_dir,
    validate,
)
from .spec import (
    DECISIONS,
    FLAGS,
    OUTCOMES,
    Clause,
    CreditSchemeSpec,
    DocumentStatus,
    PackDefinition,
    Rule,
    Spec,
    Where,
)

__all__ = [
    "DECISIONS",
    "FLAGS",
    "OUTCOMES",
    "Clause",
    "CreditSchemeSpec",
    "DocumentStatus",
    "PackDefinition",
    "Rule",
    "Spec",
    "Where",
    "clean_source",
    "load_definition",
    "load_facts",
    "read_text",
    "read_yaml",
    "shipped_pack_ids",
    "shipped_packs_dir",
    "validate",
]
