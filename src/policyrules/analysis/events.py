"""The classes of events the count filters of two packs can tell apart (window buckets, serious, the partition
of kinds the kind sets induce, on-site, upheld): which classes a list has, which a count matches, which an
event falls in, how a class is named, and the event that stands for a class in a witness."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ..conditions import COUNT_FILTERS, CompiledPack, Period, listed_on_day, shift, window_start
from ..facts import ENUM_LABELS
from .dimensions import EventClass

EVENT_ATTRIBUTES = ("bucket", "serious", "kinds", "on_site", "upheld", "objector", "reasoned", "entry")


class EventClasses:
    """The event classes of every countable list, for two compiled packs on one evaluation date."""

    def __init__(self, packs: Sequence[CompiledPack], as_of: date) -> None:
        self.packs = tuple(packs)
        self.as_of = as_of
        self.windows = self._window_starts()
        self.kind_classes = self._kind_partition()
        self.entry_windows = self._entry_windows()
        # the listing validity entry tests are read with (the first pack that reads one decides)
        self.validity = next(
            (p.definition.validity_period for p in self.packs if any(a.on == "entry" for a in p.atoms.values())),
            None,
        )

    def _entry_windows(self) -> dict[str, Period]:
        """Per countable list, the window an entry test counts back from the listing date (read_on: entry)."""
        out: dict[str, Period] = {}
        for pack in self.packs:
            for atom in pack.atoms.values():
                if atom.on == "entry" and atom.reads and atom.reads[0] == "count":
                    window = dict(atom.reads[2]).get("within")
                    if window is not None and out.setdefault(atom.reads[1], window) != window:
                        raise ValueError(f"the diff models one entry window per list; {atom.reads[1]} has several")
        return out

    def entry_day(self, listing: Any) -> date | None:
        """The day entry tests are read on when it is not the evaluation date: the listing date of an
        enterprise on the list (within the validity) on the evaluation date."""
        if listing is None or not self.entry_windows:
            return None
        return listing.listed_on if listed_on_day(listing, self.as_of, self.validity) else None

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
        """Whether some count of the list filters on this field."""
        return any(
            a.reads and a.reads[0] == "count" and a.reads[1] == subject and flt in dict(a.reads[2])
            for p in self.packs
            for a in p.atoms.values()
        )

    def classes(self, subject: str) -> list[EventClass]:
        """Every class of events of one list: the product of the attributes some count filter reads."""
        windows = self.windows[subject]
        buckets: list[int | None] = list(range(len(windows) + 1)) if windows else [None]
        serious: list[bool | None] = [False, True] if self._uses(subject, "serious") else [None]
        kinds: list[tuple[str, ...] | None] = (
            list(self.kind_classes) if subject == "violations" and self.kind_classes else [None]
        )
        on_site: list[bool | None] = [True, False] if self._uses(subject, "on_site") else [None]
        upheld: list[bool | None] = [False, True] if self._uses(subject, "upheld") else [None]
        objector: list[bool | None] = [True, False] if self._uses(subject, "objector") else [None]
        reasoned: list[bool | None] = [True, False] if self._uses(subject, "reasoned") else [None]
        entry: list[bool | None] = [False, True] if subject in self.entry_windows else [None]
        return [
            EventClass(subject, b, s, k, o, u, by, r, e)
            for b, s, k, o, u, by, r, e in itertools.product(
                buckets, serious, kinds, on_site, upheld, objector, reasoned, entry
            )
        ]

    def matches(self, cls: EventClass, filters: Mapping[str, Any]) -> bool:
        """Whether a count with these filters counts the events of the class (its window read back from the
        evaluation date)."""
        windows, as_of = self.windows[cls.subject], self.as_of
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
        if "objector" in filters and cls.objector is not True:
            return False
        if "reasoned" in filters and cls.reasoned != filters["reasoned"]:
            return False
        return not ("upheld" in filters and cls.upheld != filters["upheld"])

    def class_of(self, subject: str, event: Any, entry_day: date | None = None) -> EventClass:
        """The class a concrete event of the list falls in (`entry_day`: see `entry_day`)."""
        starts = [d for d, _ in self.windows[subject]]
        bucket = sum(1 for start in starts if event.date < start) if starts else None
        kinds = None
        if subject == "violations" and self.kind_classes:
            kinds = next(k for k in self.kind_classes if str(event.kind.value) in k)
        return EventClass(
            subject,
            bucket,
            bool(event.serious) if self._uses(subject, "serious") else None,
            kinds,
            bool(event.on_site) if self._uses(subject, "on_site") else None,
            bool(event.upheld) if self._uses(subject, "upheld") else None,
            self._objector_named(event) if self._uses(subject, "objector") else None,
            bool(event.reasoned) if self._uses(subject, "reasoned") else None,
            self._in_entry_window(subject, event.date, entry_day) if subject in self.entry_windows else None,
        )

    def _in_entry_window(self, subject: str, day: date, entry_day: date | None) -> bool:
        if entry_day is None:
            return False
        return window_start(entry_day, self.entry_windows[subject]) <= day <= entry_day

    def _objector_named(self, event: Any) -> bool:
        """Whether the objection's objector is one the packs' objector filters name (unrecorded: yes)."""
        if event.objector is None:
            return True
        named = {
            code
            for p in self.packs
            for a in p.atoms.values()
            if a.reads and a.reads[0] == "count" and "objector" in dict(a.reads[2])
            for code in dict(a.reads[2])["objector"]
        }
        return str(event.objector.value) in named

    def _bucket_text(self, subject: str, bucket: int) -> str:
        windows = self.windows[subject]
        if bucket == 0:
            return f"within {_period_text(windows[0][1][0])}"
        if bucket == len(windows):
            return f"older than {_period_text(windows[-1][1][0])}"
        return f"{_period_text(windows[bucket - 1][1][0])} to {_period_text(windows[bucket][1][0])} old"

    def attribute_text(self, subject: str, attr: str, values: Sequence[Any]) -> str:
        if attr == "bucket":
            return " or ".join(self._bucket_text(subject, b) for b in values)
        if attr == "kinds":
            kinds = [k for group in values for k in group]
            return "kind ∈ {" + ", ".join(kinds) + "}" if len(kinds) > 1 else f"kind {kinds[0]}"
        words = {
            "serious": ("serious", "not serious"),
            "on_site": ("on site", "off site"),
            "upheld": ("upheld", "not upheld"),
            "objector": ("by a body the text names", "by another objector"),
            "reasoned": ("with reasons", "without reasons"),
            "entry": ("within the entry window before listing", "outside the entry window"),
        }
        yes, no = words[attr]
        return " or ".join(yes if v else no for v in values)

    def label(self, cls: EventClass) -> str:
        """The class as its dimension is named: `violations[within 1 year, serious]`."""
        parts = [
            self.attribute_text(cls.subject, attr, [getattr(cls, attr)])
            for attr in EVENT_ATTRIBUTES
            if getattr(cls, attr) is not None
        ]
        return cls.subject + (f"[{', '.join(parts)}]" if parts else "")

    def fields(self, cls: EventClass, entry_day: date | None = None) -> dict[str, Any]:
        """The event a witness records for the class: only what differs from the fact model's defaults."""
        out: dict[str, Any] = {}
        if cls.subject != "objections":
            out["date"] = self._dated(cls, entry_day).isoformat()
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
        if cls.objector is False:
            out["objector"] = "other"
        if cls.reasoned is False:
            out["reasoned"] = False
        return out

    def _dated(self, cls: EventClass, entry_day: date | None) -> date:
        """A day inside the class's bucket and, for an enterprise on the list, inside or outside the entry
        window as the class says (where both cannot be had, the bucket wins: the entry test then reads the
        evaluation date's classes anyway)."""
        day = self._event_date(cls)
        if cls.entry is None or entry_day is None:
            return day
        lo, hi = self._bucket_bounds(cls)
        e_lo, e_hi = window_start(entry_day, self.entry_windows[cls.subject]), entry_day
        inside = (max(lo, e_lo) if lo else e_lo, min(hi, e_hi))
        if cls.entry:
            return inside[1] if inside[0] <= inside[1] else day
        after = (max(lo, e_hi + timedelta(days=1)) if lo else e_hi + timedelta(days=1), hi)
        if after[0] <= after[1]:
            return after[1]
        before_hi = min(hi, e_lo - timedelta(days=1))
        return before_hi if lo is None or lo <= before_hi else day

    def _bucket_bounds(self, cls: EventClass) -> tuple[date | None, date]:
        """The first and last day of the class's window bucket (None: no first day)."""
        starts = [d for d, _ in self.windows[cls.subject]]
        if cls.bucket is None or not starts:
            return None, self.as_of
        hi = self.as_of if cls.bucket == 0 else starts[cls.bucket - 1] - timedelta(days=1)
        lo = starts[cls.bucket] if cls.bucket < len(starts) else None
        return lo, hi

    def _event_date(self, cls: EventClass) -> date:
        starts = [d for d, _ in self.windows[cls.subject]]
        month_before = shift(self.as_of, ("months", 1))
        if cls.bucket is None:
            return month_before
        if cls.bucket == 0:
            return month_before if month_before >= starts[0] else _midpoint(starts[0], self.as_of)
        if cls.bucket == len(starts):
            return shift(starts[-1], ("months", 1))
        newer, older = starts[cls.bucket - 1], starts[cls.bucket]
        return _midpoint(older, date.fromordinal(newer.toordinal() - 1))


def _period_text(period: Period) -> str:
    unit, amount = period
    return f"{amount} {unit[:-1] if amount == 1 else unit}"


def _midpoint(a: date, b: date) -> date:
    return date.fromordinal((a.toordinal() + b.toordinal()) // 2)
