"""Parsing one leaf of a `when:` tree: its subject (a fact, a count of events, the years since a date) becomes
an atom of the flat view, and its operator and operand are checked against what that atom can be."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..errors import Problem, did_you_mean
from ..facts import ENUM_LABELS, Objector, ViolationKind
from ..packs import CreditSchemeSpec, Where
from ..yamlio import excerpt
from .fields import COUNT_FILTERS, DERIVED_FACTS, FACT_FIELDS, READ_ON_ENTRY, FieldInfo
from .ir import Cond, Leaf
from .limits import MAX_NUMBER, window_problem
from .periods import Period
from .view import (
    Atom,
    Context,
    Value,
    count_getter,
    date_reader,
    derived_getter,
    grade_getter,
    path_getter,
    presence_getter,
    years_since_getter,
)

LEAF_SUBJECTS = ("fact", "count", "years_since", "rule", "outcome")
COUNT_FILTER_KEYS = ("within", "serious", "kind", "on_site", "upheld", "objector", "reasoned")
OPERATORS = ("is", "in", "contains", "at_least", "at_most", "present")


class LeafParser:
    """Parses the leaves of conditions, registering each atom once; problems are collected, not raised."""

    def __init__(self, scheme: CreditSchemeSpec, validity: Period | None = None) -> None:
        self.scheme = scheme
        self.validity = validity  # how long a listing lasts in this pack (the derived fact `listed`)
        self.atoms: dict[str, Atom] = {}
        self.problems: list[Problem] = []
        self.grade_rank = {g.code: i for i, g in enumerate(scheme.grades)}
        self.grade_codes = {k: g.code for g in scheme.grades for k in (g.code, g.label)}

    def leaf(self, subject: str, raw: Mapping[str, Any], says: str, where: Where) -> Cond | None:
        on = self._read_on(subject, raw, where)
        if on is _INVALID:
            return None
        if subject == "fact":
            made = self._fact_atom(raw, where, on)
        elif subject == "count":
            made = self._count_atom(raw, where, on)
        else:
            made = self._years_atom(raw, where, on)
        if made is None:
            return None
        atom, allowed_ops = made
        allowed = {subject, "says", "note", "read_on", *OPERATORS}
        if subject == "count":
            allowed |= set(COUNT_FILTER_KEYS)  # checked by _count_atom
        ops = [k for k in raw if k in OPERATORS]
        if not self._only(raw, allowed, where):
            return None
        if len(ops) > 1:
            self.problems.append(where.problem(f"one operator per condition; found {', '.join(ops)}"))
            return None
        if not ops:
            if atom.kind != "bool":
                self.problems.append(
                    where.problem(
                        f"'{atom.key}' is not a yes/no fact: say what it is compared with ({', '.join(allowed_ops)})"
                    )
                )
                return None
            op, operand = "is", True
        else:
            op, operand = ops[0], raw[ops[0]]
        if op not in allowed_ops:
            self.problems.append(
                where.at(op).problem(
                    f"'{op}' does not apply to '{atom.key}' ({atom.kind}); use one of {', '.join(allowed_ops)}"
                )
            )
            return None
        checked = self._operand(atom, op, operand, where.at(op))
        if checked is _INVALID:
            return None
        if op == "contains":
            atom = self._contains_atom(atom, str(checked))
            op, checked = "is", True
        if op == "present":
            atom = self._register(
                Atom(f"present({atom.key})", "bool", presence_getter(atom.read), (), ("present", atom.key))
            )
            op, checked = "is", checked
        self._extend_text_domain(atom, checked)
        return Leaf(atom, op, checked, says, where, self.grade_rank)

    def _read_on(self, subject: str, raw: Mapping[str, Any], where: Where) -> Any:
        """The day the leaf is read on (`read_on:`), None for the evaluation date; only what has a history —
        the derived listing facts, counts of dated events and years since a date — can be read on another day.
        (The key is not `on:`, which YAML 1.1 reads as the boolean true.)"""
        if "read_on" not in raw:
            return None
        on = str(raw["read_on"])
        dates = [p for p, i in FACT_FIELDS.items() if i.kind == "date"]
        if on != READ_ON_ENTRY and on not in dates:
            self.problems.append(
                where.at("read_on").problem(
                    f"'{on}' is not a day to read on{did_you_mean(on, [READ_ON_ENTRY, *dates])}; expected "
                    f"{READ_ON_ENTRY} (the day the enterprise entered the list) or a date of the facts: "
                    f"{', '.join(dates)}"
                )
            )
            return _INVALID
        historic = subject in ("count", "years_since") or str(raw.get(subject)) in DERIVED_FACTS
        if not historic:
            self.problems.append(
                where.at("read_on").problem(
                    f"'{raw.get(subject)}' has no history in the fact model: it is known only as recorded, so "
                    "it cannot be read on another day; `read_on:` applies to the derived facts "
                    f"({', '.join(DERIVED_FACTS)}), to counts and to years_since"
                )
            )
            return _INVALID
        if subject == "count" and str(raw["count"]).removeprefix("enterprise.") == "objections":
            self.problems.append(
                where.at("read_on").problem("objections carry no date; they cannot be counted on a day")
            )
            return _INVALID
        return on

    def _dated(self, atom: Atom, on: str | None) -> Atom:
        """The atom read on `on` instead of the evaluation date: its own key (…@on) and the reader of the day."""
        if on is None:
            return replace(atom, read_date=date_reader(None, self.validity))
        return replace(atom, key=f"{atom.key}@{on}", on=on, read_date=date_reader(on, self.validity))

    def _only(self, raw: Mapping[str, Any], allowed: set[str], where: Where) -> bool:
        extra = sorted(str(k) for k in set(raw) - allowed)
        for key in extra:
            self.problems.append(
                where.at(key).problem(
                    f"unknown key '{key}'{did_you_mean(key, allowed)} here; allowed: {', '.join(sorted(allowed))}"
                )
            )
        return not extra

    def _fact_atom(self, raw: Mapping[str, Any], where: Where, on: str | None) -> tuple[Atom, tuple[str, ...]] | None:
        path = str(raw["fact"])
        if path in DERIVED_FACTS:
            getter = derived_getter(path, date_reader(on, self.validity), self.validity)
            atom = Atom(path, "bool", getter, reads=("derived", path))
            return self._register(self._dated(atom, on)), ("is",)
        info = FACT_FIELDS.get(path)
        if info is None:
            known = [*FACT_FIELDS, *DERIVED_FACTS]
            self.problems.append(
                where.at("fact").problem(
                    f"no fact '{path}' in the fact model{did_you_mean(path, known)}; facts are paths like "
                    "enterprise.traits.low_risk, inspection_request.grounds, or the derived fact 'listed'"
                )
            )
            return None
        parts = path.split(".")
        if info.kind == "bool":
            return self._register(Atom(path, "bool", path_getter(parts), (), ("fact", path))), ("is",)
        if info.kind == "enum":
            assert info.enum is not None
            codes = tuple(info.enum.labels())
            return self._register(Atom(path, "enum", path_getter(parts), codes, ("fact", path))), (
                "is",
                "in",
            )
        if info.kind == "grade":
            codes = tuple(g.code for g in self.scheme.grades)
            atom = Atom(path, "grade", grade_getter(parts), codes, ("fact", path))
            return self._register(atom), ("is", "in", "at_least", "at_most", "present")
        if info.kind == "text":
            return self._register(Atom(path, "text", path_getter(parts), (), ("fact", path))), (
                "is",
                "in",
                "present",
            )
        if info.kind == "enum_list":
            atom = Atom(path, "enum", path_getter(parts), tuple(info.enum.labels()) if info.enum else ())
            return atom, ("contains",)
        if info.kind in ("optional_group", "date"):
            return Atom(path, "bool", path_getter(parts)), ("present",)
        hint = "use `count:`" if info.kind == "events" else "name one of its fields"
        self.problems.append(where.at("fact").problem(f"'{path}' is a {info.kind.replace('_', ' ')}; {hint}"))
        return None

    def _count_atom(self, raw: Mapping[str, Any], where: Where, on: str | None) -> tuple[Atom, tuple[str, ...]] | None:
        subject = str(raw["count"]).removeprefix("enterprise.")
        if subject not in COUNT_FILTERS:
            self.problems.append(
                where.at("count").problem(
                    f"cannot count '{subject}'{did_you_mean(subject, COUNT_FILTERS)}; countable: "
                    f"{', '.join(COUNT_FILTERS)}"
                )
            )
            return None
        filters: dict[str, Any] = {}
        for key in COUNT_FILTER_KEYS:
            if key not in raw:
                continue
            if key not in COUNT_FILTERS[subject]:
                self.problems.append(
                    where.at(key).problem(
                        f"'{key}' does not filter {subject}; it takes: {', '.join(COUNT_FILTERS[subject])}"
                    )
                )
                return None
            value = self._filter(key, raw[key], where.at(key))
            if value is _INVALID:
                return None
            filters[key] = value
        key = f"count({subject}" + "".join(f"; {k}={_show(v)}" for k, v in sorted(filters.items())) + ")"
        getter = count_getter(subject, filters, date_reader(on, self.validity))
        atom = Atom(key, "int", getter, reads=("count", subject, tuple(sorted(filters.items()))))
        return self._register(self._dated(atom, on)), (
            "is",
            "at_least",
            "at_most",
        )

    def _years_atom(self, raw: Mapping[str, Any], where: Where, on: str | None) -> tuple[Atom, tuple[str, ...]] | None:
        path = str(raw["years_since"])
        if FACT_FIELDS.get(path, FieldInfo("text")).kind != "date":
            dates = [p for p, i in FACT_FIELDS.items() if i.kind == "date"]
            self.problems.append(
                where.at("years_since").problem(
                    f"'{path}' is not a date of the fact model{did_you_mean(path, dates)}; dates: {', '.join(dates)}"
                )
            )
            return None
        getter = years_since_getter(path.split("."), date_reader(on, self.validity))
        atom = Atom(f"years_since({path})", "int", getter, reads=("years_since", path))
        return self._register(self._dated(atom, on)), ("is", "at_least", "at_most")

    def _filter(self, key: str, value: Any, where: Where) -> Any:
        if key == "within":
            return self._period(value, where)
        if key in ("kind", "objector"):
            enum = ViolationKind if key == "kind" else Objector
            values = value if isinstance(value, list) else [value]
            parsed = [enum.parse(k) for k in values]
            bad = [k for k, p in zip(values, parsed, strict=True) if not isinstance(p, enum)]
            if bad:
                self.problems.append(where.problem(f"unknown {key} {bad}; expected {', '.join(enum.labels())}"))
                return _INVALID
            return tuple(sorted(str(p) for p in parsed))
        if not isinstance(value, bool):
            self.problems.append(where.problem(f"expected true or false, found {excerpt(value)}"))
            return _INVALID
        return value

    def _period(self, value: Any, where: Where) -> Any:
        if isinstance(value, Mapping) and len(value) == 1:
            unit, amount = next(iter(value.items()))
            if unit in ("years", "months", "days") and isinstance(amount, int) and amount > 0:
                too_long = window_problem(unit, amount)
                if too_long is None:
                    return (unit, amount)
                self.problems.append(where.problem(too_long))
                return _INVALID
        self.problems.append(
            where.problem(f"expected a window like {{years: 1}}, {{months: 6}} or {{days: 30}}, found {excerpt(value)}")
        )
        return _INVALID

    def _operand(self, atom: Atom, op: str, operand: Any, where: Where) -> Any:
        def bad(expected: str) -> Any:
            self.problems.append(where.problem(f"expected {expected}, found {excerpt(operand)}"))
            return _INVALID

        if op == "present" or atom.kind == "bool":
            return operand if isinstance(operand, bool) else bad("true or false")
        if atom.kind == "int":
            ok = isinstance(operand, int) and not isinstance(operand, bool) and 0 <= operand <= MAX_NUMBER
            return operand if ok else bad(f"a whole number from 0 to {MAX_NUMBER:,}")
        if op == "in":
            if not isinstance(operand, list) or not operand:
                return bad("a non-empty list")
            values = [self._symbol(atom, v, where) for v in operand]
            return _INVALID if _INVALID in values else tuple(values)
        return self._symbol(atom, operand, where)

    def _symbol(self, atom: Atom, value: Any, where: Where) -> Any:
        if atom.kind == "text":
            return str(value)
        lookup = self.grade_codes if atom.kind == "grade" else _enum_lookup(atom)
        if str(value) in lookup:
            return lookup[str(value)]
        self.problems.append(
            where.problem(
                f"'{value}' is not a value of {atom.key}{did_you_mean(str(value), lookup)}; "
                f"expected one of {', '.join(atom.domain)}"
            )
        )
        return _INVALID

    def _contains_atom(self, list_atom: Atom, member: str) -> Atom:
        read = list_atom.read

        def contains(ctx: Context) -> Value:
            values = read(ctx)
            if values is None:
                return None
            return member in {str(getattr(v, "value", v)) for v in values}  # type: ignore[union-attr]

        return self._register(
            Atom(
                f"{list_atom.key} ∋ {member}",
                "bool",
                contains,
                (),
                ("contains", list_atom.key, member),
            )
        )

    def _extend_text_domain(self, atom: Atom, operand: Any) -> None:
        """Text atoms are encoded by the literals the pack compares them with."""
        if atom.kind != "text":
            return
        literals = operand if isinstance(operand, tuple) else (operand,)
        current = self.atoms[atom.key]
        extra = tuple(v for v in literals if isinstance(v, str) and v not in current.domain)
        if extra:
            self.atoms[atom.key] = replace(current, domain=current.domain + extra)

    def _register(self, atom: Atom) -> Atom:
        if atom.key not in self.atoms:
            self.atoms[atom.key] = replace(atom, validity=self.validity)
        return self.atoms[atom.key]


class _Invalid:
    pass


_INVALID: Any = _Invalid()


def _enum_lookup(atom: Atom) -> dict[str, str]:
    for labels in ENUM_LABELS.values():
        if tuple(labels) == atom.domain:
            return {k: c for c, label in labels.items() for k in (c, label)}
    return {c: c for c in atom.domain}


def _show(value: Any) -> str:
    if isinstance(value, tuple) and len(value) == 2 and value[0] in ("years", "months", "days"):
        return f"{value[1]} {value[0]}"
    if isinstance(value, tuple):
        return "|".join(value)
    return str(value).lower()
