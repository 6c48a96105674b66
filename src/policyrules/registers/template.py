"""A blank register to fill in (`policyrules template`): one column per fact under its Chinese header, the code
column kept as text (so Excel cannot turn an 18-digit code into a number), date columns as dates, 是/否 lists on
the yes-or-no columns; and a 说明 sheet giving, for every column, what it means, the values it accepts (with every
other header that names it) and an example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..conditions import FACT_FIELDS
from .columns import ALIASES
from .safe_write import atomic_path

REGISTER_SHEET = "排污单位名录"
NOTES_SHEET = "说明"
NOTES_HEADER = ("列名", "含义", "可填写的值", "示例", "也可写作", "对应事实")

# what a column means, where its header alone does not say it (contract §1–2)
MEANINGS: dict[str, str] = {
    "enterprise.name": "企业（单位）名称，必填",
    "enterprise.uscc": "统一社会信用代码（GB 32100-2015），必填；校验码会被核对",
    "enterprise.district": "所在地（区县）",
    "enterprise.industry": "国民经济行业分类代码（GB/T 4754）",
    "enterprise.permit_no": "排污许可证编号或排污登记编号：统一社会信用代码后加 3 位数字和 1 个字母",
    "enterprise.credit_rating": "企业环境信用评价结果（政策包所用的评价体系中的等级）",
    "enterprise.traits.epidemic_essential": (
        "疫情防控急需的医疗卫生、物资生产企业，经党委政府或疫情防控指挥部认定、认可"
    ),
    "enterprise.monitoring.installed": "已（按要求）安装在线监控设备",
    "enterprise.monitoring.networked": "在线监控设备与生态环境部门联网",
    "enterprise.monitoring.stable": "在线监控设备稳定运行 / 正常运行",
    "enterprise.violations": "环境违法记录：每次违法一项，含日期；serious 为严重环境违法行为，kind 为违法类型",
    "enterprise.inspections": "执法检查记录：每次检查一项，含日期；on_site 为是否现场检查（默认是）",
    "enterprise.objections": "相关部门、行业协会和社会组织提出并说明理由的反对意见；upheld 为复核属实",
    "enterprise.listing.listed_on": "纳入正面清单的日期（企业在清单上时填写）",
    "enterprise.listing.category": "纳入类别，按原样保存",
    "enterprise.listing.removed_on": "移出正面清单的日期（已移出时填写）",
    "inspection_request.grounds": "拟开展现场检查的事由（填写后即询问能否启动现场检查）",
    "inspection_request.approvals": "已获得的批准，可填多项",
    "inspection_request.in_plan": "已纳入执法计划（空白按“是”）",
    "violation_case.date": "拟处理的违法行为的日期（填写后即询问如何处罚）",
    "violation_case.harm": "危害后果",
}

EXAMPLES: dict[str, str] = {
    "enterprise.name": "重庆示例环保科技有限公司",
    "enterprise.uscc": "91350100M000100Y43",
    "enterprise.district": "渝北区",
    "enterprise.industry": "C2614",
    "enterprise.permit_no": "91350100M000100Y43001P",
    "enterprise.credit_rating": "环保良好",
    "enterprise.violations": '[{"date": "2021-10-12", "serious": false, "kind": "exceedance"}]',
    "enterprise.inspections": '[{"date": "2021-06-01", "on_site": true}]',
    "enterprise.objections": '[{"by": "行业协会", "upheld": true}]',
    "enterprise.listing.category": "4",
}

_ACCEPTED = {
    "text": "文字",
    "bool": "是 / 否（也可写 √/×、有/无、1/0、true/false，或 Excel 的 TRUE/FALSE）；空白按“否”",
    "date": "日期：Excel 日期单元格，或 2021-09-30、2021/9/30、2021.9.30、2021年9月30日、20210930",
    "grade": "信用等级的中文名称或代码，如 环保诚信、环保良好、环保警示、环保不良",
    "events": "JSON 数组，写在一个单元格内（见示例）；空白为没有记录",
}


def template_columns() -> list[tuple[str, str]]:
    """(header, fact path) of the blank register: every fact a cell can give, under its first Chinese header, in
    the contract's order, between 序号 and 备注 (kept in the results, not read)."""
    first: dict[str, str] = {}
    for header, path in ALIASES.items():
        first.setdefault(path, header)
    facts = [(first[p], p) for p, info in FACT_FIELDS.items() if p in first and info.kind not in ("group",)]
    return [("序号", ""), *facts, ("备注", "")]


def _accepted(path: str) -> str:
    info = FACT_FIELDS[path]
    if path == "enterprise.uscc":
        return "18 位代码（本列已设为文本格式，Excel 不会把它变成数字）"
    if info.enum is not None:
        labels = "、".join(f"{label}（{code}）" for code, label in info.enum.labels().items())
        several = "可填多项，用 、 ， ； 分隔，或 JSON 数组；" if info.kind == "enum_list" else ""
        return f"{several}以下之一（中文名称或代码）：{labels}"
    return _ACCEPTED.get(info.kind, "文字")


def _example(path: str) -> str:
    if path in EXAMPLES:
        return EXAMPLES[path]
    info = FACT_FIELDS[path]
    if info.enum is not None:
        return next(iter(info.enum.labels().values()))
    return {"bool": "是", "date": "2021-09-30"}.get(info.kind, "")


def notes_rows() -> list[tuple[str, ...]]:
    """The 说明 sheet: one row per column of the blank register."""
    others: dict[str, list[str]] = {}
    for header, path in ALIASES.items():
        others.setdefault(path, []).append(header)
    rows: list[tuple[str, ...]] = [NOTES_HEADER]
    for header, path in template_columns():
        if not path:
            rows.append((header, "单位自己的列：不参与评估，原样带入结果", "任意", "", "", ""))
            continue
        meaning = MEANINGS.get(path, header)
        alternatives = "、".join(h for h in others[path] if h != header)
        rows.append((header, meaning, _accepted(path), _example(path), alternatives, path))
    rows.append(
        ("（其他列）", "名录中本库不读取的列（法定代表人、联系电话……）原样带入结果，并提示一次", "任意", "", "", "")
    )
    return rows


def write_template(out: Path) -> int:
    """Write the blank register; returns the number of columns."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = template_columns()
    wb = openpyxl.Workbook()
    ws: Any = wb.active
    ws.title = REGISTER_SHEET
    ws.append([h for h, _ in columns])
    yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(yes_no)
    for i, (_, path) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[letter].width = 24 if path in ("enterprise.name", "enterprise.uscc") else 14
        kind = FACT_FIELDS[path].kind if path else ""
        body = f"{letter}2:{letter}1000"
        if path in ("enterprise.uscc", "enterprise.permit_no", "enterprise.industry"):
            for row in range(2, 1001):
                ws.cell(row=row, column=i).number_format = "@"  # text: Excel keeps every digit
        elif kind == "date":
            for row in range(2, 1001):
                ws.cell(row=row, column=i).number_format = "yyyy-mm-dd"
        elif kind == "bool":
            yes_no.add(body)
    ws.freeze_panes = "C2"
    notes = wb.create_sheet(NOTES_SHEET)
    for note in notes_rows():
        notes.append(list(note))
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (26, 48, 60, 36, 30, 40), strict=True):
        notes.column_dimensions[letter].width = width
    notes.freeze_panes = "A2"
    with atomic_path(out) as temp:  # an interrupted write leaves no half a workbook
        wb.save(temp)
    return len(columns)
