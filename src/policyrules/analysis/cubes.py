"""Cubes over a decision diagram (per level, the value indices allowed): the smallest cube holding a set, the
least point of a set, and a few largest cubes covering a set (how a region is stated)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias

from .diagrams import Diagram

Cube: TypeAlias = tuple[frozenset[int], ...]  # per level, the value indices a region allows


class Cover:
    """A few largest cubes inside `allowed` that together cover `care` (both 0/1 diagrams): each cube of a
    disjoint cover of `care` is expanded, dimension by dimension, while it stays inside `allowed` (a prime
    cube), and cubes the others cover (as far as `care` goes) are dropped."""

    def __init__(self, dd: Diagram, allowed: int, care: int, order: Sequence[int], within: Cube) -> None:
        assert dd.and_([care, dd.not_(allowed)]) == dd.const(False), "care must lie inside allowed"
        self.within = within  # the cube the conditions are counted against (the region's hull)
        self.dd = dd
        self.allowed = allowed
        self.care = care
        self.order = order
        self.full = tuple(frozenset(range(n)) for n in dd.sizes)

    def inside(self, node: int, cube: Cube) -> bool:
        """Whether the 0/1 diagram `node` is true on every point of the cube."""
        dd = self.dd
        memo: dict[int, bool] = {}

        def walk(n: int) -> bool:
            if dd.is_const(n):
                return bool(dd.values[n])
            known = memo.get(n)
            if known is None:
                kids = dd.kids[n]
                known = memo[n] = all(walk(kids[i]) for i in cube[dd.levels[n]])
            return known

        return walk(node)

    def expand(self, cube: Cube) -> Cube:
        for level in self.order:
            if cube[level] != self.full[level]:
                trial = (*cube[:level], self.full[level], *cube[level + 1 :])
                if self.inside(self.allowed, trial):
                    cube = trial
        for level in self.order:
            for i in sorted(self.full[level] - cube[level]):
                trial = (*cube[:level], cube[level] | {i}, *cube[level + 1 :])
                if self.inside(self.allowed, trial):
                    cube = trial
        return cube

    def diagram(self, cubes: Iterable[Cube]) -> int:
        """The 0/1 diagram of the union of the cubes."""
        dd = self.dd
        union = dd.const(False)
        for cube in cubes:
            union = dd.or_([union, cube_diagram(dd, cube)])
        return union

    def primes(self, budget: int | None = None) -> list[Cube] | None:
        """Take the least point of `care` not yet covered, expand it to a prime cube, repeat; then drop the
        cubes the others cover. With a budget, give up (None) once the cubes state more conditions than that
        beyond `within`."""
        dd = self.dd
        false = dd.const(False)
        kept: list[Cube] = []
        uncovered = self.care
        while uncovered != false:
            point = least_point(dd, uncovered)
            cube = self.expand(tuple(frozenset({i}) for i in point))
            kept.append(cube)
            if budget is not None and literals(kept, self.within) > budget:
                return None
            uncovered = dd.and_([uncovered, dd.not_(cube_diagram(dd, cube))])
        outside = dd.not_(self.care)
        for prime in list(reversed(kept)):
            others = [c for c in kept if c != prime]
            if others and self.inside(dd.or_([self.diagram(others), outside]), prime):
                kept.remove(prime)
        return kept


def cube_diagram(dd: Diagram, cube: Cube) -> int:
    """The 0/1 diagram that is true exactly on the cube."""
    node = dd.const(True)
    for level in reversed(range(len(cube))):
        if len(cube[level]) != dd.sizes[level]:
            node = dd.make(level, [node if i in cube[level] else dd.const(False) for i in range(dd.sizes[level])])
    return node


def hull(dd: Diagram, node: int) -> Cube:
    """The smallest cube holding every point where the 0/1 diagram is true: per level, the values some such
    point takes."""
    seen: dict[int, None] = {}
    used: list[set[int]] = [set() for _ in dd.sizes]
    skipped: set[int] = set()

    def walk(n: int, level: int) -> None:
        # `level` is the first level not yet decided on the way to n: levels between it and n's are free
        skipped.update(range(level, dd.levels[n]))
        if dd.is_const(n) or n in seen:
            return
        seen[n] = None
        for i, kid in enumerate(dd.kids[n]):
            if not (dd.is_const(kid) and not dd.values[kid]):
                used[dd.levels[n]].add(i)
                walk(kid, dd.levels[n] + 1)

    walk(node, 0)
    return tuple(
        frozenset(range(dd.sizes[lv])) if lv in skipped else frozenset(used[lv]) for lv in range(len(dd.sizes))
    )


def least_point(dd: Diagram, node: int) -> tuple[int, ...]:
    """The smallest point (value indices, level by level, defaults first) where the 0/1 diagram is true."""
    out = [0] * len(dd.sizes)
    while not dd.is_const(node):
        kids = dd.kids[node]
        i = next(i for i, kid in enumerate(kids) if not (dd.is_const(kid) and not dd.values[kid]))
        out[dd.levels[node]] = i
        node = kids[i]
    assert dd.values[node], "least_point of an empty set"
    return tuple(out)


def literals(cubes: Sequence[Cube], within: Cube) -> int:
    """How many conditions the cubes state beyond `within`: the measure of a region's length."""
    return sum(1 for cube in cubes for mine, box in zip(cube, within, strict=True) if not mine >= box)
