"""Engines behind one interface (compiled, durable_rules), the hit policy, and decisions with citations.

The durable engine is imported only when first asked for (`Pack.engine("durable")`): durable_rules may be
missing."""

from .compiled import CompiledEngine
from .pack import Pack, load_pack, load_pack_for
from .protocol import ENGINES, Engine
from .result import ConditionTrace, Decision, Result, RuleTrace

__all__ = [
    "ENGINES",
    "CompiledEngine",
    "ConditionTrace",
    "Decision",
    "Engine",
    "Pack",
    "Result",
    "RuleTrace",
    "load_pack",
    "load_pack_for",
]
