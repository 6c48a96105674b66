"""The Chinese names of the facts a diff region or a rule comparison speaks of: each fact path, the listing
states, the questions, the event lists and their attributes (the trace has the outcome and enumeration labels;
these are the names of the fields themselves)."""

from __future__ import annotations

FIELD_LABELS: dict[str, str] = {
    "enterprise.district": "所在区县",
    "enterprise.industry": "所属行业",
    "enterprise.permit_no": "排污许可证编号",
    "enterprise.key_discharger": "重点排污单位",
    "enterprise.small_micro": "小微企业",
    "enterprise.traits.epidemic_essential": "疫情防控急需",
    "enterprise.traits.livelihood_key_industry": "民生保障重点行业",
    "enterprise.traits.livelihood_related": "民生相关",
    "enterprise.traits.low_emission": "排放量小",
    "enterprise.traits.low_risk": "环境风险低",
    "enterprise.traits.high_employment": "吸纳就业能力强",
    "enterprise.traits.major_project": "重大工程项目",
    "enterprise.traits.key_sector": "重点行业",
    "enterprise.traits.green_certified": "获得环保绿色认证",
    "enterprise.traits.frequent_exceedances": "自动监测超标频次高",
    "enterprise.traits.many_complaints": "举报投诉多",
    "enterprise.traits.new_eia_approval": "新取得环评批复",
    "enterprise.traits.newly_self_accepted": "新完成自主验收",
    "enterprise.traits.long_term_compliant": "长期稳定达标排放",
    "enterprise.traits.high_disclosure": "信息公开程度高",
    "enterprise.traits.community_engagement": "与周边社区互动良好",
    "enterprise.traits.frequent_violator": "环境违法频次高",
    "enterprise.traits.high_environmental_harm": "环境危害大",
    "enterprise.monitoring.installed": "已安装在线监控",
    "enterprise.monitoring.networked": "在线监控已联网",
    "enterprise.monitoring.stable": "在线监控稳定运行",
    "enterprise.monitoring.compliant": "在线监控数据稳定达标",
    "enterprise.credit_rating": "环境信用评价",
    "enterprise.listing": "正面清单",
    "enterprise.listing.listed_on": "纳入正面清单之日",
    "enterprise.listing.category": "纳入类别",
    "enterprise.listing.removed_on": "移出正面清单之日",
    "inspection_request": "现场检查请求",
    "inspection_request.grounds": "检查事由",
    "inspection_request.self_check_report": "企业已提交自查报告",
    "inspection_request.review_needs_site_visit": "审核认为需赴现场",
    "inspection_request.approvals": "已获批准",
    "inspection_request.in_plan": "列入执法计划",
    "inspection_request.enterprise_consent": "企业同意",
    "inspection_request.risk_hazard_campaign": "环境风险隐患排查整治",
    "violation_case": "违法案件",
    "violation_case.date": "违法行为发生之日",
    "violation_case.no_subjective_fault": "非主观过错",
    "violation_case.self_reported": "主动报告",
    "violation_case.eliminated": "及时消除",
    "violation_case.hazard_reported_and_handled": "隐患及时报告并妥善处置",
    "violation_case.harm": "危害后果",
    "violation_case.first_offence": "初次违法",
    "violation_case.corrected": "及时改正",
    "violation_case.exceedance_from_poor_management": "管理不善导致超标排放",
    "violation_case.malicious": "恶意违法",
    "violation_case.suspected_crime": "涉嫌犯罪",
    "violation_case.green_innovation": "绿色创新",
    "violation_case.other_legal_exemption": "其他依法免罚情形",
    "violation_case.minor_violation": "违法行为轻微",
    "violation_case.harm_mitigated": "主动减轻危害后果",
    "violation_case.affects_epidemic_control": "影响疫情防控",
    "violation_case.major_violation": "重大环境违法问题",
}

LISTING_STATES: dict[tuple[str, ...], str] = {
    ("current",): "在正面清单内",
    ("absent",): "从未纳入正面清单",
    ("removed",): "已移出正面清单",
    ("absent", "removed"): "不在正面清单内",
    ("current", "removed"): "现在或曾经在正面清单内",
}

EVENTS: dict[str, str] = {"violations": "环境违法记录", "inspections": "检查记录", "objections": "反对意见"}

EVENT_WORDS: dict[str, tuple[str, str]] = {
    "serious": ("严重", "非严重"),
    "on_site": ("现场", "非现场"),
    "upheld": ("经复核属实", "未经复核属实"),
    "objector": ("由相关部门、行业协会或社会组织提出", "由其他主体提出"),
    "reasoned": ("说明理由", "未说明理由"),
    "entry": ("在纳入前的准入期间内", "不在纳入前的准入期间内"),
}

UNITS = {"years": "年", "months": "个月", "days": "日"}


def field_label(path: str) -> str:
    """A fact path's Chinese name; the path itself where none is recorded."""
    return FIELD_LABELS.get(path, path)
