"""Policy packs: the YAML format, strict loading with located errors, finding shipped packs, writing a pack back."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..facts import load_facts
from ..yamlio import Where, read_text, read_yaml, validate
from .definition import NATIONAL_CREDIT_SCHEME, Acknowledgment, Clause, Origin, PackDefinition, Rule
from .files import inside_pack, read_pack_text
from .find import resolve_pack_dir, shipped_pack_ids, shipped_packs_dir
from .labels import DECISION_LABELS, FLAG_LABELS, OUTCOME_LABELS, outcome_code
from .load import load_definition
from .policies import DEFAULT_POLICIES
from .sources import clean_source
from .spec import (
    DECISIONS,
    FLAGS,
    LINT_FINDINGS,
    OUTCOMES,
    CreditSchemeSpec,
    DecisionPolicySpec,
    DocumentSpec,
    DocumentStatus,
    ListingValiditySpec,
    PackMeta,
    RuleSpec,
    Spec,
    SupersessionSpec,
)

# What loading and evaluating a pack never use (authoring, scaffolding, lint, writing packs back, finding packs
# by place) loads on first use of one of its names, so that `policyrules evaluate` does not pay for it
# (tests/test_startup.py keeps it so). Typed by the imports mypy reads below.
_LAZY = {
    "is_english": "chinese",
    "missing_chinese": "chinese",
    "dump_pack": "dump",
    "note_problems": "notes",
    "NumberedPart": "numbering",
    "numbered_labels": "numbering",
    "numbered_parts": "numbering",
    "PlaceAnswer": "places",
    "force_window": "places",
    "packs_for": "places",
    "document_text_problems": "provenance",
    "Scaffold": "scaffold",
    "new_pack": "scaffold",
}

if TYPE_CHECKING:
    from .chinese import is_english, missing_chinese
    from .dump import dump_pack
    from .notes import note_problems
    from .numbering import NumberedPart, numbered_labels, numbered_parts
    from .places import PlaceAnswer, force_window, packs_for
    from .provenance import document_text_problems
    from .scaffold import Scaffold, new_pack


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "DECISIONS",
    "DECISION_LABELS",
    "DEFAULT_POLICIES",
    "FLAGS",
    "FLAG_LABELS",
    "LINT_FINDINGS",
    "NATIONAL_CREDIT_SCHEME",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "Acknowledgment",
    "Clause",
    "CreditSchemeSpec",
    "DecisionPolicySpec",
    "DocumentSpec",
    "DocumentStatus",
    "ListingValiditySpec",
    "NumberedPart",
    "Origin",
    "PackDefinition",
    "PackMeta",
    "PlaceAnswer",
    "Rule",
    "RuleSpec",
    "Scaffold",
    "Spec",
    "SupersessionSpec",
    "Where",
    "clean_source",
    "document_text_problems",
    "dump_pack",
    "force_window",
    "inside_pack",
    "is_english",
    "load_definition",
    "load_facts",
    "missing_chinese",
    "new_pack",
    "note_problems",
    "numbered_labels",
    "numbered_parts",
    "outcome_code",
    "packs_for",
    "read_pack_text",
    "read_text",
    "read_yaml",
    "resolve_pack_dir",
    "shipped_pack_ids",
    "shipped_packs_dir",
    "validate",
]
