"""Conditions, compiled: the `when:` trees of a pack parsed into a small typed IR over *atoms*.

An atom is one scalar the rules read from the facts on the evaluation date: a fact path
(`enterprise.traits.low_risk`), a derived fact (`listed`), a count of events in a window before the
evaluation date, the complete years since a date, or whether an optional part is present. Both engines work
on the same flat view {atom key -> value}: the compiled evaluator tests it directly, the durable_rules engine
posts its integer encoding. Rule and outcome references (`rule:`, `outcome:`) are resolved here too, and can
be inlined into plain trees for engines that cannot chain decisions.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any, Literal, TypeAlias, get_args, get_origin

from pydantic import BaseModel

from ..errors import PackError, Problem, did_you_mean
from ..facts import ENUM_LABELS, Facts, LabeledEnum, Listing, ViolationKind
from ..packs import DECISIONS, OUTCOMES, CreditSchemeSpec, PackDefinition, Rule, Where

Value: TypeAlias = bool | int | str | None
Kind = Literal["bool", "enum", "text", "grade", "int"]
Period = tuple[Literal["years", "months", "days"], int]

LEAF_SUBJECTS = ("fact", "count", "years_since", "rule", "outcome")
OPERATORS = ("is", "in", "contains", "at_least", "at_most", "present")
COUNT_FILTERS: dict[str, tuple[str, ...]] = {
    "violations": ("within", "serious", "kind"),
    "inspections": ("within", "on_site"),
    "objections": ("upheld",),
}
DERIVED_FACTS: dict[str, str] = {
    "listed": "正面清单企业: listed on or before the evaluation date and not removed by it",
}


# --- the facts as known on the evaluation date ------------------------------------------------------------


def as_known_on(facts: Facts, as_of: date) -> Facts:
    """The facts with every event dated after `as_of` dropped: what was known on that date."""
    ent = facts.enterprise
    listing = ent.listing
    if (
        all(v.date <= as_of for v in ent.violations)
        and all(i.date <= as_of for i in ent.inspections)
        and (listing is None or (listing.listed_on <= as_of and (listing.removed_on or as_of) <= as_of))
    ):
        return facts  # the usual case: nothing to drop, no copy
    if listing is not None and listing.listed_on > as_of:
        listing = None
    elif listing is not None and listing.removed_on is not None and listing.removed_on > as_of:
        listing = Listing(listed_on=listing.listed_on, category=listing.category)
    pruned = ent.model_copy(
        update={
            "violations": tuple(v for v in ent.violations if v.date <= as_of),
            "inspections": tuple(i for i in ent.inspections if i.date <= as_of),
            "listing": listing,
        }
    )
    return facts.model_copy(update={"enterprise": pruned})


def is_listed(facts: Facts) -> bool:
    """On the list on the evaluation date (call on facts already pruned by as_known_on)."""
    listing = facts.enterprise.listing
    return listing is not None and listing.removed_on is None


def shift(day: date, period: Period, sign: int = -1) -> date:
    """`day` moved by a calendar period; 29 February falls back to the 28th in a common year."""
    unit, amount = period
    if unit == "days":
        return date.fromordinal(day.toordinal() + sign * amount)
    months = day.month - 1 + sign * amount * (12 if unit == "years" else 1)
    year, month = day.year + months // 12, months % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def complete_years(start: date, end: date) -> int:
    years = end.year - start.year
    return years - 1 if shift(start, ("years", years), +1) > end else years


# --- atoms ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    facts: Facts  # already as known on `as_of`
    as_of: date
    grade_codes: Mapping[str, str]  # code or label -> code, for the pack's credit scheme


@dataclass(frozen=True)
class Atom:
    key: str
    kind: Kind
    read: Callable[[Context], Value] = field(compare=False, repr=False)
    domain: tuple[str, ...] = ()  # enum codes, grade codes best first, or text literals the pack uses
    # What the atom reads, for tools that reason about the input space (diff): ("fact", path),
    # ("derived", name), ("present", path), ("contains", path, member), ("years_since", path) or
    # ("count", subject, ((filter, value), ...)).
    reads: tuple[Any, ...] = ()

    def encode(self, value: Value) -> int:
        """The integer the durable engine sees: booleans 1/0, ints as they are, symbols by their index in the
        domain, an absent value -1 and a text outside the domain -2."""
        if value is None:
            return -1
        if self.kind == "bool":
            assert isinstance(value, bool), f"{self.key}: expected a boolean, got {value!r}"
            return int(value)
        if self.kind == "int":
            assert isinstance(value, int) and not isinstance(value, bool), (
                f"{self.key}: expected a count, got {value!r}"
            )
            return value
        assert isinstance(value, str), f"{self.key}: expected a symbol, got {value!r}"
        return self.domain.index(value) if value in self.domain else -2


def _path_getter(parts: Sequence[str]) -> Callable[[Context], Value]:
    def read(ctx: Context) -> Value:
        current: Any = ctx.facts
        for part in parts:
            current = getattr(current, part, None)
            if current is None:
                return None
        if isinstance(current, StrEnum):
            return str(current.value)
        return current  # type: ignore[no-any-return]

    return read


def _grade_getter(parts: Sequence[str]) -> Callable[[Context], Value]:
    raw = _path_getter(parts)

    def read(ctx: Context) -> Value:
        value = raw(ctx)
        return None if value is None else ctx.grade_codes[str(value)]

    return read


@dataclass(frozen=True)
class FieldInfo:
    kind: Literal["bool", "enum", "text", "grade", "date", "events", "group", "optional_group", "enum_list"]
    enum: type[LabeledEnum] | None = None


def fact_fields() -> dict[str, FieldInfo]:
    """Every fact path of the model (contract sections 1-2) with what a condition may do with it."""
    out: dict[str, FieldInfo] = {}
    _walk_model(Facts, "", out)
    out["enterprise.credit_rating"] = FieldInfo("grade")
    return out


def _walk_model(model: type[BaseModel], prefix: str, out: dict[str, FieldInfo]) -> None:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = type(None) in get_args(annotation)
        inner = args[0] if optional and len(args) == 1 else annotation
        inner = get_args(inner)[0] if get_origin(inner) is not None and _is_annotated(inner) else inner
        if get_origin(inner) is tuple:
            element = get_args(inner)[0]
            element = get_args(element)[0] if _is_annotated(element) else element
            if isinstance(element, type) and issubclass(element, LabeledEnum):
                out[path] = FieldInfo("enum_list", element)
            else:
                out[path] = FieldInfo("events")
        elif isinstance(inner, type) and issubclass(inner, BaseModel):
            out[path] = FieldInfo("optional_group" if optional else "group")
            _walk_model(inner, path + ".", out)
        elif inner is bool:
            out[path] = FieldInfo("bool")
        elif isinstance(inner, type) and issubclass(inner, LabeledEnum):
            out[path] = FieldInfo("enum", inner)
        elif inner is date:
            out[path] = FieldInfo("date")
        else:
            out[path] = FieldInfo("text")


def _is_annotated(tp: Any) -> bool:
    return hasattr(tp, "__metadata__")


FACT_FIELDS = fact_fields()


# --- the condition IR -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    atom: Atom
    op: str
    operand: Value | tuple[str, ...]
    says: str
    where: Where = field(compare=False, repr=False)
    grade_rank: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    def test(self, value: Value) -> bool:
        op, operand = self.op, self.operand
        if op == "present":
            return (value is not None) == operand
        if value is None:
            return False  # an absent fact satisfies no comparison
        if op == "is":
            return value == operand
        if op == "in":
            assert isinstance(operand, tuple)
            return value in operand
        if self.atom.kind == "grade":
            rank, bound = self.grade_rank[str(value)], self.grade_rank[str(operand)]
            return rank <= bound if op == "at_least" else rank >= bound  # rank 0 is the best grade
        assert isinstance(value, int) and isinstance(operand, int)
        return value >= operand if op == "at_least" else value <= operand

    def encoded_test(self, atoms: Mapping[str, Atom]) -> IntTest:
        """The same test over the atom's integer encoding (with the pack's final atom domains), as a
        formula of integer comparisons."""
        atom, op, operand = atoms[self.atom.key], self.op, self.operand
        if op == "present":
            return ("cmp", "ne" if operand else "eq", -1)
        if op == "is":
            assert not isinstance(operand, tuple)
            return ("cmp", "eq", atom.encode(operand))
        if op == "in":
            assert isinstance(operand, tuple)
            return ("or", tuple(("cmp", "eq", atom.encode(v)) for v in operand))
        if atom.kind == "grade":
            # domain is best first, so "at least good" is index <= index(good) and never absent (-1)
            bound = atom.encode(str(operand))
            if op == "at_least":
                return ("and", (("cmp", "ge", 0), ("cmp", "le", bound)))
            return ("cmp", "ge", bound)
        assert isinstance(operand, int)
        if op == "at_least":
            return ("cmp", "ge", operand)
        return ("and", (("cmp", "ge", 0), ("cmp", "le", operand)))


IntTest: TypeAlias = tuple[Any, ...]  # ("cmp", "eq"|"ne"|"ge"|"le", int) | ("and"|"or", tuple[IntTest, ...])


@dataclass(frozen=True)
class AllOf:
    children: tuple[Cond, ...]
    says: str | None = None
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Cond, ...]
    says: str | None = None
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class NotOf:
    child: Cond
    says: str | None = None
    where: Where | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class RuleRef:
    rule_id: str
    says: str
    where: Where = field(compare=False, repr=False)


@dataclass(frozen=True)
class OutcomeRef:
    decision: str
    outcomes: tuple[str, ...]
    says: str
    where: Where = field(compare=False, repr=False)
    # A decision that is not present (contract §3: e.g. no penalty without a violation_case) has no outcome,
    # so the reference holds only where this leaf does too; None for decisions that are always present.
    presence: Leaf | None = None


Cond: TypeAlias = Leaf | AllOf | AnyOf | NotOf | RuleRef | OutcomeRef


# --- parsing `when:` -----------------------------------------------------------------------------------


class ConditionParser:
    """Parses raw `when:` mappings into the IR, collecting located problems rather than stopping at one."""

    def __init__(self, scheme: CreditSchemeSpec, rule_ids: Iterable[str]) -> None:
        self.scheme = scheme
        self.rule_ids = set(rule_ids)
        self.atoms: dict[str, Atom] = {}
        self.problems: list[Problem] = []
        self.grade_rank = {g.code: i for i, g in enumerate(scheme.grades)}
        self.grade_codes = {k: g.code for g in scheme.grades for k in (g.code, g.label)}

    def parse(self, raw: object, where: Where) -> Cond | None:
        if not isinstance(raw, Mapping):
            self.problems.append(where.problem(f"expected a condition (a mapping), found {type(raw).__name__}"))
            return None
        keys = set(raw)
        groups = keys & {"all", "any", "not"}
        if groups:
            return self._group(raw, groups, where)
        subjects = keys & set(LEAF_SUBJECTS)
        if len(subjects) != 1:
            known = ", ".join(("all", "any", "not", *LEAF_SUBJECTS))
            extra = sorted(str(k) for k in keys - {"says", "note"})
            hint = did_you_mean(extra[0], ("all", "any", "not", *LEAF_SUBJECTS)) if extra and not subjects else ""
            found = ", ".join(sorted(str(s) for s in subjects)) or "none"
            self.problems.append(
                where.problem(
                    f"a condition needs exactly one of {known}; found {found} (keys: {', '.join(extra)}){hint}"
                )
            )
            return None
        says = raw.get("says")
        if not isinstance(says, str) or not says.strip():
            self.problems.append(
                where.at("says").problem("every condition needs `says:`, the phrase of the source text it encodes")
            )
            return None
        subject = subjects.pop()
        if subject == "rule":
            return self._rule_ref(raw, says, where)
        if subject == "outcome":
            return self._outcome_ref(raw, says, where)
        return self._leaf(subject, raw, says, where)

    def _group(self, raw: Mapping[str, Any], groups: set[str], where: Where) -> Cond | None:
        extra = set(raw) - groups - {"says", "note"}
        if len(groups) > 1 or extra:
            self.problems.append(
                where.problem(
                    f"a group takes one of all/any/not (plus says/note); found {', '.join(sorted(map(str, raw)))}"
                )
            )
            return None
        kind = groups.pop()
        says = raw.get("says")
        if kind == "not":
            child = self.parse(raw["not"], where.at("not"))
            return None if child is None else NotOf(child, says, where)
        items = raw[kind]
        if not isinstance(items, list) or not items:
            self.problems.append(where.at(kind).problem(f"`{kind}:` takes a non-empty list of conditions"))
            return None
        children = [self.parse(item, where.at(kind, i)) for i, item in enumerate(items)]
        if any(c is None for c in children):
            return None
        kids = tuple(c for c in children if c is not None)
        return AllOf(kids, says, where) if kind == "all" else AnyOf(kids, says, where)

    def _rule_ref(self, raw: Mapping[str, Any], says: str, where: Where) -> Cond | None:
        self._only(raw, {"rule", "says", "note"}, where)
        rule_id = str(raw["rule"])
        if rule_id not in self.rule_ids:
            self.problems.append(
                where.at("rule").problem(f"unknown rule '{rule_id}'{did_you_mean(rule_id, self.rule_ids)}")
            )
            return None
        return RuleRef(rule_id, says, where)

    def _outcome_ref(self, raw: Mapping[str, Any], says: str, where: Where) -> Cond | None:
        self._only(raw, {"outcome", "is", "in", "says", "note"}, where)
        decision = str(raw["outcome"])
        if decision not in DECISIONS:
            self.problems.append(
                where.at("outcome").problem(f"unknown decision '{decision}'{did_you_mean(decision, DECISIONS)}")
            )
            return None
        wanted = raw.get("in", [raw["is"]] if "is" in raw else None)
        if not isinstance(wanted, list) or not wanted:
            self.problems.append(where.problem("`outcome:` needs `is: <outcome>` or `in: [<outcome>, …]`"))
            return None
        bad = [o for o in wanted if o not in OUTCOMES[decision]]
        if bad:
            self.problems.append(
                where.problem(f"{bad} not outcomes of {decision}; expected some of {', '.join(OUTCOMES[decision])}")
            )
            return None
        return OutcomeRef(decision, tuple(wanted), says, where, self._presence(decision, says, where))

    def _presence(self, decision: str, says: str, where: Where) -> Leaf | None:
        """The leaf that holds exactly when `decision` is present (engine.present_decisions)."""
        subject = {"listing": "listed", "inspection": "inspection_request", "penalty": "violation_case"}.get(decision)
        if subject is None:
            return None
        raw = (
            {"fact": subject, "says": says} if subject == "listed" else {"fact": subject, "present": True, "says": says}
        )
        leaf = self._leaf("fact", raw, says, where)
        assert isinstance(leaf, Leaf)
        return leaf

    def _only(self, raw: Mapping[str, Any], allowed: set[str], where: Where) -> bool:
        extra = sorted(str(k) for k in set(raw) - allowed)
        for key in extra:
            self.problems.append(
                where.at(key).problem(
                    f"unknown key '{key}'{did_you_mean(key, allowed)} here; allowed: {', '.join(sorted(allowed))}"
                )
            )
        return not extra

    # leaves -------------------------------------------------------------------------------------------

    def _leaf(self, subject: str, raw: Mapping[str, Any], says: str, where: Where) -> Cond | None:
        if subject == "fact":
            made = self._fact_atom(raw, where)
        elif subject == "count":
            made = self._count_atom(raw, where)
        else:
            made = self._years_atom(raw, where)
        if made is None:
            return None
        atom, allowed_ops = made
        allowed = {subject, "says", "note", *OPERATORS}
        if subject == "count":
            allowed |= {"within", "serious", "kind", "on_site", "upheld"}  # checked by _count_atom
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
            atom = self._register(Atom(f"present({atom.key})", "bool", _presence(atom.read), (), ("present", atom.key)))
            op, checked = "is", checked
        self._extend_text_domain(atom, checked)
        return Leaf(atom, op, checked, says, where, self.grade_rank)

    def _fact_atom(self, raw: Mapping[str, Any], where: Where) -> tuple[Atom, tuple[str, ...]] | None:
        path = str(raw["fact"])
        if path in DERIVED_FACTS:
            return self._register(Atom(path, "bool", _derived(path), reads=("derived", path))), ("is",)
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
            return self._register(Atom(path, "bool", _path_getter(parts), (), ("fact", path))), ("is",)
        if info.kind == "enum":
            assert info.enum is not None
            codes = tuple(info.enum.labels())
            return self._register(Atom(path, "enum", _path_getter(parts), codes, ("fact", path))), (
                "is",
                "in",
            )
        if info.kind == "grade":
            codes = tuple(g.code for g in self.scheme.grades)
            atom = Atom(path, "grade", _grade_getter(parts), codes, ("fact", path))
            return self._register(atom), ("is", "in", "at_least", "at_most", "present")
        if info.kind == "text":
            return self._register(Atom(path, "text", _path_getter(parts), (), ("fact", path))), (
                "is",
                "in",
                "present",
            )
        if info.kind == "enum_list":
            atom = Atom(path, "enum", _path_getter(parts), tuple(info.enum.labels()) if info.enum else ())
            return atom, ("contains",)
        if info.kind in ("optional_group", "date"):
            return Atom(path, "bool", _path_getter(parts)), ("present",)
        hint = "use `count:`" if info.kind == "events" else "name one of its fields"
        self.problems.append(where.at("fact").problem(f"'{path}' is a {info.kind.replace('_', ' ')}; {hint}"))
        return None

    def _count_atom(self, raw: Mapping[str, Any], where: Where) -> tuple[Atom, tuple[str, ...]] | None:
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
        for key in ("within", "serious", "kind", "on_site", "upheld"):
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
        return self._register(
            Atom(key, "int", _counter(subject, filters), reads=("count", subject, tuple(sorted(filters.items()))))
        ), (
            "is",
            "at_least",
            "at_most",
        )

    def _years_atom(self, raw: Mapping[str, Any], where: Where) -> tuple[Atom, tuple[str, ...]] | None:
        path = str(raw["years_since"])
        if FACT_FIELDS.get(path, FieldInfo("text")).kind != "date":
            dates = [p for p, i in FACT_FIELDS.items() if i.kind == "date"]
            self.problems.append(
                where.at("years_since").problem(
                    f"'{path}' is not a date of the fact model{did_you_mean(path, dates)}; dates: {', '.join(dates)}"
                )
            )
            return None
        atom = Atom(f"years_since({path})", "int", _years_since(path.split(".")), reads=("years_since", path))
        return self._register(atom), ("is", "at_least", "at_most")

    def _filter(self, key: str, value: Any, where: Where) -> Any:
        if key == "within":
            return self._period(value, where)
        if key == "kind":
            kinds = value if isinstance(value, list) else [value]
            parsed = [ViolationKind.parse(k) for k in kinds]
            bad = [k for k, p in zip(kinds, parsed, strict=True) if not isinstance(p, ViolationKind)]
            if bad:
                self.problems.append(
                    where.problem(f"unknown violation kind {bad}; expected {', '.join(ViolationKind.labels())}")
                )
                return _INVALID
            return tuple(sorted(str(p) for p in parsed))
        if not isinstance(value, bool):
            self.problems.append(where.problem(f"expected true or false, found {value!r}"))
            return _INVALID
        return value

    def _period(self, value: Any, where: Where) -> Any:
        if isinstance(value, Mapping) and len(value) == 1:
            unit, amount = next(iter(value.items()))
            if unit in ("years", "months", "days") and isinstance(amount, int) and amount > 0:
                return (unit, amount)
        self.problems.append(
            where.problem(f"expected a window like {{years: 1}}, {{months: 6}} or {{days: 30}}, found {value!r}")
        )
        return _INVALID

    def _operand(self, atom: Atom, op: str, operand: Any, where: Where) -> Any:
        def bad(expected: str) -> Any:
            self.problems.append(where.problem(f"expected {expected}, found {operand!r}"))
            return _INVALID

        if op == "present" or atom.kind == "bool":
            return operand if isinstance(operand, bool) else bad("true or false")
        if atom.kind == "int":
            ok = isinstance(operand, int) and not isinstance(operand, bool) and operand >= 0
            return operand if ok else bad("a whole number ≥ 0")
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
        return self.atoms.setdefault(atom.key, atom)


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


def _presence(read: Callable[[Context], Value]) -> Callable[[Context], Value]:
    return lambda ctx: read(ctx) is not None


def _derived(name: str) -> Callable[[Context], Value]:
    assert name == "listed"
    return lambda ctx: is_listed(ctx.facts)


def _counter(subject: str, filters: Mapping[str, Any]) -> Callable[[Context], Value]:
    window: Period | None = filters.get("within")
    checks = {k: v for k, v in filters.items() if k != "within"}

    def count(ctx: Context) -> Value:
        events: Sequence[Any] = getattr(ctx.facts.enterprise, subject)
        start = shift(ctx.as_of, window) if window else None
        total = 0
        for event in events:
            if start is not None and event.date < start:
                continue
            if all(_matches(getattr(event, k), v) for k, v in checks.items()):
                total += 1
        return total

    return count


def _matches(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, tuple):
        return str(actual.value if isinstance(actual, StrEnum) else actual) in wanted
    return bool(actual == wanted)


def _years_since(parts: Sequence[str]) -> Callable[[Context], Value]:
    read = _path_getter(parts)

    def years(ctx: Context) -> Value:
        start = read(ctx)
        if not isinstance(start, date) or start > ctx.as_of:
            return None
        return complete_years(start, ctx.as_of)

    return years


# --- the compiled pack -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    cond: Cond
    # copied from the rule once, because evaluation reads them for every rule of every enterprise
    id: str = field(init=False)
    decision: str = field(init=False)
    yields: str | None = field(init=False)
    sets: Mapping[str, bool] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.rule.id)
        object.__setattr__(self, "decision", self.rule.decision)
        object.__setattr__(self, "yields", self.rule.spec.yields)
        object.__setattr__(self, "sets", dict(self.rule.spec.sets))


@dataclass(frozen=True)
class CompiledPack:
    definition: PackDefinition
    atoms: Mapping[str, Atom]
    rules: tuple[CompiledRule, ...]  # active rules (disabled ones are in definition.rules only)
    grade_codes: Mapping[str, str]

    @functools.cached_property
    def by_decision(self) -> dict[str, tuple[CompiledRule, ...]]:
        return {d: tuple(r for r in self.rules if r.decision == d) for d in DECISIONS}

    def rules_of(self, decision: str) -> tuple[CompiledRule, ...]:
        return self.by_decision[decision]

    def rule(self, rule_id: str) -> CompiledRule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def view(self, facts: Facts, as_of: date, known: bool = False) -> dict[str, Value]:
        """The flat, typed view of the facts on `as_of`: every atom the pack reads, by key. Pass known=True
        when `facts` are already as_known_on(as_of)."""
        ctx = Context(facts if known else as_known_on(facts, as_of), as_of, self.grade_codes)
        return {key: atom.read(ctx) for key, atom in self.atoms.items()}

    def inline(self, cond: Cond) -> Cond:
        """`cond` with every rule and outcome reference replaced by the condition it stands for."""
        if isinstance(cond, Leaf):
            return cond
        if isinstance(cond, AllOf):
            return AllOf(tuple(self.inline(c) for c in cond.children), cond.says)
        if isinstance(cond, AnyOf):
            return AnyOf(tuple(self.inline(c) for c in cond.children), cond.says)
        if isinstance(cond, NotOf):
            return NotOf(self.inline(cond.child), cond.says)
        if isinstance(cond, RuleRef):
            return self.inline(self.rule(cond.rule_id).cond)
        outcomes = AnyOf(tuple(self.outcome_condition(cond.decision, o) for o in cond.outcomes))
        return AllOf((cond.presence, outcomes), cond.says) if cond.presence else replace(outcomes, says=cond.says)

    def outcome_condition(self, decision: str, outcome: str) -> Cond:
        """When `decision` comes out as `outcome`, under the decision's hit policy, as one inlined tree."""
        policy = self.definition.decisions[decision]
        yielding = {
            o: [self.inline(r.cond) for r in self.rules_of(decision) if r.rule.spec.yields == o]
            for o in policy.priority
        }

        def some_rule(o: str) -> Cond:
            return AnyOf(tuple(yielding[o]))  # an empty AnyOf never holds

        branches: list[Cond] = []
        if outcome in policy.priority:
            higher = policy.priority[: policy.priority.index(outcome)]
            branches.append(AllOf((some_rule(outcome), *(NotOf(some_rule(h)) for h in higher))))
        if outcome == policy.default:
            branches.append(AllOf(tuple(NotOf(some_rule(o)) for o in policy.priority)))
        return AnyOf(tuple(branches))


# --- compiling a definition --------------------------------------------------------------------------------


def compile_pack(definition: PackDefinition) -> CompiledPack:
    """Parse every active rule's conditions; report every problem with file, key path and line."""
    active = [r for r in definition.rules if r.origin != "disabled"]
    parser = ConditionParser(definition.credit_scheme, (r.id for r in active))
    parsed = [(rule, parser.parse(rule.spec.when, rule.where.at("when"))) for rule in active]
    # text atoms gain literals as later leaves are parsed: give every leaf the atom in its final form
    compiled = [CompiledRule(rule, _with_atoms(cond, parser.atoms)) for rule, cond in parsed if cond is not None]
    problems = parser.problems + _policy_problems(definition, active)
    problems += _says_problems(compiled, [t for d in definition.chain() for t in d.sources.values()])
    for decision in DECISIONS:
        if not any(r.decision == decision for r in active):
            problems.append(
                definition.where.problem(
                    f"no active rule feeds the {decision} decision; every decision must rest on at least one "
                    "rule so that its outcome can cite a clause"
                )
            )
    cycle = None if problems else find_cycle(compiled)
    if cycle:
        problems.append(definition.where.problem(f"rules refer to each other in a cycle: {cycle}"))
    if problems:
        raise PackError(problems)
    return CompiledPack(definition, dict(parser.atoms), tuple(compiled), parser.grade_codes)


def _with_atoms(cond: Cond, atoms: Mapping[str, Atom]) -> Cond:
    if isinstance(cond, Leaf):
        return replace(cond, atom=atoms.get(cond.atom.key, cond.atom))
    if isinstance(cond, OutcomeRef) and cond.presence is not None:
        presence = _with_atoms(cond.presence, atoms)
        assert isinstance(presence, Leaf)
        return replace(cond, presence=presence)
    if isinstance(cond, AllOf | AnyOf):
        return replace(cond, children=tuple(_with_atoms(c, atoms) for c in cond.children))
    if isinstance(cond, NotOf):
        return replace(cond, child=_with_atoms(cond.child, atoms))
    return cond


ELISION = "……"


def quoted_in(phrase: str, texts: Sequence[str]) -> bool:
    """Whether `phrase` is found verbatim in one of the texts; ……  elides, so its parts must appear in order."""
    parts = [p for p in phrase.split(ELISION) if p]
    for text in texts:
        at = 0
        for part in parts:
            at = text.find(part, at)
            if at < 0:
                break
            at += len(part)
        else:
            return True
    return False


def _says_problems(rules: Sequence[CompiledRule], texts: Sequence[str]) -> list[Problem]:
    """Every `says:` must be the source's own words (…… for an elision)."""
    problems = []
    for rule in rules:
        for node in nodes(rule.cond):
            says = getattr(node, "says", None)
            where = getattr(node, "where", None) or rule.rule.where.at("when")
            if says and not quoted_in(says, texts):
                problems.append(
                    where.at("says").problem(
                        f"'{says}' is not found verbatim in the pack's sources; quote the phrase the condition "
                        f"encodes (mark an omission with {ELISION})"
                    )
                )
    return problems


def nodes(cond: Cond) -> Iterator[Cond]:
    """Every node of a condition tree, depth first (references are not followed)."""
    yield cond
    if isinstance(cond, AllOf | AnyOf):
        for child in cond.children:
            yield from nodes(child)
    elif isinstance(cond, NotOf):
        yield from nodes(cond.child)


def leaves(cond: Cond) -> Iterator[Leaf]:
    """The fact leaves of a condition tree."""
    return (node for node in nodes(cond) if isinstance(node, Leaf))


def _policy_problems(definition: PackDefinition, active: Sequence[Rule]) -> list[Problem]:
    problems = []
    for rule in active:
        policy = definition.decisions[rule.decision]
        yields = rule.spec.yields
        if yields is not None and yields not in policy.priority and yields != policy.default:
            problems.append(
                rule.where.at("yields").problem(
                    f"'{yields}' is not in the {rule.decision} hit policy ({', '.join(policy.priority)}; default "
                    f"{policy.default}); add it to `decisions: {rule.decision}: priority` in pack.yaml"
                )
            )
    return problems


def references(cond: Cond) -> tuple[set[str], set[str]]:
    """The rule ids and decisions a condition refers to."""
    if isinstance(cond, RuleRef):
        return {cond.rule_id}, set()
    if isinstance(cond, OutcomeRef):
        return set(), {cond.decision}
    kids: tuple[Cond, ...] = ()
    if isinstance(cond, AllOf | AnyOf):
        kids = cond.children
    elif isinstance(cond, NotOf):
        kids = (cond.child,)
    rules: set[str] = set()
    decisions: set[str] = set()
    for kid in kids:
        r, d = references(kid)
        rules |= r
        decisions |= d
    return rules, decisions


def find_cycle(rules: Sequence[CompiledRule]) -> str | None:
    """A chain of rule or outcome references that leads back to where it started, if there is one."""
    edges: dict[str, set[str]] = {f"decision {d}": set() for d in DECISIONS}
    for rule in rules:
        ref_rules, ref_decisions = references(rule.cond)
        edges[f"rule {rule.id}"] = {f"rule {r}" for r in ref_rules} | {f"decision {d}" for d in ref_decisions}
        edges[f"decision {rule.decision}"].add(f"rule {rule.id}")
    done: set[str] = set()

    def visit(node: str, trail: tuple[str, ...]) -> str | None:
        if node in trail:
            return " -> ".join((*trail[trail.index(node) :], node))
        if node in done:
            return None
        for nxt in sorted(edges.get(node, ())):
            cycle = visit(nxt, (*trail, node))
            if cycle:
                return cycle
        done.add(node)
        return None

    for start in sorted(edges):
        cycle = visit(start, ())
        if cycle:
            return cycle
    return None
