"""Decision hit policies: the engine's documented defaults, and a pack's own restatements checked against
the decisions and outcomes that exist."""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import Problem, did_you_mean
from ..yamlio import Where
from .definition import PackDefinition
from .spec import DECISIONS, OUTCOMES, DecisionPolicySpec

# The engine's documented hit policies; a pack may restate or change them under `decisions:`.
DEFAULT_POLICIES: dict[str, DecisionPolicySpec] = {
    "inclusion": DecisionPolicySpec(
        priority=("barred", "eligible"),
        default="ineligible",
        note="a bar overrides every inclusion category",
        note_zh="不得纳入的情形优先于任何纳入类别",
        default_note="no inclusion category of this pack holds, and nothing bars the enterprise",
        default_note_zh="本包的纳入类别均不成立，也没有不得纳入的情形",
    ),
    "listing": DecisionPolicySpec(
        priority=("remove", "expired"),
        default="keep",
        note="an order to remove outranks plain expiry",
        note_zh="移出的要求优先于单纯的有效期届满",
        default_note="no removal rule holds and the validity period has not ended",
        default_note_zh="没有移出规则成立，有效期也未届满",
    ),
    "inspection": DecisionPolicySpec(
        priority=("refused", "non_site", "self_check_first", "needs_approval", "permitted"),
        default="permitted",
        note="the most restrictive holding outcome wins",
        note_zh="成立的结论中限制最严的优先",
        default_note="no positive-list restriction applies to this request: ordinary enforcement permits it",
        default_note_zh="该请求不适用正面清单的任何限制：按一般执法程序可以开展",
    ),
    "penalty": DecisionPolicySpec(
        priority=("severe", "may_waive"),
        default="ordinary",
        note="severe punishment overrides a waiver",
        note_zh="从严从重处罚优先于免罚",
        default_note="neither a waiver nor severe punishment applies: the violation is dealt with by law",
        default_note_zh="既不适用免罚，也不适用从严从重处罚：依法处理",
    ),
    "supervision": DecisionPolicySpec(
        priority=("special", "exempt_on_site", "reduced", "general"),
        default="general",
        note="special supervision outranks every relief",
        note_zh="特殊监管优先于任何减免",
        default_note="no rule changes how often the enterprise is drawn: an ordinary random-draw object",
        default_note_zh="没有规则改变企业的抽查频次：为一般随机抽查对象",
    ),
}


def resolve_policies(
    own: Mapping[str, DecisionPolicySpec],
    where: Where,
    parent: PackDefinition | None,
    problems: list[Problem],
) -> dict[str, DecisionPolicySpec]:
    """The parent's policies (or the defaults) with this pack's own applied; `where` is `decisions:` in pack.yaml."""
    policies = dict(parent.decisions) if parent else dict(DEFAULT_POLICIES)
    for decision, policy in own.items():
        here = where.at(decision)
        if decision not in DECISIONS:
            problems.append(here.problem(f"unknown decision '{decision}'{did_you_mean(decision, DECISIONS)}"))
            continue
        for outcome in (*policy.priority, policy.default):
            if outcome not in OUTCOMES[decision]:
                problems.append(
                    here.problem(
                        f"'{outcome}' is not an outcome of {decision}; expected one of {', '.join(OUTCOMES[decision])}"
                    )
                )
        policies[decision] = policy
    return policies
