"""A register's row problems in Chinese, the default for people (`--lang en` keeps the English).

The cells' own problems are written in both languages where they arise (cells.CellError). The fact model and
the pack report in English (pydantic's messages, the identifier checks); this turns the messages they give into
Chinese, pattern by pattern, keeping every value they quote. A message no pattern knows is kept as it is, in
English, rather than guessed at."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from ..errors import Problem

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, render: Callable[[re.Match[str]], str]) -> _Rule:
    return re.compile(pattern, re.S), render


def _found(m: re.Match[str]) -> str:
    """'（实际为 …）' for a message that ends in (found …)."""
    found = m.groupdict().get("found")
    return f"（实际为 {found}）" if found else ""


_FOUND = r"(?: \(found (?P<found>.*)\))?$"
_CALENDAR = r"^expected a date .*?: '(.*)' is not a calendar date "  # facts.values.parse_date

# rows that cannot be read at all, and outputs that would destroy a file (lines.py, xlsx.RowCutter, safe_write)
_SAFETY_RULES: tuple[_Rule, ...] = (
    _rule(
        r"^expected a facts document \(a JSON object\), found (.*)$",
        lambda m: f"应为一份事实文档（JSON 对象），实际为 {m[1]}",
    ),
    _rule(
        r"^a quoted field opened in this row is never closed.*$",
        lambda m: (
            "本行有一个以引号开头的单元格没有结束引号：本行未读取，其后各行照常读取；"
            '请补上结束的引号，或把文本中的引号写成两个（""）'
        ),
    ),
    _rule(
        r"^row (\d+) comes again after row (\d+) in the sheet XML \(a damaged file\): this copy is not read$",
        lambda m: f"工作表 XML 中第 {m[1]} 行在第 {m[2]} 行之后再次出现（文件已损坏）：此行未读取",
    ),
    _rule(
        r"^its <row> is never closed in the sheet XML \(a damaged file\): the row is not read$",
        lambda m: "工作表 XML 中本行的 <row> 没有结束（文件已损坏）：本行未读取",
    ),
    _rule(
        r"^cells outside any <row> in the sheet XML \(a damaged file\): not read$",
        lambda m: "工作表 XML 中有不属于任何行的单元格（文件已损坏）：未读取",
    ),
    _rule(r"^not a CSV row: (.*)$", lambda m: f"不是有效的 CSV 行：{m[1]}"),
    _rule(r"^the row cannot be evaluated$", lambda m: "本行无法评估"),
    _rule(
        r"^the output '(.*)' is the input '(.*)': writing it would destroy the input; name another output file$",
        lambda m: f"输出文件 '{m[1]}' 就是输入文件 '{m[2]}'：写入会毁掉输入；请另取一个输出文件名",
    ),
    _rule(
        r"^the folder '(.*)' does not exist: create it first, or name another$",
        lambda m: f"文件夹 '{m[1]}' 不存在：请先创建，或换一个文件夹",
    ),
    _rule(r"^'(.*)' is a folder: name a file inside it$", lambda m: f"'{m[1]}' 是文件夹：请指定其中的一个文件"),
    _rule(r"^cannot write beside '(.*)': (.*)$", lambda m: f"无法在 '{m[1]}' 所在的文件夹写入：{m[2]}"),
    _rule(
        r"^the records database '(.*)' is also '(.*)'$",
        lambda m: f"记录数据库 '{m[1]}' 同时也是 '{m[2]}'：请另取一个文件名",
    ),
)

_RULES: tuple[_Rule, ...] = (
    _rule(
        r"^not a valid 统一社会信用代码: check character is '(.)' but GB 32100-2015 gives '(.)' for (\w+)" + _FOUND,
        lambda m: (
            f"不是有效的统一社会信用代码：校验码是 '{m[1]}'，按 GB 32100-2015 前 17 位 {m[3]} 的校验码应为 "
            f"'{m[2]}'，请核对代码是否抄错{_found(m)}"
        ),
    ),
    _rule(
        r"^not a valid 统一社会信用代码: expected 18 characters, found (\d+)" + _FOUND,
        lambda m: f"不是有效的统一社会信用代码：应为 18 位，实际 {m[1]} 位{_found(m)}",
    ),
    _rule(
        r"^not a valid 统一社会信用代码: characters (.*) are not in the GB 32100-2015 set .*?\(no I, O, S, V, Z\)"
        + _FOUND,
        lambda m: (
            f"不是有效的统一社会信用代码：字符 {m[1]} 不在 GB 32100-2015 的字符集中（不使用 I、O、S、V、Z）{_found(m)}"
        ),
    ),
    # the fact model's own parser (facts.values), shared by every door
    _rule(
        _CALENDAR + r"\(month must be in 1\.\.12\)" + _FOUND,
        lambda m: f"日期 {m[1]} 不存在（月份应为 1 至 12）",
    ),
    _rule(
        _CALENDAR + r"\(day is out of range for month\)" + _FOUND,
        lambda m: f"日期 {m[1]} 不存在（该月没有这一天）",
    ),
    _rule(
        _CALENDAR + r"\(year 0 is out of range\)" + _FOUND,
        lambda m: f"日期 {m[1]} 不存在（没有公元 0 年）",
    ),
    _rule(
        _CALENDAR + r"\((.*?)\)" + _FOUND,
        lambda m: f"日期 {m[1]} 不存在（{m[2]}）",
    ),
    _rule(
        r"^expected a date .*?, not a date and time of day" + _FOUND,
        lambda m: f"应为日期，不带时刻，如 2021-09-30{_found(m)}",
    ),
    _rule(
        r"^expected a date YYYY-MM-DD .*?" + _FOUND,
        lambda m: f"应为日期，如 2021-09-30、2021/9/30、2021年9月30日 或 20210930{_found(m)}",
    ),
    _rule(r"^expected true or false .*?" + _FOUND, lambda m: f"应为 是/否{_found(m)}"),
    _rule(
        r"^Input should be a valid date.*?, month value is outside expected range of 1-12 \(found '(.*)'\)$",
        lambda m: f"日期 {m[1]} 不存在（月份应为 1 至 12）",
    ),
    _rule(
        r"^Input should be a valid date.*?, day value is outside expected range \(found '(.*)'\)$",
        lambda m: f"日期 {m[1]} 不存在（该月没有这一天）",
    ),
    _rule(
        r"^Input should be a valid date.*?, year 0 is out of range \(found '(.*)'\)$",
        lambda m: f"日期 {m[1]} 不存在（没有公元 0 年）",
    ),
    _rule(
        r"^Input should be a valid date.*?" + _FOUND,
        lambda m: f"应为日期，如 2021-09-30、2021/9/30 或 2021年9月30日{_found(m)}",
    ),
    _rule(r"^Input should be a valid boolean.*?" + _FOUND, lambda m: f"应为 是/否{_found(m)}"),
    _rule(r"^Input should be a valid string.*?" + _FOUND, lambda m: f"应为文字{_found(m)}"),
    _rule(r"^Input should be a valid (?:list|tuple|array).*?" + _FOUND, lambda m: f"应为列表（JSON 数组）{_found(m)}"),
    _rule(
        r"^Input should be a valid dictionary.*?" + _FOUND,
        lambda m: f"应为 JSON 对象（含合同规定的键）{_found(m)}",
    ),
    _rule(r"^String should have at least 1 character.*?" + _FOUND, lambda m: f"不能为空{_found(m)}"),
    _rule(r"^required field is missing$", lambda m: "缺少必填项"),
    _rule(
        r"^expected one of (.*) \(or its Chinese label\), found (.*)$",
        lambda m: f"应为以下之一（代码或中文名称）：{m[1]}；实际为 {m[2]}",
    ),
    _rule(
        r"^unknown key '([^']*)'(.*?) \(known keys here: (.*)\)$",
        lambda m: f"未知的键 '{m[1]}'{_did_you_mean(m[2])}（此处可用的键：{m[3]}）",
    ),
    _rule(
        r"^'(.*)' is not a grade of (.*?)(?: \(did you mean '(.*)'\?\))?; expected one of (.*)$",
        lambda m: (
            f"'{m[1]}' 不是{m[2]}的等级" + (f"（是否应为 '{m[3]}'？）" if m[3] else "") + f"；应为以下之一：{m[4]}"
        ),
    ),
    _rule(
        r"^removed_on (\S+) is before listed_on (\S+);.*$",
        lambda m: f"移出日期 {m[1]} 早于纳入日期 {m[2]}：企业不能在纳入正面清单之前被移出",
    ),
    _rule(
        r"^permit_no '(.*)' is not a 排污许可证编号/排污登记编号: .*$",
        lambda m: (
            f"'{m[1]}' 不是排污许可证编号/排污登记编号：应为 18 位统一社会信用代码后加 3 位数字和 1 个字母"
            "（HJ 608-2017），如 91350100M000100Y43001P"
        ),
    ),
    _rule(
        r"^permit_no begins with (\w+) but the enterprise's uscc is (\w+);.*$",
        lambda m: (
            f"排污许可证编号以 {m[1]} 开头，而企业的统一社会信用代码是 {m[2]}：许可证编号应为持证单位自己的代码加 3 位"
            "数字和 1 个字母"
        ),
    ),
    _rule(
        r"^the case is dated (\S+), after the evaluation date (\S+);.*$",
        lambda m: f"违法行为日期 {m[1]} 晚于评估日期 {m[2]}：评估日尚不知道的案件无法判断",
    ),
    _rule(r"^not a valid JSON line: (.*)$", lambda m: f"不是有效的 JSON 行：{m[1]}"),
    # the batch's own errors (the register as a whole)
    _rule(r"^file not found$", lambda m: "文件不存在"),
    _rule(r"^is a directory, not a register$", lambda m: "这是一个文件夹，不是名录文件"),
    _rule(
        r"^unknown column '(.*)'(.*?): name a fact path .*$",
        lambda m: (
            f"未知的列 '{m[1]}'{_did_you_mean(m[2])}：请使用 docs/batch.md 中的中文表头或事实路径"
            "（如 enterprise.monitoring.installed）；不加 --strict-columns 时，未知的列原样带入结果"
        ),
    ),
    _rule(
        r"^no 统一社会信用代码 \(enterprise.uscc\) column: .*$",
        lambda m: "没有“统一社会信用代码”列：表头行（前 20 行中写有“统一社会信用代码”的一行）找不到",
    ),
    _rule(r"^no header row naming 统一社会信用代码.*$", lambda m: "前 20 行中没有写有“统一社会信用代码”的表头行"),
    _rule(r"^the (?:register|sheet) is empty \(no header row\)$", lambda m: "名录是空的（没有表头行）"),
    _rule(
        r"^cannot tell the register's format from '(.*)': .*$",
        lambda m: f"无法从 '{m[1]}' 判断名录格式：请使用 .jsonl、.csv、.xlsx、.xls 或 .ods 文件",
    ),
    _rule(
        r"^cannot tell the output format from '(.*)': .*$",
        lambda m: f"无法从 '{m[1]}' 判断结果格式：请使用 .csv、.xlsx 或 .jsonl",
    ),
    _rule(
        r"^not (\S+) text \((.*)\); give --encoding.*$",
        lambda m: f"不是 {m[1]} 编码的文本（{m[2]}）：请用 --encoding 指定编码（如 gb18030）",
    ),
    _rule(r"^not a readable \.(\w+) workbook: (.*)$", lambda m: f"无法读取的 .{m[1]} 工作簿：{m[2]}"),
    # the published lists (register export)
    _rule(r"^batch results are \.jsonl, \.csv or \.xlsx$", lambda m: "batch 的结果文件应为 .jsonl、.csv 或 .xlsx"),
    _rule(r"^not batch results: no (\S+) column$", lambda m: f"不是 batch 的结果文件：没有 {m[1]} 列"),
    _rule(
        r"^no enterprise in the results is on the list \(listing: keep\)$",
        lambda m: "结果中没有留在正面清单上的企业（清单调整结论为“保留”）",
    ),
    _rule(
        r"^the results come from several packs \((.*)\)$", lambda m: f"结果来自多个政策包（{m[1]}）：请用 --pack 指定"
    ),
    _rule(
        r"^pack (\S+) sets no validity period .*$",
        lambda m: (
            f"政策包 {m[1]} 未规定正面清单有效期，而环办执法〔2021〕10号 二、（三）要求公开有效期："
            "请用 --validity-years 指定"
        ),
    ),
    _rule(
        r"^pack (\S+) sets (\d+) years \(its expiry rule\); (\d+) contradicts it$",
        lambda m: f"政策包 {m[1]} 规定有效期为 {m[2]} 年，与 --validity-years {m[3]} 不符",
    ),
    _rule(r"^a kept listing without listed_on$", lambda m: "保留在清单上的企业没有纳入正面清单日期"),
    _rule(
        r"^the list is written as \.xlsx or \.csv, not '(.*)'$",
        lambda m: f"名单只能写为 .xlsx 或 .csv，不能是 '{m[1]}'",
    ),
    _rule(r"^no sheet '(.*)' \(sheets: (.*)\)$", lambda m: f"没有名为 '{m[1]}' 的工作表（现有：{m[2]}）"),
    _rule(
        r"^(\S+) is in force from (\S+); the evaluation date (\S+) is before it \(pack (\S+)\)\..*$",
        lambda m: (
            f"{m[1]} 自 {m[2]} 起施行，评估日期 {m[3]} 在此之前（政策包 {m[4]}）："
            f"请用 {m[2]} 或之后的日期，或换用其他政策包"
        ),
    ),
    _rule(
        r"^(\S+) was in force until (\S+); the evaluation date (\S+) is after it \(pack (\S+)\)\.$",
        lambda m: f"{m[1]} 施行至 {m[2]}，评估日期 {m[3]} 在此之后（政策包 {m[4]}）",
    ),
    _rule(r"^'(.*)' and '(.*)' both give (.*)$", lambda m: f"'{m[1]}' 和 '{m[2]}' 两列都给出 {m[3]}：只保留一列"),
    *_SAFETY_RULES,
)


def _did_you_mean(text: str) -> str:
    m = re.search(r"did you mean '(.*)'\?", text)
    return f"（是否应为 '{m[1]}'？）" if m else ""


def zh_message(message: str) -> str:
    """The message in Chinese when a pattern knows it, else as it is."""
    for pattern, render in _RULES:
        m = pattern.match(message)
        if m:
            return render(m)
    return message


def zh_problems(problems: Iterable[Problem]) -> list[Problem]:
    """The problems with their messages in Chinese (where known) and their location kept."""
    return [replace(p, path=_zh_path(p.path), message=zh_message(p.message)) for p in problems]


def _zh_path(path: str) -> str:
    m = re.match(r"^column (\d+|[A-Z]+)$", path)
    if m is None:
        return path
    return f"第 {m[1]} 列" if m[1].isdigit() else f"{m[1]} 列"
