"""Case splitting over the dimensions in one fixed order with every sub-result shared: a reduced, ordered,
multi-valued decision diagram, with its boolean connectives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

Key: TypeAlias = Any  # a terminal value: a truth value, an outcome, or what a pack decides


class Diagram:
    """Case splitting over the dimensions in one fixed order, with every sub-result shared: a reduced,
    ordered multi-valued decision diagram. A node splits on one dimension and has a child per value; a node
    whose children are all the same is that child (the dimension does not matter there), and equal nodes are
    one node. Nodes are ints; terminals carry a value."""

    def __init__(self, sizes: Sequence[int], limit: int) -> None:
        self.sizes = list(sizes)
        self.bottom = len(sizes)
        self.limit = limit
        self.levels: list[int] = []
        self.kids: list[tuple[int, ...]] = []
        self.values: list[Key] = []
        self._unique: dict[tuple[int, tuple[int, ...]], int] = {}
        self._terminals: dict[Key, int] = {}
        self._memo: dict[tuple[Any, tuple[int, ...]], int] = {}

    def __len__(self) -> int:
        return len(self.levels)

    def const(self, value: Key) -> int:
        node = self._terminals.get(value)
        if node is None:
            node = self._terminals[value] = self._new(self.bottom, (), value)
        return node

    def make(self, level: int, kids: Sequence[int]) -> int:
        first = kids[0]
        if all(k == first for k in kids):
            return first
        key = (level, tuple(kids))
        node = self._unique.get(key)
        if node is None:
            node = self._unique[key] = self._new(level, key[1], None)
        return node

    def _new(self, level: int, kids: tuple[int, ...], value: Key) -> int:
        if len(self.levels) >= self.limit:
            raise LimitHit
        self.levels.append(level)
        self.kids.append(kids)
        self.values.append(value)
        return len(self.levels) - 1

    def is_const(self, node: int) -> bool:
        return self.levels[node] == self.bottom

    def apply(self, tag: Any, fn: Any, args: tuple[int, ...]) -> int:
        """The diagram of fn(values of args...) — fn takes one terminal value per argument."""
        memo = (tag, args)
        known = self._memo.get(memo)
        if known is not None:
            return known
        top = min(self.levels[a] for a in args)
        if top == self.bottom:
            result = self.const(fn(*(self.values[a] for a in args)))
        else:
            kids = [
                self.apply(tag, fn, tuple(self.kids[a][i] if self.levels[a] == top else a for a in args))
                for i in range(self.sizes[top])
            ]
            result = self.make(top, kids)
        self._memo[memo] = result
        return result

    def not_(self, node: int) -> int:
        return self.apply("not", _not, (node,))

    def and_(self, nodes: Sequence[int]) -> int:
        return self._junction(nodes, True)

    def or_(self, nodes: Sequence[int]) -> int:
        return self._junction(nodes, False)

    def _junction(self, nodes: Sequence[int], unit: bool) -> int:
        """all (unit True) or any (unit False): terminals equal to `unit` drop out, one `not unit` decides."""
        rest: list[int] = []
        for node in nodes:
            if self.is_const(node):
                if self.values[node] is not unit:
                    return self.const(not unit)
                continue
            if node not in rest:
                rest.append(node)
        if not rest:
            return self.const(unit)
        result = rest[0]
        for node in rest[1:]:
            result = self.apply("and" if unit else "or", _and if unit else _or, (result, node))
        return result

    def terminals(self, root: int) -> list[Key]:
        """The terminal values reachable from `root`, in the order a walk taking values in order meets them."""
        seen: set[int] = set()
        found: dict[Key, None] = {}
        stack = [root]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if self.is_const(node):
                found[self.values[node]] = None
            else:
                stack.extend(reversed(self.kids[node]))
        return list(found)


class LimitHit(Exception):
    """The diagram reached its node limit: the search stops and reports itself incomplete."""


def _not(a: Key) -> bool:
    return not a


def _and(a: Key, b: Key) -> bool:
    return bool(a and b)


def _or(a: Key, b: Key) -> bool:
    return bool(a or b)
