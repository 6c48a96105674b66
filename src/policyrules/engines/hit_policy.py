"""The hit policy: which decisions the facts ask for, and from the rules that hold to each decision's outcome
and flags. Shared by every engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..conditions import CompiledPack, CompiledRule
from ..facts import Facts
from ..packs import DECISIONS, FLAGS


@dataclass(frozen=True)
class Resolution:
    outcome: str
    decided_by: tuple[CompiledRule, ...]  # holding rules that yield the outcome
    flag_rules: tuple[CompiledRule, ...]  # holding rules that set a flag
    flags: dict[str, bool] = field(default_factory=dict)


def resolve(pack: CompiledPack, decision: str, holds: Callable[[str], bool]) -> Resolution:
    """Apply the decision's hit policy: the first outcome in priority order that a holding rule yields,
    else the default; flags are set by any holding rule that sets them."""
    policy = pack.definition.decisions[decision]
    held = [r for r in pack.by_decision[decision] if holds(r.id)]
    yielded = {r.yields for r in held}
    outcome = next((o for o in policy.priority if o in yielded), policy.default)
    decided_by = tuple(r for r in held if r.yields == outcome)
    flag_rules = tuple(r for r in held if r.sets)
    flags = {f: any(r.sets.get(f, False) for r in flag_rules) for f in FLAGS.get(decision, ())}
    return Resolution(outcome, decided_by, flag_rules, flags)


def present_decisions(facts: Facts) -> tuple[str, ...]:
    """Which decisions the contract's section 3 asks for, given the facts as known on the date."""
    listing = facts.enterprise.listing
    present = {
        "inclusion": True,
        "listing": listing is not None and listing.removed_on is None,
        "inspection": facts.inspection_request is not None,
        "penalty": facts.violation_case is not None,
        "supervision": True,
    }
    return tuple(d for d in DECISIONS if present[d])
