"""Engines behind one interface (compiled, durable_rules), the hit policy, and decisions with citations."""

from .engine import ENGINES, Pack, load_pack
from .result import ConditionTrace, Decision, Result, RuleTrace

__all__ = [
    "ENGINES",
    "ConditionTrace",
    "Decision",
    "Pack",
    "Result",
    "RuleTrace",
    "load_pack",
]
