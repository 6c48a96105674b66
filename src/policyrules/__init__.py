"""policyrules: China's environmental-enforcement positive-list policies as declarative, testable rules.

from policyrules import load_pack
pack = load_pack("mee_2021")
result = pack.evaluate(facts, as_of=date(2021, 10, 1))
result.decisions["inclusion"].outcome
"""

from .engines import ConditionTrace, Decision, Pack, Result, RuleTrace, load_pack
from .errors import EngineUnavailable, EvaluationError, FactsError, PackError, PolicyRulesError, Problem
from .facts import Facts, parse_facts

__version__ = "0.1.0"

__all__ = [
    "ConditionTrace",
    "Decision",
    "EngineUnavailable",
    "EvaluationError",
    "Facts",
    "FactsError",
    "Pack",
    "PackError",
    "PolicyRulesError",
    "Problem",
    "Result",
    "RuleTrace",
    "__version__",
    "load_pack",
    "parse_facts",
]
