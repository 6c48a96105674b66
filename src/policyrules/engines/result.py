"""Decisions and their trace, as data (JSON-able). Rendering them for people is explain.py's job."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

NodeKind = Literal["fact", "all", "any", "not", "rule", "outcome"]


@dataclass(frozen=True)
class ConditionTrace:
    """One node of a rule's condition tree as evaluated: what it read, whether it held, what it encodes."""

    kind: NodeKind
    holds: bool
    says: str | None = None
    subject: str | None = None  # atom key, rule id or decision
    op: str | None = None
    operand: Any = None
    value: Any = None
    children: tuple[ConditionTrace, ...] = ()
    # for a fact read on another day than the evaluation date: that day, and what it is (`read_on:` in the pack)
    read_on: date | None = None
    on: str | None = None

    def failures(self) -> tuple[ConditionTrace, ...]:
        """The nodes that made this one fail: failing leaves under `all`, every branch of a failing `any`,
        and a `not` whose inner condition held."""
        if self.holds:
            return ()
        if self.kind == "all":
            return tuple(f for c in self.children for f in c.failures())
        if self.kind == "any":
            return tuple(f for c in self.children for f in c.failures()) or (self,)
        return (self,)

    @property
    def phrase(self) -> str:
        """The source phrase this node encodes; a `not` without its own says: reads as not(<inner phrase>)."""
        if self.says:
            return self.says
        if self.kind == "not" and self.children:
            return f"not({self.children[0].phrase})"
        inner = [c.phrase for c in self.children]
        return f"{self.kind}({', '.join(inner)})" if inner else str(self.subject)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "holds": self.holds}
        if self.says is not None:
            out["says"] = self.says
        if self.kind in ("fact", "rule", "outcome"):
            out.update(subject=self.subject, op=self.op, operand=_jsonable(self.operand), value=_jsonable(self.value))
        if self.on is not None:
            out.update(on=self.on, read_on=_jsonable(self.read_on))
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        return out


@dataclass(frozen=True)
class RuleTrace:
    id: str
    holds: bool
    pack: str
    origin: str
    title: str | None = None
    title_en: str | None = None
    yields: str | None = None
    category: str | None = None
    sets: Mapping[str, bool] = field(default_factory=dict)
    citations: tuple[Mapping[str, str], ...] = ()
    condition: ConditionTrace | None = None
    interpretation: tuple[Mapping[str, str], ...] = ()

    @property
    def failed(self) -> tuple[ConditionTrace, ...]:
        return () if self.holds or self.condition is None else self.condition.failures()

    def to_json(self, trace: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "holds": self.holds}
        if not trace:
            return out
        out.update(
            pack=self.pack,
            origin=self.origin,
            title=self.title,
            yields=self.yields,
            category=self.category,
            sets=dict(self.sets),
            citations=[dict(c) for c in self.citations],
            interpretation=[dict(i) for i in self.interpretation],
        )
        if self.condition is not None:
            out["condition"] = self.condition.to_json()
            out["failed"] = [f.phrase for f in self.failed]
        return out


@dataclass(frozen=True)
class Decision:
    name: str
    outcome: str
    rules: tuple[RuleTrace, ...]
    citations: tuple[Mapping[str, str], ...]
    categories: tuple[str, ...] = ()
    flags: Mapping[str, bool] = field(default_factory=dict)
    decided_by: tuple[str, ...] = ()  # the holding rules that produced the outcome; empty for the default
    notes: tuple[str, ...] = ()  # as in the JSON (English, or bilingual)
    notes_zh: tuple[str, ...] = ()  # the same notes in Chinese, for people (explain); not in the JSON

    def to_json(self, trace: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": self.outcome}
        if self.name == "inclusion":
            out["categories"] = list(self.categories)
        out.update(self.flags)
        out["rules"] = [r.to_json(trace) for r in self.rules]
        out["citations"] = [dict(c) for c in self.citations]
        out["decided_by"] = list(self.decided_by)
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@dataclass(frozen=True)
class Result:
    pack: str
    pack_version: str
    as_of: date
    engine: str
    decisions: dict[str, Decision]
    warnings: tuple[str, ...] = ()
    traced: bool = True
    warnings_zh: tuple[str, ...] = ()  # the warnings in Chinese, for people; not in the JSON

    def outcomes(self) -> dict[str, str]:
        return {name: d.outcome for name, d in self.decisions.items()}

    def to_json(self, trace: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pack": self.pack,
            "pack_version": self.pack_version,
            "as_of": self.as_of.isoformat(),
            "engine": self.engine,
            "decisions": {n: d.to_json(trace and self.traced) for n, d in self.decisions.items()},
        }
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out


def unique_citations(citations: Iterable[Mapping[str, str]]) -> tuple[Mapping[str, str], ...]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for c in citations:
        key = (c["doc"], c["clause"], c["text"])
        if key not in seen:
            seen.add(key)
            out.append(c)
    return tuple(out)


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
