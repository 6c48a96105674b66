"""The facts as known on a date: events dated after it dropped, and whether the enterprise is listed then."""

from __future__ import annotations

from datetime import date

from .model import Facts, Listing


def as_known_on(facts: Facts, as_of: date) -> Facts:
    """The facts with every event dated after `as_of` dropped: what was known on that date."""
    ent = facts.enterprise
    listing = ent.listing
    if (
        (listing is None or (listing.listed_on <= as_of and (listing.removed_on or as_of) <= as_of))
        and (not ent.violations or max(v.date for v in ent.violations) <= as_of)
        and (not ent.inspections or max(i.date for i in ent.inspections) <= as_of)
    ):
        return facts  # the usual case: nothing to drop, no copy
    if listing is not None and listing.listed_on > as_of:
        listing = None
    elif listing is not None and listing.removed_on is not None and listing.removed_on > as_of:
        listing = Listing(listed_on=listing.listed_on, category=listing.category)
    pruned = ent.model_copy(
        update={
            "violations": tuple(v for v in ent.violations if v.date <= as_of),
            "inspections": tuple(i for i in ent.inspections if i.date <= as_of),
            "listing": listing,
        }
    )
    return facts.model_copy(update={"enterprise": pruned})


def is_listed(facts: Facts) -> bool:
    """On the list on the evaluation date (call on facts already pruned by as_known_on)."""
    listing = facts.enterprise.listing
    return listing is not None and listing.removed_on is None
