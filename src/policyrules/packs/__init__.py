"""Policy packs: the YAML format, strict loading with located errors, finding shipped packs, writing a pack back."""

from ..facts import load_facts
from ..yamlio import Where, read_text, read_yaml, validate
from .chinese import is_english, missing_chinese
from .definition import NATIONAL_CREDIT_SCHEME, Acknowledgment, Clause, Origin, PackDefinition, Rule
from .dump import dump_pack
from .files import inside_pack, read_pack_text
from .find import resolve_pack_dir, shipped_pack_ids, shipped_packs_dir
from .labels import DECISION_LABELS, FLAG_LABELS, OUTCOME_LABELS, outcome_code
from .load import load_definition
from .notes import note_problems
from .numbering import NumberedPart, numbered_labels, numbered_parts
from .places import PlaceAnswer, force_window, packs_for
from .policies import DEFAULT_POLICIES
from .provenance import document_text_problems
from .scaffold import Scaffold, new_pack
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
