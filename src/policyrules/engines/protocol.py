"""The engine interface and the registry of engines by name (`--engine`).

An engine only decides which rules hold; the hit policy and everything after it are shared (hit_policy.py,
pack.py), so the engines cannot drift apart there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from ..conditions import CompiledPack, Value
from .compiled import CompiledEngine


class Engine(Protocol):
    """An engine decides which of a pack's rules hold on a view of the facts."""

    name: str

    def holding(self, view: Mapping[str, Value]) -> frozenset[str]:
        """The ids of every active rule of the pack that holds on `view`."""
        ...


EngineFactory = Callable[[CompiledPack], Engine]


def _durable_factory(pack: CompiledPack) -> Engine:
    from .durable import DurableEngine  # imported lazily: durable_rules may be unavailable

    engine: Engine = DurableEngine(pack)
    return engine


ENGINES: dict[str, EngineFactory] = {"compiled": CompiledEngine, "durable": _durable_factory}
