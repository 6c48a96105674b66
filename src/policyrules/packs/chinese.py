"""The Chinese texts a pack owes its readers: every interpretation note, decision note and hit-policy note written
in English needs its Chinese sibling (`<key>_zh`), because `explain` shows Chinese by default and keeps the English
for `--lang en`. `validate` reports each one missing, with its file and line."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem
from ..yamlio import Where
from .definition import PackDefinition

# Identifiers (fact paths, rule ids, codes, atom keys) are not prose; two English words besides them are.
_IDENTIFIER = re.compile(r"[\w.]*[_.=(][\w.=|()]*|（[a-z_]+）|[0-9A-Z]{8,}")
_WORD = re.compile(r"[A-Za-z]{2,}")


def is_english(text: str) -> bool:
    """Whether the text has English prose (so a Chinese reader needs a translation)."""
    return len(_WORD.findall(_IDENTIFIER.sub(" ", text))) >= 2


def missing_chinese(definition: PackDefinition) -> list[Problem]:
    """A problem for each English note of this pack (not of the packs it extends) without its `_zh` sibling."""
    return [where.problem(message) for where, message in _missing(definition)]


def _missing(definition: PackDefinition) -> Iterator[tuple[Where, str]]:
    for rule in definition.rules:
        if rule.pack_id != definition.id or rule.origin in ("inherited", "disabled"):
            continue
        spec = rule.spec
        for index, note in enumerate(spec.interpretation):
            for key in ("question", "reading", "alternative"):
                if is_english(getattr(note, key)) and not getattr(note, f"{key}_zh"):
                    yield rule.where.at("interpretation", index, key), _message(key)
        if spec.decision_note and is_english(spec.decision_note) and not spec.decision_note_zh:
            yield rule.where.at("decision_note"), _message("decision_note")
    parent = definition.parent.decisions if definition.parent else {}
    pack_yaml = definition.where
    for name, policy in definition.decisions.items():
        if parent.get(name) is policy:
            continue  # inherited: checked where it is written
        for key in ("note", "default_note"):
            text = getattr(policy, key)
            if text and is_english(text) and not getattr(policy, f"{key}_zh"):
                yield Where(pack_yaml.file, ("decisions", name, key), pack_yaml.lines), _message(key)


def _message(key: str) -> str:
    return (
        f"'{key}' is English and has no Chinese: add '{key}_zh' beside it (explain shows Chinese by default; "
        "see docs/pack-format.md)"
    )
