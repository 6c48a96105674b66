"""The dimensions of the abstract input domain: what one dimension is, the event classes of the countable
lists, the atoms' dependence on dimensions, and the fixed values the witness documents use."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel

from ..conditions import Value
from ..facts import Facts, innermost_model, uscc_check_char

WITNESS_NAME = "示例企业"
WITNESS_USCC = "91110000MA0000000" + uscc_check_char("91110000MA0000000")
OTHER_TEXT = "其他"  # a text no pack compares with: stands for every such text
QUESTIONS = ("inspection_request", "violation_case")
LISTING_STATES = ("absent", "current", "removed")

DimKind = Literal["fact", "contains", "question", "listing", "age", "events"]
Assignment: TypeAlias = dict[str, Value]
Region: TypeAlias = dict[str, frozenset[Value]]  # per dimension, the values a set of points takes


@dataclass(frozen=True)
class EventClass:
    """One class of events the count filters cannot tell apart; None where no filter reads the field."""

    subject: str
    bucket: int | None = None  # window bucket: 0 = within the shortest window, …, last = older than all
    serious: bool | None = None
    kinds: tuple[str, ...] | None = None
    on_site: bool | None = None
    upheld: bool | None = None
    objector: bool | None = None  # raised by a body the objector filter names (or not recorded)
    reasoned: bool | None = None
    entry: bool | None = None  # inside the window an entry test reads back from the listing date (read_on: entry)


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


def model_default(path: str) -> Value:
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


def short(path: str) -> str:
    """A fact path as labels show it: without the enterprise or question it belongs to."""
    for prefix in ("enterprise.", "inspection_request.", "violation_case."):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path
