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
        default_note="no inclusion category of this pack holds, and nothing bars the enterprise",
    ),
    "listing": DecisionPolicySpec(
        priority=("remove", "expired"),
        default="keep",
        note="an order to remove outranks plain expiry",
        default_note="no removal rule holds and the validity period has not ended",
    ),
    "inspection": DecisionPolicySpec(
        priority=("refused", "non_site", "self_check_first", "needs_approval", "permitted"),
        default="permitted",
        note="the most restrictive holding outcome wins",
        default_note="no positive-list restriction applies to this request: ordinary enforcement permits it",
    ),
    "penalty": DecisionPolicySpec(
        priority=("severe", "may_waive"),
        default="ordinary",
        note="severe punishment overrides a waiver",
        default_note="neither a waiver nor severe punishment applies: the violation is dealt with by law",
    ),
    "supervision": DecisionPolicySpec(
        priority=("special", "exempt_on_site", "reduced", "general"),
        default="general",
        note="special supervision outranks every relief",
        default_note="no rule changes how often the enterprise is drawn: an ordinary random-draw object",
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
