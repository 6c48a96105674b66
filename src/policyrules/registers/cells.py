"""Cells to facts: a register cell decoded for its fact's kind, and a row of cells made a facts document."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from ..errors import Problem
from ..facts import ValueProblem, bool_value, parse_date, uscc_problem
from .columns import Column
from .formats import MAX_CELL_CHARS
from .xlsx import BadCell

# bytes a CSV chunk could not decode, kept as U+DC80-U+DCFF by the 'surrogateescape' handler
UNDECODED = re.compile("[\udc80-\udcff]")
# 2021-9-30, 2021/9/30, 2021.9.30, 2021年9月30日 (and the ISO form); 20210930 is _COMPACT_DATE
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# what Excel shows for a long number it has stored as a float: 9.15001E+17
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")
_LIST_SPLIT = re.compile(r"\s*[,;，；、]\s*|\s+")


class CellError(ValueError):
    """A cell that cannot be read, with the reason in Chinese (the default for people) and in English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_date(value: object) -> object:
    """A date cell as ISO text: an Excel date cell (a datetime, or a serial in a date-formatted cell, which the
    readers give as a datetime), 20210930 as a number or text, 2021-9-30, 2021/9/30, 2021.9.30, 2021年9月30日.
    A calendar-impossible date raises CellError; text that is no date at all is passed on for the model to
    report. Any other number is refused: without a date format it is not an Excel date (44469 could be
    anything), and reading it as one would make a wrong fact out of a typing slip.
    What it accepts is what the fact model accepts at every door (facts.values.parse_date); this only words the
    refusals for a register cell."""
    if isinstance(value, bool):
        return value
    try:
        return parse_date(value.strip() if isinstance(value, str) else value).isoformat()
    except ValueProblem:
        pass
    if isinstance(value, date):
        return value  # a date and time of day: the model refuses it, with its path
    number = isinstance(value, int | float)
    text = _text(value)
    match = _DATE_RE.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        if number:
            raise CellError(
                f"数字 {text} 不是日期：请写成 2021-09-30 或 20210930，或把单元格设置为日期格式",
                f"the number {text} is not a date: write 2021-09-30 or 20210930, or format the cell as a date",
            )
        return text
    y, m, d = (int(g) for g in match.groups())
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        raise CellError(
            f"日期 {text} 不存在（{y} 年 {m} 月没有第 {d} 日）"
            if 1 <= m <= 12
            else f"日期 {text} 不存在（没有 {m} 月）",
            f"{text} is not a date of the calendar (year {y}, month {m}, day {d})",
        ) from None


def read_uscc(value: object) -> object:
    """The 统一社会信用代码 as text. A code that arrives as a number was changed by Excel: an 18-digit code does
    not fit a spreadsheet number (15 significant digits), so its last digits are lost; say so and how to keep
    it as text, rather than report a wrong check character."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = _text(value)
        if isinstance(value, int) and len(text) == 18 and uscc_problem(text) is None:
            return text  # an exact integer (written by a program, not Excel): the code as it is
        raise CellError(
            f"统一社会信用代码以数字形式保存（{text}）：Excel 把它当成了数字，18 位代码的末几位已经丢失。"
            "请把该列设置为“文本”格式后重新填写代码（或在代码前加英文单引号 '）",
            f"the 统一社会信用代码 arrived as a number ({text}): Excel turned it into a number and lost its last "
            "digits; format the column as Text and type the code again (or prefix it with an apostrophe ')",
        )
    text = _text(value)
    if len(text) == 18 and text.isdigit() and text.endswith("000") and uscc_problem(text):
        # Excel keeps 15 significant digits: an all-digit code it stored as a number ends in 000 when saved
        raise CellError(
            f"统一社会信用代码 {text} 的校验码不对，且末三位是 000：很可能是 Excel 把代码当成数字，只保留了前 15 位。"
            "请把该列设置为“文本”格式后重新填写代码",
            f"the 统一社会信用代码 {text} fails its check character and ends in 000: Excel probably stored it as a "
            "number and kept 15 digits; format the column as Text and type the code again",
        )
    if _SCIENTIFIC.match(text):
        raise CellError(
            f"统一社会信用代码是 Excel 的科学计数法（{text}）：代码被当成了数字，末几位已经丢失。"
            "请在 Excel 中把该列设置为“文本”格式后重新填写，再另存为 CSV",
            f"the 统一社会信用代码 is in Excel's scientific notation ({text}): the code was stored as a number and "
            "lost its last digits; format the column as Text in Excel, type the code again and save the CSV again",
        )
    return text


def cell_value(kind: str, value: object) -> object:
    """A cell as the fact model wants it. Raises ValueError (a CellError, in both languages) for a cell that
    cannot be read. A value this cannot read otherwise is passed on unchanged, so validation reports it with
    its path."""
    if kind == "bool":  # read by the fact model's own parser (facts.values), as at every other door
        return bool_value(value.strip() if isinstance(value, str) else value)
    if kind == "date":
        return read_date(value)
    if kind in ("events", "group", "optional_group"):
        text = _text(value)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            zh = '应为 JSON 数组，如 [{"date": "2021-10-12"}]' if kind == "events" else "应为 JSON 对象"
            expected = 'a JSON array, e.g. [{"date": "2021-10-12"}]' if kind == "events" else "a JSON object"
            raise CellError(
                f"{zh}；不是有效的 JSON（第 {exc.pos + 1} 个字符处：{exc.msg}）",
                f"expected {expected}; not valid JSON ({exc.msg} at character {exc.pos + 1})",
            ) from None
        except RecursionError:
            raise CellError("不是有效的 JSON：嵌套太深", "not valid JSON: nested too deep") from None
        return parsed
    if kind == "enum_list":
        text = _text(value)
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise CellError(f"不是有效的 JSON 数组（{exc.msg}）", f"not a valid JSON array ({exc.msg})") from None
            except RecursionError:
                raise CellError("不是有效的 JSON 数组：嵌套太深", "not a valid JSON array: nested too deep") from None
        return [part for part in _LIST_SPLIT.split(text) if part]
    return _text(value)


# the first words of a register's footer rows: 合计 12 家, 备注：…, 注：…, 填表人：…
FOOTER_WORDS = ("合计", "总计", "小计", "备注", "注：", "注:", "说明：", "说明:", "填表人", "审核人", "制表", "负责人")


def footer_text(cells: Sequence[object], uscc_index: int | None) -> str | None:
    """The text of a footer row (合计…, 备注…, 注：…, or text only in the first cell), None for any other row.
    A row with a 统一社会信用代码 is never a footer: it is an enterprise, even if its name begins 合计."""
    if uscc_index is not None and uscc_index < len(cells) and _filled(cells[uscc_index]):
        return None
    filled = [i for i, c in enumerate(cells) if _filled(c)]
    if not filled:
        return None
    first = _text(cells[filled[0]])
    if filled == [0] or first.startswith(FOOTER_WORDS):
        return first
    return None


def _filled(cell: object) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _str_reader(kind: str, path: tuple[str, ...]) -> Callable[[str], object]:
    """The fast path for a text cell (every CSV cell, most XLSX ones) of a field of this kind."""
    if path == ("enterprise", "uscc"):
        return read_uscc
    if kind == "bool":
        return bool_value
    if kind == "date":

        def read_iso_date(text: str) -> object:
            if len(text) == 10 and text[4] == "-" and text[7] == "-":
                return text  # ISO already (most date cells): the model checks it, as for a facts document
            return read_date(text)

        return read_iso_date
    if kind in ("text", "grade", "enum"):
        return str.strip
    return lambda text: cell_value(kind, text)


def _unreadable(raw: str) -> CellError:
    if len(raw) > MAX_CELL_CHARS:
        return CellError(
            f"单元格有 {len(raw):,} 个字符，超过上限 {MAX_CELL_CHARS:,}",
            f"a cell of {len(raw):,} characters: the limit is {MAX_CELL_CHARS:,}",
        )
    return CellError(
        "有的字节不是登记表所用编码的文字（是否有一行以 GBK 保存在 UTF-8 文件中？）；请重新保存",
        "bytes that are not text in the register's encoding (a row saved as GBK in a UTF-8 file?); save it again",
    )


class RowReader:
    """Turns a row of cells into a facts document (contract §1-2), reporting the cells it cannot read (in
    Chinese, or in English with lang="en")."""

    def __init__(
        self, columns: Sequence[Column], lang: str = "zh", width: int | None = None, carried: Sequence[int] = ()
    ) -> None:
        self.columns = tuple(columns)
        self.lang = lang
        self.width = width  # the header's width: a cell beyond it is reported (None: not checked)
        self.carried = tuple(carried)  # columns copied into the results: they must be text the output can hold
        width = max((c.index for c in columns), default=-1) + 1
        # one step per cell position (None: an ignored column), so blank cells cost one test each
        self._plan: list[tuple[tuple[str, ...], str, str, Callable[[str], object]] | None] = [None] * width
        for c in columns:
            self._plan[c.index] = (c.path[:-1], c.path[-1], c.kind, _str_reader(c.kind, c.path))

    def __call__(self, values: Sequence[object], decoded: bool = False) -> tuple[dict[str, Any], list[Problem]]:
        """The row's facts document and the problems of its cells. `decoded`: the caller has found no byte
        left undecoded in the row (Evaluator searches a CSV chunk's text once), so no cell is searched again."""
        doc: dict[str, Any] = {}
        problems: list[Problem] = []
        for raw, step in zip(values, self._plan, strict=False):
            if raw == "" or raw is None or step is None:
                continue
            parents, last, kind, read = step
            try:
                if raw.__class__ is str:
                    if raw.isspace():
                        continue
                    if len(raw) > MAX_CELL_CHARS or (not decoded and UNDECODED.search(raw)):
                        raise _unreadable(raw)
                    value = read(raw)
                elif raw.__class__ is BadCell:  # an XLSX cell the reader could not read
                    raise CellError(raw.zh or raw.reason, raw.reason)
                elif last == "uscc" and parents == ("enterprise",):
                    value = read_uscc(raw)
                else:
                    value = cell_value(kind, raw)
            except CellError as exc:
                problems.append(Problem(".".join((*parents, last)), exc.zh if self.lang == "zh" else exc.en))
                continue
            except ValueError as exc:
                problems.append(Problem(".".join((*parents, last)), str(exc)))
                continue
            target = doc
            for part in parents:
                target = target.setdefault(part, {})
            target[last] = value
        if self.width is not None and len(values) > self.width:
            problems += _beyond_header(values, self.width, self.lang)
        if self.carried and not decoded:
            problems += self._undecoded_carried(values)
        return doc, problems

    def _undecoded_carried(self, values: Sequence[object]) -> list[Problem]:
        """A carried cell with bytes not in the register's encoding: the results could not hold it as text, and
        copying it changed would alter what the register says; the row is reported like a cell that is read."""
        for index in self.carried:
            value = values[index] if index < len(values) else None
            if isinstance(value, str) and UNDECODED.search(value):
                error = _unreadable(value)
                return [Problem(f"column {column_letter(index)}", error.zh if self.lang == "zh" else error.en)]
        return []


def _beyond_header(values: Sequence[object], width: int, lang: str) -> list[Problem]:
    """A cell right of the last header: no column says what it is, so the row is not read rather than read
    without it (a shifted row, a comma too many in a CSV, a value typed into the wrong column)."""
    for index in range(width, len(values)):
        value = values[index]
        if value is not None and not (isinstance(value, str) and (value == "" or value.isspace())):
            shown = str(value) if len(str(value)) <= 40 else str(value)[:40] + "…"
            letter = column_letter(index)
            if lang == "zh":
                message = (
                    f"{letter} 列在表头的 {width} 列之外，却有内容「{shown}」：没有表头说明它是什么；"
                    "请给该列加上表头，或删除该单元格（多了一个逗号？整行错位？）"
                )
            else:
                message = (
                    f"a cell beyond the header's {width} columns holds '{shown}': no header says what it is; "
                    "give the column a header, or delete the cell (a comma too many, a shifted row?)"
                )
            return [Problem(f"column {letter}", message)]
    return []


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
