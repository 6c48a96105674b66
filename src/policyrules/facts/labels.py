"""The Chinese label and English description of every field of the fact model, as the contract (§1–2) words them:
the schema (`policyrules schema facts`), the reference (docs/reference/facts.md) and the service's API description
are generated from these and the model, and a test fails when a field of the model has none."""

from __future__ import annotations

# model class name -> field -> (Chinese label, English description)
FIELD_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "Facts": {
        "enterprise": ("企业", "The enterprise the questions are about."),
        "inspection_request": ("现场执法检查申请", "Asks: may an on-site inspection of this enterprise start now?"),
        "violation_case": ("环境违法案件", "Asks: how may this violation be treated?"),
    },
    "Enterprise": {
        "name": ("企业名称", "The enterprise's name; required, non-empty."),
        "uscc": (
            "统一社会信用代码",
            "Unified social credit code: 18 characters of the GB 32100-2015 set, check character verified.",
        ),
        "district": ("所在地", "The district or county where the enterprise is."),
        "industry": ("所属行业", "The industry code of GB/T 4754 (国民经济行业分类), e.g. C2614."),
        "permit_no": (
            "排污许可证编号（排污登记编号）",
            "Discharge permit or registration number: the enterprise's own USCC, 3 digits and 1 letter (HJ 608-2017).",
        ),
        "key_discharger": ("重点排污单位", "A key pollutant-discharging unit."),
        "small_micro": ("小微企业", "A small or micro enterprise."),
        "traits": ("企业特征", "Recognised or established traits; each true only where recognised or established."),
        "monitoring": ("在线监控", "Online (automatic) monitoring of its discharges."),
        "credit_rating": (
            "环保信用评价结果",
            "Environmental credit rating: a grade of the pack's scheme, by Chinese name or code "
            "(national: 环保诚信 trustworthy, 环保良好 good, 环保警示 warning, 环保不良 poor).",
        ),
        "violations": ("环境违法记录", "Environmental violations on record."),
        "inspections": ("执法检查记录", "Enforcement inspections on record."),
        "objections": (
            "反对意见",
            "Objections raised, with reasons, by departments, trade associations or social organisations.",
        ),
        "listing": ("正面清单纳入情况", "Present when the enterprise is, or was, on the positive list."),
    },
    "Traits": {
        "epidemic_essential": (
            "疫情防控急需企业",
            "Medical, health or supplies producer urgently needed for epidemic control, recognised by the Party "
            "committee, government or epidemic-control headquarters.",
        ),
        "livelihood_key_industry": ("民生保障重点行业企业", "An enterprise of a key industry for people's livelihood."),
        "livelihood_related": ("与民生保障密切相关", "Closely related to people's livelihood."),
        "low_emission": ("污染排放量小", "Small discharges of pollutants."),
        "low_risk": ("环境风险低", "Low environmental risk."),
        "high_employment": ("吸纳就业能力强", "Employs many people."),
        "major_project": ("重大工程项目", "A major engineering project."),
        "key_sector": ("重点领域企业", "An enterprise of a key sector."),
        "green_certified": ("获得环保绿色认证", "Holds an environmental or green certification."),
        "frequent_exceedances": ("自动监测超标频次高", "Automatic monitoring often shows exceedances."),
        "many_complaints": ("举报投诉多", "Many reports and complaints."),
        "new_eia_approval": ("新取得环评批复", "A construction project with a new environmental impact approval."),
        "newly_self_accepted": ("新完成自主验收", "A construction project that newly completed its own acceptance."),
        "long_term_compliant": ("长期稳定达标排放", "Has discharged within the standards, stably, for a long time."),
        "high_disclosure": ("信息公开程度高", "Discloses much environmental information."),
        "community_engagement": ("与周边社区互动良好", "Engages well with the surrounding community."),
        "frequent_violator": ("环境违法频次高", "Violates often (a finding of the bureau)."),
        "high_environmental_harm": ("环境危害大", "Great environmental harm (a finding of the bureau)."),
    },
    "Monitoring": {
        "installed": ("已安装在线监控", "Online monitoring equipment installed (as required)."),
        "networked": ("在线监控已联网", "Networked with the ecology and environment department."),
        "stable": ("在线监控稳定运行", "Runs stably (normally)."),
        "compliant": ("在线监控数据稳定达标", "Its data stably meet the standards."),
    },
    "Violation": {
        "date": ("违法日期", "When the violation happened; required. Not known before this date."),
        "serious": ("严重环境违法行为", "A serious environmental violation."),
        "kind": ("违法类型", "The kind of violation."),
    },
    "Inspection": {
        "date": ("检查日期", "When the inspection took place; required."),
        "on_site": ("现场执法检查", "An on-site inspection (default true); false for a non-site check."),
    },
    "Objection": {
        "by": ("提出单位", "Who raised the objection, e.g. 行业协会."),
        "upheld": ("复核属实", "Found true on review."),
        "objector": (
            "提出方",
            "Who raised it: a department, a trade association, a social organisation, or another (e.g. a person); "
            "absent when not recorded.",
        ),
        "reasoned": ("说明理由", "Raised with reasons (default true); false for an objection without reasons."),
    },
    "Listing": {
        "listed_on": ("纳入正面清单日期", "When the enterprise was put on the list; required in a listing."),
        "category": (
            "纳入类别",
            "The category it was listed under, as free text kept as given (the 2020 packs read the numbers 1–6).",
        ),
        "removed_on": ("移出正面清单日期", "When it was removed from the list, if it was."),
    },
    "InspectionRequest": {
        "grounds": ("检查事由", "Why the inspection is asked for; required."),
        "self_check_report": ("企业已先行自查并提交书面报告", "The enterprise self-checked and reported in writing."),
        "review_needs_site_visit": ("经审核仍需赴现场调查核实", "On review, a site visit is still needed."),
        "approvals": ("已获批准", "The approvals obtained (any of the codes, or their labels)."),
        "in_plan": ("已纳入执法计划", "The inspection is in the enforcement plan (default true)."),
        "enterprise_consent": ("事先征得企业同意", "The enterprise consented beforehand."),
        "risk_hazard_campaign": ("属于环境风险隐患排查整治", "Part of an environmental risk and hazard campaign."),
        "organised_by": (
            "专项行动组织部门",
            "Who organised the special action or inspection (grounds special_action); absent when not recorded.",
        ),
    },
    "ViolationCase": {
        "date": ("案件日期", "When the case arose; required, on or before the evaluation date."),
        "no_subjective_fault": ("因非主观过错导致", "Caused without subjective fault."),
        "self_reported": ("主动报告", "Reported by the enterprise itself."),
        "eliminated": ("采取有效措施及时消除", "Effective measures removed it in time."),
        "hazard_reported_and_handled": (
            "环境风险隐患及时报告并妥善处置",
            "A risk or hazard found was reported in time and properly handled.",
        ),
        "harm": ("危害后果", "The harm done."),
        "first_offence": ("初次环境违法", "A first environmental violation."),
        "corrected": ("及时改正", "Corrected in time."),
        "exceedance_from_poor_management": ("因管理不善导致超标排放", "An exceedance caused by poor management."),
        "malicious": ("恶意违法", "A malicious violation."),
        "suspected_crime": ("涉嫌犯罪", "Suspected of a crime."),
        "green_innovation": (
            "探索发展绿色生产力过程中出现",
            "Arose while exploring green productivity for energy saving, emission cuts or a better environment.",
        ),
        "other_legal_exemption": ("法律法规规定的其他免于处罚情形", "Another exemption from penalty set by law."),
        "minor_violation": ("违法行为轻微", "The violation itself is minor."),
        "harm_mitigated": ("主动减轻违法行为危害后果", "The enterprise actively mitigated the harm."),
        "affects_epidemic_control": ("影响疫情防控的环境违法行为", "A violation affecting epidemic control."),
        "intentional": ("故意违法", "An intentional violation (a finding of the bureau about this violation)."),
        "serious": (
            "严重违法",
            "A serious violation (严重环境违法行为; a finding of the bureau about this violation).",
        ),
        "major_violation": (
            "重大环境违法问题",
            "A major violation: harms people's environmental rights, the environment's quality or the pollution "
            "control campaign.",
        ),
    },
}

ENUM_TITLES: dict[str, tuple[str, str]] = {
    "ViolationKind": ("违法类型", "The kind of a violation."),
    "Grounds": ("检查事由", "The grounds of an inspection request."),
    "Approval": ("批准", "An approval of an on-site inspection."),
    "Harm": ("危害后果", "The harm a violation did."),
    "Objector": ("提出方", "Who raised an objection."),
    "Organiser": ("组织部门", "Who organised a special action or special inspection."),
}


def field_label(model: str, field: str) -> tuple[str, str] | None:
    """(Chinese label, English description) of a field, or None when the table has none (a test catches it)."""
    return FIELD_LABELS.get(model, {}).get(field)
