"""Where two packs decide differently: every region of the input space, decision by decision, each with a
minimal witness (`policyrules diff A B`).

The input space is cut into a finite abstract domain of *dimensions* built from the atoms both packs read:
each scalar fact (booleans, enumerations, credit grades, the text literals a pack compares with plus one
"other" value and "absent"), each approval a rule asks about, the listing state (never listed / listed /
removed before the date) and the listing's age in the buckets the rules' thresholds make, whether a question
is asked, and for each countable list (violations, inspections, objections) one multiplicity per *event
class* — the classes the count filters can tell apart (window buckets, serious, the partition of kinds the
kind sets induce, on-site, upheld), capped where no threshold distinguishes more.

For each decision, every atom the decision's rules read (in either pack, through rule and outcome references
too) is computed by the pack's own atom reader on a concrete facts document for every combination of its
dimensions, and the search splits cases over the dimensions in one fixed order, sharing equal sub-results: a
reduced ordered decision diagram. Rules, references and the hit policy combine exactly as the engine resolves
them, so every point of the domain is settled for both packs — not a sample.

A region is the set of points of one pair of verdicts (outcome and flags of each pack) with one responsible
rule on each side (or none: a default outcome): the smallest cube over the dimensions holding it ("listed ∧
grounds ∈ {complaint, media, referral} ∧ approvals ∌ enforcement_head"), minus a few exception cubes where it
does not hold (largest cubes, checked exactly against the diagram). The witness is the region's least point
(default values first) written as the smallest facts document, evaluated with both packs by
`Pack.evaluate`, which must reproduce the region's verdicts and hold its rules.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel

from ..conditions import (
    COUNT_FILTERS,
    FACT_FIELDS,
    AllOf,
    AnyOf,
    Atom,
    CompiledPack,
    CompiledRule,
    Cond,
    Context,
    Leaf,
    NotOf,
    OutcomeRef,
    Period,
    RuleRef,
    Value,
    as_known_on,
    complete_years,
    leaves,
    references,
    shift,
)
from ..engines import Decision, Pack
from ..errors import PolicyRulesError, Problem
from ..facts import ENUM_LABELS, Facts, innermost_model, parse_facts, uscc_check_char
from ..packs import DECISIONS, FLAGS, PackDefinition

WITNESS_NAME = "示例企业"
WITNESS_USCC = "91110000MA0000000" + uscc_check_char("91110000MA0000000")
OTHER_TEXT = "其他"  # a text no pack compares with: stands for every such text
QUESTIONS = ("inspection_request", "violation_case")
LISTING_STATES = ("absent", "current", "removed")
DEFAULT_MAX_NODES = 2_000_000
# the question or listing state a decision is only asked under (contract section 3)
FIXED: dict[str, tuple[str, Value]] = {
    "listing": ("listing", "current"),
    "inspection": ("question:inspection_request", True),
    "penalty": ("question:violation_case", True),
}

DimKind = Literal["fact", "contains", "question", "listing", "age", "events"]
Assignment: TypeAlias = dict[str, Value]


class DiffError(PolicyRulesError):
    """The packs cannot be compared (an atom the diff cannot model, or no common evaluation date)."""


# --- dimensions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventClass:
    """One class of events the count filters cannot tell apart; None where no filter reads the field."""

    subject: str
    bucket: int | None = None  # window bucket: 0 = within the shortest window, …, last = older than all
    serious: bool | None = None
    kinds: tuple[str, ...] | None = None
    on_site: bool | None = None
    upheld: bool | None = None


@dataclass(frozen=True)
class Dim:
    """One dimension of the abstract input domain; `values` lists the default (smallest) value first."""

    name: str
    kind: DimKind
    values: tuple[Value, ...]
    label: str
    path: str = ""
    field_kind: str = ""  # bool | enum | grade | text for fact dimensions
    member: str = ""
    event: EventClass | None = None
    gate: tuple[str, frozenset[Value]] | None = None  # relevant only while that dimension takes these values
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "label": self.label, "values": list(self.values)}
        if self.gate:
            out["relevant_when"] = {self.gate[0]: sorted(self.gate[1], key=str)}
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class AtomModel:
    """Which dimensions decide an atom: its gates (e.g. the question is asked) and, once they are open, its
    own dimensions. A count is the sum of the multiplicities of the event classes it matches."""

    gates: tuple[tuple[str, frozenset[Value]], ...]
    inner: tuple[str, ...]
    count: bool = False


def _period_text(period: Period) -> str:
    unit, amount = period
    return f"{amount} {unit[:-1] if amount == 1 else unit}"


def _model_default(path: str) -> Value:
    """The default of a fact path in the fact model (None for a required or optional field)."""
    model: type[BaseModel] = Facts
    parts = path.split(".")
    for part in parts[:-1]:
        inner = innermost_model(model.model_fields[part].annotation)
        assert inner is not None, path
        model = inner
    default = model.model_fields[parts[-1]].default
    if isinstance(default, StrEnum):
        return str(default.value)
    if isinstance(default, bool | str):
        return default
    return None


def _short(path: str) -> str:
    for prefix in ("enterprise.", "inspection_request.", "violation_case."):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def _gates(path: str) -> tuple[tuple[str, frozenset[Value]], ...]:
    head = path.split(".")[0]
    if head in QUESTIONS:
        return ((f"question:{head}", frozenset({True})),)
    if path.startswith("enterprise.listing"):
        return (("listing", frozenset({"current", "removed"})),)
    return ()


class Domain:
    """The abstract input domain of two compiled packs on one evaluation date."""

    def __init__(self, packs: Sequence[CompiledPack], as_of: date) -> None:
        self.packs = tuple(packs)
        self.as_of = as_of
        self.dims: dict[str, Dim] = {}
        self.models: list[dict[str, AtomModel]] = [{} for _ in self.packs]
        self.notes: list[str] = []
        self._values: dict[tuple[int, str, tuple[Value, ...]], Value] = {}
        every_leaf = [leaf for pack in self.packs for rule in pack.rules for leaf in leaves(rule.cond)]
        self._caps = _leaf_caps(every_leaf)
        self._add(Dim("listing", "listing", LISTING_STATES, "listing state", "enterprise.listing"))
        for question in QUESTIONS:
            self._add(Dim(f"question:{question}", "question", (False, True), f"{question} asked", question))
        self._grades = self._common_grades()
        self._windows = self._window_starts()
        self._kind_classes = self._kind_partition()
        for i, pack in enumerate(self.packs):
            for key, atom in pack.atoms.items():
                self.models[i][key] = self._model(atom)
        self.dims = dict(sorted(self.dims.items(), key=lambda item: _rank(item[1])))
        self.order = {name: i for i, name in enumerate(self.dims)}

    # building ------------------------------------------------------------------------------------------

    def _add(self, dim: Dim) -> str:
        self.dims.setdefault(dim.name, dim)
        return dim.name

    def _common_grades(self) -> tuple[str, ...]:
        schemes = [p.definition.credit_scheme for p in self.packs]
        codes = tuple(g.code for g in schemes[0].grades)
        common = tuple(c for c in codes if all(c in p.grade_codes for p in self.packs))
        if any(s.grades != schemes[0].grades for s in schemes[1:]):
            self.notes.append(
                f"the packs rate credit on different schemes ({', '.join(s.name for s in schemes)}); only the grades "
                f"every pack accepts are compared: {', '.join(common) or 'none'}"
            )
        return common

    def _window_starts(self) -> dict[str, tuple[tuple[date, tuple[Period, ...]], ...]]:
        """Per countable list, the distinct window starts the count filters use, most recent first."""
        out: dict[str, dict[date, list[Period]]] = {s: {} for s in COUNT_FILTERS}
        for pack in self.packs:
            for atom in pack.atoms.values():
                if atom.reads and atom.reads[0] == "count":
                    window = dict(atom.reads[2]).get("within")
                    if window is not None:
                        periods = out[atom.reads[1]].setdefault(shift(self.as_of, window), [])
                        if window not in periods:
                            periods.append(window)
        return {s: tuple((d, tuple(p)) for d, p in sorted(starts.items(), reverse=True)) for s, starts in out.items()}

    def _kind_partition(self) -> tuple[tuple[str, ...], ...]:
        kinds = tuple(ENUM_LABELS["ViolationKind"])
        sets = sorted(
            {
                tuple(dict(a.reads[2])["kind"])
                for p in self.packs
                for a in p.atoms.values()
                if a.reads and a.reads[0] == "count" and "kind" in dict(a.reads[2])
            }
        )
        if not sets:
            return ()
        classes: dict[tuple[bool, ...], list[str]] = {}
        for kind in kinds:
            classes.setdefault(tuple(kind in s for s in sets), []).append(kind)
        return tuple(tuple(c) for c in classes.values())

    def _uses(self, subject: str, flt: str) -> bool:
        return any(
            a.reads and a.reads[0] == "count" and a.reads[1] == subject and flt in dict(a.reads[2])
            for p in self.packs
            for a in p.atoms.values()
        )

    def _model(self, atom: Atom) -> AtomModel:
        reads = atom.reads
        if not reads:
            raise DiffError([Problem(atom.key, "the diff cannot tell what this atom reads (no `reads`)")])
        kind = reads[0]
        if kind == "fact":
            return AtomModel(_gates(reads[1]), (self._fact_dim(reads[1]),))
        if kind == "derived":
            if reads[1] != "listed":
                raise DiffError([Problem(atom.key, f"the diff cannot model the derived fact {reads[1]}")])
            return AtomModel((), ("listing",))
        if kind == "present":
            path = reads[1]
            if path in QUESTIONS or path == "violation_case.date":
                return AtomModel((), (f"question:{path.split('.')[0]}",))
            if path in ("enterprise.listing", "enterprise.listing.listed_on", "enterprise.listing.removed_on"):
                return AtomModel((), ("listing",))
            return AtomModel(_gates(path), (self._fact_dim(path),))
        if kind == "contains":
            path, member = reads[1], reads[2]
            name = self._add(
                Dim(
                    f"contains:{path}:{member}",
                    "contains",
                    (False, True),
                    f"{_short(path)} ∋ {member}",
                    path,
                    member=member,
                    gate=_gates(path)[0] if _gates(path) else None,
                )
            )
            return AtomModel(_gates(path), (name,))
        if kind == "years_since":
            return AtomModel(_gates(reads[1]), (self._age_dim(reads[1]),))
        if kind == "count":
            return AtomModel((), self._count_dims(reads[1], dict(reads[2])), count=True)
        raise DiffError([Problem(atom.key, f"the diff cannot model atoms that read {kind}")])

    def _fact_dim(self, path: str) -> str:
        name = f"fact:{path}"
        if name in self.dims:
            return name
        info = FACT_FIELDS.get(path)
        gate = _gates(path)[0] if _gates(path) else None
        if path == "enterprise.credit_rating":
            values: tuple[Value, ...] = (None, *self._grades)
            return self._add(Dim(name, "fact", values, _short(path), path, "grade", gate=gate))
        if info is None:
            raise DiffError([Problem(path, "the diff cannot model this fact path")])
        if info.kind == "bool":
            flag = bool(_model_default(path))
            return self._add(Dim(name, "fact", (flag, not flag), _short(path), path, "bool", gate=gate))
        if info.kind == "enum":
            assert info.enum is not None
            default = _model_default(path)
            codes = sorted(info.enum.labels(), key=lambda code: code != default)  # the default first
            return self._add(Dim(name, "fact", tuple(codes), _short(path), path, "enum", gate=gate))
        if info.kind == "text":
            literals: list[str] = []
            for pack in self.packs:
                atom = pack.atoms.get(path)
                for lit in atom.domain if atom is not None else ():
                    if lit not in literals:
                        literals.append(lit)
            other = OTHER_TEXT if path != "enterprise.permit_no" else WITNESS_USCC + "001P"
            while other in literals:
                other += "（其他）"
            values = (None, *literals, other)
            note = f"'{other}' stands for every text neither pack compares this fact with"
            return self._add(Dim(name, "fact", values, _short(path), path, "text", gate=gate, note=note))
        raise DiffError([Problem(path, f"the diff cannot model a {info.kind} fact")])

    def _age_dim(self, path: str) -> str:
        if path not in ("enterprise.listing.listed_on", "violation_case.date"):
            raise DiffError([Problem(path, "the diff models years_since of listing.listed_on and violation_case.date")])
        name = f"age:{path}"
        if name not in self.dims:
            lows = sorted({0, *self._caps.get(f"years_since({path})", set())})
            gate = _gates(path)[0]
            label = f"complete years since {_short(path)}"
            note = "each value v stands for the ages from v up to the next value (the last: v and more)"
            self._add(Dim(name, "age", tuple(lows), label, path, gate=gate, note=note))
        return name

    def _count_dims(self, subject: str, filters: Mapping[str, Any]) -> tuple[str, ...]:
        """The multiplicity dimensions of every event class this count matches (creating all classes of the
        list the first time)."""
        names = []
        for cls in self._classes(subject):
            if _matches_class(cls, filters, self._windows[subject], self.as_of):
                names.append(self._event_dim(cls))
        return tuple(names)

    def _classes(self, subject: str) -> list[EventClass]:
        windows = self._windows[subject]
        buckets: list[int | None] = list(range(len(windows) + 1)) if windows else [None]
        serious: list[bool | None] = [False, True] if self._uses(subject, "serious") else [None]
        kinds: list[tuple[str, ...] | None] = (
            list(self._kind_classes) if subject == "violations" and self._kind_classes else [None]
        )
        on_site: list[bool | None] = [True, False] if self._uses(subject, "on_site") else [None]
        upheld: list[bool | None] = [False, True] if self._uses(subject, "upheld") else [None]
        return [
            EventClass(subject, b, s, k, o, u)
            for b, s, k, o, u in itertools.product(buckets, serious, kinds, on_site, upheld)
        ]

    def _event_dim(self, cls: EventClass) -> str:
        name = "count:" + self.class_label(cls)
        if name in self.dims:
            return name
        # the largest value a threshold on a count of this class tells apart: more events change nothing
        cap = max(
            (
                max(self._caps.get(atom.key, {1}), default=1)
                for pack in self.packs
                for atom in pack.atoms.values()
                if atom.reads and atom.reads[0] == "count" and atom.reads[1] == cls.subject
                if _matches_class(cls, dict(atom.reads[2]), self._windows[cls.subject], self.as_of)
            ),
            default=1,
        )
        note = f"{cap} stands for {cap} or more"
        return self._add(
            Dim(name, "events", tuple(range(cap + 1)), self.class_label(cls), cls.subject, event=cls, note=note)
        )

    def _bucket_text(self, subject: str, bucket: int) -> str:
        windows = self._windows[subject]
        if bucket == 0:
            return f"within {_period_text(windows[0][1][0])}"
        if bucket == len(windows):
            return f"older than {_period_text(windows[-1][1][0])}"
        return f"{_period_text(windows[bucket - 1][1][0])} to {_period_text(windows[bucket][1][0])} old"

    def _attribute_text(self, subject: str, attr: str, values: Sequence[Any]) -> str:
        if attr == "bucket":
            return " or ".join(self._bucket_text(subject, b) for b in values)
        if attr == "kinds":
            kinds = [k for group in values for k in group]
            return "kind ∈ {" + ", ".join(kinds) + "}" if len(kinds) > 1 else f"kind {kinds[0]}"
        words = {
            "serious": ("serious", "not serious"),
            "on_site": ("on site", "off site"),
            "upheld": ("upheld", "not upheld"),
        }
        yes, no = words[attr]
        return " or ".join(yes if v else no for v in values)

    def class_label(self, cls: EventClass) -> str:
        parts = [
            self._attribute_text(cls.subject, attr, [getattr(cls, attr)])
            for attr in _EVENT_ATTRIBUTES
            if getattr(cls, attr) is not None
        ]
        return cls.subject + (f"[{', '.join(parts)}]" if parts else "")

    def describe_no_events(self, subject: str, zero: Collection[str], universe: Collection[str]) -> list[str]:
        """ "No events of these classes", said with as few attribute combinations as cover them: e.g. the
        violation classes that are serious or of the named kinds become `no violations[serious] ∧ no
        violations[kind ∈ {…}]`. A combination may only cover classes the region holds at zero (a class no
        rule reads may have any number of events, so it is never swept in)."""
        dims_by_class = {
            self.dims[name].event: name
            for name in universe
            if self.dims[name].kind == "events" and self.dims[name].path == subject
        }
        classes = self._classes(subject)
        options: list[list[tuple[Any, ...]]] = []
        for attr in _EVENT_ATTRIBUTES:
            values = sorted({getattr(c, attr) for c in classes}, key=repr)
            options.append([c for n in range(1, len(values) + 1) for c in itertools.combinations(values, n)])

        def covers(product: Sequence[tuple[Any, ...]], cls: EventClass | None) -> bool:
            return all(getattr(cls, a) in allowed for a, allowed in zip(_EVENT_ATTRIBUTES, product, strict=True))

        valid = [
            p for p in itertools.product(*options) if all(dims_by_class.get(c) in zero for c in classes if covers(p, c))
        ]
        todo = set(zero)
        chosen: list[Sequence[tuple[Any, ...]]] = []
        while todo:
            best = max(
                valid,
                key=lambda p: (
                    sum(1 for c, n in dims_by_class.items() if n in todo and covers(p, c)),
                    sum(map(len, p)),
                ),
            )
            chosen.append(best)
            todo -= {n for c, n in dims_by_class.items() if covers(best, c)}
        out = []
        for product in chosen:
            parts = [
                self._attribute_text(subject, attr, [v for v in allowed if v is not None])
                for attr, allowed, full in zip(_EVENT_ATTRIBUTES, product, options, strict=True)
                if len(allowed) < len(full[-1])
            ]
            out.append(f"no {subject}" + (f"[{', '.join(parts)}]" if parts else ""))
        return out

    # using ---------------------------------------------------------------------------------------------------

    def deps(self, pack_index: int, atom_key: str) -> tuple[str, ...]:
        model = self.models[pack_index][atom_key]
        return tuple(g for g, _ in model.gates) + model.inner

    def dims_of_rules(self, pack_index: int, rules: Iterable[CompiledRule]) -> list[str]:
        seen: dict[str, None] = {}
        for rule in rules:
            for leaf in leaves(rule.cond):
                for dim in self.deps(pack_index, leaf.atom.key):
                    seen[dim] = None
        return sorted(seen, key=self.order.__getitem__)

    def value(self, pack_index: int, atom: Atom, point: Assignment) -> Value:
        """The atom's value at a point that assigns (at least) its dimensions, cached."""
        need = self.deps(pack_index, atom.key)
        key = (pack_index, atom.key, tuple(point[d] for d in need))
        if key not in self._values:
            self._values[key] = self.read(pack_index, atom, {d: point[d] for d in need})
        return self._values[key]

    def read(self, pack_index: int, atom: Atom, point: Assignment) -> Value:
        """The atom's value on the concrete facts realising `point`, read by the pack's own reader."""
        facts = parse_facts(self.document(point))
        pack = self.packs[pack_index]
        return atom.read(Context(as_known_on(facts, self.as_of), self.as_of, pack.grade_codes))

    def document(self, point: Mapping[str, Value]) -> dict[str, Any]:
        """The smallest facts document realising `point` (unassigned dimensions take their default): only
        fields that differ from the fact model's defaults are written."""
        enterprise: dict[str, Any] = {"name": WITNESS_NAME, "uscc": WITNESS_USCC}
        doc: dict[str, Any] = {"enterprise": enterprise}
        asked = {q: bool(point.get(f"question:{q}", False)) for q in QUESTIONS}
        state = point.get("listing", "absent")
        if asked["inspection_request"]:
            doc["inspection_request"] = {"grounds": point.get("fact:inspection_request.grounds", "complaint")}
        if asked["violation_case"]:
            age = int(point.get("age:violation_case.date", 0) or 0)
            doc["violation_case"] = {"date": shift(self.as_of, ("years", age)).isoformat()}
        if state != "absent":
            age = int(point.get("age:enterprise.listing.listed_on", 0) or 0)
            listed_on = shift(shift(self.as_of, ("years", age)), ("months", 1))
            listing: dict[str, Any] = {"listed_on": listed_on.isoformat()}
            enterprise["listing"] = listing
            if state == "removed":
                listing["removed_on"] = date.fromordinal(self.as_of.toordinal() - 1).isoformat()
        for name, value in point.items():
            dim = self.dims[name]
            if dim.gate is not None and point.get(dim.gate[0], self.dims[dim.gate[0]].values[0]) not in dim.gate[1]:
                continue
            if dim.kind == "fact" and dim.path != "inspection_request.grounds":
                if value is None or value == _model_default(dim.path):
                    continue
                _put(doc, dim.path, value)
            elif dim.kind == "contains" and value:
                head, rest = dim.path.split(".", 1)
                doc[head].setdefault(rest, []).append(dim.member)
            elif dim.kind == "events" and value:
                assert dim.event is not None
                event = self._event(dim.event)
                enterprise.setdefault(dim.event.subject, []).extend(dict(event) for _ in range(int(value)))
        for subject in COUNT_FILTERS:
            if subject in enterprise and subject != "objections":
                enterprise[subject].sort(key=lambda e: e["date"], reverse=True)
        return doc

    def _event(self, cls: EventClass) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if cls.subject != "objections":
            out["date"] = self._event_date(cls).isoformat()
        if cls.serious:
            out["serious"] = True
        if cls.kinds is not None:
            kind = "other" if "other" in cls.kinds else cls.kinds[0]
            if kind != "other":
                out["kind"] = kind
        if cls.on_site is False:
            out["on_site"] = False
        if cls.subject == "objections":
            out["upheld"] = bool(cls.upheld)
        return out

    def _event_date(self, cls: EventClass) -> date:
        starts = [d for d, _ in self._windows[cls.subject]]
        month_before = shift(self.as_of, ("months", 1))
        if cls.bucket is None:
            return month_before
        if cls.bucket == 0:
            return month_before if month_before >= starts[0] else _midpoint(starts[0], self.as_of)
        if cls.bucket == len(starts):
            return shift(starts[-1], ("months", 1))
        newer, older = starts[cls.bucket - 1], starts[cls.bucket]
        return _midpoint(older, date.fromordinal(newer.toordinal() - 1))

    def abstract(self, facts: Facts) -> Assignment:
        """The point of the domain a concrete facts document falls on (what it is on the evaluation date):
        the inverse of `document`, computed from the facts rather than from the atoms."""
        known = as_known_on(facts, self.as_of)
        ent = known.enterprise
        listing = ent.listing
        point: Assignment = {
            "listing": "absent" if listing is None else "removed" if listing.removed_on else "current",
            **{f"question:{q}": getattr(known, q) is not None for q in QUESTIONS},
        }
        for name, dim in self.dims.items():
            if dim.kind == "age":
                start = _get(known, dim.path)
                years = complete_years(start, self.as_of) if isinstance(start, date) else 0
                point[name] = max(v for v in dim.values if isinstance(v, int) and v <= max(years, 0))
            elif dim.kind == "fact":
                value = _get(known, dim.path)
                value = str(value.value) if isinstance(value, StrEnum) else value
                if dim.field_kind == "grade" and value is not None:
                    value = self.packs[0].grade_codes[str(value)]
                if dim.field_kind == "text" and value is not None and value not in dim.values[1:-1]:
                    value = dim.values[-1]
                point[name] = value if value in dim.values else dim.values[0]
            elif dim.kind == "contains":
                members = _get(known, dim.path) or ()
                point[name] = dim.member in {str(getattr(m, "value", m)) for m in members}
            elif dim.kind == "events":
                assert dim.event is not None
                events = getattr(ent, dim.event.subject)
                count = sum(1 for e in events if self._class_of(dim.event.subject, e) == dim.event)
                point[name] = min(count, int(dim.values[-1] or 0))
        return point

    def _class_of(self, subject: str, event: Any) -> EventClass:
        starts = [d for d, _ in self._windows[subject]]
        bucket = sum(1 for start in starts if event.date < start) if starts else None
        kinds = None
        if subject == "violations" and self._kind_classes:
            kinds = next(k for k in self._kind_classes if str(event.kind.value) in k)
        return EventClass(
            subject,
            bucket,
            bool(event.serious) if self._uses(subject, "serious") else None,
            kinds,
            bool(event.on_site) if self._uses(subject, "on_site") else None,
            bool(event.upheld) if self._uses(subject, "upheld") else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "dimensions": [d.to_json() for d in self.dims.values()]}


_EVENT_ATTRIBUTES = ("bucket", "serious", "kinds", "on_site", "upheld")


def _rank(dim: Dim) -> tuple[int, str]:
    """The order dimensions are shown in: the listing, the enterprise, its records, then the questions."""
    if dim.kind == "listing":
        return 0, ""
    if dim.path.startswith("enterprise.listing"):
        return 1, dim.path
    if dim.kind == "fact" and dim.path.startswith("enterprise."):
        return 2, dim.path
    if dim.kind == "events":
        return 3, dim.name
    if dim.kind == "question":
        return 4, dim.path
    return 5 if dim.path.startswith("inspection_request") else 6, dim.name


def _midpoint(a: date, b: date) -> date:
    return date.fromordinal((a.toordinal() + b.toordinal()) // 2)


def _get(facts: Facts, path: str) -> Any:
    current: Any = facts
    for part in path.split("."):
        current = getattr(current, part, None)
        if current is None:
            return None
    return current


def _put(doc: dict[str, Any], path: str, value: Value) -> None:
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _matches_class(
    cls: EventClass, filters: Mapping[str, Any], windows: Sequence[tuple[date, tuple[Period, ...]]], as_of: date
) -> bool:
    window = filters.get("within")
    if window is not None:
        start = shift(as_of, window)
        index = next(i for i, (d, _) in enumerate(windows) if d == start)
        if cls.bucket is None or cls.bucket > index:
            return False
    if "serious" in filters and cls.serious != filters["serious"]:
        return False
    if "kind" in filters and (cls.kinds is None or cls.kinds[0] not in filters["kind"]):
        return False
    if "on_site" in filters and cls.on_site != filters["on_site"]:
        return False
    return not ("upheld" in filters and cls.upheld != filters["upheld"])


def _leaf_caps(leaves: Iterable[Leaf]) -> dict[str, set[int]]:
    """Per integer atom, the values its tests tell apart: `at_least n` splits at n, `at_most n` and `is n` at
    n and n + 1. A count capped at the largest of them loses nothing; an age bucket starts at each."""
    out: dict[str, set[int]] = {}
    for leaf in leaves:
        if leaf.atom.kind != "int" or not isinstance(leaf.operand, int):
            continue
        n = leaf.operand
        cuts = {n} if leaf.op == "at_least" else {n, n + 1} if leaf.op == "is" else {n + 1}
        out.setdefault(leaf.atom.key, set()).update(c for c in cuts if c > 0)
    return out


# --- ordered case splitting with shared sub-results -------------------------------------------------------

Key: TypeAlias = Any  # a terminal value: a truth value, an outcome, or what a pack decides


class Diagram:
    """Case splitting over the dimensions in one fixed order, with every sub-result shared: a reduced,
    ordered multi-valued decision diagram. A node splits on one dimension and has a child per value; a node
    whose children are all the same is that child (the dimension does not matter there), and equal nodes are
    one node. Nodes are ints; terminals carry a value."""

    def __init__(self, sizes: Sequence[int], limit: int) -> None:
        self.sizes = list(sizes)
        self.bottom = len(sizes)
        self.limit = limit
        self.levels: list[int] = []
        self.kids: list[tuple[int, ...]] = []
        self.values: list[Key] = []
        self._unique: dict[tuple[int, tuple[int, ...]], int] = {}
        self._terminals: dict[Key, int] = {}
        self._memo: dict[tuple[Any, tuple[int, ...]], int] = {}

    def __len__(self) -> int:
        return len(self.levels)

    def const(self, value: Key) -> int:
        node = self._terminals.get(value)
        if node is None:
            node = self._terminals[value] = self._new(self.bottom, (), value)
        return node

    def make(self, level: int, kids: Sequence[int]) -> int:
        first = kids[0]
        if all(k == first for k in kids):
            return first
        key = (level, tuple(kids))
        node = self._unique.get(key)
        if node is None:
            node = self._unique[key] = self._new(level, key[1], None)
        return node

    def _new(self, level: int, kids: tuple[int, ...], value: Key) -> int:
        if len(self.levels) >= self.limit:
            raise _LimitHit
        self.levels.append(level)
        self.kids.append(kids)
        self.values.append(value)
        return len(self.levels) - 1

    def is_const(self, node: int) -> bool:
        return self.levels[node] == self.bottom

    def apply(self, tag: Any, fn: Any, args: tuple[int, ...]) -> int:
        """The diagram of fn(values of args...) — fn takes one terminal value per argument."""
        memo = (tag, args)
        known = self._memo.get(memo)
        if known is not None:
            return known
        top = min(self.levels[a] for a in args)
        if top == self.bottom:
            result = self.const(fn(*(self.values[a] for a in args)))
        else:
            kids = [
                self.apply(tag, fn, tuple(self.kids[a][i] if self.levels[a] == top else a for a in args))
                for i in range(self.sizes[top])
            ]
            result = self.make(top, kids)
        self._memo[memo] = result
        return result

    def not_(self, node: int) -> int:
        return self.apply("not", _not, (node,))

    def and_(self, nodes: Sequence[int]) -> int:
        return self._junction(nodes, True)

    def or_(self, nodes: Sequence[int]) -> int:
        return self._junction(nodes, False)

    def _junction(self, nodes: Sequence[int], unit: bool) -> int:
        """all (unit True) or any (unit False): terminals equal to `unit` drop out, one `not unit` decides."""
        rest: list[int] = []
        for node in nodes:
            if self.is_const(node):
                if self.values[node] is not unit:
                    return self.const(not unit)
                continue
            if node not in rest:
                rest.append(node)
        if not rest:
            return self.const(unit)
        result = rest[0]
        for node in rest[1:]:
            result = self.apply("and" if unit else "or", _and if unit else _or, (result, node))
        return result

    def terminals(self, root: int) -> list[Key]:
        """The terminal values reachable from `root`, in the order a walk taking values in order meets them."""
        seen: set[int] = set()
        found: dict[Key, None] = {}
        stack = [root]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if self.is_const(node):
                found[self.values[node]] = None
            else:
                stack.extend(reversed(self.kids[node]))
        return list(found)


Cube: TypeAlias = tuple[frozenset[int], ...]  # per level, the value indices a region allows


class Cover:
    """A few largest cubes inside `allowed` that together cover `care` (both 0/1 diagrams): each cube of a
    disjoint cover of `care` is expanded, dimension by dimension, while it stays inside `allowed` (a prime
    cube), and cubes the others cover (as far as `care` goes) are dropped."""

    def __init__(self, dd: Diagram, allowed: int, care: int, order: Sequence[int], within: Cube) -> None:
        assert dd.and_([care, dd.not_(allowed)]) == dd.const(False), "care must lie inside allowed"
        self.within = within  # the cube the conditions are counted against (the region's hull)
        self.dd = dd
        self.allowed = allowed
        self.care = care
        self.order = order
        self.full = tuple(frozenset(range(n)) for n in dd.sizes)

    def inside(self, node: int, cube: Cube) -> bool:
        """Whether the 0/1 diagram `node` is true on every point of the cube."""
        dd = self.dd
        memo: dict[int, bool] = {}

        def walk(n: int) -> bool:
            if dd.is_const(n):
                return bool(dd.values[n])
            known = memo.get(n)
            if known is None:
                kids = dd.kids[n]
                known = memo[n] = all(walk(kids[i]) for i in cube[dd.levels[n]])
            return known

        return walk(node)

    def expand(self, cube: Cube) -> Cube:
        for level in self.order:
            if cube[level] != self.full[level]:
                trial = (*cube[:level], self.full[level], *cube[level + 1 :])
                if self.inside(self.allowed, trial):
                    cube = trial
        for level in self.order:
            for i in sorted(self.full[level] - cube[level]):
                trial = (*cube[:level], cube[level] | {i}, *cube[level + 1 :])
                if self.inside(self.allowed, trial):
                    cube = trial
        return cube

    def diagram(self, cubes: Iterable[Cube]) -> int:
        """The 0/1 diagram of the union of the cubes."""
        dd = self.dd
        union = dd.const(False)
        for cube in cubes:
            union = dd.or_([union, cube_diagram(dd, cube)])
        return union

    def primes(self, budget: int | None = None) -> list[Cube] | None:
        """Take the least point of `care` not yet covered, expand it to a prime cube, repeat; then drop the
        cubes the others cover. With a budget, give up (None) once the cubes state more conditions than that
        beyond `within`."""
        dd = self.dd
        false = dd.const(False)
        kept: list[Cube] = []
        uncovered = self.care
        while uncovered != false:
            point = least_point(dd, uncovered)
            cube = self.expand(tuple(frozenset({i}) for i in point))
            kept.append(cube)
            if budget is not None and _literals(kept, self.within) > budget:
                return None
            uncovered = dd.and_([uncovered, dd.not_(cube_diagram(dd, cube))])
        outside = dd.not_(self.care)
        for prime in list(reversed(kept)):
            others = [c for c in kept if c != prime]
            if others and self.inside(dd.or_([self.diagram(others), outside]), prime):
                kept.remove(prime)
        return kept


def cube_diagram(dd: Diagram, cube: Cube) -> int:
    node = dd.const(True)
    for level in reversed(range(len(cube))):
        if len(cube[level]) != dd.sizes[level]:
            node = dd.make(level, [node if i in cube[level] else dd.const(False) for i in range(dd.sizes[level])])
    return node


def hull(dd: Diagram, node: int) -> Cube:
    """The smallest cube holding every point where the 0/1 diagram is true: per level, the values some such
    point takes."""
    seen: dict[int, None] = {}
    used: list[set[int]] = [set() for _ in dd.sizes]
    skipped: set[int] = set()

    def walk(n: int, level: int) -> None:
        # `level` is the first level not yet decided on the way to n: levels between it and n's are free
        skipped.update(range(level, dd.levels[n]))
        if dd.is_const(n) or n in seen:
            return
        seen[n] = None
        for i, kid in enumerate(dd.kids[n]):
            if not (dd.is_const(kid) and not dd.values[kid]):
                used[dd.levels[n]].add(i)
                walk(kid, dd.levels[n] + 1)

    walk(node, 0)
    return tuple(
        frozenset(range(dd.sizes[lv])) if lv in skipped else frozenset(used[lv]) for lv in range(len(dd.sizes))
    )


def least_point(dd: Diagram, node: int) -> tuple[int, ...]:
    """The smallest point (value indices, level by level, defaults first) where the 0/1 diagram is true."""
    out = [0] * len(dd.sizes)
    while not dd.is_const(node):
        kids = dd.kids[node]
        i = next(i for i, kid in enumerate(kids) if not (dd.is_const(kid) and not dd.values[kid]))
        out[dd.levels[node]] = i
        node = kids[i]
    assert dd.values[node], "least_point of an empty set"
    return tuple(out)


class _LimitHit(Exception):
    pass


def _not(a: Key) -> bool:
    return not a


def _and(a: Key, b: Key) -> bool:
    return bool(a and b)


def _or(a: Key, b: Key) -> bool:
    return bool(a or b)


Verdict: TypeAlias = tuple[str, tuple[tuple[str, bool], ...]]  # an outcome and the decision's flags


SAME = "same"  # the terminal of the product where both packs decide alike


class DecisionDiagrams:
    """For one decision: the dimensions in order (the decision's fixed dimension has its one value), each
    pack's rules as diagrams, and each pack's decision."""

    def __init__(self, domain: Domain, decision: str, limit: int) -> None:
        self.domain = domain
        self.decision = decision
        self.fixed: Assignment = dict([FIXED[decision]]) if decision in FIXED else {}
        names = set(searched_dims(domain, decision)) | {
            d for i in (0, 1) for d in domain.dims_of_rules(i, _reachable(domain.packs[i], decision))
        }
        self.dims = sorted(names, key=domain.order.__getitem__)
        self.values = [(self.fixed[d],) if d in self.fixed else domain.dims[d].values for d in self.dims]
        self.level = {d: i for i, d in enumerate(self.dims)}
        self.dd = Diagram([len(v) for v in self.values], limit)
        self._rules: dict[tuple[int, str], int] = {}
        self._decisions: dict[tuple[int, str], int] = {}
        self._leaves: dict[tuple[int, str, str, Any], int] = {}

    def decided(self, index: int) -> int:
        """The diagram of what pack `index` decides (terminals are verdicts: outcome and flags)."""
        return self._decision(index, self.decision, full=True)

    def product(self) -> int:
        """Both packs' decisions together: SAME where outcome and flags agree, else the pair."""

        def pair(a: Verdict, b: Verdict) -> Key:
            return SAME if a == b else (a, b)

        return self.dd.apply("pair", pair, (self.decided(0), self.decided(1)))

    def responsible(self, index: int, key: tuple[Verdict, Verdict]) -> list[tuple[str | None, int]]:
        """The rules of pack `index` that can be behind its side of a verdict pair, each with its diagram:
        the rules yielding its outcome when the outcomes differ, else those setting a flag it sets and the
        other does not; None, with its diagram, stands for "none of them holds"."""
        (outcome, flags), (other_outcome, other_flags) = key if index == 0 else key[::-1]
        differing = {f for (f, v), (_, w) in zip(flags, other_flags, strict=True) if v and not w}
        rules = [
            r
            for r in self.domain.packs[index].rules_of(self.decision)
            if (
                r.rule.spec.yields == outcome
                if outcome != other_outcome
                else any(r.rule.spec.sets.get(f) for f in differing)
            )
        ]
        out: list[tuple[str | None, int]] = [(r.id, self.rule(index, r.id)) for r in rules]
        none = self.dd.not_(self.dd.or_([holds for _, holds in out])) if out else self.dd.const(True)
        return [*out, (None, none)]

    def region(self, cube: Cube, dims: Sequence[str], within: Region | None = None) -> Region:
        """The cube as value sets by dimension; with `within`, only the dimensions where the cube says more
        than `within` does (the rest cannot matter inside it)."""
        out: Region = {}
        for d in dims:
            values = self.values[self.level[d]]
            chosen = frozenset(values[i] for i in cube[self.level[d]])
            if within is not None and chosen >= within[d]:
                continue
            out[d] = chosen
        return out

    def _decision(self, index: int, decision: str, full: bool) -> int:
        key = (index, decision + ("!" if full else ""))
        if key not in self._decisions:
            pack = self.domain.packs[index]
            rules = pack.rules_of(decision)
            policy = pack.definition.decisions[decision]
            flags = FLAGS.get(decision, ())

            def resolve(*holds: bool) -> Key:
                held = [r for r, h in zip(rules, holds, strict=True) if h]
                outcome = next(
                    (o for o in policy.priority if any(r.rule.spec.yields == o for r in held)), policy.default
                )
                if not full:
                    return outcome
                return outcome, tuple((f, any(r.rule.spec.sets.get(f, False) for r in held)) for f in flags)

            args = tuple(self.rule(index, r.id) for r in rules)
            self._decisions[key] = self.dd.apply(("decide", *key), resolve, args)
        return self._decisions[key]

    def rule(self, index: int, rule_id: str) -> int:
        key = (index, rule_id)
        if key not in self._rules:
            self._rules[key] = self.cond(index, self.domain.packs[index].rule(rule_id).cond)
        return self._rules[key]

    def cond(self, index: int, cond: Cond) -> int:
        dd = self.dd
        if isinstance(cond, Leaf):
            return self._leaf(index, cond)
        if isinstance(cond, AllOf):
            return dd.and_([self.cond(index, c) for c in cond.children])
        if isinstance(cond, AnyOf):
            return dd.or_([self.cond(index, c) for c in cond.children])
        if isinstance(cond, NotOf):
            return dd.not_(self.cond(index, cond.child))
        if isinstance(cond, RuleRef):
            return self.rule(index, cond.rule_id)
        assert isinstance(cond, OutcomeRef)
        wanted = frozenset(cond.outcomes)
        outcome = self._decision(index, cond.decision, full=False)
        reference = dd.apply(("in", wanted), wanted.__contains__, (outcome,))
        return dd.and_([self.cond(index, cond.presence), reference]) if cond.presence else reference

    def _leaf(self, index: int, leaf: Leaf) -> int:
        key = (index, leaf.atom.key, leaf.op, leaf.operand)
        if key not in self._leaves:
            atom = self.domain.packs[index].atoms[leaf.atom.key]
            deps = sorted(set(self.domain.deps(index, atom.key)), key=self.level.__getitem__)

            def build(i: int, point: Assignment) -> int:
                if i == len(deps):
                    return self.dd.const(leaf.test(self.domain.value(index, atom, point)))
                level = self.level[deps[i]]
                return self.dd.make(level, [build(i + 1, {**point, deps[i]: v}) for v in self.values[level]])

            self._leaves[key] = build(0, {})
        return self._leaves[key]


def searched_dims(domain: Domain, decision: str) -> list[str]:
    """The dimensions the decision's rules (and the rules they refer to) read in either pack, without the
    dimension the decision is only asked under."""
    dims: dict[str, None] = {}
    for index, pack in enumerate(domain.packs):
        for dim in domain.dims_of_rules(index, _reachable(pack, decision)):
            dims[dim] = None
    fixed = FIXED[decision][0] if decision in FIXED else None
    return sorted((d for d in dims if d != fixed), key=domain.order.__getitem__)


def _reachable(pack: CompiledPack, decision: str) -> list[CompiledRule]:
    todo = list(pack.rules_of(decision))
    seen: dict[str, CompiledRule] = {}
    while todo:
        rule = todo.pop()
        if rule.id in seen:
            continue
        seen[rule.id] = rule
        ref_rules, ref_decisions = references(rule.cond)
        todo += [pack.rule(r) for r in ref_rules]
        for d in ref_decisions:
            todo += list(pack.rules_of(d))
    return list(seen.values())


# --- regions ----------------------------------------------------------------------------------------------------

Region: TypeAlias = dict[str, frozenset[Value]]


@dataclass
class SearchStats:
    dimensions: list[str]
    fixed: dict[str, Value]
    points: int  # the size of the product of the searched dimensions
    nodes: int = 0  # nodes of the decision diagrams
    pairs: int = 0  # distinct pairs of differing verdicts
    complete: bool = True


@dataclass
class Row:
    """One region where the packs differ: the points of one pair of verdicts where the named rules of each
    side are behind its verdict (no rule: a default outcome). `hull` is the smallest cube holding those
    points. The region is the hull minus the `exceptions` cubes, or (whichever reads shorter) the hull
    within one of the `alternatives` cubes. `point` is the region's least point (defaults first)."""

    key: tuple[Verdict, Verdict]
    rules: tuple[tuple[str, ...], tuple[str, ...]]
    hull: Region
    exceptions: list[Region]
    alternatives: list[Region]
    point: Assignment

    def holds_at(self, point: Mapping[str, Value]) -> bool:
        """Whether a point of the domain lies in the region."""

        def inside(cube: Region) -> bool:
            return all(point[d] in values for d, values in cube.items())

        if not inside(self.hull):
            return False
        if self.alternatives and not any(inside(c) for c in self.alternatives):
            return False
        return not any(inside(c) for c in self.exceptions)


def search(domain: Domain, decision: str, max_nodes: int = DEFAULT_MAX_NODES) -> tuple[list[Row], SearchStats]:
    """Every region of `decision` where the packs decide differently. Rows of different verdict pairs are
    disjoint; the rows of one pair (one per set of responsible rules on each side) may overlap, and their
    union is exactly the set of points where the packs decide that pair."""
    diagrams = DecisionDiagrams(domain, decision, max_nodes)
    dims = [d for d in diagrams.dims if d not in diagrams.fixed]
    points = 1
    for d in dims:
        points *= len(domain.dims[d].values)
    stats = SearchStats(dims, dict(diagrams.fixed), points)
    dd = diagrams.dd
    rows: list[Row] = []
    try:
        root = diagrams.product()
        false = dd.const(False)
        order = [diagrams.level[d] for d in dims]
        keys = [key for key in dd.terminals(root) if key != SAME]
        stats.pairs = len(keys)
        for key in keys:
            indicator = dd.apply(("is", key), lambda v, k=key: v == k, (root,))
            sides = [diagrams.responsible(i, key) for i in (0, 1)]
            regions: dict[int, tuple[list[str], list[str]]] = {}  # equal sets are one node: one row
            for (rule_a, holds_a), (rule_b, holds_b) in itertools.product(*sides):
                region = dd.and_([indicator, holds_a, holds_b])
                if region != false:
                    named = regions.setdefault(region, ([], []))
                    for names, rule in zip(named, (rule_a, rule_b), strict=True):
                        if rule is not None and rule not in names:
                            names.append(rule)
            for region, (by_a, by_b) in regions.items():
                box = hull(dd, region)
                box_region = diagrams.region(box, dims)
                care = dd.and_([cube_diagram(dd, box), dd.not_(region)])
                exceptions = [] if care == false else Cover(dd, dd.not_(region), care, order, box).primes() or []
                alternatives: list[Cube] = []
                if exceptions:  # the region as alternatives instead, if that reads shorter
                    cover = Cover(dd, region, region, order, box).primes(budget=_literals(exceptions, box) - 1)
                    if cover is not None:
                        exceptions, alternatives = [], cover
                least = least_point(dd, region)
                point = {d: diagrams.values[level][least[level]] for level, d in enumerate(diagrams.dims)}
                rows.append(
                    Row(
                        key,
                        (tuple(by_a), tuple(by_b)),
                        box_region,
                        [diagrams.region(e, dims, within=box_region) for e in exceptions],
                        [diagrams.region(c, dims, within=box_region) for c in alternatives],
                        {**point, **diagrams.fixed},
                    )
                )
    except _LimitHit:
        stats.complete = False
        rows = []
    stats.nodes = len(dd)
    return rows, stats


def _literals(cubes: Sequence[Cube], within: Cube) -> int:
    """How many conditions the cubes state beyond `within`: the measure of a region's length."""
    return sum(1 for cube in cubes for mine, box in zip(cube, within, strict=True) if not mine >= box)


def describe(domain: Domain, row: Row) -> str:
    """The region as a lawyer reads it: the conditions every point meets, then the exceptions."""
    universe = list(row.hull)
    text = describe_region(domain, row.hull, universe)
    if row.alternatives:
        either = " ∨ ".join(f"({describe_region(domain, c, universe)})" for c in row.alternatives)
        text = either if text == "every enterprise" else f"{text} ∧ [{either}]"
    if row.exceptions:
        text += " — except where " + " ∨ ".join(f"({describe_region(domain, e, universe)})" for e in row.exceptions)
    return text


def describe_region(domain: Domain, region: Region, universe: Collection[str]) -> str:
    parts: list[str] = []
    events: dict[str, list[str]] = {}
    for name, values in region.items():
        dim = domain.dims[name]
        if values == frozenset(dim.values):
            continue
        if dim.kind == "events" and values == frozenset({0}):
            assert dim.event is not None
            events.setdefault(dim.event.subject, []).append(name)
            continue
        parts.append(_describe_dim(dim, values))
    for subject, zero in events.items():
        parts += domain.describe_no_events(subject, zero, universe)
    return " ∧ ".join(parts) or "every enterprise"


def _describe_dim(dim: Dim, values: frozenset[Value]) -> str:
    ordered = [v for v in dim.values if v in values]
    if dim.kind == "listing":
        names = {
            ("current",): "listed",
            ("absent",): "never listed",
            ("removed",): "removed from the list",
            ("absent", "removed"): "not listed",
            ("current", "removed"): "listed now or before",
        }
        return names.get(tuple(map(str, ordered)), "listing ∈ {" + ", ".join(map(str, ordered)) + "}")
    if dim.kind == "question":
        return f"{dim.path} asked" if ordered == [True] else f"no {dim.path}"
    if dim.kind == "contains":
        path = _short(dim.path)
        return f"{path} ∋ {dim.member}" if ordered == [True] else f"{path} ∌ {dim.member}"
    if dim.kind == "fact" and dim.field_kind == "bool":
        return dim.label if ordered == [True] else f"¬{dim.label}"
    if dim.kind in ("age", "events"):
        return f"{dim.label} {_int_set(dim, [int(v or 0) for v in ordered])}"
    shown = [_show_value(dim, v) for v in ordered]
    rest = [_show_value(dim, v) for v in dim.values if v not in values]
    if len(shown) == 1:
        return f"{dim.label} = {shown[0]}"
    named_only = dim.field_kind == "text" and all(v is not None and v != dim.values[-1] for v in ordered)
    if len(rest) == 1 and not named_only:
        return f"{dim.label} ≠ {rest[0]}"
    if len(rest) < len(shown) and not named_only:
        return f"{dim.label} ∉ {{{', '.join(rest)}}}"
    return f"{dim.label} ∈ {{{', '.join(shown)}}}"


def _show_value(dim: Dim, value: Value) -> str:
    if value is None:
        return "(absent)"
    if dim.field_kind == "text" and value == dim.values[-1]:
        return "(any other text)"
    return str(value)


def _int_set(dim: Dim, chosen: list[int]) -> str:
    """A set of values of an ordered dimension as a range. Event counts: the top value stands for itself and
    more. Ages: each value starts a bucket that runs to the next value (the last one is open)."""
    values = [int(v or 0) for v in dim.values]
    first, last = values.index(chosen[0]), values.index(chosen[-1])
    contiguous = chosen == values[first : last + 1]
    upper = values[last + 1] if last + 1 < len(values) else None  # the first value above the chosen span
    if contiguous and upper is None:
        return f"≥ {chosen[0]}"
    if contiguous and upper == chosen[-1] + 1 and chosen[0] == chosen[-1]:
        return f"= {chosen[0]}"
    if contiguous and first == 0:
        return f"< {upper}"
    if contiguous:
        return f"∈ [{chosen[0]}, {upper})"
    shown = [f"≥ {v}" if v == values[-1] else str(v) for v in chosen]
    return "∈ {" + ", ".join(shown) + "}"


# --- the report ------------------------------------------------------------------------------------------------


@dataclass
class Difference:
    decision: str
    row: Row
    region_text: str
    witness: dict[str, Any]
    a: Decision
    b: Decision
    a_rules: list[str]
    b_rules: list[str]
    documented: bool
    note: str
    flags: dict[str, tuple[bool, bool]] = field(default_factory=dict)

    @property
    def a_outcome(self) -> str:
        return self.a.outcome

    @property
    def b_outcome(self) -> str:
        return self.b.outcome

    def to_json(self, domain: Domain) -> dict[str, Any]:
        def listed(region: Region) -> dict[str, list[Value]]:
            return {
                name: [v for v in domain.dims[name].values if v in values]
                for name, values in region.items()
                if values != frozenset(domain.dims[name].values)
            }

        return {
            "decision": self.decision,
            "a_outcome": self.a.outcome,
            "b_outcome": self.b.outcome,
            "region": self.region_text,
            "witness": self.witness,
            "a_citations": [dict(c) for c in self.a.citations],
            "b_citations": [dict(c) for c in self.b.citations],
            "documented": self.documented,
            "flags": {f: {"a": fa, "b": fb} for f, (fa, fb) in self.flags.items()},
            "a_flags": dict(self.a.flags),
            "b_flags": dict(self.b.flags),
            "a_by": list(self.row.rules[0]),
            "b_by": list(self.row.rules[1]),
            "a_rules": self.a_rules,
            "b_rules": self.b_rules,
            "a_decided_by": list(self.a.decided_by),
            "b_decided_by": list(self.b.decided_by),
            "conditions": {
                "all": listed(self.row.hull),
                "any": [listed(c) for c in self.row.alternatives],
                "except": [listed(e) for e in self.row.exceptions],
            },
            "note": self.note,
        }


@dataclass
class DiffReport:
    a: Pack
    b: Pack
    as_of: date
    domain: Domain
    decisions: list[str]
    stats: dict[str, SearchStats]
    differences: list[Difference]
    warnings: list[str]
    relation: str

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.stats.values())

    def to_json(self) -> dict[str, Any]:
        domain = self.domain.to_json()
        domain["decisions"] = {
            d: {
                "dimensions": s.dimensions,
                "fixed": s.fixed,
                "points": s.points,
                "diagram_nodes": s.nodes,
                "verdict_pairs": s.pairs,
                "regions": sum(1 for x in self.differences if x.decision == d),
                "complete": s.complete,
            }
            for d, s in self.stats.items()
        }
        domain["method"] = METHOD
        domain["notes"] = self.domain.notes
        out: dict[str, Any] = {
            "a": self.a.id,
            "b": self.b.id,
            "as_of": self.as_of.isoformat(),
            "domain": domain,
            "complete": self.complete,
            "differences": [d.to_json(self.domain) for d in self.differences],
            "relation": self.relation,
        }
        if self.warnings:
            out["warnings"] = self.warnings
        return out


METHOD = (
    "Exhaustive case splitting over the dimensions each decision's rules read in either pack, in one fixed "
    "order and with equal sub-results shared (a reduced ordered decision diagram). Every atom value is read by "
    "the pack's own atom reader from a concrete facts document; rules, references and the hit policy are "
    "combined exactly as the engine resolves them, so every point of the product of the dimensions is settled "
    "for both packs. Every value the conditions can tell apart is a dimension value (counts are capped where no "
    "threshold tells more apart, ages are bucketed at the thresholds, texts beyond the literals the packs "
    "compare with are one value 'other'), so the regions cover the whole input space: the differences listed "
    "are all of them. A region is the set of points of one pair of verdicts with one responsible rule on each "
    "side: the smallest cube holding it minus a few exception cubes (largest cubes, checked exactly). Regions "
    "of different verdict pairs are disjoint; regions of the same pair may overlap. Each witness is the "
    "region's least point (default values first), evaluated with both packs by Pack.evaluate."
)


def default_as_of(a: Pack, b: Pack) -> date:
    """A date on which both packs can be evaluated: the later in-force date, else today."""
    starts = [p.definition.primary.in_force_from for p in (a, b) if p.definition.primary.in_force_from]
    return max(starts) if starts else date.today()


def diff_packs(
    a: Pack,
    b: Pack,
    as_of: date | None = None,
    decisions: Sequence[str] | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> DiffReport:
    """Every region of the input space where `a` and `b` decide differently, decision by decision."""
    day = as_of or default_as_of(a, b)
    warnings = [f"{a.id}: {w}" for w in a.check_date(day)] + [f"{b.id}: {w}" for w in b.check_date(day)]
    chosen = list(decisions or DECISIONS)
    for d in chosen:
        if d not in DECISIONS:
            raise DiffError([Problem("--decision", f"unknown decision '{d}'; expected one of {', '.join(DECISIONS)}")])
    domain = Domain((a.compiled, b.compiled), day)
    relation, extender = _relation(a.definition, b.definition)
    stats: dict[str, SearchStats] = {}
    differences: list[Difference] = []
    for decision in chosen:
        rows, stats[decision] = search(domain, decision, max_nodes)
        for row in rows:
            witness = domain.document(row.point)
            da = a.evaluate(witness, as_of=day).decisions[decision]
            db = b.evaluate(witness, as_of=day).decisions[decision]
            _check(decision, row, da, db, domain)
            differences.append(_difference(a, b, domain, decision, row, witness, da, db, extender, relation))
    return DiffReport(a, b, day, domain, chosen, stats, differences, warnings, relation)


def _check(decision: str, row: Row, da: Decision, db: Decision, domain: Domain) -> None:
    """The witness, evaluated by Pack.evaluate, must decide exactly as the region says, and the region's
    rules must hold in it."""
    got = tuple((d.outcome, tuple(d.flags.items())) for d in (da, db))
    held = [{r.id for r in d.rules if r.holds} for d in (da, db)]
    rules_ok = all(set(rules) <= h for rules, h in zip(row.rules, held, strict=True))
    if got != row.key or not rules_ok:
        raise AssertionError(
            f"diff: the witness of the {decision} region [{describe(domain, row)}] evaluates to {got} "
            f"(holding {held}), but the search settled the region as {row.key} with {row.rules}; this is a bug "
            "in policyrules.diff"
        )


def _relation(a: PackDefinition, b: PackDefinition) -> tuple[str, PackDefinition | None]:
    a_chain = [p.id for p in a.chain()]
    b_chain = [p.id for p in b.chain()]
    if a.id == b.id:
        return f"{a.id} is compared with itself", None
    if a.id in b_chain:
        return f"{b.id} extends {a.id}: its rules say what they change", b
    if b.id in a_chain:
        return f"{a.id} extends {b.id}: its rules say what they change", a
    common = [p for p in a_chain if p in b_chain]
    if common:
        return (
            f"{a.id} and {b.id} both extend {common[0]} but not each other: neither states its rules as "
            "changes to the other's",
            None,
        )
    return f"{a.id} and {b.id} do not extend one another: independent texts, neither states the difference", None


def _difference(
    a: Pack,
    b: Pack,
    domain: Domain,
    decision: str,
    row: Row,
    witness: dict[str, Any],
    da: Decision,
    db: Decision,
    extender: PackDefinition | None,
    relation: str,
) -> Difference:
    flags = {f: (da.flags[f], db.flags[f]) for f in da.flags if da.flags[f] != db.flags.get(f)}
    a_resp = _responsible(a, decision, da)
    b_resp = _responsible(b, decision, db)
    documented, note = False, relation
    if extender is not None:
        base = b.definition if extender is a.definition else a.definition
        base_ids = {p.id for p in base.chain()}
        changed = {r.id: r for r in extender.rules if r.pack_id not in base_ids}
        behind = {r for rules in row.rules for r in rules} or set(a_resp) | set(b_resp)
        involved = _closure(a.compiled, behind) | _closure(b.compiled, behind)
        hits = [rule for rule_id, rule in changed.items() if rule_id in involved]
        direct = [rule for rule in hits if rule.id in behind]
        documented = bool(hits)
        if hits:
            said = []
            for rule in direct or hits:
                verb = {"overridden": "overrides", "added": "adds", "disabled": "disables"}.get(rule.origin, "changes")
                cites = "; ".join(dict.fromkeys(f"{c.doc} {c.label}" for c in rule.cites))
                said.append(f"{rule.pack_id} {verb} {rule.id} ({cites})")
            note = "; ".join(said)
        else:
            note = f"{relation}, but no rule behind this difference is one {extender.id} changes"
    if flags:
        note += "; flags differ: " + ", ".join(f"{f} ({a.id} {fa}, {b.id} {fb})" for f, (fa, fb) in flags.items())
    return Difference(decision, row, describe(domain, row), witness, da, db, a_resp, b_resp, documented, note, flags)


def _responsible(pack: Pack, decision: str, result: Decision) -> list[str]:
    """The rules behind a decision: those that decided it (and set its flags), or for a default outcome the
    rules checked."""
    flag_rules = [r.id for r in result.rules if r.holds and r.sets]
    decided = list(result.decided_by) or [r.id for r in pack.compiled.rules_of(decision)]
    return list(dict.fromkeys([*decided, *flag_rules]))


def _closure(pack: CompiledPack, rule_ids: Iterable[str]) -> set[str]:
    """The rules and the rules they refer to, directly or through another decision's outcome."""
    start = set(rule_ids)
    todo = [r for r in start if any(x.id == r for x in pack.rules)]
    seen: set[str] = set()
    while todo:
        rule_id = todo.pop()
        if rule_id in seen:
            continue
        seen.add(rule_id)
        ref_rules, ref_decisions = references(pack.rule(rule_id).cond)
        todo += list(ref_rules)
        for d in ref_decisions:
            todo += [r.id for r in pack.rules_of(d)]
    return seen | start


# --- rendering -------------------------------------------------------------------------------------------------


def _clauses(decision: Decision) -> str:
    return "; ".join(dict.fromkeys(f"{c['doc']} {c['clause']}" for c in decision.citations))


def _outcome_text(diff: Difference, side: int) -> str:
    decision = (diff.a, diff.b)[side]
    shown = decision.outcome
    for flag, values in diff.flags.items():
        shown += f" ({flag}: {'yes' if values[side] else 'no'})"
    rules = diff.row.rules[side]
    return shown + (f" by {', '.join(rules)}" if rules else "")


def render_text(report: DiffReport) -> str:
    a, b = report.a.id, report.b.id
    lines = [f"diff {a} → {b} on {report.as_of} ({report.relation})"]
    if not report.complete:
        lines.append("INCOMPLETE: the search hit its node limit; the differences below are not all of them")
    lines += [f"warning: {w}" for w in report.warnings]
    for decision in report.decisions:
        rows = [d for d in report.differences if d.decision == decision]
        stats = report.stats[decision]
        lines.append("")
        lines.append(
            f"== {decision}: {len(rows)} region{'s' if len(rows) != 1 else ''} "
            f"({len(stats.dimensions)} dimensions, {stats.points} points)"
        )
        for i, diff in enumerate(rows, 1):
            lines.append(f"{i:>3}. {diff.region_text}")
            lines.append(f"     {a}: {_outcome_text(diff, 0)}  [{_clauses(diff.a)}]")
            lines.append(f"     {b}: {_outcome_text(diff, 1)}  [{_clauses(diff.b)}]")
            lines.append(f"     documented: {'yes' if diff.documented else 'no'} — {diff.note}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DiffReport, heading: str = "##") -> str:
    a, b = report.a.id, report.b.id
    docs = {p.id: p.definition.primary.number for p in (report.a, report.b)}
    total = len(report.differences)
    out = [
        f"{heading} {a} ({docs[a]}) → {b} ({docs[b]}), on {report.as_of}",
        "",
        f"{report.relation[0].upper()}{report.relation[1:]}.",
        "",
        f"{total} region{'s' if total != 1 else ''} where the decisions differ"
        + ("" if report.complete else " (INCOMPLETE: the search hit its node limit)")
        + "; every region is listed, with the clauses each side cites for its outcome.",
    ]
    for warning in report.warnings:
        out += ["", f"> {_md(warning)}"]
    for decision in report.decisions:
        rows = [d for d in report.differences if d.decision == decision]
        stats = report.stats[decision]
        out += ["", f"{heading}# {decision}", ""]
        if not rows:
            out.append(f"No difference ({len(stats.dimensions)} dimensions, {stats.points} points).")
            continue
        out.append(f"| # | where | {a} | {b} | documented |")
        out.append("|---|---|---|---|---|")
        for i, diff in enumerate(rows, 1):
            cells = [
                str(i),
                diff.region_text,
                f"**{_outcome_text(diff, 0)}** — {_clauses(diff.a)}",
                f"**{_outcome_text(diff, 1)}** — {_clauses(diff.b)}",
                ("yes — " if diff.documented else "no — ") + diff.note,
            ]
            out.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


def render_json(report: DiffReport) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2)


# --- the lawyer's comparison of the shipped packs (docs/variants.md) ------------------------------------------

VARIANT_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("mee_2021", "chongqing", "The national guidance and Chongqing's work plan"),
    ("mee_2021", "luohe_2021", "The national guidance and Luohe's implementation"),
    ("shanxi_2020", "mee_2021", "The 2020 regime (as it reached Changzhi, Shanxi) and the national 2021 guidance"),
)


def render_variants(pairs: Sequence[tuple[str, str, str]] = VARIANT_PAIRS) -> str:
    """docs/variants.md: for each pair, every region where the packs decide differently, with the clauses
    each side cites. Generated; regenerate after a pack change with
    `python benchmarks/diff.py --write-variants docs/variants.md`."""
    from ..engines import load_pack

    out = [
        "# Where the packs differ",
        "",
        "<!-- Generated by `python benchmarks/diff.py --write-variants docs/variants.md` (policyrules diff --format "
        "markdown per pair); do not edit by hand. tests/test_diff.py fails when a pack change moves a difference "
        "and this file is not regenerated. -->",
        "",
        "Each table lists **every** region of the input space where two packs decide differently — not a sample: "
        "the comparison splits cases over every fact the two packs read until both decisions are fixed "
        "(`policyrules diff A B`; `--format json` adds a witness enterprise for every row, which `policyrules "
        "evaluate` decides exactly as shown). A region reads as conditions joined by ∧ (and), ¬ (not), ∋ / ∌ "
        "(the approvals include / do not include), followed by the cases excepted from it. `by <rule>` names "
        "the rule that decides the outcome on that side; no rule means the decision's default outcome, which "
        "cites the clauses checked. *Documented* says whether the pack that extends the other states the change "
        "in a rule of its own, citing its own clause.",
        "",
        "Events are counted as the rules count them: `violations[serious]` are violations recorded as serious, "
        "`within 1 year` counts back from the evaluation date, and a count's top value stands for that many or "
        "more.",
    ]
    for a, b, title in pairs:
        out += ["", f"## {title}", ""]
        try:
            report = diff_packs(load_pack(a), load_pack(b))
        except PolicyRulesError as exc:
            out.append(f"Not generated: {a} or {b} does not load ({'; '.join(str(p) for p in exc.problems)}).")
            continue
        section = render_markdown(report, heading="###")
        out.append(section.rstrip("\n"))
    return "\n".join(out) + "\n"
