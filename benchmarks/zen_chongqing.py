"""The Chongqing inclusion decision (渝环规〔2021〕5号 三、（二）–（四）, pack `chongqing`) written by hand as a
GoRules JSON Decision Model for zen-engine, the peer benchmarks/perf.py measures against.

It reads the same facts document as `Pack.evaluate` (contract section 1, dates as ISO text, enumerations and
grades as codes or Chinese labels) plus `as_of`, and decides what the pack's inclusion decision decides:
barred if a bar holds (三、（四） serious violations of any date, 三、（三） an upheld objection), else eligible
if one of the five categories 三、（二）一是–五是 holds, else ineligible. As the pack does, it reads the facts as
known on `as_of`: events dated after it do not count, and "within one year" starts on the same calendar day a
year earlier (29 February falls back to the 28th, hence `sub(12, 'M')`: zen's `sub(1, 'y')` gives an invalid
date there). It validates nothing: zen has no schema for the input.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

ON_OR_BEFORE = "d(#.date) <= $.today"  # as known on the evaluation date
IN_YEAR = f"d(#.date) >= $.year_ago and {ON_OR_BEFORE}"
# 近 1年内已经进行过现场执法检查 is an entry test (read_on: entry): the year before the listing date while the
# enterprise is on the list (listed, not removed, within the three-year validity of 三、（四）), else the year
# before the evaluation date
IN_ENTRY_YEAR = "d(#.date) >= $.entry_year_ago and d(#.date) <= $.entry"
OBJECTORS = "['department', 'industry_association', 'social_organisation', '相关部门', '行业协会', '社会组织']"
TRAIT = "enterprise.traits.{} == true"
MONITOR = "enterprise.monitoring.{} == true"
SEVERE_KINDS = (
    "['malicious_discharge', 'falsified_records', 'evading_supervision', '恶意偷排', '篡改台账记录', '逃避监管']"
)

# (key, expression); later keys read earlier ones as $.key
ATOMS: tuple[tuple[str, str], ...] = (
    ("today", "d(as_of)"),
    ("year_ago", "d(as_of).sub(12, 'M')"),
    ("violations", "enterprise.violations ?? []"),
    ("listing", "enterprise.listing"),
    (
        "on_list",
        "$.listing != null and d($.listing.listed_on) <= $.today"
        " and ($.listing.removed_on == null or d($.listing.removed_on) > $.today)"
        " and $.today < d($.listing.listed_on).add(36, 'M')",
    ),
    ("entry", "$.on_list ? d($.listing.listed_on) : $.today"),
    ("entry_year_ago", "$.entry.sub(12, 'M')"),
    ("onsite_year", f"len(filter(enterprise.inspections ?? [], #.on_site != false and {IN_ENTRY_YEAR}))"),
    ("violations_year", f"len(filter($.violations, {IN_YEAR}))"),
    ("serious_year", f"len(filter($.violations, #.serious == true and {IN_YEAR}))"),
    (
        "severe_ever",
        f"len(filter($.violations, (#.kind in {SEVERE_KINDS} or #.serious == true) and {ON_OR_BEFORE}))",
    ),
    (
        "upheld_objections",
        "len(filter(enterprise.objections ?? [], #.upheld == true and #.reasoned != false"
        f" and (#.objector == null or #.objector in {OBJECTORS})))",
    ),
    ("grade_good", "enterprise.credit_rating in ['trustworthy', 'good', '环保诚信', '环保良好']"),
    ("grade_trustworthy", "enterprise.credit_rating in ['trustworthy', '环保诚信']"),
    ("monitored", f"{MONITOR.format('installed')} and {MONITOR.format('stable')} and {MONITOR.format('networked')}"),
    # 三、（二）一是
    ("cat1", TRAIT.format("epidemic_essential")),
    # 三、（二）二是
    (
        "cat2",
        f"({TRAIT.format('livelihood_key_industry')} or {TRAIT.format('livelihood_related')} or "
        f"({TRAIT.format('low_emission')} and {TRAIT.format('low_risk')} and {TRAIT.format('high_employment')}))"
        " and $.onsite_year >= 1 and $.violations_year == 0",
    ),
    # 三、（二）三是
    (
        "cat3",
        f"({TRAIT.format('major_project')} or {TRAIT.format('key_sector')}) and "
        "(($.onsite_year >= 1 and $.serious_year == 0) or $.monitored)",
    ),
    # 三、（二）四是
    (
        "cat4",
        f"$.monitored and $.grade_good and $.violations_year == 0 and {MONITOR.format('compliant')}",
    ),
    # 三、（二）五是
    ("cat5", "$.grade_trustworthy"),
    ("eligible", "$.cat1 or $.cat2 or $.cat3 or $.cat4 or $.cat5"),
    # 三、（四） 不得再次纳入; 三、（三） 复核属实的，不得纳入
    ("barred", "$.severe_ever >= 1 or $.upheld_objections >= 1"),
)

# hit policy "first": barred before eligible, else the default
OUTCOME_RULES = (("true", "", "barred"), ("", "true", "eligible"), ("", "", "ineligible"))


def _node(node_id: str, kind: str, content: Any = None) -> dict[str, Any]:
    node: dict[str, Any] = {"id": node_id, "type": kind, "name": node_id, "position": {"x": 0, "y": 0}}
    if content is not None:
        node["content"] = content
    return node


def decision_model() -> dict[str, Any]:
    expressions = [{"id": f"x{i}", "key": key, "value": value} for i, (key, value) in enumerate(ATOMS)]
    table = {
        "hitPolicy": "first",
        "inputs": [
            {"id": "barred", "name": "barred", "field": "barred"},
            {"id": "eligible", "name": "eligible", "field": "eligible"},
        ],
        "outputs": [{"id": "outcome", "name": "outcome", "field": "outcome"}],
        "rules": [
            {"_id": f"r{i}", "barred": barred, "eligible": eligible, "outcome": f'"{outcome}"'}
            for i, (barred, eligible, outcome) in enumerate(OUTCOME_RULES)
        ],
    }
    nodes = [
        _node("input", "inputNode"),
        _node("atoms", "expressionNode", {"expressions": expressions}),
        _node("inclusion", "decisionTableNode", table),
        _node("output", "outputNode"),
    ]
    chain = ("input", "atoms", "inclusion", "output")
    edges = [
        {"id": f"e{i}", "sourceId": a, "targetId": b, "type": "edge"}
        for i, (a, b) in enumerate(itertools.pairwise(chain))
    ]
    return {"nodes": nodes, "edges": edges}


def decision_json() -> str:
    return json.dumps(decision_model(), ensure_ascii=False)
