"""Notes that fit the pack that shows them: `validate` refuses a decision note or a rule's decision note that
names a rule the pack disables, or speaks of a clause no active rule of the pack cites (an inherited national
note in a local pack that switched the national rule off)."""

from __future__ import annotations

import re

from ..errors import Problem
from .definition import PackDefinition

_LABEL = re.compile(r"[一二三四五六七八九十]+、(?:（[一二三四五六七八九十]+）)?")
_WORD = re.compile(r"[a-z][a-z0-9_]*")


def note_problems(definition: PackDefinition) -> list[Problem]:
    """A note the pack shows (a decision's note or default note, a rule's decision_note) must fit this pack:
    it may not name a rule the pack disables, nor a clause label no active rule of the pack cites."""
    active = [r for r in definition.rules if r.origin != "disabled"]
    disabled = {r.id for r in definition.rules if r.origin == "disabled"}
    cited = {c.label for r in active for c in r.cites}
    shown: list[tuple[str, str]] = []
    for decision, policy in definition.decisions.items():
        for key in ("note", "default_note", "note_zh", "default_note_zh"):
            text = getattr(policy, key)
            if text:
                shown.append((f"decisions.{decision}.{key}", text))
    shown += [(f"rule {r.id} decision_note", r.spec.decision_note) for r in active if r.spec.decision_note]
    problems = []
    for place, text in shown:
        named = sorted(set(_WORD.findall(text)) & disabled)
        labels = sorted({m for m in _LABEL.findall(text) if not any(c.startswith(m) for c in cited)})
        if named:
            problems.append(
                definition.where.problem(
                    f"{place} names the rule(s) {', '.join(named)}, which pack {definition.id} disables; restate "
                    "the note in pack.yaml so that it fits this pack"
                )
            )
        if labels:
            problems.append(
                definition.where.problem(
                    f"{place} speaks of {', '.join(labels)}, which no active rule of pack {definition.id} cites; "
                    "restate the note in pack.yaml so that it fits this pack, or cite the clause"
                )
            )
    return problems
