"""Writing a loaded pack back out as the YAML files the loader reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .definition import PackDefinition, Rule


def dump_pack(definition: PackDefinition, target: Path) -> Path:
    """Write a loaded pack's own files to `target`/<id>/ in the form the loader reads (its parent stays a
    reference by id). Loading the result gives a pack that decides identically: the round-trip property."""
    out = target / definition.id
    out.mkdir(parents=True, exist_ok=True)
    pack_file: dict[str, Any] = {
        "pack": definition.meta.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True),
        "decisions": {d: p.model_dump(mode="json", exclude_none=True) for d, p in definition.decisions.items()},
    }
    if definition.acknowledged:
        pack_file["acknowledged"] = [
            a.spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for a in definition.acknowledged
        ]
    own = definition.id
    clauses = {
        c.id: {
            "doc": c.doc_id,
            "label": c.label,
            "text": c.text,
            "encoded": "pending" if c.pending else c.encoded,
            "reason": c.reason,
        }
        for c in definition.clauses.values()
        if c.pack_id == own
    }
    rules = [_dump_rule(rule, own) for rule in definition.rules if rule.pack_id == own]
    _write_yaml(out / "pack.yaml", pack_file)
    _write_yaml(
        out / "clauses.yaml",
        {"clauses": {k: {f: v for f, v in c.items() if v is not None} for k, c in clauses.items()}},
    )
    _write_yaml(out / "rules.yaml", {"rules": rules})
    for doc in definition.meta.documents.values():
        (out / doc.source).write_text((definition.directory / doc.source).read_text(encoding="utf-8"), encoding="utf-8")
    return out


def _dump_rule(rule: Rule, own: str) -> dict[str, Any]:
    cites = [c.id if c.pack_id == own else c.ref for c in rule.cites]
    if rule.origin == "disabled":
        entry = {"id": rule.id, "action": "disable", "reason": rule.reason, "cites": cites}
        return entry | ({"notes": rule.disable_notes} if rule.disable_notes else {})
    spec = rule.spec.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    spec["cites"] = cites
    if rule.origin == "overridden":
        spec["action"] = "override"
    return spec


def _write_yaml(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
