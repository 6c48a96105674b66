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
    """Which decisions the contract's section 3 asks for, given the facts as known on the date: inclusion and
    supervision always; listing when the enterprise is on the list (listed and not removed); inspection when
    an inspection request is given; penalty when a violation case is given."""
    listing = facts.enterprise.listing
    return _PRESENT[
        (
            listing is not None and listing.removed_on is None,
            facts.inspection_request is not None,
            facts.violation_case is not None,
        )
    ]


def _present(listing: bool, inspection: bool, penalty: bool) -> tuple[str, ...]:
    asked = {"inclusion": True, "listing": listing, "inspection": inspection, "penalty": penalty, "supervision": True}
    return tuple(d for d in DECISIONS if asked[d])


# every combination once, in the contract's order (DECISIONS)
_PRESENT = {(a, b, c): _present(a, b, c) for a in (False, True) for b in (False, True) for c in (False, True)}
