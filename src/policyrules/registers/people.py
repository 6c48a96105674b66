"""The Chinese results, for people (the default of `batch`): each decision's outcome as its Chinese label, the
categories, the flags as 是/否, the reason in one line (explain.reasons) and the citations, after the enterprise
and the register's own columns carried through. In XLSX, dates are date cells (style 1 of writers.py's
workbook); in CSV every field is formula-safe (output.csv_cell)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..engines import Decision, Pack
from ..explain import ReasonCache
from ..facts import Facts
from ..packs import DECISIONS
from .output import csv_cell, xml_cell, zh_decision_cells

if TYPE_CHECKING:
    from .evaluator import Config

DATE_STYLE = 1  # the cell style that shows yyyy-mm-dd in the workbooks writers.Writer makes
_EPOCH = date(1899, 12, 30)  # Excel's day 0 in the 1900 date system (the 1900 leap-year bug included)


def xml_date(day: date) -> str:
    """A real date cell: the Excel serial number with the date style."""
    return f'<c s="{DATE_STYLE}"><v>{(day - _EPOCH).days}</v></c>'


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def carried_csv(cells: Sequence[Any] | None, indexes: Sequence[int]) -> str:
    """The register's carried columns as CSV fields, each followed by a comma."""
    out = []
    for i in indexes:
        value = cells[i] if cells is not None and i < len(cells) else None
        out.append(csv_cell(_plain(value)) + ",")
    return "".join(out)


def carried_xml(cells: Sequence[Any] | None, indexes: Sequence[int], date_style: int | None) -> str:
    """The register's carried columns as sheet XML cells, keeping numbers, booleans and (with `date_style`)
    dates as such."""
    out = []
    for i in indexes:
        value = cells[i] if cells is not None and i < len(cells) else None
        if value is None or value == "":
            out.append("<c/>")
        elif isinstance(value, bool):
            out.append(f'<c t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float):
            out.append(f"<c><v>{value!r}</v></c>")
        elif isinstance(value, date) and date_style is not None:
            out.append(xml_date(_as_date(value)))
        else:
            out.append(xml_cell(_plain(value)))
    return "".join(out)


def _plain(value: object) -> str:
    """A cell as text: a whole number without '.0', a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class PeopleRows:
    """Renders evaluated rows as the Chinese results (CSV text, or sheet XML for the XLSX writer)."""

    def __init__(self, pack: Pack, config: Config) -> None:
        self.config = config
        self.reasons = ReasonCache(pack, config.as_of, "zh")
        self.xml = config.output_kind == "xlsx"
        self._cells: dict[tuple[str, int, str], tuple[Decision | None, str]] = {}
        self._rows: dict[tuple[object, ...], tuple[tuple[Decision, ...], str]] = {}
        if self.xml:
            self._prefix = xml_cell(pack.id) + xml_date(config.as_of)
        else:
            self._prefix = f"{csv_cell(pack.id)},{config.as_of.isoformat()},"

    def render(
        self,
        row: int,
        record_id: str,
        facts: Facts,
        decisions: Mapping[str, Decision],
        cells: Sequence[Any] | None,
    ) -> str:
        ent = facts.enterprise
        reasons = self.reasons.reasons(facts, decisions)
        # a register has few distinct decisions and reasons: their cells are rendered once for each combination
        # (an entry holds its decisions, so no other object takes their ids while it is cached)
        key = (*map(id, decisions.values()), *map(reasons.get, DECISIONS))
        cached = self._rows.get(key)
        if cached is None:
            text = "".join(self._decision(name, decisions.get(name), reasons.get(name, "")) for name in DECISIONS)
            if len(self._rows) > 100_000:
                self._rows.clear()
            cached = self._rows[key] = (tuple(decisions.values()), text)
        rendered = cached[1]
        listed_on = ent.listing.listed_on if ent.listing is not None else None
        values = (ent.uscc, ent.name, ent.district, ent.industry, ent.permit_no)
        recording = self.config.record is not None
        if self.xml:
            head = f"<c><v>{row}</v></c>" + (xml_cell(record_id) if recording else "") + self._prefix
            return (
                head
                + "".join(xml_cell(v) for v in values)
                + (xml_date(listed_on) if listed_on is not None else "<c/>")
                + carried_xml(cells, self.config.carried, DATE_STYLE)
                + rendered
            )
        head = f"{row}," + (f"{record_id}," if recording else "") + self._prefix
        enterprise = "".join(("" if v is None else csv_cell(v)) + "," for v in values)
        listed = (listed_on.isoformat() if listed_on is not None else "") + ","
        carried = carried_csv(cells, self.config.carried)
        return f"{head}{enterprise}{listed}{carried}{rendered.removeprefix(',')}\r\n"

    def _decision(self, name: str, decision: Decision | None, reason: str) -> str:
        """A decision's cells, rendered once for each decision and reason (a register has few of each): sheet
        XML, or CSV fields each preceded by a comma."""
        key = (name, id(decision), reason)
        cached = self._cells.get(key)
        if cached is not None and cached[0] is decision:
            return cached[1]
        texts = zh_decision_cells(name, decision, reason)
        text = "".join(xml_cell(t) for t in texts) if self.xml else "".join("," + csv_cell(t) for t in texts)
        if len(self._cells) > 100_000:
            self._cells.clear()
        self._cells[key] = (decision, text)
        return text
