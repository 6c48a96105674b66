"""The changes an alternative may make: the facts that can still change, the candidate values the decision's
conditions test, and a facts document with changes applied."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...conditions import Leaf, leaves, references
from ...engines import Pack

# The facts a person can still change, and so the only ones an alternative changes. Left out, because they
# record what happened or what the enterprise is: the violations, inspections and objections; the listing;
# the size, the industry traits (民生, 重点行业, 重大项目, 防疫), the findings of frequent exceedances,
# complaints or violations; the case's date, harm, first offence, malice, fault, self-report.
CHANGEABLE: frozenset[str] = frozenset(
    {
        "enterprise.traits.low_emission",  # 污染物排放量小: reduced by treatment
        "enterprise.traits.low_risk",  # 环境风险低
        "enterprise.traits.high_employment",  # 吸纳就业能力强
        "enterprise.traits.green_certified",
        "enterprise.traits.long_term_compliant",
        "enterprise.traits.high_disclosure",
        "enterprise.traits.community_engagement",
        "enterprise.monitoring.installed",
        "enterprise.monitoring.networked",
        "enterprise.monitoring.stable",
        "enterprise.monitoring.compliant",
        "enterprise.credit_rating",  # re-rated, or repaired
        "inspection_request.self_check_report",
        "inspection_request.review_needs_site_visit",
        "inspection_request.approvals",
        "inspection_request.enterprise_consent",
        "violation_case.corrected",  # 及时改正
        "violation_case.eliminated",  # 消除危害后果
        "violation_case.harm_mitigated",  # 主动减轻危害后果
    }
)


@dataclass(frozen=True, order=True)
class Edit:
    """One candidate change: a fact set to a value, or a member added to a list fact."""

    path: str
    value: Any
    member: bool = False  # value is a member added to the list at `path`


def relevant_leaves(pack: Pack, decision: str) -> tuple[tuple[str, Leaf], ...]:
    """(rule id, leaf) for every fact leaf the decision depends on, through rule and outcome references."""
    compiled = pack.compiled
    todo, seen_rules, seen_decisions = [decision], set(), set()
    out: list[tuple[str, Leaf]] = []
    while todo:
        name = todo.pop()
        if name in seen_decisions:
            continue
        seen_decisions.add(name)
        stack = [r.id for r in compiled.rules_of(name)]
        while stack:
            rule_id = stack.pop()
            if rule_id in seen_rules:
                continue
            seen_rules.add(rule_id)
            rule = compiled.rule(rule_id)
            out += [(rule_id, leaf) for leaf in leaves(rule.cond)]
            rules, decisions = references(rule.cond)
            stack += sorted(rules)
            todo += sorted(decisions)
    return tuple(out)


def candidates(
    found: Sequence[tuple[str, Leaf]], document: Mapping[str, Any], grade_codes: Mapping[str, str]
) -> tuple[Edit, ...]:
    edits: set[Edit] = set()
    for _, leaf in found:
        reads = leaf.atom.reads
        if not reads or reads[0] not in ("fact", "contains") or reads[1] not in CHANGEABLE:
            continue
        path = reads[1]
        if path.split(".")[0] != "enterprise" and path.split(".")[0] not in document:
            continue  # a question not asked cannot be changed into being asked
        current = get(document, path)
        if reads[0] == "contains":
            if reads[2] not in (current or ()):
                edits.add(Edit(path, reads[2], member=True))
        elif leaf.atom.kind == "bool":
            edits.add(Edit(path, not bool(current)))
        else:
            values = leaf.atom.domain if leaf.atom.kind in ("grade", "enum") else _literals(leaf.operand)
            if leaf.atom.kind == "grade" and current is not None:  # a grade written by its label: keep to labels
                code = grade_codes.get(str(current), current)
                labels = {c: k for k, c in grade_codes.items() if k != c} if code != current else {}
                edits |= {Edit(path, labels.get(v, v)) for v in values if v != code}
                continue
            edits |= {Edit(path, v) for v in values if v != current}
    return tuple(sorted(edits))


def _literals(operand: Any) -> tuple[Any, ...]:
    return operand if isinstance(operand, tuple) else (operand,)


def consistent(combo: Sequence[Edit]) -> bool:
    """At most one value per fact (members of one list may be added together)."""
    paths = [e.path for e in combo if not e.member]
    return len(paths) == len(set(paths))


def get(document: Mapping[str, Any], path: str) -> Any:
    current: Any = document
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return _default(path)
        current = current[part]
    return current


def _default(path: str) -> Any:
    if path == "inspection_request.approvals":
        return []
    if path == "enterprise.credit_rating":
        return None
    return False


def apply(document: Mapping[str, Any], edits: Sequence[Edit]) -> dict[str, Any]:
    out: dict[str, Any] = copy.deepcopy(dict(document))
    for edit in edits:
        *parents, last = edit.path.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        if edit.member:
            node[last] = [*node.get(last, []), edit.value]
        else:
            node[last] = edit.value
    return out


def plain(value: Any) -> Any:
    """The validated document as plain JSON data (tuples as lists)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
