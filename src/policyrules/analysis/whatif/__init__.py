"""What would make it hold: the minimal sets of changes to an enterprise's facts under which a decision has the
asked outcome, and where waiting is the answer, the earliest date from which it holds.

Only facts the enterprise or the bureau can still change are changed (CHANGEABLE): what happened cannot be
undone — a recorded violation, an inspection, an objection, the case's harm or first-offence — but time can
carry it out of a window (a violation three years old no longer bars listing). So the search runs on the
evaluation date and on every later date where something the rules read changes by itself (a window closing, a
listing's anniversary), and keeps the alternatives no other beats: none has all the changes of another that
holds on the same date or sooner. Every alternative is found by evaluating its facts on its date with the
asked engine, and is evaluated once more before it is returned (`Alternative.result`).

The search is exhaustive over the candidate changes, up to `max_changes` at a time: a candidate is a value of a
changeable fact that some condition of the decision's rules (or the rules and decisions they refer to) tests —
each boolean flipped, each grade of the credit scheme, each code an enumeration is compared with, each member a
list is tested for. Breadth first, so a set is tried only when none of its subsets holds.

search (what_if, the search over dates and sets of changes) → edits (the facts that can change, the candidate
changes, applying them) and dates (the later dates on which something the rules read changes by itself) → answer
(the alternatives, verified, and their JSON)."""

from .answer import Alternative, Change, WhatIf
from .edits import CHANGEABLE
from .search import what_if

__all__ = ["CHANGEABLE", "Alternative", "Change", "WhatIf", "what_if"]
