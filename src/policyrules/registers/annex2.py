"""The published list: 监督执法正面清单企业列表 (渝环规〔2021〕5号 附表2) from batch results.

环办执法〔2021〕10号 二、（三） requires the 设区的市级生态环境部门 to publish, for every enterprise on the list, its
名称、所在地、统一社会信用代码、所属行业、排污许可证编号（排污登记编号）、正面清单有效期. Chongqing's 附表2 has every
column but the last; this export follows 附表2's layout and adds 正面清单有效期 after its columns.

The validity period is read from the pack: the listing rule that yields `expired` once
`years_since: enterprise.listing.listed_on` is `at_least: N`. An enterprise listed on D is then valid from D
to the day before the N-th anniversary (the first day on which the pack says `expired`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..conditions import AllOf, AnyOf, Cond, Leaf, NotOf, shift
from ..engines import Pack, load_pack
from ..errors import PolicyRulesError, Problem
from ..packs import OUTCOME_LABELS
from ..textsafe import printable
from .output import FORMULA_START, safe_row
from .safe_write import atomic_open, atomic_path, check_output

TITLE = "监督执法正面清单企业列表"
PROPOSED_TITLE = "拟纳入监督执法正面清单企业名单（公示）"
ANNEX = "附表2"
HEADER = (
    "序号",
    "企业名称",
    "所在地",
    "统一社会信用代码",
    "所属行业",
    "排污许可证编号（排污登记编号）",
    "正面清单有效期",
)
PROPOSED_HEADER = (*HEADER[:-1], "纳入类别")
LISTED_ON = "enterprise.listing.listed_on"


class RegisterError(PolicyRulesError):
    """The list cannot be exported as asked."""


def validity_years(pack: Pack) -> int | None:
    """N of the pack's expiry rule (listing → expired when years_since listed_on is at least N), or None when
    the pack sets no validity period. Several different periods are an error."""
    found: set[int] = set()
    for rule in pack.compiled.rules_of("listing"):
        if rule.yields == "expired":
            found.update(_years_bounds(rule.cond))
    if len(found) > 1:
        raise RegisterError(
            [Problem("", f"pack {pack.id} has several validity periods ({sorted(found)} years); give --validity-years")]
        )
    return found.pop() if found else None


def _years_bounds(cond: Cond) -> Iterator[int]:
    if isinstance(cond, Leaf):
        if cond.atom.reads == ("years_since", LISTED_ON) and cond.op == "at_least" and isinstance(cond.operand, int):
            yield cond.operand
    elif isinstance(cond, AllOf | AnyOf):
        for child in cond.children:
            yield from _years_bounds(child)
    elif isinstance(cond, NotOf):
        return  # a bound under `not` is not the period after which the listing expires


def validity_period(listed_on: date, years: int) -> tuple[date, date]:
    """First and last day on the list: the pack says `expired` from the N-th anniversary (a 29 February
    anniversary falls on the 28th, as the engine counts complete years)."""
    return listed_on, shift(listed_on, ("years", years), +1) - timedelta(days=1)


def chinese_date(day: date) -> str:
    """A date as 附表2 and official documents write it: 2022年3月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- reading batch results ----------------------------------------------------------------------------------------


def read_results(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a batch results file (JSONL, CSV or XLSX; the Chinese results or the English ones) as flat dicts
    with the English results' column names and outcome codes."""
    for row in _read_rows(path):
        yield _english(row) if _ZH_KEYS.keys() & row.keys() else row


def _zh_keys() -> dict[str, str]:
    from .output import ZH_DECISIONS, ZH_ENTERPRISE_COLUMNS, ZH_HEAD

    keys = {zh: en for en, zh in ZH_HEAD.items()}
    keys.update(zip(ZH_ENTERPRISE_COLUMNS, ENTERPRISE_KEYS, strict=True))
    keys.update({f"{short}结论": f"{d}.outcome" for d, short in ZH_DECISIONS.items()})
    keys["纳入类别"] = "inclusion.categories"
    return keys


ENTERPRISE_KEYS = ("uscc", "name", "district", "industry", "permit_no", "listed_on")
_ZH_KEYS = _zh_keys()
_OUTCOME_CODES = {zh: code for code, (zh, _) in OUTCOME_LABELS.items()}


def _english(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the Chinese results under the English names, its outcome labels as codes (可以纳入 -> eligible)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = _ZH_KEYS.get(key, key)
        if name.endswith(".outcome") and isinstance(value, str):
            value = _OUTCOME_CODES.get(value, value)
        elif name == "inclusion.categories" and isinstance(value, str):
            value = value.replace("；", "; ")
        out[name] = value
    return out


def _read_rows(path: Path) -> Iterator[dict[str, Any]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise RegisterError([Problem("", "file not found", str(path))])
    if suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    data = json.loads(line)
                    # `result` is the JSON of `policyrules evaluate`; lines written before it had pack, as_of and
                    # decisions at the top
                    result = data.get("result", data)
                    flat = {k: v for k, v in data.items() if k not in ("result", "decisions")}
                    flat |= {k: result.get(k) for k in ("pack", "as_of")}
                    for name, d in result.get("decisions", {}).items():
                        flat.update({f"{name}.{k}": v for k, v in d.items()})
                    yield flat
    elif suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                yield {k: _unescaped(v) for k, v in row.items()}
    elif suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = wb.worksheets[0].iter_rows(values_only=True)
            header = [str(c) for c in next(rows)]
            for cells in rows:
                yield {k: v for k, v in zip(header, cells, strict=False)}
        finally:
            wb.close()
    else:
        raise RegisterError([Problem("", "batch results are .jsonl, .csv or .xlsx", str(path))])


@dataclass(frozen=True)
class Listed:
    name: str
    district: str
    uscc: str
    industry: str
    permit_no: str
    valid_from: date
    valid_to: date

    def cells(self, number: int) -> tuple[Any, ...]:
        period = f"{chinese_date(self.valid_from)} 至 {chinese_date(self.valid_to)}"
        return (number, self.name, self.district, self.uscc, self.industry, self.permit_no, period)


@dataclass(frozen=True)
class Proposed:
    """An enterprise proposed for the list (inclusion eligible, not yet listed): the public-comment step."""

    name: str
    district: str
    uscc: str
    industry: str
    permit_no: str
    categories: str

    def cells(self, number: int) -> tuple[Any, ...]:
        return (number, self.name, self.district, self.uscc, self.industry, self.permit_no, self.categories)


def proposed_enterprises(results: Path) -> list[Proposed]:
    """The enterprises 二、（三） has published for comment before the list is issued: inclusion `eligible` and not
    on the list yet (no listing in the facts: no listed_on, no listing decision), in the order of the results."""
    out = []
    for r in read_results(results):
        if "inclusion.outcome" not in r and "uscc" not in r:
            raise RegisterError([Problem("", "not batch results: no inclusion.outcome column", str(results))])
        if r.get("inclusion.outcome") == "eligible" and not r.get("listed_on") and not r.get("listing.outcome"):
            categories = _s(r.get("inclusion.categories"))
            out.append(
                Proposed(
                    _s(r.get("name")),
                    _s(r.get("district")),
                    _s(r.get("uscc")),
                    _s(r.get("industry")),
                    _s(r.get("permit_no")),
                    "；".join(c for c in categories.split("; ") if c),
                )
            )
    return out


def listed_enterprises(results: Path, pack: Pack | None = None, years: int | None = None) -> tuple[list[Listed], Pack]:
    """The enterprises whose listing decision is `keep`, in the order of the results."""
    rows = list(_kept(results))
    if pack is None:
        packs = {str(r.get("pack")) for r in rows}
        if len(packs) > 1:
            raise RegisterError([Problem("--pack", f"the results come from several packs ({sorted(packs)})")])
        if not packs:
            raise RegisterError(
                [Problem("", "no enterprise in the results is on the list (listing: keep)", str(results))]
            )
        pack = load_pack(packs.pop())
    n = validity_years(pack)
    if n is not None and years is not None and years != n:
        raise RegisterError(
            [Problem("--validity-years", f"pack {pack.id} sets {n} years (its expiry rule); {years} contradicts it")]
        )
    n = n if n is not None else years
    if n is None:
        raise RegisterError(
            [
                Problem(
                    "--validity-years",
                    f"pack {pack.id} sets no validity period (no listing rule yields expired after "
                    f"years_since {LISTED_ON}); 二、（三） requires 正面清单有效期 to be published: "
                    "give --validity-years",
                )
            ]
        )
    out = []
    for r in rows:
        listed_on = _date(r.get("listed_on"))
        if listed_on is None:
            raise RegisterError([Problem(f"row {r.get('row')}", "a kept listing without listed_on", str(results))])
        start, end = validity_period(listed_on, n)
        out.append(
            Listed(
                _s(r.get("name")),
                _s(r.get("district")),
                _s(r.get("uscc")),
                _s(r.get("industry")),
                _s(r.get("permit_no")),
                start,
                end,
            )
        )
    return out, pack


def _kept(results: Path) -> Iterator[dict[str, Any]]:
    for row in read_results(results):
        if "listing.outcome" not in row and "uscc" not in row:
            raise RegisterError([Problem("", "not batch results: no listing.outcome column", str(results))])
        if row.get("listing.outcome") == "keep":
            yield row


def _unescaped(value: str | None) -> str | None:
    """A CSV field as batch was given it: without the apostrophe output.formula_safe put before a leading = + - @."""
    if value and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _s(value: object) -> str:
    return "" if value is None else str(value)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


# --- writing 附表2 ----------------------------------------------------------------------------------------------------


def sheet_rows(
    listed: Sequence[Listed | Proposed], unit: str, filled_on: date, link: str, proposed: bool = False
) -> list[tuple[Any, ...]]:
    """附表2 as rows: the annex label, the title, 填报单位/填表时间, the header, numbered rows, 公示网站链接 (for the
    拟纳入 list: its title and 纳入类别 in place of 正面清单有效期)."""
    header = PROPOSED_HEADER if proposed else HEADER
    width = len(header)
    pad = ("",) * (width - 2)
    rows: list[tuple[Any, ...]] = [
        (ANNEX if not proposed else "附件", *("",) * (width - 1)),  # the 公示 notice attaches it
        (PROPOSED_TITLE if proposed else TITLE, *("",) * (width - 1)),
        (f"填报单位：{unit}", "", "", "", f"填表时间：{chinese_date(filled_on)}", "", ""),
        header,
    ]
    rows += [item.cells(i) for i, item in enumerate(listed, start=1)]
    rows.append((f"公示网站链接：{link}", "", *pad))
    return rows


def write_list(
    listed: Sequence[Listed | Proposed], out: Path, unit: str, filled_on: date, link: str, proposed: bool = False
) -> None:
    """附表2 (or the 拟纳入 list) written to `out` (.xlsx or .csv) through a temporary file: complete, or the
    previous file untouched."""
    rows = sheet_rows(listed, unit, filled_on, link, proposed)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        with atomic_open(out, encoding="utf-8-sig") as f:
            csv.writer(f).writerows(safe_row(r) for r in rows)  # a name beginning with = stays text
        return
    if suffix != ".xlsx":
        raise RegisterError([Problem("-o", f"the list is written as .xlsx or .csv, not '{out.name}'")])
    with atomic_path(out) as temp:
        _workbook(rows, proposed).save(temp)


def _text_cell(cell: Any, value: Any) -> None:
    """A value from the results as it reads: text stays text (openpyxl would make '=…' a live formula), and its
    control characters are shown as escapes (openpyxl refuses them, and a sheet cannot hold them)."""
    if isinstance(value, str):
        cell.value = printable(value)
        cell.data_type = "s"
    else:
        cell.value = value


def _workbook(rows: Sequence[tuple[Any, ...]], proposed: bool) -> Any:
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "拟纳入名单" if proposed else TITLE
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            _text_cell(ws.cell(row=number, column=column), value)
    width = len(HEADER)
    last = len(rows)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=width)
    ws["A2"].font = Font(name="宋体", size=16, bold=True)
    ws["A2"].alignment = Alignment(horizontal="center")
    thin = Side(style="thin")
    for row_cells in ws.iter_rows(min_row=4, max_row=last - 1, max_col=width):
        for cell in row_cells:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for cell in ws[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for letter, chars in zip("ABCDEFG", (6, 36, 14, 22, 10, 28, 26), strict=True):
        ws.column_dimensions[letter].width = chars
    ws.freeze_panes = "A5"
    return wb


def export(
    results: Path,
    out: Path,
    pack: str | None = None,
    unit: str = "",
    filled_on: date | None = None,
    link: str = "",
    years: int | None = None,
    proposed: bool = False,
) -> int:
    """Write 附表2 for the results (or, `proposed`, the 拟纳入 list for public comment); returns the number of
    enterprises in it."""
    check_output(out, [results])
    if proposed:
        candidates = proposed_enterprises(results)
        write_list(candidates, out, unit, filled_on or date.today(), link, proposed=True)
        return len(candidates)
    listed, _ = listed_enterprises(results, load_pack(pack) if pack else None, years)
    write_list(listed, out, unit, filled_on or date.today(), link)
    return len(listed)
