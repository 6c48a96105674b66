"""The abstract input domain of two packs on one evaluation date: the dimensions built from the atoms both
packs read, which dimensions decide each atom, and an atom's value at a point, read by the pack's own reader
from the smallest facts document realising it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from ..conditions import FACT_FIELDS, Atom, CompiledPack, CompiledRule, Context, Leaf, Value, as_known_on, leaves
from ..errors import PolicyRulesError, Problem
from ..facts import Facts, parse_facts
from .dimensions import (
    LISTING_STATES,
    OTHER_TEXT,
    QUESTIONS,
    WITNESS_USCC,
    Assignment,
    AtomModel,
    Dim,
    EventClass,
    model_default,
    short,
)
from .documents import facts_document, facts_point
from .events import EventClasses


class DiffError(PolicyRulesError):
    """The packs cannot be compared (an atom the diff cannot model, or no common evaluation date)."""


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
        for pack in self.packs:  # the listing validity splits the listing's age as `years_since` does
            period = pack.definition.validity_period
            if period is not None and period[0] == "years":
                self._caps.setdefault(f"years_since({LISTED_ON})", set()).add(period[1])
        self._add(Dim("listing", "listing", LISTING_STATES, "listing state", "enterprise.listing"))
        for question in QUESTIONS:
            self._add(Dim(f"question:{question}", "question", (False, True), f"{question} asked", question))
        self._grades = self._common_grades()
        self.events = EventClasses(self.packs, as_of)
        for i, pack in enumerate(self.packs):
            for key, atom in pack.atoms.items():
                self.models[i][key] = self._dated(atom, self._model(atom))
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

    def _model(self, atom: Atom) -> AtomModel:
        reads = atom.reads
        if not reads:
            raise DiffError([Problem(atom.key, "the diff cannot tell what this atom reads (no `reads`)")])
        kind = reads[0]
        if kind == "fact":
            return AtomModel(_gates(reads[1]), (self._fact_dim(reads[1]),))
        if kind == "derived":
            if reads[1] not in ("listed", "listing_not_removed"):
                raise DiffError([Problem(atom.key, f"the diff cannot model the derived fact {reads[1]}")])
            return AtomModel((), ("listing", self._age_dim(LISTED_ON)))
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
                    f"{short(path)} ∋ {member}",
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

    def _dated(self, atom: Atom, model: AtomModel) -> AtomModel:
        """An atom read on another day (read_on) also depends on what fixes that day. The witness documents
        date the listing a month before the evaluation date at age 0 and the case on it, so the entry date and
        the case date fall where the evaluation date's windows do; older listings and cases are told apart by
        their age dimensions."""
        extra: list[str] = []
        if atom.on == "entry":
            extra += ["listing", self._age_dim(LISTED_ON)]
            if atom.reads and atom.reads[0] == "count":  # counted back from the listing date: any bucket
                extra += self._count_dims(atom.reads[1], {k: v for k, v in atom.reads[2] if k != "within"})
        elif atom.on == "violation_case.date":
            extra.append("question:violation_case")
        elif atom.on == LISTED_ON:
            extra += ["listing", self._age_dim(LISTED_ON)]
        inner = model.inner + tuple(d for d in dict.fromkeys(extra) if d not in model.inner)
        return AtomModel(model.gates, inner, model.count)

    def _fact_dim(self, path: str) -> str:
        name = f"fact:{path}"
        if name in self.dims:
            return name
        info = FACT_FIELDS.get(path)
        gate = _gates(path)[0] if _gates(path) else None
        if path == "enterprise.credit_rating":
            values: tuple[Value, ...] = (None, *self._grades)
            return self._add(Dim(name, "fact", values, short(path), path, "grade", gate=gate))
        if info is None:
            raise DiffError([Problem(path, "the diff cannot model this fact path")])
        if info.kind == "bool":
            flag = bool(model_default(path))
            return self._add(Dim(name, "fact", (flag, not flag), short(path), path, "bool", gate=gate))
        if info.kind == "enum":
            assert info.enum is not None
            default = model_default(path)
            codes = sorted(info.enum.labels(), key=lambda code: code != default)  # the default first
            return self._add(Dim(name, "fact", tuple(codes), short(path), path, "enum", gate=gate))
        if info.kind == "text":
            return self._text_dim(name, path, gate)
        raise DiffError([Problem(path, f"the diff cannot model a {info.kind} fact")])

    def _text_dim(self, name: str, path: str, gate: tuple[str, frozenset[Value]] | None) -> str:
        """A text fact: absent, each literal either pack compares it with, and one text standing for all others."""
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
        return self._add(Dim(name, "fact", values, short(path), path, "text", gate=gate, note=note))

    def _age_dim(self, path: str) -> str:
        if path not in ("enterprise.listing.listed_on", "violation_case.date"):
            raise DiffError([Problem(path, "the diff models years_since of listing.listed_on and violation_case.date")])
        name = f"age:{path}"
        if name not in self.dims:
            lows = sorted({0, *self._caps.get(f"years_since({path})", set())})
            gate = _gates(path)[0]
            label = f"complete years since {short(path)}"
            note = "each value v stands for the ages from v up to the next value (the last: v and more)"
            self._add(Dim(name, "age", tuple(lows), label, path, gate=gate, note=note))
        return name

    def _count_dims(self, subject: str, filters: Mapping[str, Any]) -> tuple[str, ...]:
        """The multiplicity dimensions of every event class this count matches (creating all classes of the
        list the first time)."""
        names = []
        for cls in self.events.classes(subject):
            if self.events.matches(cls, filters):
                names.append(self._event_dim(cls))
        return tuple(names)

    def _event_dim(self, cls: EventClass) -> str:
        name = "count:" + self.events.label(cls)
        if name in self.dims:
            return name
        # the largest value a threshold on a count of this class tells apart: more events change nothing
        cap = max(
            (
                max(self._caps.get(atom.key, {1}), default=1)
                for pack in self.packs
                for atom in pack.atoms.values()
                if atom.reads and atom.reads[0] == "count" and atom.reads[1] == cls.subject
                if self.events.matches(cls, dict(atom.reads[2]))
            ),
            default=1,
        )
        note = f"{cap} stands for {cap} or more"
        return self._add(
            Dim(name, "events", tuple(range(cap + 1)), self.events.label(cls), cls.subject, event=cls, note=note)
        )

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
        return facts_document(point, self.dims, self.events, self.as_of)

    def abstract(self, facts: Facts) -> Assignment:
        """The point of the domain a concrete facts document falls on (what it is on the evaluation date):
        the inverse of `document`, computed from the facts rather than from the atoms."""
        return facts_point(facts, self.dims, self.events, self.packs[0].grade_codes, self.as_of)

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "dimensions": [d.to_json() for d in self.dims.values()]}


LISTED_ON = "enterprise.listing.listed_on"


def _gates(path: str) -> tuple[tuple[str, frozenset[Value]], ...]:
    """What a fact under a question or the listing needs first: the question asked, the enterprise listed."""
    head = path.split(".")[0]
    if head in QUESTIONS:
        return ((f"question:{head}", frozenset({True})),)
    if path.startswith("enterprise.listing"):
        return (("listing", frozenset({"current", "removed"})),)
    return ()


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
