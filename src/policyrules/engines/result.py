"""Decisions and their trace, as data (JSON-able). Rendering them for people is explain.py's job."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Literal, NoReturn, Protocol

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
            out.update(subject=self.subject, op=self.op, operand=jsonable(self.operand), value=jsonable(self.value))
        if self.on is not None:
            out.update(on=self.on, read_on=jsonable(self.read_on))
        if self.children:
            out["children"] = [c.to_json() for c in self.children]
        return out


class SharedDict(dict[str, Any]):
    """A per-pack constant (a citation with its clause text, an interpretation, a rule's flags) as JSON data:
    every result's JSON holds the same object instead of a copy, so it is read-only — one result's data cannot
    change another's. `dict(value)` (or copy.deepcopy, or pickling) gives an ordinary dict."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("this JSON value is shared by every result of the pack; change a copy: dict(value)")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


class SharedList(list[Any]):
    """A JSON list shared by every result that writes it (a memoised trace entry's): read-only, as SharedDict."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("this JSON value is shared by every result of the pack; change a copy: list(value)")

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __iadd__ = __imul__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


def frozen_json(value: Any) -> Any:
    """JSON data made read-only all the way down (SharedDict, SharedList), to be shared by results."""
    if isinstance(value, SharedDict | SharedList):
        return value
    if isinstance(value, dict):
        return SharedDict({k: frozen_json(v) for k, v in value.items()})
    if isinstance(value, list):
        return SharedList(frozen_json(v) for v in value)
    return value


def shared(mapping: Mapping[str, Any]) -> SharedDict:
    """A per-pack constant mapping, to be shared by every result."""
    return mapping if isinstance(mapping, SharedDict) else SharedDict(mapping)


def _json_of(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A mapping as JSON data: a shared constant as it is, anything else copied."""
    return mapping if isinstance(mapping, SharedDict) else dict(mapping)


class TraceSource(Protocol):
    """Where a traced rule's condition comes from: one evaluation (view, holdings, outcomes), asked per rule."""

    def condition(self, rule_id: str) -> ConditionTrace: ...

    def rule_json(self, rule_id: str) -> dict[str, Any]: ...

    def rules_json(self, rules: tuple[RuleTrace, ...]) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, eq=False)
class RuleTrace:
    """One rule's entry in a decision. A traced entry reads its condition trace from its evaluation when first
    asked (`condition`), and writes its JSON without building the tree; both give what walking the tree gives.
    The entry never changes after the evaluation: the view and holdings behind it are the evaluation's own."""

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
    interpretation: tuple[Mapping[str, str], ...] = ()
    source: TraceSource | None = field(default=None, repr=False)

    @functools.cached_property
    def condition(self) -> ConditionTrace | None:
        return None if self.source is None else self.source.condition(self.id)

    def traced_by(self, source: TraceSource) -> RuleTrace:
        """This entry, with its condition from `source`. Copies the fields directly: a traced evaluation makes
        one per rule, and the dataclass constructor costs three times as much."""
        state = dict(self.__dict__)
        state.pop("condition", None)  # a cached condition belongs to the entry it was read for
        state["source"] = source
        copy = object.__new__(RuleTrace)
        object.__setattr__(copy, "__dict__", state)
        return copy

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleTrace):
            return NotImplemented
        return self._compared() == other._compared()

    __hash__ = None  # type: ignore[assignment]

    def _compared(self) -> tuple[Any, ...]:
        return (
            *(getattr(self, f.name) for f in fields(self) if f.name != "source"),
            self.condition,
        )

    @property
    def failed(self) -> tuple[ConditionTrace, ...]:
        return () if self.holds or self.condition is None else self.condition.failures()

    def to_json(self, trace: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "holds": self.holds}
        if not trace:
            return out
        if self.source is not None:
            return self.source.rule_json(self.id)
        out.update(
            pack=self.pack,
            origin=self.origin,
            title=self.title,
            yields=self.yields,
            category=self.category,
            sets=_json_of(self.sets),
            citations=[_json_of(c) for c in self.citations],
            interpretation=[_json_of(i) for i in self.interpretation],
        )
        if self.condition is not None:
            out["condition"] = self.condition.to_json()
            out["failed"] = [f.phrase for f in self.failed]
        return out


@dataclass(frozen=True, eq=False)
class Decision:
    """One decision: its outcome, flags, citations and every rule's entry. `untraced_rules` are the entries
    without their trace (shared by every result with the same holdings); a traced decision also has the
    evaluation's trace as its `source`, and `rules` are then the entries that read their trace from it."""

    name: str
    outcome: str
    untraced_rules: tuple[RuleTrace, ...]
    citations: tuple[Mapping[str, str], ...]
    categories: tuple[str, ...] = ()
    flags: Mapping[str, bool] = field(default_factory=dict)
    decided_by: tuple[str, ...] = ()  # the holding rules that produced the outcome; empty for the default
    notes: tuple[str, ...] = ()  # as in the JSON (English, or bilingual)
    notes_zh: tuple[str, ...] = ()  # the same notes in Chinese, for people (explain); not in the JSON
    source: TraceSource | None = field(default=None, repr=False)
    # its untraced JSON text by indent, kept by json_text.py: the decision never changes once made
    rendered: dict[int | None, str] = field(default_factory=dict, init=False, repr=False)

    @functools.cached_property
    def rules(self) -> tuple[RuleTrace, ...]:
        """Every rule's entry, in the pack's order; made when first read (a traced result written as JSON never
        needs them)."""
        if self.source is None:
            return self.untraced_rules
        source = self.source
        return tuple(r.traced_by(source) for r in self.untraced_rules)

    def traced_by(self, source: TraceSource) -> Decision:
        """This decision with its rules' trace from `source` (one evaluation). Copies the fields directly, as
        RuleTrace.traced_by does: the dataclass constructor costs four times as much, per decision and result."""
        state = {name: value for name, value in self.__dict__.items() if name not in ("rules", "rendered")}
        state["source"] = source
        state["rendered"] = {}
        copy = object.__new__(Decision)
        object.__setattr__(copy, "__dict__", state)
        return copy

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self._compared() == other._compared()

    __hash__ = None  # type: ignore[assignment]

    def _compared(self) -> tuple[Any, ...]:
        compared = (self.name, self.outcome, self.rules, self.citations, self.categories, self.flags)
        return (*compared, self.decided_by, self.notes, self.notes_zh)

    def to_json(self, trace: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"outcome": self.outcome}
        if self.name == "inclusion":
            out["categories"] = list(self.categories)
        out.update(self.flags)
        if trace and self.source is not None:
            out["rules"] = self.source.rules_json(self.untraced_rules)
        else:
            out["rules"] = [r.to_json(trace) for r in self.rules]
        out["citations"] = [_json_of(c) for c in self.citations]
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

    @classmethod
    def of(
        cls,
        pack: str,
        pack_version: str,
        as_of: date,
        engine: str,
        decisions: dict[str, Decision],
        warnings: tuple[str, ...],
        traced: bool,
        warnings_zh: tuple[str, ...],
    ) -> Result:
        """`Result(...)` for the evaluation's hot path: a frozen dataclass's __init__ sets each field through
        object.__setattr__, which measured about 1 µs of an untraced evaluation's ~20; this sets the same
        fields at once. The result is as frozen as one built by __init__."""
        result = object.__new__(cls)
        result.__dict__.update(
            pack=pack,
            pack_version=pack_version,
            as_of=as_of,
            engine=engine,
            decisions=decisions,
            warnings=warnings,
            traced=traced,
            warnings_zh=warnings_zh,
        )
        return result

    def outcomes(self) -> dict[str, str]:
        return {name: d.outcome for name, d in self.decisions.items()}

    def json_text(self, trace: bool = False, indent: int | None = None) -> str:
        """`json.dumps(self.to_json(trace), ensure_ascii=False, indent=indent)`, with the decisions' text
        rendered once per memoised decision (json_text.py)."""
        from .json_text import result_json_text  # the writer builds on this module

        return result_json_text(self, trace, indent)

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


def jsonable(value: Any) -> Any:
    """A trace value as JSON: tuples as lists, dates as ISO text."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
