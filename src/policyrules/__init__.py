"""policyrules: China's environmental-enforcement positive-list policies as declarative, testable rules.

from policyrules import load_pack
pack = load_pack("mee_2021")
result = pack.evaluate(facts, as_of=date(2021, 10, 1))
result.decisions["inclusion"].outcome

packs_for("山西省长治市", date(2021, 6, 1))   # which rules govern a place on a date
load_pack_for("重庆", date(2022, 3, 1))        # the pack to evaluate with there
"""

from typing import TYPE_CHECKING, Any

from .engines import ConditionTrace, Decision, Pack, Result, RuleTrace, load_pack, load_pack_for
from .errors import EngineUnavailable, EvaluationError, FactsError, PackError, PolicyRulesError, Problem
from .facts import Facts, parse_facts

if TYPE_CHECKING:
    from .packs import PlaceAnswer, packs_for

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """The places table (packs/places.py) loads when first asked for: evaluating with a named pack needs none."""
    if name in ("PlaceAnswer", "packs_for"):
        from . import packs

        return getattr(packs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "PlaceAnswer", "packs_for"})


__all__ = [
    "ConditionTrace",
    "Decision",
    "EngineUnavailable",
    "EvaluationError",
    "Facts",
    "FactsError",
    "Pack",
    "PackError",
    "PlaceAnswer",
    "PolicyRulesError",
    "Problem",
    "Result",
    "RuleTrace",
    "__version__",
    "load_pack",
    "load_pack_for",
    "packs_for",
    "parse_facts",
]
