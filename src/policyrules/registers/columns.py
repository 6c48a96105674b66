"""Register columns: the Chinese header aliases, header normalisation and the resolution of a header row to facts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ..conditions import FACT_FIELDS
from ..errors import Problem, did_you_mean
from .errors import BatchError

# Chinese column headers accepted as aliases of fact paths (documented, table by table, in docs/batch.md).
ALIASES: dict[str, str] = {
    # 附表2 and 二、（三）: the published fields
    "企业名称": "enterprise.name",
    "名称": "enterprise.name",
    "单位名称": "enterprise.name",
    "统一社会信用代码": "enterprise.uscc",
    "所在地": "enterprise.district",
    "所在区县": "enterprise.district",
    "所属行业": "enterprise.industry",
    "行业代码": "enterprise.industry",
    "排污许可证编号（排污登记编号）": "enterprise.permit_no",
    "排污许可证编号": "enterprise.permit_no",
    "排污登记编号": "enterprise.permit_no",
    # the enterprise
    "重点排污单位": "enterprise.key_discharger",
    "小微企业": "enterprise.small_micro",
    "环保信用评价结果": "enterprise.credit_rating",
    "环境信用评价结果": "enterprise.credit_rating",
    "疫情防控急需企业": "enterprise.traits.epidemic_essential",
    "民生保障重点行业企业": "enterprise.traits.livelihood_key_industry",
    "与民生保障密切相关": "enterprise.traits.livelihood_related",
    "污染排放量小": "enterprise.traits.low_emission",
    "环境风险低": "enterprise.traits.low_risk",
    "吸纳就业能力强": "enterprise.traits.high_employment",
    "重大工程项目": "enterprise.traits.major_project",
    "重点领域企业": "enterprise.traits.key_sector",
    "获得环保绿色认证": "enterprise.traits.green_certified",
    "自动监测超标频次高": "enterprise.traits.frequent_exceedances",
    "举报投诉多": "enterprise.traits.many_complaints",
    "新取得环评批复": "enterprise.traits.new_eia_approval",
    "新完成自主验收": "enterprise.traits.newly_self_accepted",
    "长期稳定达标排放": "enterprise.traits.long_term_compliant",
    "信息公开程度高": "enterprise.traits.high_disclosure",
    "与周边社区互动良好": "enterprise.traits.community_engagement",
    "环境违法频次高": "enterprise.traits.frequent_violator",
    "环境危害大": "enterprise.traits.high_environmental_harm",
    "已安装在线监控": "enterprise.monitoring.installed",
    "在线监控已联网": "enterprise.monitoring.networked",
    "在线监控稳定运行": "enterprise.monitoring.stable",
    "在线监控数据稳定达标": "enterprise.monitoring.compliant",
    "环境违法记录": "enterprise.violations",
    "执法检查记录": "enterprise.inspections",
    "反对意见": "enterprise.objections",
    "纳入正面清单日期": "enterprise.listing.listed_on",
    "纳入日期": "enterprise.listing.listed_on",
    "纳入类别": "enterprise.listing.category",
    "移出正面清单日期": "enterprise.listing.removed_on",
    "移出日期": "enterprise.listing.removed_on",
    # the questions
    "检查事由": "inspection_request.grounds",
    "已先行自查并提交书面报告": "inspection_request.self_check_report",
    "经审核仍需赴现场": "inspection_request.review_needs_site_visit",
    "已获批准": "inspection_request.approvals",
    "已纳入执法计划": "inspection_request.in_plan",
    "事先征得企业同意": "inspection_request.enterprise_consent",
    "环境风险隐患排查整治": "inspection_request.risk_hazard_campaign",
    "违法行为日期": "violation_case.date",
    "非主观过错": "violation_case.no_subjective_fault",
    "主动报告": "violation_case.self_reported",
    "及时消除": "violation_case.eliminated",
    "风险隐患及时报告并妥善处置": "violation_case.hazard_reported_and_handled",
    "危害后果": "violation_case.harm",
    "初次环境违法": "violation_case.first_offence",
    "及时改正": "violation_case.corrected",
    "因管理不善导致超标排放": "violation_case.exceedance_from_poor_management",
    "恶意违法": "violation_case.malicious",
    "涉嫌犯罪": "violation_case.suspected_crime",
    "探索绿色生产力": "violation_case.green_innovation",
    "其他法定免罚情形": "violation_case.other_legal_exemption",
    "违法行为轻微": "violation_case.minor_violation",
    "主动减轻危害后果": "violation_case.harm_mitigated",
    "影响疫情防控": "violation_case.affects_epidemic_control",
    "重大环境违法问题": "violation_case.major_violation",
}

# Columns a bureau's sheet often has that carry nothing to evaluate: skipped.
IGNORED_COLUMNS = ("序号", "备注", "正面清单有效期", "row")


def normalise_header(text: str) -> str:
    """Full-width forms to ASCII (NFKC), whitespace removed: '排污许可证编号（排污登记编号）' and
    '排污许可证编号(排污登记编号)' are the same column."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_ALIASES_NORMALISED = {normalise_header(k): v for k, v in ALIASES.items()}
_IGNORED_NORMALISED = {normalise_header(k) for k in IGNORED_COLUMNS}


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    path: tuple[str, ...]
    kind: str  # FACT_FIELDS kind


def column_path(header: str) -> str | None:
    """The fact path a column header names (full dotted path, short form without 'enterprise.', or a Chinese
    alias), None for an ignored column; raises KeyError for an unknown one."""
    text = normalise_header(header)
    if not text or text in _IGNORED_NORMALISED:
        return None
    if text in _ALIASES_NORMALISED:
        return _ALIASES_NORMALISED[text]
    lowered = text.lower()
    for candidate in (lowered, "enterprise." + lowered):
        if candidate in FACT_FIELDS and candidate not in ("enterprise",):
            return candidate
    raise KeyError(header)


@dataclass(frozen=True)
class Layout:
    """A register's header resolved: the columns read as facts, and the columns carried through to the results
    unread (index, header as written), both in the register's order."""

    columns: tuple[Column, ...]
    carried: tuple[tuple[int, str], ...] = ()  # columns the library does not know: carried in every language
    kept: tuple[tuple[int, str], ...] = ()  # 序号, 备注, 正面清单有效期: carried in the Chinese results only

    def through(self, lang: str) -> tuple[tuple[int, str], ...]:
        """The columns carried through to the results in this language, in the register's order. The English
        results (for systems) keep their columns exactly as before, plus any column that used to be refused."""
        if lang == "en":
            return self.carried
        return tuple(sorted((*self.carried, *self.kept)))


def resolve_columns(header: Sequence[object], file: str | None = None) -> list[Column]:
    """The columns of a header row, or a BatchError naming every unknown or clashing column (the strict form:
    dask_batch and `--strict-columns`)."""
    return list(resolve_layout(header, file, strict=True).columns)


def resolve_layout(header: Sequence[object], file: str | None = None, strict: bool = False) -> Layout:
    """The columns of a header row. A column the library does not read (法定代表人, 联系电话, 备注 …) is carried
    through to the results, unless `strict`, which refuses an unknown one as before; two columns for one fact,
    and a column for part of a group another column gives whole, are refused either way."""
    columns: list[Column] = []
    carried: list[tuple[int, str]] = []
    kept: list[tuple[int, str]] = []
    problems: list[Problem] = []
    known = sorted({*FACT_FIELDS, *(p.removeprefix("enterprise.") for p in FACT_FIELDS), *ALIASES})
    for index, cell in enumerate(header):
        text = "" if cell is None else str(cell)
        try:
            path = column_path(text)
        except KeyError:
            if not strict:
                carried.append((index, text.strip()))
                continue
            problems.append(
                Problem(
                    f"column {index + 1}",
                    f"unknown column '{text}'{did_you_mean(text, known)}: name a fact path "
                    "(enterprise.monitoring.installed, or monitoring.installed) or a Chinese header of docs/batch.md",
                    file,
                )
            )
            continue
        if path is not None:
            columns.append(Column(index, text, tuple(path.split(".")), FACT_FIELDS[path].kind))
        elif text.strip() and normalise_header(text).lower() != "row":
            kept.append((index, text.strip()))  # 序号, 备注 …: not read, but the officer's own
    problems += _clashes(columns, file)
    if not any(c.path in (("enterprise", "uscc"), ("enterprise",)) for c in columns):
        problems.append(
            Problem("", "no 统一社会信用代码 (enterprise.uscc) column: is the header row the first row?", file)
        )
    if problems:
        raise BatchError(problems)
    return Layout(tuple(columns), tuple(carried), tuple(kept))


def _clashes(columns: Sequence[Column], file: str | None) -> list[Problem]:
    """Two columns for one fact, or a column for part of a group that another gives whole."""
    problems: list[Problem] = []
    for col in columns:
        for other in columns:
            if other is col:
                continue
            if other.path == col.path and other.index > col.index:
                problems.append(
                    Problem(
                        f"column {other.index + 1}",
                        f"'{other.header}' and '{col.header}' both give {'.'.join(col.path)}",
                        file,
                    )
                )
            elif other.path[: len(col.path)] == col.path and len(other.path) > len(col.path):
                problems.append(
                    Problem(
                        f"column {other.index + 1}",
                        f"'{other.header}' sets part of {'.'.join(col.path)}, which column '{col.header}' "
                        "gives whole (as JSON): use one or the other",
                        file,
                    )
                )
    return problems
